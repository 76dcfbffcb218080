// The evaluator's per-thread working state, shared by the Evaluator and the Monitor (which
// evaluates what its windows count and when crises start with the same caches).
// Per mention, each field is fetched from the host at most once, each text field folded at most
// once, each phrase automaton run at most once and each `let` evaluated at most once; per-mention
// caches are invalidated by bumping a generation counter, so nothing is cleared or allocated
// between mentions.
#pragma once

#include "flow_data.hpp"
#include "value_spelling.hpp"
#include "triage/decision.hpp"
#include "triage/monitor.hpp"
#include "triage/record.hpp"
#include "window_ring.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace triage {

namespace detail {

// Appends an aggregate built in place from its members: C++20 lets emplace_back do that (P0960),
// which the evaluator relies on to avoid a copy (see add_actions); clang before 16 lacks it, and
// there the aggregate is built with braces and moved in.
template <typename T, typename... Args>
void emplace_aggregate(std::vector<T>& into, Args&&... args) {
#if defined(__cpp_aggregate_paren_init) && __cpp_aggregate_paren_init >= 201902L
    into.emplace_back(std::forward<Args>(args)...);
#else
    into.push_back(T{std::forward<Args>(args)...});
#endif
}

// What a Monitor knows when one mention is decided; see monitor.cpp.
struct Situation {
    const double* window_values = nullptr;  // per window, for this mention's group; NaN = not known yet
    const CrisisState* crises = nullptr;    // per crisis
    bool any_crisis = false;
    std::optional<TimePoint> now;           // the monitor's clock: the newest mention time
};

// How one evaluation treats the mention, given to every call rather than kept in switches that
// another class flips: deciding it (the path recorded, missing fields reported, lets cached),
// explaining it (every condition recorded in a trace as well), or observing it for a Monitor
// (nothing recorded: what windows and crises read is not the mention's path, so lets are
// evaluated afresh and the deciding path evaluates, traces and reports them itself).
struct EvalMode {
    Decision* decision = nullptr;  // deciding: the path and the missing fields go here
    Trace* trace = nullptr;        // explaining: every condition evaluated goes here
    bool observing = false;        // counting for a Monitor
    bool matches = false;          // deciding: text conditions that held go to decision->matched

    [[nodiscard]] static constexpr EvalMode observe() noexcept { return {nullptr, nullptr, true, false}; }
};

struct EvaluatorState {
    explicit EvaluatorState(const FlowData& flow)
        : data(flow),
          values(flow.fields.size()),
          value_generation(flow.fields.size(), 0),
          missing_generation(flow.fields.size(), 0),
          folded(flow.program.text_fields.size()),
          folded_generation(flow.program.text_fields.size(), 0),
          matched(flow.program.matchers.size()),
          matched_generation(flow.program.matchers.size(), 0),
          let_value(flow.lets.size(), 0),
          let_generation(flow.lets.size(), 0) {
        near_misses.reserve(flow.fields.size());  // note_near_miss() adds at most one per field
        for (std::size_t m = 0; m < matched.size(); ++m) matched[m].assign(flow.program.matchers[m].words(), 0);
    }

    const FlowData& data;
    std::uint32_t generation = 0;
    const RecordView* record = nullptr;
    const Situation* situation = nullptr;  // what the Monitor knows, once it has counted the mention
    bool record_matches = false;           // Evaluator::record_matches
    std::uint32_t step = no_step;
    std::uint32_t branch = 0;

    std::vector<FieldValue> values;
    std::vector<std::uint32_t> value_generation;
    std::vector<std::uint32_t> missing_generation;
    std::vector<FoldedText> folded;  // per text field slot: buffers kept from mention to mention
    WhiteSpaceRuns runs;             // for every scan, kept likewise
    std::vector<std::uint32_t> folded_generation;
    std::vector<std::vector<std::uint64_t>> matched;
    std::vector<std::uint32_t> matched_generation;
    std::vector<std::uint8_t> let_value;  // bytes, not bits: read on the hot path
    std::vector<std::uint32_t> let_generation;
    // One-of texts of this mention that spell a listed value otherwise, found where a field is
    // first read (by the path, a window or a crisis); decide_fully() hands them to the Decision.
    std::vector<NearMiss> near_misses;
    std::uint32_t near_miss_generation = 0;  // the mention `near_misses` belongs to

