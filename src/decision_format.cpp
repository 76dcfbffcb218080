#include "triage/decision_format.hpp"

#include "flow_data.hpp"
#include "text_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include <charconv>
#include <cmath>
#include <cstring>

namespace triage {

using namespace std::string_view_literals;  // "…"sv: the decision line appends literals of known length

namespace {

// An action's JSON object without its deadline and closing brace: all of it is fixed by the flow.
std::string action_prefix(const Flow& flow, const Action& a) {
    JsonWriter json;
    json.begin_object();
    json.key("action").string(to_string(a.kind));
    switch (a.kind) {
    case ActionKind::respond:
        json.key("channel").string(to_string(a.channel));
        if (!a.text.empty()) json.key("template").string(a.text);
        break;
    case ActionKind::do_not_respond: json.key("reason").string(a.text); break;
    case ActionKind::escalate:
    case ActionKind::flag:
    case ActionKind::notify:
    case ActionKind::assign: json.key("team").string(a.text); break;
    case ActionKind::tag:
        json.key("labels").begin_array();
        for (const std::string& label : a.labels) json.string(label);
        json.end_array();
        break;
    case ActionKind::priority: json.key("level").string(to_string(a.priority)); break;
    case ActionKind::note: json.key("text").string(a.text); break;
    case ActionKind::monitor:
    case ActionKind::follow_up: break;
    }
    if (a.duration) {
        std::string_view key = a.kind == ActionKind::follow_up ? "after" : a.kind == ActionKind::monitor ? "for" : "within";
        json.key(key).string(format_duration(*a.duration));
        if (a.hours != no_hours) json.key("during").string(flow.hours()[a.hours].name);
    }
    json.end_object();
    std::string text = json.take();
    text.pop_back();
    return text;
}

// The members of a JSON object, without its braces.
std::string members(JsonWriter& json) {
    std::string text = json.take();
    return text.substr(1, text.size() - 2);
}

std::string value_text(const Flow& flow, std::uint32_t field, const FieldValue& v) {
    switch (v.kind) {
    case ValueKind::missing: return "missing";
    case ValueKind::text: {
        // The first 80 code points (a cut never splits a UTF-8 sequence).
        std::size_t cut = 0, count = 0;
        while (cut < v.text.size() && count < 80) {
            ++count;
            for (++cut; cut < v.text.size() && (static_cast<unsigned char>(v.text[cut]) & 0xC0) == 0x80;) ++cut;
        }
        std::string shown(v.text.substr(0, cut));
        if (cut < v.text.size()) shown += "…";
        return fmt::format("\"{}\"", shown);
    }
    case ValueKind::number: return fmt::format("{}", v.number);
    case ValueKind::boolean: return v.boolean ? "true" : "false";
    case ValueKind::time: return format_time(v.time);
    case ValueKind::enumeration: {
        const Field& f = flow.fields()[field];
        if (v.index < f.values.size()) return f.values[v.index];
        return fmt::format("\"{}\" (not one of its values)", v.text);
    }
    }
    return "?";
}

// What matched, and the text around where it matched (about 30 bytes each side, cut between
// code points), so that the matching word is visible however long the text:
// `matched "clowns" in "…are clowns, all…"`. `in_text` is that place, borrowed from `text`.
std::string match_text(std::string_view text, std::string_view matched, std::string_view in_text) {
    // A long match (a regex such as /.+/) is shown up to 80 bytes, with the text after it.
    constexpr std::size_t longest = 80, around = 30;
    const std::size_t shown = utf8_cut(matched, longest);
    std::string out = fmt::format("matched \"{}{}\"", matched.substr(0, shown), shown < matched.size() ? "…" : "");
    const bool inside = in_text.data() >= text.data() && in_text.data() + in_text.size() <= text.data() + text.size();
    if (in_text.empty() || !inside) return out;
    const auto at = static_cast<std::size_t>(in_text.data() - text.data());
    const std::size_t begin = utf8_cut(text, at > around ? at - around : 0);
    const std::size_t end = utf8_cut(text, at + utf8_cut(in_text, longest) + around);
    return out + fmt::format(" in \"{}{}{}\"", begin > 0 ? "…" : "", text.substr(begin, end - begin),
                             end < text.size() ? "…" : "");
}

// Text as a JSON string.
std::string json_text(std::string_view text) {
    JsonWriter json;
    json.string(text);
    return json.take();
}

}  // namespace

DecisionJson::DecisionJson(const Flow& flow) : flow_(flow) {
    for (const Outcome& o : flow.outcomes()) {
        JsonWriter json;
        json.begin_object().key("outcome").string(o.name).key("title").string(o.title).end_object();
        outcome_.push_back("," + members(json) + ",\"actions\":[");
        auto& actions = actions_.emplace_back();
        auto& tags = tags_.emplace_back();
        for (const Action& a : o.actions) {
            actions.push_back(action_prefix(flow, a) + '}');
            JsonWriter labels;
            labels.begin_array();
            if (a.kind == ActionKind::tag)
                for (const std::string& label : a.labels) labels.string(label);
            labels.end_array();
            std::string list = labels.take();
            tags.push_back(list.substr(1, list.size() - 2));
        }
    }
    for (std::uint32_t s = 0; s < flow.steps().size(); ++s) {
        const Step& step = flow.steps()[s];
        JsonWriter json;
        json.begin_object().key("outcome").null().key("fell_through").string(step.name).end_object();
        fell_through_.push_back("," + members(json) + ",\"actions\":[");
        auto& entries = path_.emplace_back();
        for (std::uint32_t b = 0; b <= step.branches.size(); ++b) {
            JsonWriter entry;
            entry.begin_object().key("step").string(step.name);
            if (b < step.branches.size()) {
                entry.key("branch").string(flow.condition_text(step.branches[b].condition));
                entry.key("next").string(flow.node_name(step.branches[b].target));
            } else if (step.otherwise) {
                entry.key("branch").string("else");
                entry.key("next").string(flow.node_name(step.otherwise->target));
            }
            entry.end_object();
            entries.push_back(entry.take());
        }
    }
    for (const Field& f : flow.fields()) {
        JsonWriter json;
        json.string(f.name);
        fields_.push_back(json.take());
    }
    auto json_string = [](std::string_view text) {
        JsonWriter json;
        json.string(text);
        return json.take();
    };
    for (const Crisis& c : flow.crises()) {
        crises_.push_back(json_string(c.name));
        crisis_entered_.push_back(",\"entered\":true,\"when\":" + json_string(flow.source_text(c.enter_span)));
    }
    for (const Step& s : flow.steps()) step_names_.push_back(json_string(s.name));
    for (const Outcome& o : flow.outcomes()) outcome_names_.push_back(json_string(o.name));
    // "matched" keys: a word list by its name, other text conditions as written.
    match_keys_.reserve(detail::data_of(flow).conditions.size());
    for (const Condition& c : detail::data_of(flow).conditions) {
        const bool list = reads_word_list(c.kind);
        const bool text = list || c.kind == ConditionKind::contains || c.kind == ConditionKind::matches;
        match_keys_.push_back(!text ? std::string() : json_string(list ? std::string_view(flow.word_lists()[c.operand].name)
                                                                      : flow.source_text(c.span)));
    }
}

namespace {

// Writes a decision line through a pointer into a buffer on the stack, copied to `out` when full
// and at the end: each `+=` on a std::string is a call with its own capacity check, about twenty
// per line, and growing `out` ahead would zero-fill the room first.
class LineWriter {
public:
    explicit LineWriter(std::string& out) : out_(out) {}
    [[gnu::always_inline]] void put(std::string_view text) {
        if (text.size() > static_cast<std::size_t>(std::end(buffer_) - at_)) {
            flush();
            if (text.size() > sizeof buffer_) {
                out_ += text;
                return;
            }
        }
        copy(at_, text.data(), text.size());
        at_ += text.size();
    }
    [[gnu::always_inline]] void put(char c) {
        if (at_ == std::end(buffer_)) flush();
        *at_++ = c;
    }
    void put(std::uint64_t number) {
        if (std::end(buffer_) - at_ < 20) flush();
        at_ = std::to_chars(at_, std::end(buffer_), number).ptr;
    }
    [[nodiscard]] char last() const noexcept { return at_ != buffer_ ? at_[-1] : out_.back(); }
    // Appends what the buffer holds to `out` and hands it over (for the rare parts written to it
    // directly); writing goes on in the emptied buffer.
    std::string& flush() {
        out_.append(buffer_, static_cast<std::size_t>(at_ - buffer_));
        at_ = buffer_;
        return out_;
    }

private:
    // Copies `n` bytes in 16-byte moves, the last one overlapping, and shorter pieces in two
    // overlapping moves: inline, where most pieces (fragments of 3 to 100 bytes, each length
    // known only when writing) were a call to memcpy each (perf: about 2% of `run`).
    [[gnu::always_inline]] static void copy(char* to, const char* from, std::size_t n) noexcept {
        if (n >= 16) {
            for (std::size_t i = 0; i + 16 < n; i += 16) move<16>(to + i, from + i);
            move<16>(to + n - 16, from + n - 16);
        } else if (n >= 8) {
            move<8>(to, from);
            move<8>(to + n - 8, from + n - 8);
        } else if (n >= 4) {
            move<4>(to, from);
            move<4>(to + n - 4, from + n - 4);
        } else if (n > 0) {  // 1 to 3 bytes: the first, middle and last cover them all
            to[0] = from[0];
            to[n / 2] = from[n / 2];
            to[n - 1] = from[n - 1];
        }
    }
    template <std::size_t N>
    [[gnu::always_inline]] static void move(char* to, const char* from) noexcept {
        char block[N];
        std::memcpy(block, from, N);
        std::memcpy(to, block, N);
    }

