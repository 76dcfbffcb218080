// The optimised evaluator against a straightforward reference interpreter, on 100,000 generated
// mentions per example flow, through both ways mentions arrive: generic Records and JSON lines.
//
// The reference walks the public Flow model directly: no phrase automaton (it folds the whole text
// with utf8proc_map and searches each phrase with std::string::find), no per-mention caches, no
// slot-resolved JSON keys, no pre-serialised output. Where the two disagree, one of them is wrong.
#include "support.hpp"
#include "flow_data.hpp"

#include "triage/json_writer.hpp"
#include "text_match.hpp"

#include <utf8proc.h>

#include <fmt/format.h>
#include <re2/re2.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <set>

using namespace triage;

namespace {

// ---- the reference interpreter ----------------------------------------------------------------

// Folding as issue 14 specifies it: utf8proc_map over the whole text (CASEFOLD | COMPOSE | COMPAT
// | LUMP | IGNORE, after the same quote mapping), then each run of white space as one space. The
// evaluator folds code point by code point, keeping where each byte came from; both must agree.
utf8proc_int32_t premap(utf8proc_int32_t c, void*) {
    return static_cast<utf8proc_int32_t>(detail::fold_premap(static_cast<char32_t>(c)));
}

std::string fold(std::string_view text, bool trim) {
    utf8proc_uint8_t* mapped = nullptr;
    const auto options = static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                                        UTF8PROC_LUMP | UTF8PROC_IGNORE);
    const utf8proc_ssize_t n = utf8proc_map_custom(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                                   static_cast<utf8proc_ssize_t>(text.size()), &mapped, options, premap, nullptr);
    REQUIRE(n >= 0);  // the generated text is UTF-8
    std::string folded(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(n));
    std::free(mapped);
    std::string out;
    bool space = false;
    for (char c : folded) {
        if (c == ' ' || (c >= '\t' && c <= '\r')) {
            space = true;
            continue;
        }
        if (space && (!trim || !out.empty())) out += ' ';
        space = false;
        out += c;
    }
    if (space && !trim) out += ' ';
    return out;
}

// The code point starting at byte i, or one that is no word character (past the end, not UTF-8).
char32_t code_point_at(std::string_view s, std::size_t i) {
    constexpr char32_t none = 0xFFFFFFFF;
    if (i >= s.size()) return none;
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) return b;
    std::size_t n = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return none;
    char32_t c = b & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
        auto cont = static_cast<unsigned char>(s[i + k]);
        if ((cont & 0xC0) != 0x80) return none;
        c = (c << 6) | (cont & 0x3F);
    }
    return c;
}

// The code point that ends just before byte `end`.
char32_t code_point_before(std::string_view s, std::size_t end) {
    if (end == 0) return 0xFFFFFFFF;
    std::size_t start = end - 1;
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    return code_point_at(s, start);
}

bool phrase_in(const std::string& folded_text, const std::string& folded_phrase) {
    if (folded_phrase.empty()) return false;
    for (std::size_t at = folded_text.find(folded_phrase); at != std::string::npos;
         at = folded_text.find(folded_phrase, at + 1)) {
        std::size_t end = at + folded_phrase.size();
        if (detail::word_boundary(code_point_before(folded_text, at), code_point_at(folded_text, at)) &&
            detail::word_boundary(code_point_before(folded_text, end), code_point_at(folded_text, end)))
            return true;
    }
    return false;
}

struct ReferenceDecision {
    std::uint32_t outcome = no_outcome;
    std::vector<PathEntry> path;
    std::vector<std::pair<std::uint32_t, std::optional<TimePoint>>> actions;  // index, deadline
    std::set<std::uint32_t> missing;
};

class Reference {
public:
    explicit Reference(const Flow& flow) : flow_(flow) {
        for (const Regex& r : triage::detail::data_of(flow).regexes) {
            re2::RE2::Options options;
            options.set_log_errors(false);
            options.set_case_sensitive(!r.case_insensitive);
            regexes_.push_back(std::make_unique<re2::RE2>(r.pattern, options));
        }
    }