    void begin(const RecordView& r) noexcept {
        if (++generation == 0) {  // wrapped: forget every cached entry once
            for (auto* g : {&value_generation, &missing_generation, &folded_generation, &matched_generation,
                            &let_generation})
                std::fill(g->begin(), g->end(), 0);
            near_miss_generation = 0;
            generation = 1;
        }
        record = &r;
        situation = nullptr;
        step = no_step;
        branch = 0;
    }

    // When the mention was posted: the clock field, or else the monitor's clock.
    std::optional<TimePoint> mention_time(const EvalMode& mode) noexcept {
        if (data.clock) {
            const FieldValue& v = field(data.clock->field, mode.decision);
            if (v.kind == ValueKind::time) return v.time;
        }
        if (situation != nullptr) return situation->now;
        return std::nullopt;
    }

    // A window's value for this mention. Without a monitor the mention is all the window has
    // seen: it counts itself if it matches, and a spike has no baseline yet.
    double window_value(std::uint32_t index, std::uint32_t depth, const EvalMode& mode) {
        if (situation != nullptr) return situation->window_values[index];
        const Window& w = data.windows[index];
        const double count = eval(w.condition, depth + 1, mode) ? 1 : 0;
        switch (w.kind) {
        case WindowKind::count: return count;
        case WindowKind::rate: return rate_of(w, count);
        case WindowKind::spike: return std::numeric_limits<double>::quiet_NaN();
        }
        return 0;
    }

    // While a crisis is active, arriving at a node it routes goes to the route's replacement.
    void reroute(NodeRef& target, std::uint32_t& crisis) const noexcept {
        for (std::uint32_t i = 0; i < data.crises.size(); ++i) {
            if (!situation->crises[i].active) continue;
            for (const Route& r : data.crises[i].routes)
                if (r.node == target) {
                    target = r.replacement;
                    crisis = i;
                    return;
                }
        }
    }

    // The host's value, normalised to the field's declared type; anything else reads as missing
    // (and is reported in `missing`, once per mention, when given).
    // Inline for a value already read in this mention (about half the reads on the bench flows);
    // the first read of a slot, and reporting it missing, are out of line.
    [[gnu::always_inline]] const FieldValue& field(std::uint32_t slot, Decision* missing) noexcept {
        if (value_generation[slot] == generation) {
            const FieldValue& v = values[slot];
            if (v.kind != ValueKind::missing || missing == nullptr || missing_generation[slot] == generation) return v;
        }
        return read_field(slot, missing);
    }

    [[gnu::noinline]] const FieldValue& read_field(std::uint32_t slot, Decision* missing) noexcept {
        if (value_generation[slot] != generation) {
            value_generation[slot] = generation;
            values[slot] = normalise(slot, record->get(slot));
        }
        const FieldValue& v = values[slot];
        if (v.kind == ValueKind::missing && missing != nullptr && missing_generation[slot] != generation) {
            missing_generation[slot] = generation;
            missing->missing_fields.push_back(slot);
        }
        return v;
    }

    FieldValue normalise(std::uint32_t slot, FieldValue v) noexcept {
        const Field& f = data.fields[slot];
        switch (f.type) {
        case FieldType::text: return v.kind == ValueKind::text ? v : FieldValue::missing();
        case FieldType::number:
        case FieldType::integer: return v.kind == ValueKind::number ? v : FieldValue::missing();
        case FieldType::boolean: return v.kind == ValueKind::boolean ? v : FieldValue::missing();
        case FieldType::time: return v.kind == ValueKind::time ? v : FieldValue::missing();
        case FieldType::enumeration:
            if (v.kind == ValueKind::enumeration) return v;
            if (v.kind == ValueKind::text) {
                auto it = std::find(f.values.begin(), f.values.end(), v.text);
                if (it == f.values.end()) note_near_miss(slot, f, v.text);
                FieldValue e = FieldValue::of_enum(static_cast<std::uint32_t>(it - f.values.begin()));
                e.text = v.text;
                return e;
            }
            return FieldValue::missing();
        }
        return FieldValue::missing();
    }

