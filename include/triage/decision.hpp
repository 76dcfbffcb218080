// What the evaluator decided for one mention, and how it got there.
// A Decision borrows text from its Flow: keep the Flow alive while you read it. Reuse one
// Decision across evaluations: clear() keeps its capacity, so steady-state evaluation allocates
// nothing.
#pragma once

#include "triage/flow.hpp"
#include "triage/value.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

inline constexpr std::uint32_t no_outcome = UINT32_MAX;

struct DecidedAction {
    ActionKind kind = ActionKind::note;
    Channel channel = Channel::publicly;
    Priority priority = Priority::normal;
    std::string_view text;                 // template, reason, team or note text
    std::span<const std::string> labels;   // tag
    std::optional<Duration> duration;      // as written: within / for / after
    std::string_view hours;                // `during HOURS`: the duration counts their open time
    std::optional<TimePoint> deadline;     // reference time + duration (respond, escalate, follow up)
    std::uint32_t index = 0;               // position in Outcome::actions
};

// The action in the flow's own words, e.g. `respond publicly within 4h using "fix-facts"
// (by 2026-11-22T14:00:00Z)`.
[[nodiscard]] std::string describe(const DecidedAction& action);

// One step of the path: the step asked, the branch taken (branches.size() = else), the target.
struct PathEntry {
    std::uint32_t step = 0;
    std::uint32_t branch = 0;
    NodeRef target;
    std::uint32_t crisis = no_crisis;  // the crisis whose `route` sent the branch to `target`
};

// A crisis mode that was active when a mention was decided.
struct ActiveCrisis {
    std::uint32_t crisis = 0;   // index into Flow::crises()
    TimePoint since{};          // when it started
    bool entered = false;       // this mention started it
    std::string_view group;     // a grouped crisis (`by`): the mention's group, borrowed from the record or the flow
};

// A leaf condition of a crisis's `when` (or `leave when`) that held when a mention started (or
// ended) it: which part fired. See describe(const Flow&, const FiredCondition&).
struct FiredCondition {
    std::uint32_t crisis = 0;               // index into Flow::crises()
    bool leaving = false;                   // of `leave when` (or of `when` no longer holding)
    ConditionId condition = no_condition;
    // false: a leaf of `when` that no longer held (a crisis without `leave when` ends so)
    bool held = true;
    double value = 0;                       // a window's count, rate or factor; NaN for other conditions
};

// A text condition that held while the mention was decided, and what matched it (see
// TraceEntry::matched); recorded only when the evaluator is asked to (Evaluator::record_matches).
struct MatchedText {
    ConditionId condition = no_condition;
    std::string_view text;     // borrowed from the flow (a phrase) or the record (a regex's match)
    std::string_view in_text;  // where in the record's text it matched (see TraceEntry::in_text)
};

// A one-of field's value that is none of the field's values but spells one of them otherwise
// ("Twitter", " twitter", "review-site" for twitter and review_site): ASCII case, ' ', '-' and
// '_' alike, white space at either end. It read as none of the values, as any unlisted text does.
struct NearMiss {
    std::uint32_t field = 0;  // index into Flow::fields()
    std::uint32_t value = 0;  // the value it spells, index into Field::values
    std::string_view text;    // as the record wrote it, borrowed from the record
};

struct Decision {
    std::uint32_t outcome = no_outcome;  // index into Flow::outcomes(); no_outcome = fell through
    std::vector<PathEntry> path;
    std::vector<DecidedAction> actions;  // the outcome's actions whose `if` held, in order
    std::vector<std::uint32_t> missing_fields;  // fields read on the path that the mention lacks
    std::vector<ActiveCrisis> crises;           // crisis modes active for this mention (Monitor only)
    std::vector<ActiveCrisis> crises_left;      // crisis modes this mention ended (`since`: when they started)
    std::vector<FiredCondition> fired;          // why crisis modes started or ended with this mention
    std::vector<MatchedText> matched;           // with record_matches: text conditions that held
    std::vector<NearMiss> near_misses;          // one-of values the flow read that spell a value otherwise
    bool late = false;    // older than the clock's tolerance: decided, but not counted in windows
    bool future = false;  // dated after the monitor's latest believable time: decided, not counted

    [[nodiscard]] bool decided() const noexcept { return outcome != no_outcome; }
    // The step where no branch matched and there was no else; meaningful when !decided().
    [[nodiscard]] std::optional<std::uint32_t> fell_through_at() const noexcept {
        if (decided() || path.empty()) return std::nullopt;
        return path.back().step;
    }
    void clear() noexcept {
        outcome = no_outcome;
        path.clear();
        actions.clear();
        missing_fields.clear();
        crises.clear();
        crises_left.clear();
        fired.clear();
        matched.clear();
        near_misses.clear();
        late = false;
        future = false;
    }
};

// The mention's priority: the highest of the priority actions that apply (an outcome may hold
// several conditional ones), or nullopt when none applies.
[[nodiscard]] inline std::optional<Priority> decided_priority(const Decision& decision) noexcept {
    std::optional<Priority> highest;
    for (const DecidedAction& a : decision.actions)
        if (a.kind == ActionKind::priority && (!highest || a.priority > *highest)) highest = a.priority;
    return highest;
}

// The explaining path: every condition evaluated, in order, with what it read.
struct TraceEntry {
    ConditionId condition = no_condition;
    bool result = false;
    std::uint32_t depth = 0;     // nesting under the branch condition (0 = the branch itself)
    std::uint32_t step = 0;      // the step (or, for action conditions, no_step) being asked
    std::uint32_t branch = 0;
    bool has_field = false;
    std::uint32_t field = 0;     // the field this leaf read, when has_field
    FieldValue value;            // its value (text borrowed from the record); a window's count, rate or factor
    // For a text condition that held: what matched — the first phrase of the list found (`has
    // any`; the last one checked for `has all`), the phrase of `contains` (borrowed from the
    // flow), or the part of the text a regular expression matched (borrowed from the record).
    std::string_view matched;
    // And where: the part of the record's text it matched, as written there (borrowed from the
    // record) — "Can’t" for the phrase "can't", "air  force" for "air force", whole characters.
    std::string_view in_text;
};
inline constexpr std::uint32_t no_step = UINT32_MAX;

struct Trace {
    std::vector<TraceEntry> entries;
    void clear() noexcept { entries.clear(); }
};

}  // namespace triage