    ReferenceDecision decide(const RecordView& record, TimePoint reference) {
        record_ = &record;
        ReferenceDecision d;
        decision_ = &d;
        NodeRef node = flow_.start();
        while (node.kind == NodeKind::step) {
            const Step& step = flow_.steps()[node.index];
            std::optional<PathEntry> taken;
            for (std::uint32_t b = 0; b < step.branches.size() && !taken; ++b)
                if (holds(step.branches[b].condition)) taken = PathEntry{node.index, b, step.branches[b].target};
            if (!taken && step.otherwise)
                taken = PathEntry{node.index, static_cast<std::uint32_t>(step.branches.size()), step.otherwise->target};
            if (!taken) {
                d.path.push_back({node.index, static_cast<std::uint32_t>(step.branches.size()), node});
                return d;
            }
            d.path.push_back(*taken);
            node = taken->target;
        }
        d.outcome = node.index;
        const Outcome& o = flow_.outcomes()[d.outcome];
        for (std::uint32_t i = 0; i < o.actions.size(); ++i) {
            const Action& a = o.actions[i];
            if (a.condition != no_condition && !holds(a.condition)) continue;
            std::optional<TimePoint> deadline;
            if (a.duration) deadline = reference + std::chrono::duration_cast<std::chrono::milliseconds>(*a.duration);
            d.actions.emplace_back(i, deadline);
        }
        return d;
    }

private:
    // The record's value as the field's type reads it; anything else is missing.
    FieldValue value(std::uint32_t slot) {
        const Field& f = flow_.fields()[slot];
        FieldValue v = record_->get(slot);
        bool fits = false;
        switch (f.type) {
        case FieldType::text: fits = v.kind == ValueKind::text; break;
        case FieldType::number:
        case FieldType::integer: fits = v.kind == ValueKind::number; break;
        case FieldType::boolean: fits = v.kind == ValueKind::boolean; break;
        case FieldType::time: fits = v.kind == ValueKind::time; break;
        case FieldType::enumeration:
            if (v.kind == ValueKind::text) {
                std::uint32_t index = 0;
                while (index < f.values.size() && f.values[index] != v.text) ++index;
                v = FieldValue::of_enum(index);
            }
            fits = v.kind == ValueKind::enumeration;
            break;
        }
        if (!fits) {
            decision_->missing.insert(slot);
            return FieldValue::missing();
        }
        return v;
    }

    static bool compare(double a, double b, CompareOp op) {
        using Op = CompareOp;
        return op == Op::lt ? a < b : op == Op::le ? a <= b : op == Op::gt ? a > b : op == Op::ge ? a >= b
             : op == Op::eq ? a == b : a != b;
    }

    bool holds(ConditionId id) {
        const Condition& c = triage::detail::data_of(flow_).conditions[id];
        auto in = [](const auto& list, const auto& x) { return std::find(list.begin(), list.end(), x) != list.end(); };
        switch (c.kind) {
        case ConditionKind::constant: return c.number != 0;
        case ConditionKind::bool_field: {
            FieldValue v = value(c.field);
            return v.kind == ValueKind::boolean && v.boolean;
        }
        case ConditionKind::let_ref: return holds(triage::detail::data_of(flow_).lets[c.operand].condition);
        case ConditionKind::window:
        case ConditionKind::within_hours:
        case ConditionKind::in_crisis:
            FAIL_CHECK("the reference interpreter covers per-mention conditions; monitor_test.cpp covers these");
            return false;
        case ConditionKind::exists: return value(c.field).kind != ValueKind::missing;
        case ConditionKind::compare_number: {
            FieldValue v = value(c.field);
            return v.kind == ValueKind::number && compare(v.number, c.number, c.op);
        }
        case ConditionKind::compare_field: {
            FieldValue a = value(c.field);
            FieldValue b = value(c.operand);
            if (a.kind == ValueKind::number && b.kind == ValueKind::number) return compare(a.number, b.number, c.op);
            if (a.kind == ValueKind::time && b.kind == ValueKind::time)
                return compare(static_cast<double>(a.time.time_since_epoch().count()),
                               static_cast<double>(b.time.time_since_epoch().count()), c.op);
            return false;
        }
        case ConditionKind::text_is: {
            FieldValue v = value(c.field);
            return v.kind == ValueKind::text && (v.text == c.text) != c.negated;
        }
        case ConditionKind::text_in: {
            FieldValue v = value(c.field);
            return v.kind == ValueKind::text && in(c.strings, std::string(v.text)) != c.negated;
        }
        case ConditionKind::number_in: {
            FieldValue v = value(c.field);
            return v.kind == ValueKind::number && in(c.numbers, v.number) != c.negated;
        }
        case ConditionKind::enum_in: {
            FieldValue v = value(c.field);
            return v.kind == ValueKind::enumeration && in(c.values, v.index) != c.negated;
        }
        case ConditionKind::bool_is: {
            FieldValue v = value(c.field);
            return v.kind == ValueKind::boolean && (v.boolean == (c.number != 0)) != c.negated;
        }
        case ConditionKind::has_any:
        case ConditionKind::has_all: {
            FieldValue v = value(c.field);
            if (v.kind != ValueKind::text) return false;
            std::string text = fold(v.text, false);
            const auto& phrases = flow_.word_lists()[c.operand].phrases;
            auto found = [&](const std::string& p) { return phrase_in(text, fold(p, true)); };
            return c.kind == ConditionKind::has_any ? std::any_of(phrases.begin(), phrases.end(), found)
                                                    : std::all_of(phrases.begin(), phrases.end(), found);
        }
        case ConditionKind::contains_any: {
            FieldValue v = value(c.field);
            if (v.kind != ValueKind::text) return false;
            const std::string text = fold(v.text, false);
            const auto& phrases = flow_.word_lists()[c.operand].phrases;
            return std::any_of(phrases.begin(), phrases.end(), [&](const std::string& p) {
                const std::string phrase = fold(p, false);
                return !phrase.empty() && text.find(phrase) != std::string::npos;
            });
        }
        case ConditionKind::contains: {
            FieldValue v = value(c.field);
            if (v.kind != ValueKind::text) return false;
            const std::string phrase = fold(c.text, false);
            return !phrase.empty() && fold(v.text, false).find(phrase) != std::string::npos;
        }
        case ConditionKind::matches: {
            FieldValue v = value(c.field);
            return v.kind == ValueKind::text &&
                   re2::RE2::PartialMatch(re2::StringPiece(v.text.data(), v.text.size()), *regexes_[c.operand]);
        }
        case ConditionKind::negation: return !holds(c.children[0]);
        case ConditionKind::conjunction:
            return std::all_of(c.children.begin(), c.children.end(), [&](ConditionId child) { return holds(child); });
        case ConditionKind::disjunction:
            return std::any_of(c.children.begin(), c.children.end(), [&](ConditionId child) { return holds(child); });
        }
        return false;
    }