    // Only for a text that is none of the field's values: already off the usual path.
    [[gnu::cold, gnu::noinline]] void note_near_miss(std::uint32_t slot, const Field& f,
                                                     std::string_view text) noexcept {
        const std::uint32_t value = value_spelt_otherwise(f.values, text);
        if (value == f.values.size()) return;
        if (near_miss_generation != generation) {
            near_misses.clear();
            near_miss_generation = generation;
        }
        near_misses.push_back({slot, value, text});  // within the capacity reserved: no allocation
    }

    // The field's text as the matcher reads it (ASCII as it is, other text folded).
    const FoldedText& folded_text(std::uint32_t field_index, std::string_view text) {
        std::uint32_t slot = data.program.field_text_slot[field_index];
        if (folded_generation[slot] != generation) {
            folded_generation[slot] = generation;
            folded[slot].assign(text);
        }
        return folded[slot];
    }

    const std::vector<std::uint64_t>& phrases_found(std::uint32_t field_index, std::string_view text) {
        std::uint32_t m = data.program.field_matcher[field_index];
        if (matched_generation[m] != generation) {
            matched_generation[m] = generation;
            std::fill(matched[m].begin(), matched[m].end(), 0);
            data.program.matchers[m].scan(folded_text(field_index, text).view(), matched[m], runs);
        }
        return matched[m];
    }

    // The text as written that a span of the folded text came from; empty when nothing was found.
    static std::string_view written(const FoldedText& text, std::optional<TextSpan> span) noexcept {
        return span ? text.original(span->begin, span->end) : std::string_view{};
    }

    // `FIELD in [...]` (or `not in`); false when the field holds no value of the list's kind.
    static bool in_list(const Condition& c, const FieldValue& v) noexcept {
        auto listed = [&](const auto& list, const auto& x) {
            return (std::find(list.begin(), list.end(), x) != list.end()) != c.negated;
        };
        switch (c.kind) {
        case ConditionKind::text_in: return v.kind == ValueKind::text && listed(c.strings, v.text);
        case ConditionKind::number_in: return v.kind == ValueKind::number && listed(c.numbers, v.number);
        default: return v.kind == ValueKind::enumeration && listed(c.values, v.index);
        }
    }

    static bool compare(double a, double b, CompareOp op) noexcept { return compare_values(a, b, op); }

    // What matched text condition `id`, and where in the text (explaining or recording matches;
    // see TraceEntry::matched and TraceEntry::in_text).
    void note_match(ConditionId id, std::size_t entry, std::string_view what, std::string_view in_text,
                    const EvalMode& mode) {
        if (mode.trace != nullptr) {
            mode.trace->entries[entry].matched = what;
            mode.trace->entries[entry].in_text = in_text;
        }
        if (mode.matches && mode.decision != nullptr) mode.decision->matched.push_back({id, what, in_text});
    }