    std::string& out_;
    char buffer_[512];  // not zeroed: only what was written is read
    char* at_ = buffer_;
};

}  // namespace

// long because: it writes the members of one decision line in the order they appear, on the hot
// path (once per mention); read top to bottom, it is the line's layout.
void DecisionJson::append(std::string& out, const Decision& d, std::uint64_t line, std::string_view id_json) const {
    LineWriter w(out);
    w.put("{\"line\":"sv);
    w.put(static_cast<std::uint64_t>(line));
    if (!id_json.empty()) {
        w.put(",\"id\":"sv);
        w.put(id_json);
    }
    if (d.decided()) w.put(outcome_[d.outcome]);
    else if (auto step = d.fell_through_at()) w.put(fell_through_[*step]);
    else w.put(",\"outcome\":null,\"actions\":["sv);
    for (std::size_t i = 0; i < d.actions.size(); ++i) {
        const DecidedAction& a = d.actions[i];
        if (i > 0) w.put(',');
        const std::string& action = actions_[d.outcome][a.index];
        if (!a.deadline) {
            w.put(action);
            continue;
        }
        TextBuffer buffer;
        w.put(std::string_view(action).substr(0, action.size() - 1));
        w.put(a.kind == ActionKind::monitor ? ",\"until\":\""sv : ",\"deadline\":\""sv);
        w.put(format_time(*a.deadline, buffer));
        w.put("\"}"sv);
    }
    w.put("],\"tags\":["sv);
    bool first = true;
    for (const DecidedAction& a : d.actions) {
        const std::string& tags = tags_[d.outcome][a.index];
        if (tags.empty()) continue;
        if (!first) w.put(',');
        w.put(tags);
        first = false;
    }
    w.put(']');
    if (auto priority = decided_priority(d)) {
        w.put(",\"priority\":\""sv);
        w.put(to_string(*priority));
        w.put('"');
    }
    w.put(",\"path\":["sv);
    for (std::size_t i = 0; i < d.path.size(); ++i) {
        if (i > 0) w.put(',');
        const PathEntry& p = d.path[i];
        const std::string& entry = path_[p.step][p.branch];
        if (p.crisis == no_crisis) {
            w.put(entry);
            continue;
        }
        w.put(std::string_view(entry).substr(0, entry.size() - 1));
        w.put(",\"rerouted\":{\"crisis\":"sv);
        w.put(crises_[p.crisis]);
        w.put(",\"next\":"sv);
        w.put((p.target.kind == NodeKind::step ? step_names_ : outcome_names_)[p.target.index]);
        w.put("}}"sv);
    }
    w.put(']');
    if (!d.crises.empty() || !d.crises_left.empty()) {
        append_crises(w.flush(), d);
    }
    if (d.late) w.put(",\"late\":true"sv);
    if (d.future) w.put(",\"future\":true"sv);
    if (!d.matched.empty()) {  // recorded only when asked for (run --matches); each key once
        w.put(",\"matched\":{"sv);
        for (std::size_t i = 0; i < d.matched.size(); ++i) {
            const std::string& key = match_keys_[d.matched[i].condition];
            bool repeated = false;
            for (std::size_t j = 0; j < i && !repeated; ++j) repeated = match_keys_[d.matched[j].condition] == key;
            if (repeated) continue;
            if (w.last() != '{') w.put(',');
            w.put(key);
            w.put(':');
            append_json_string(w.flush(), d.matched[i].text);
        }
        w.put('}');
    }
    w.put(",\"missing\":["sv);
    for (std::size_t i = 0; i < d.missing_fields.size(); ++i) {
        if (i > 0) w.put(',');
        w.put(fields_[d.missing_fields[i]]);
    }
    w.put("]}"sv);
    w.flush();
}

// "crisis": [{"name", "group" (a grouped crisis), "since", and for the mention that started it
// "entered", "when", "fired"}], "crisis_left": [NAME, or {"name", "group"} for a grouped crisis],
// "crisis_left_when": {NAME: [...]}: "fired" lists the leaves of `when` that held
// (describe(Flow, FiredCondition)), "crisis_left_when" those of `leave when`.
void DecisionJson::append_crises(std::string& out, const Decision& d) const {
    auto fired = [&](std::uint32_t crisis, bool leaving) {
        out += '[';
        bool first = true;
        for (const FiredCondition& f : d.fired) {
            if (f.crisis != crisis || f.leaving != leaving) continue;
            if (!first) out += ',';
            first = false;
            out += json_text(describe(flow_, f));
        }
        out += ']';
    };
    auto named = [&](const ActiveCrisis& c) {
        out += "{\"name\":"sv;
        out += crises_[c.crisis];
        if (!flow_.crises()[c.crisis].group) return;
        out += ",\"group\":"sv;
        out += json_text(c.group);
    };
    if (!d.crises.empty()) {
        out += ",\"crisis\":["sv;
        for (std::size_t i = 0; i < d.crises.size(); ++i) {
            const ActiveCrisis& c = d.crises[i];
            if (i > 0) out += ',';
            TextBuffer buffer;
            named(c);
            out += ",\"since\":\""sv;
            out += format_time(c.since, buffer);
            out += '"';
            if (c.entered) {
                out += crisis_entered_[c.crisis];
                out += ",\"fired\":"sv;
                fired(c.crisis, false);
            }
            out += '}';
        }
        out += ']';
    }
    if (d.crises_left.empty()) return;
    out += ",\"crisis_left\":["sv;
    for (std::size_t i = 0; i < d.crises_left.size(); ++i) {
        const ActiveCrisis& c = d.crises_left[i];
        if (i > 0) out += ',';
        if (!flow_.crises()[c.crisis].group) {
            out += crises_[c.crisis];  // the shape of crises without groups
            continue;
        }
        named(c);
        out += '}';
    }
    out += "],\"crisis_left_when\":{"sv;
    for (std::size_t i = 0; i < d.crises_left.size(); ++i) {
        if (i > 0) out += ',';
        out += crises_[d.crises_left[i].crisis];
        out += ':';
        fired(d.crises_left[i].crisis, true);
    }
    out += '}';
}

void write_error_json(JsonWriter& json, std::uint64_t line, std::string_view message) {
    json.begin_object();
    json.key("line").number(static_cast<std::int64_t>(line));
    json.key("error").string(message);
    json.end_object();
}

namespace {
std::string during(const DecidedAction& a) { return a.hours.empty() ? std::string() : " during " + std::string(a.hours); }
}  // namespace

std::string describe(const DecidedAction& a) {
    std::string out;
    switch (a.kind) {
    case ActionKind::respond:
        out = fmt::format("respond {}", to_string(a.channel));
        if (a.duration) out += " within " + format_duration(*a.duration) + during(a);
        if (!a.text.empty()) out += fmt::format(" using \"{}\"", a.text);
        break;
    case ActionKind::do_not_respond: out = fmt::format("do not respond because \"{}\"", a.text); break;
    case ActionKind::monitor:
        out = "monitor";
        if (a.duration) out += " for " + format_duration(*a.duration);
        break;
    case ActionKind::escalate:
        out = fmt::format("escalate to {}", a.text);
        if (a.duration) out += " within " + format_duration(*a.duration) + during(a);
        break;
    case ActionKind::tag: out = fmt::format("tag {}", fmt::join(a.labels, ", ")); break;
    case ActionKind::flag: out = fmt::format("flag for {}", a.text); break;
    case ActionKind::notify: out = fmt::format("notify {}", a.text); break;
    case ActionKind::assign: out = fmt::format("assign to {}", a.text); break;
    case ActionKind::priority: out = fmt::format("priority {}", to_string(a.priority)); break;
    case ActionKind::follow_up: out = "follow up after " + format_duration(a.duration.value_or(Duration{})) + during(a); break;
    case ActionKind::note: out = fmt::format("note: {}", a.text); break;
    }
    if (a.deadline) out += fmt::format(" (by {})", format_time(*a.deadline));
    return out;
}

std::string describe(const Flow& flow, const FiredCondition& f) {
    std::string text(flow.condition_text(f.condition));
    if (!f.held) return "no longer: " + text;
    const detail::FlowData& data = detail::data_of(flow);
    const Condition* c = &data.conditions[f.condition];
    if (c->kind == ConditionKind::negation) c = &data.conditions[c->children[0]];
    if (c->kind != ConditionKind::window) return text;
    // The value goes before the comparison: the last operator outside parentheses.
    std::size_t at = text.size();
    int depth = 0;
    for (std::size_t i = text.size(); i-- > 0;) {
        const char ch = text[i];
        if (ch == ')') ++depth;
        else if (ch == '(') --depth;
        else if (depth == 0 && (ch == '<' || ch == '>' || ch == '=' || ch == '!')) {
            at = i;
            while (at > 0 && std::string_view("<>=!").find(text[at - 1]) != std::string_view::npos) --at;
            break;
        }
    }
    if (at == text.size() || at == 0) return text;
    const Window& w = data.windows[c->operand];
    const std::string value = std::isnan(f.value)                ? std::string("not known")
                              : w.kind == WindowKind::spike       ? fmt::format("{:.3g}x", f.value)
                              : w.kind == WindowKind::rate        ? fmt::format("{:.4g}", f.value)
                                                                  : fmt::format("{:.0f}", f.value);
    std::size_t before = at;
    while (before > 0 && text[before - 1] == ' ') --before;
    return text.substr(0, before) + " = " + value + " " + text.substr(at);
}

namespace {

// What explain adds about the record's values: the fields it lacked, and one-of values spelt
// otherwise than the flow lists them (which read as none of the values).
void append_value_notes(std::string& out, const Flow& flow, const Decision& d) {
    if (!d.missing_fields.empty()) {
        out += "missing fields:";
        for (std::uint32_t f : d.missing_fields) out += " " + flow.fields()[f].name;
        out += " (a comparison on a missing field is false)\n";
    }
    for (const NearMiss& n : d.near_misses) {
        const Field& f = flow.fields()[n.field];
        out += f.name + " ";
        append_json_string(out, n.text);
        out += fmt::format(" is none of its values: one-of values match exactly; did you mean {}?\n",
                           f.values[n.value]);
    }
}

}  // namespace

std::string explain_text(const Flow& flow, const Decision& d, const Trace& trace) {
    std::string out;
    auto group = [&](const ActiveCrisis& c) {
        return flow.crises()[c.crisis].group
                   ? fmt::format(" for {} {}", flow.fields()[*flow.crises()[c.crisis].group].name, c.group)
                   : std::string();
    };
    auto fired = [&](const ActiveCrisis& c, bool leaving) {
        for (const FiredCondition& f : d.fired)
            if (f.crisis == c.crisis && f.leaving == leaving) out += fmt::format("    because {}\n", describe(flow, f));
    };
    for (const ActiveCrisis& c : d.crises) {
        const Crisis& crisis = flow.crises()[c.crisis];
        out += fmt::format("in crisis {}{} — {}: since {}{}\n", crisis.name, group(c), crisis.title, format_time(c.since),
                           c.entered ? fmt::format(", started by this mention: {}", flow.source_text(crisis.enter_span))
                                     : std::string());
        if (c.entered) fired(c, false);
    }
    for (const ActiveCrisis& c : d.crises_left) {
        out += fmt::format("crisis {}{} ends with this mention\n", flow.crises()[c.crisis].name, group(c));
        fired(c, true);
    }
    if (d.late) out += "late: older than the clock's tolerance, so not counted in windows\n";
    if (d.future) out += "dated in the future: not believed, so not counted in windows\n";
    std::size_t t = 0;
    for (const PathEntry& p : d.path) {
        const Step& step = flow.steps()[p.step];
        out += fmt::format("{} — {}\n", step.name, step.question);
        for (; t < trace.entries.size() && trace.entries[t].step == p.step; ++t) {
            const TraceEntry& e = trace.entries[t];
            std::string indent(4 + 2 * e.depth, ' ');
            std::string_view text = flow.condition_text(e.condition);
            std::string reads;
            if (e.has_field && !e.matched.empty() && e.value.kind == ValueKind::text)
                reads = fmt::format("   [{}: {}]", flow.fields()[e.field].name, match_text(e.value.text, e.matched, e.in_text));
            else if (e.has_field) reads = fmt::format("   [{} = {}]", flow.fields()[e.field].name, value_text(flow, e.field, e.value));
            else if (detail::data_of(flow).conditions[e.condition].kind == ConditionKind::window)
                reads = std::isnan(e.value.number) ? std::string("   [not known yet: the baseline is not complete]")
                                                   : fmt::format("   [= {:.4g}]", e.value.number);
            out += fmt::format("{}{} {}{}\n", indent.substr(2), e.result ? "yes" : "no ", text, reads);
        }
        if (p.crisis != no_crisis) {
            const Branch& b = p.branch < step.branches.size() ? step.branches[p.branch] : *step.otherwise;
            out += fmt::format("    -> {}{}, routed to {} by crisis {}\n", flow.node_name(b.target),
                               p.branch < step.branches.size() ? "" : " (else)", flow.node_name(p.target),
                               flow.crises()[p.crisis].name);
        } else if (p.branch < step.branches.size() || step.otherwise) {
            out += fmt::format("    -> {}{}\n", flow.node_name(p.target), p.branch < step.branches.size() ? "" : " (else)");
        } else {
            out += "    -> no branch matched and the step has no 'else': no outcome\n";
        }
    }
    if (d.decided()) {
        const Outcome& o = flow.outcomes()[d.outcome];
        out += fmt::format("outcome {} — {}\n", o.name, o.title);
        for (; t < trace.entries.size(); ++t) {
            const TraceEntry& e = trace.entries[t];
            if (e.depth != 0) continue;  // only the conditions written on actions
            std::string_view text = flow.condition_text(e.condition);
            out += fmt::format("    {} if {}: {}\n", to_string(o.actions[e.branch].kind), text,
                               e.result ? "yes" : "no, skipped");
        }
        out += "actions:\n";
        for (const DecidedAction& a : d.actions) out += fmt::format("    {}\n", describe(a));
        if (d.actions.empty()) out += "    (none)\n";
    }
    append_value_notes(out, flow, d);
    // Record values and flow texts reach a terminal: no control character does (lines kept).
    return printable(out, true);
}

}  // namespace triage