    const Flow& flow_;
    std::vector<std::unique_ptr<re2::RE2>> regexes_;
    const RecordView* record_ = nullptr;
    ReferenceDecision* decision_ = nullptr;
};

// ---- generated mentions -------------------------------------------------------------------------

// Values near every threshold and words from every list of the flow, in every case, inside
// longer words, next to punctuation and non-ASCII letters; about one value in ten missing.
class MentionGenerator {
public:
    explicit MentionGenerator(const Flow& flow, std::uint64_t seed) : flow_(flow), rng_(seed) {
        for (const WordList& list : flow.word_lists())
            for (const std::string& p : list.phrases) tokens_.push_back(p);
        for (const Condition& c : triage::detail::data_of(flow).conditions) {
            if (c.kind == ConditionKind::contains) tokens_.push_back(c.text);
            if (c.kind == ConditionKind::compare_number || c.kind == ConditionKind::number_in) {
                auto& near = thresholds_[c.field];
                for (double x : c.kind == ConditionKind::number_in ? c.numbers : std::vector<double>{c.number})
                    for (double d : {-1.0, -0.01, 0.0, 0.01, 1.0}) near.push_back(x + d);
            }
        }
        for (const char* t : {"the", "a", "and", "today", "CAFÉ", "naïve", "ΣΑΣ", "Straße", "😀", "—", "booking ref K7XQ2P",
                              "PNR: ab12cd", "ref 12", "x", "_", "usafe", "lolz", "bagging", "\"quoted\"", "tab\there",
                              // what folding reads alike: quotes, white space, composition, case
                              "can’t", "“quoted”", "air\u00A0force", "air \t force", "cafe\u0301", "ẞ", "ǅ",
                              "ĐIỆN", "İ", "ı", "ς", "ﬁ", "ｆｕｌｌ", "x\u00ADy", "東京タワー", "ภาษาไทย", "שלום",
                              "👍🏽"})
            filler_.emplace_back(t);
    }