    // long because: the hot path's one switch over condition kinds, every kind's reading, match and
    // trace side by side; a function per kind would add a call per condition to every mention.
    bool eval(ConditionId id, std::uint32_t depth, const EvalMode& mode) {
        Trace* const trace = mode.trace;
        const bool want_match = trace != nullptr || mode.matches;
        std::size_t entry = 0;
        if (trace != nullptr) {
            entry = trace->entries.size();
            trace->entries.push_back({id, false, depth, step, branch, false, 0, {}, {}, {}});
        }
        const Condition& c = data.conditions[id];
        bool result = false;
        const FieldValue* read = nullptr;
        switch (c.kind) {
        case ConditionKind::constant: result = c.number != 0; break;
        case ConditionKind::bool_field: {
            read = &field(c.field, mode.decision);
            result = read->kind == ValueKind::boolean && read->boolean;
            break;
        }
        case ConditionKind::let_ref: {
            // What a monitor evaluates is not cached: the mention's path must evaluate (and
            // report the missing fields and trace of) its lets itself.
            if (mode.observing) {
                result = eval(data.lets[c.operand].condition, depth + 1, mode);
                break;
            }
            if (let_generation[c.operand] != generation) {
                bool value = eval(data.lets[c.operand].condition, depth + 1, mode);
                let_value[c.operand] = value ? 1 : 0;
                let_generation[c.operand] = generation;
            }
            result = let_value[c.operand] != 0;
            break;
        }
        case ConditionKind::exists:
            read = &field(c.field, mode.decision);
            result = read->kind != ValueKind::missing;
            break;
        case ConditionKind::compare_number:
            read = &field(c.field, mode.decision);
            result = read->kind == ValueKind::number && compare(read->number, c.number, c.op);
            break;
        case ConditionKind::compare_field: {
            read = &field(c.field, mode.decision);
            const FieldValue& other = field(c.operand, mode.decision);
            if (read->kind == ValueKind::number && other.kind == ValueKind::number)
                result = compare(read->number, other.number, c.op);
            else if (read->kind == ValueKind::time && other.kind == ValueKind::time)
                result = compare(static_cast<double>(read->time.time_since_epoch().count()),
                                 static_cast<double>(other.time.time_since_epoch().count()), c.op);
            break;
        }
        case ConditionKind::text_is:
            read = &field(c.field, mode.decision);
            if (read->kind == ValueKind::text) result = (read->text == c.text) != c.negated;
            break;
        case ConditionKind::text_in:
        case ConditionKind::number_in:
        case ConditionKind::enum_in:
            read = &field(c.field, mode.decision);
            result = in_list(c, *read);
            break;
        case ConditionKind::bool_is:
            read = &field(c.field, mode.decision);
            if (read->kind == ValueKind::boolean) result = (read->boolean == (c.number != 0)) != c.negated;
            break;
        case ConditionKind::has_any:
        case ConditionKind::has_all:
        case ConditionKind::contains_any: {
            read = &field(c.field, mode.decision);
            if (read->kind != ValueKind::text) break;
            const auto& found = phrases_found(c.field, read->text);
            const auto& ids = data.program.condition_phrases[id];
            auto hit = [&](std::uint32_t p) { return (found[p / 64] >> (p % 64)) & 1; };
            const auto first_hit = std::find_if(ids.begin(), ids.end(), hit);
            result = c.kind == ConditionKind::has_all ? std::all_of(ids.begin(), ids.end(), hit) : first_hit != ids.end();
            if (want_match && result) {  // which phrase (ids run parallel to the list's phrases), and where
                const auto& phrases = data.word_lists[c.operand].phrases;
                const auto shown = c.kind == ConditionKind::has_all ? ids.end() - 1 : first_hit;
                const FoldedText& text = folded_text(c.field, read->text);
                const PhraseMatcher& matcher = data.program.matchers[data.program.field_matcher[c.field]];
                note_match(id, entry, phrases[static_cast<std::size_t>(shown - ids.begin())],
                           written(text, matcher.find(text.view(), *shown, runs)), mode);
            }
            break;
        }
        case ConditionKind::contains:
            read = &field(c.field, mode.decision);
            if (read->kind == ValueKind::text) {
                const std::uint32_t p = data.program.condition_phrases[id].front();
                result = (phrases_found(c.field, read->text)[p / 64] >> (p % 64)) & 1;
                if (want_match && result) {
                    const FoldedText& text = folded_text(c.field, read->text);
                    const PhraseMatcher& matcher = data.program.matchers[data.program.field_matcher[c.field]];
                    note_match(id, entry, c.text, written(text, matcher.find(text.view(), p, runs)), mode);
                }
            }
            break;
        case ConditionKind::matches:
            read = &field(c.field, mode.decision);
            if (read->kind == ValueKind::text) {
                const re2::StringPiece text(read->text.data(), read->text.size());
                const re2::RE2& regex = *data.compiled_regexes[c.operand];
                if (!want_match) {
                    result = re2::RE2::PartialMatch(text, regex);
                } else {  // the part of the text that matched, too
                    re2::StringPiece match;
                    result = regex.Match(text, 0, text.size(), re2::RE2::UNANCHORED, &match, 1);
                    const std::string_view span(match.data(), match.size());
                    if (result) note_match(id, entry, span, span, mode);
                }
            }
            break;
        case ConditionKind::window: {
            const double v = window_value(c.operand, depth, mode);
            result = !std::isnan(v) && compare(v, c.number, c.op);
            if (trace != nullptr) trace->entries[entry].value = FieldValue::of_number(v);
            break;
        }
        case ConditionKind::within_hours: {
            std::optional<TimePoint> t = mention_time(mode);
            result = t && data.calendars[c.operand].is_open(*t);
            if (data.clock) read = &field(data.clock->field, mode.decision);
            break;
        }
        case ConditionKind::in_crisis:  // no monitor: no crisis
            result = situation != nullptr && situation->crises[c.operand].active;
            break;
        case ConditionKind::negation: result = !eval(c.children[0], depth + 1, mode); break;
        case ConditionKind::conjunction:
            result = true;
            for (ConditionId child : c.children)
                if (!eval(child, depth + 1, mode)) {
                    result = false;
                    break;
                }
            break;
        case ConditionKind::disjunction:
            for (ConditionId child : c.children)
                if (eval(child, depth + 1, mode)) {
                    result = true;
                    break;
                }
            break;
        }
        if (trace != nullptr) {
            TraceEntry& e = trace->entries[entry];
            e.result = result;
            if (read != nullptr) {
                e.has_field = true;
                e.field = c.field;
                e.value = *read;
            }
        }
        return result;
    }

    // Whether a branch's or an action's condition holds: its jump code when deciding, the tree walk
    // when every condition is traced or matches are recorded.
    bool holds(ConditionId id, const EvalMode& mode) {
        if (mode.trace != nullptr || mode.matches || mode.observing) return eval(id, 0, mode);
        return run(data.program.code.entry[id], mode.decision);
    }

    // Runs jump code from `pc` to its verdict (condition_code.hpp). Fields read and lets evaluated
    // are cached as the tree walk caches them, and missing fields go to `missing` alike.
    bool run(std::uint32_t pc, Decision* missing) {
        const ConditionCode& cc = data.program.code;
        while (pc < verdict_false) {
            const Instruction& in = cc.code[pc];
            bool result = false;
            switch (in.op) {
            case Op::constant: result = in.number != 0; break;
            case Op::bool_field: {
                const FieldValue& v = field(in.field, missing);
                result = v.kind == ValueKind::boolean && v.boolean;
                break;
            }
            case Op::exists: result = field(in.field, missing).kind != ValueKind::missing; break;
            case Op::compare_number: {
                const FieldValue& v = field(in.field, missing);
                result = v.kind == ValueKind::number && compare(v.number, in.number, in.compare);
                break;
            }
            case Op::enum_is: {
                const FieldValue& v = field(in.field, missing);
                result = v.kind == ValueKind::enumeration && (v.index == in.operand) != in.negated;
                break;
            }
            case Op::text_any:
            case Op::text_all: {
                const FieldValue& v = field(in.field, missing);
                if (v.kind != ValueKind::text) break;
                const std::uint64_t* found = phrases_found(in.field, v.text).data();
                const PhraseMask* mask = cc.masks.data() + in.operand;
                const PhraseMask* const end = mask + in.count;
                if (in.op == Op::text_any) {
                    while (mask != end && (found[mask->word] & mask->bits) == 0) ++mask;
                    result = mask != end;
                } else {
                    while (mask != end && (found[mask->word] & mask->bits) == mask->bits) ++mask;
                    result = mask == end;
                }
                break;
            }
            case Op::let:
                if (let_generation[in.operand] != generation) {
                    let_value[in.operand] = run(cc.let_entry[in.operand], missing) ? 1 : 0;
                    let_generation[in.operand] = generation;
                }
                result = let_value[in.operand] != 0;
                break;
            case Op::tree: result = eval(in.operand, 0, EvalMode{missing, nullptr, false, false}); break;
            }
            pc = result ? in.on_true : in.on_false;
        }
        return pc == verdict_true;
    }