    // Field values by slot; missing where none.
    std::vector<FieldValue> next(std::vector<std::string>& texts) {
        std::vector<FieldValue> values(flow_.fields().size());
        texts.assign(values.size(), {});
        for (std::uint32_t slot = 0; slot < values.size(); ++slot) {
            const Field& f = flow_.fields()[slot];
            if (below(10) == 0) continue;
            switch (f.type) {
            case FieldType::text: texts[slot] = text(); values[slot] = FieldValue::of_text(texts[slot]); break;
            case FieldType::number:
            case FieldType::integer: {
                double x = number(slot);
                if (f.type == FieldType::integer) x = std::round(x);
                values[slot] = FieldValue::of_number(x);
                break;
            }
            case FieldType::boolean: values[slot] = FieldValue::of_bool(below(2) == 1); break;
            case FieldType::time:
                values[slot] = FieldValue::of_time(base_ + std::chrono::minutes(static_cast<int>(below(4000)) - 2000));
                break;
            case FieldType::enumeration:
                texts[slot] = f.values[below(f.values.size())];
                values[slot] = FieldValue::of_text(texts[slot]);
                break;
            }
        }
        return values;
    }

private:
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }

    std::string token() {
        std::string t = below(3) == 0 ? tokens_.empty() ? "word" : tokens_[below(tokens_.size())] : filler_[below(filler_.size())];
        switch (below(6)) {
        case 0:
            for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            break;
        case 1:
            if (!t.empty()) t[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0])));
            break;
        case 2: t = "x" + t; break;  // inside a longer word: no match
        case 3: t += below(2) == 0 ? "!" : "é"; break;
        default: break;
        }
        return t;
    }

    std::string text() {
        std::string out;
        for (std::size_t n = below(12); n > 0; --n) {
            if (!out.empty()) out += below(5) == 0 ? ", " : " ";
            out += token();
        }
        return out;
    }

    double number(std::uint32_t slot) {
        auto it = thresholds_.find(slot);
        if (it != thresholds_.end() && below(2) == 0) return it->second[below(it->second.size())];
        return below(2) == 0 ? static_cast<double>(below(2001)) / 1000.0 - 1.0 : static_cast<double>(below(200000));
    }

    const Flow& flow_;
    std::mt19937_64 rng_;
    std::vector<std::string> tokens_;
    std::vector<std::string> filler_;
    std::map<std::uint32_t, std::vector<double>> thresholds_;
    TimePoint base_ = *parse_time("2026-11-20T12:00:00Z");
};

// The mention as a JSON object, dotted field names nested.
std::string to_json(const Flow& flow, const std::vector<FieldValue>& values, std::size_t id) {
    struct Node {
        std::map<std::string, Node> children;
        const FieldValue* value = nullptr;
    };
    Node root;
    for (std::uint32_t slot = 0; slot < values.size(); ++slot) {
        if (values[slot].kind == ValueKind::missing) continue;
        Node* node = &root;
        std::string_view name = flow.fields()[slot].name;
        for (std::size_t dot; (dot = name.find('.')) != std::string_view::npos; name.remove_prefix(dot + 1))
            node = &node->children[std::string(name.substr(0, dot))];
        node->children[std::string(name)].value = &values[slot];
    }
    JsonWriter json;
    auto write = [&](auto& self, const Node& node) -> void {
        json.begin_object();
        for (const auto& [key, child] : node.children) {
            json.key(key);
            if (child.value == nullptr) {
                self(self, child);
                continue;
            }
            const FieldValue& v = *child.value;
            switch (v.kind) {
            case ValueKind::text: json.string(v.text); break;
            case ValueKind::number: json.raw(fmt::format("{}", v.number)); break;
            case ValueKind::boolean: json.boolean(v.boolean); break;
            case ValueKind::time: json.string(format_time(v.time)); break;
            default: json.null(); break;
            }
        }
        if (&node == &root) json.key("id").string(fmt::format("r{}", id));
        json.end_object();
    };
    write(write, root);
    return json.take();
}

std::string describe(const Flow& flow, const ReferenceDecision& d) {
    std::string out = d.outcome == no_outcome ? "no outcome" : flow.outcomes()[d.outcome].name;
    for (const PathEntry& p : d.path) out += fmt::format(" {}#{}", flow.steps()[p.step].name, p.branch);
    return out;
}

// Empty when the optimised decision equals the reference's; else what differs.
std::string difference(const Flow& flow, const Decision& got, const ReferenceDecision& want) {
    if (got.outcome != want.outcome) return "outcome";
    if (got.path.size() != want.path.size()) return "path length";
    for (std::size_t i = 0; i < got.path.size(); ++i)
        if (got.path[i].step != want.path[i].step || got.path[i].branch != want.path[i].branch ||
            !(got.path[i].target == want.path[i].target))
            return fmt::format("path entry {}", i);
    if (got.actions.size() != want.actions.size()) return "action count";
    for (std::size_t i = 0; i < got.actions.size(); ++i) {
        const DecidedAction& a = got.actions[i];
        if (a.index != want.actions[i].first || a.deadline != want.actions[i].second) return fmt::format("action {}", i);
        const Action& declared = flow.outcomes()[got.outcome].actions[a.index];
        if (a.kind != declared.kind || a.text != declared.text || a.duration != declared.duration)
            return fmt::format("action {} details", i);
    }
    std::set<std::uint32_t> missing(got.missing_fields.begin(), got.missing_fields.end());
    if (missing != want.missing || missing.size() != got.missing_fields.size()) return "missing fields";
    return {};
}