    // Walks from start to an outcome; records the path when a decision is being built.
    std::uint32_t walk(const EvalMode& mode) {
        Decision* const decision = mode.decision;
        NodeRef node = data.start;
        for (std::size_t hops = 0; hops <= data.steps.size(); ++hops) {
            if (node.kind == NodeKind::outcome) return node.index;
            const Step& s = data.steps[node.index];
            step = node.index;
            const auto branches = static_cast<std::uint32_t>(s.branches.size());
            std::uint32_t b = 0;
            for (; b < branches; ++b) {
                branch = b;
                if (holds(s.branches[b].condition, mode)) break;
            }
            // The entry is built in place from registers: a PathEntry built on the stack (an
            // optional) and copied whole was read back from the stores that made it in wider
            // moves, a store-forwarding stall on every step (perf).
            NodeRef target = node;  // no branch held and no else: the path ends at this step
            if (b < branches) target = s.branches[b].target;
            else if (s.otherwise) target = s.otherwise->target;
            else {
                if (decision != nullptr) add_path_entry(*decision, node.index, branches, target, no_crisis);
                return no_outcome;
            }
            std::uint32_t crisis = no_crisis;
            if (situation != nullptr && situation->any_crisis) reroute(target, crisis);
            if (decision != nullptr) add_path_entry(*decision, node.index, b, target, crisis);
            node = target;
        }
        return no_outcome;  // unreachable for a compiled (acyclic) flow
    }

    static void add_path_entry(Decision& d, std::uint32_t step_index, std::uint32_t branch_index, NodeRef target,
                               std::uint32_t crisis) {
        emplace_aggregate(d.path, step_index, branch_index, target, crisis);
    }

    // The outcome, path and actions of the mention; with a trace, every condition evaluated too.
    void decide_fully(TimePoint reference, Decision& d, Trace* trace) {
        const EvalMode mode{&d, trace, false, record_matches};
        d.outcome = walk(mode);
        if (d.decided()) add_actions(reference, d, mode);
        if (near_miss_generation == generation) d.near_misses.assign(near_misses.begin(), near_misses.end());
    }

    // The decided outcome's actions whose `if` holds.
    void add_actions(TimePoint reference, Decision& d, const EvalMode& mode) {
        const Outcome& o = data.outcomes[d.outcome];
        step = no_step;
        for (std::uint32_t i = 0; i < o.actions.size(); ++i) {
            const Action& a = o.actions[i];
            branch = i;
            if (a.condition != no_condition && !holds(a.condition, mode)) continue;
            // Built in place from its members, the deadline as a time point and not an optional:
            // one built on the stack and copied was stored a member at a time and read back in
            // 16-byte moves (a store-forwarding stall per member), and emplace_back() zero-filled
            // it first with `rep stos` (perf: 3% of `run`).
            if (!a.duration)
                emplace_aggregate(d.actions, a.kind, a.channel, a.priority, a.text, a.labels, a.duration,
                                  std::string_view{}, std::nullopt, i);
            else if (a.hours == no_hours) {
                const TimePoint deadline =
                    reference + std::chrono::duration_cast<std::chrono::milliseconds>(*a.duration);
                emplace_aggregate(d.actions, a.kind, a.channel, a.priority, a.text, a.labels, a.duration,
                                  std::string_view{}, deadline, i);
            } else
                emplace_aggregate(d.actions, a.kind, a.channel, a.priority, a.text, a.labels, a.duration,
                                  std::string_view(data.hours[a.hours].name),
                                  data.calendars[a.hours].add(reference, *a.duration), i);
        }
    }
};

}  // namespace detail

}  // namespace triage