// Whether deciding (jump code) and explaining (the tree walk, every condition traced) agree
// exactly: outcome, path, actions, and the missing fields in the order they were met.
bool same_decision(const Decision& a, const Decision& b) {
    auto same_path = [](const PathEntry& x, const PathEntry& y) {
        return x.step == y.step && x.branch == y.branch && x.target == y.target;
    };
    auto same_action = [](const DecidedAction& x, const DecidedAction& y) {
        return x.index == y.index && x.deadline == y.deadline;
    };
    return a.outcome == b.outcome && std::equal(a.path.begin(), a.path.end(), b.path.begin(), b.path.end(), same_path) &&
           std::equal(a.actions.begin(), a.actions.end(), b.actions.begin(), b.actions.end(), same_action) &&
           a.missing_fields == b.missing_fields;
}

// `flow_path` is relative to the source directory.
void compare_on_generated_mentions(const char* flow_path, std::size_t count) {
    CompileResult compiled = compile_file(test::source_dir() / flow_path);
    REQUIRE(compiled.ok());
    const Flow& flow = *compiled.flow;
    Reference reference(flow);
    Evaluator evaluator(flow);
    JsonRecordReader reader(flow);
    MentionGenerator generator(flow, 20261123);
    const TimePoint now = *parse_time("2026-11-22T10:00:00Z");
    Decision decision, explained;
    Trace trace;
    std::vector<std::string> texts;
    std::size_t record_differences = 0, json_differences = 0, json_errors = 0, explain_differences = 0;
    std::set<std::uint32_t> outcomes_seen;
    for (std::size_t n = 0; n < count; ++n) {
        std::vector<FieldValue> values = generator.next(texts);
        Record record(flow);
        for (std::uint32_t slot = 0; slot < values.size(); ++slot)
            if (values[slot].kind != ValueKind::missing) record.set(flow.fields()[slot].name, values[slot]);
        ReferenceDecision want = reference.decide(record.view(), now);
        outcomes_seen.insert(want.outcome);

        evaluator.evaluate(record.view(), now, decision);
        if (std::string diff = difference(flow, decision, want); !diff.empty() && ++record_differences <= 3)
            FAIL_CHECK("record path, " << diff << ": reference " << describe(flow, want) << "\n" << to_json(flow, values, n));
        if (n % 4 == 0) {
            evaluator.explain(record.view(), now, explained, trace);
            if (!same_decision(decision, explained) && ++explain_differences <= 3)
                FAIL_CHECK("evaluate and explain differ: " << to_json(flow, values, n));
        }

        std::string line = to_json(flow, values, n);
        if (!reader.read(line)) {
            if (++json_errors <= 3) FAIL_CHECK("JSON reader rejected " << line << ": " << reader.error());
            continue;
        }
        evaluator.evaluate(reader.view(), now, decision);
        if (std::string diff = difference(flow, decision, want); !diff.empty() && ++json_differences <= 3)
            FAIL_CHECK("JSON path, " << diff << ": reference " << describe(flow, want) << "\n" << line);
    }
    CHECK(record_differences == 0);
    CHECK(json_differences == 0);
    CHECK(json_errors == 0);
    CHECK(explain_differences == 0);
    // The generated mentions reach every outcome, so the comparison covers the whole flow.
    CHECK(outcomes_seen.size() >= flow.outcomes().size());
}

}  // namespace

TEST_CASE("reference: airforce.flow, 100k generated mentions, optimised == reference") {
    compare_on_generated_mentions("examples/airforce.flow", 100'000);
}

TEST_CASE("reference: customer_care.flow, 100k generated mentions, optimised == reference") {
    compare_on_generated_mentions("examples/customer_care.flow", 100'000);
}

TEST_CASE("reference: nonprofit.flow, 100k generated mentions, optimised == reference") {
    compare_on_generated_mentions("examples/nonprofit.flow", 100'000);
}

TEST_CASE("reference: bench/acme.flow (every text test a contains), 100k generated mentions, optimised == reference") {
    compare_on_generated_mentions("bench/acme.flow", 100'000);
}

TEST_CASE("reference: contains any beside has any and contains, 100k generated mentions, optimised == reference") {
    compare_on_generated_mentions("tests/fixtures/reference/contains_any.flow", 100'000);
}
