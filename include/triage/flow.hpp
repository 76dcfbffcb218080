// A compiled flow: immutable, cheap to copy (shared), safe to use from many threads at once.
// Every name is resolved to an index here; evaluation never looks a name up.
#pragma once

#include "triage/source.hpp"
#include "triage/time.hpp"
#include "triage/value.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

namespace detail {
struct FlowData;
}

enum class FieldType : std::uint8_t { text, number, integer, boolean, time, enumeration };
[[nodiscard]] std::string_view to_string(FieldType type);

struct Field {
    std::string name;                 // dotted for nested record fields: "author.followers"
    FieldType type = FieldType::text;
    std::vector<std::string> values;  // the `one of` values of an enumeration
    Span span;
    std::string time_format;  // a time field's format as declared ("%Y-%m-%d %H:%M:%S %z"); empty: RFC 3339
    std::string time_zone;    // the zone of its wall-clock times, for a format without an offset
};

struct WordList {
    std::string name;
    std::vector<std::string> phrases;  // as written; matching folds case
    std::vector<Span> phrase_spans;    // parallel to phrases: where each is written, the quoted string
                                       //   in the flow or the line of a word list file
    Span span;
};

using ConditionId = std::uint32_t;
inline constexpr ConditionId no_condition = UINT32_MAX;

enum class CompareOp : std::uint8_t { lt, le, gt, ge, eq, ne };

enum class ConditionKind : std::uint8_t {
    constant,       // number != 0 is true
    bool_field,     // field
    let_ref,        // operand = let index
    exists,         // field
    compare_number, // field op number
    compare_field,  // field op operand (another field of a compatible type)
    text_is,        // field == text (exact)
    text_in,        // field in strings
    number_in,      // field in numbers
    enum_in,        // field in enum value indices (`is` is a one-element set)
    bool_is,        // field == (number != 0)
    has_any,        // field, operand = word list index
    has_all,        // field, operand = word list index
    contains,       // field contains text (case-insensitive)
    matches,        // field, operand = regex index
    window,         // operand = window index, op, number (the threshold)
    within_hours,   // operand = business hours index
    in_crisis,      // operand = crisis index
    negation,       // children[0]
    conjunction,    // children
    disjunction,    // children
};

// One node of a resolved condition tree; children and operands are indices into Flow::conditions.
struct Condition {
    ConditionKind kind = ConditionKind::constant;
    CompareOp op = CompareOp::eq;
    bool negated = false;  // `is not`, `not in`
    std::uint32_t field = 0;
    std::uint32_t operand = 0;
    double number = 0;
    std::string text;
    std::vector<double> numbers;
    std::vector<std::string> strings;
    std::vector<std::uint32_t> values;  // enum value indices
    std::vector<ConditionId> children;
    Span span;
};

// A sliding window over the stream of mentions, kept by a Monitor (see monitor.hpp):
// how many mentions matching `condition` fell in the last `length`, optionally per group.
enum class WindowKind : std::uint8_t { count, rate, spike };
[[nodiscard]] std::string_view to_string(WindowKind kind);

struct Window {
    WindowKind kind = WindowKind::count;
    ConditionId condition = no_condition;  // which mentions count
    Duration length{0};                    // over
    Duration baseline{0};                  // spike: vs (the window before `length`)
    Duration unit{0};                      // rate: per
    std::optional<std::uint32_t> group;    // by: a field; counts are kept per value
    Duration bucket{0};                    // counts are kept in buckets of this length
    Span span;
};

// Where a mention's time comes from, and how late a mention may arrive and still be counted.
struct Clock {
    std::uint32_t field = 0;
    Duration tolerance{0};
    Span span;
};

// Business hours: weekly openings in a time zone, minus holidays.
struct Opening {
    std::uint8_t weekday = 0;  // 0 = Monday
    std::int32_t from = 0;     // seconds since local midnight
    std::int32_t to = 0;
};
struct Hours {
    std::string name;
    std::string title;
    std::string zone;
    std::vector<Opening> openings;
    std::vector<std::int32_t> holidays;  // local dates, days since 1970-01-01
    Span span;
    Span name_span;
};


struct Let {
    std::string name;
    ConditionId condition = no_condition;
    Span span;
};

struct Regex {
    std::string pattern;
    bool case_insensitive = false;
    Span span;
};

enum class NodeKind : std::uint8_t { step, outcome };
struct NodeRef {
    NodeKind kind = NodeKind::step;
    std::uint32_t index = 0;
    friend bool operator==(NodeRef, NodeRef) = default;
};

struct Route {
    NodeRef node;         // arriving here while the crisis is active...
    NodeRef replacement;  // ...goes here instead
    Span span;
};
struct Crisis {
    std::string name;
    std::string title;
    ConditionId enter = no_condition;  // when
    ConditionId leave = no_condition;  // leave when; no_condition: once `enter` no longer holds
    Duration minimum{0};               // active at least this long
    std::vector<Route> routes;
    Span span;
    Span name_span;
    Span enter_span;  // the `when` condition, for explanations
};
inline constexpr std::uint32_t no_crisis = UINT32_MAX;
inline constexpr std::uint32_t no_hours = UINT32_MAX;

struct Branch {
    ConditionId condition = no_condition;  // no_condition for `else`
    NodeRef target;
    Span span;         // the whole branch
    Span target_span;  // the target name
};

struct Step {
    std::string name;
    std::string question;
    std::vector<Branch> branches;
    std::optional<Branch> otherwise;  // the `else` branch
    Span span;
    Span name_span;
};

enum class Channel : std::uint8_t { publicly, privately };
enum class Priority : std::uint8_t { low, normal, high, urgent };
enum class ActionKind : std::uint8_t {
    respond,
    do_not_respond,
    monitor,
    escalate,
    tag,
    flag,
    notify,
    assign,
    priority,
    follow_up,
    note,
};
[[nodiscard]] std::string_view to_string(ActionKind kind);
[[nodiscard]] std::string_view to_string(Channel channel);
[[nodiscard]] std::string_view to_string(Priority priority);

struct Action {
    ActionKind kind = ActionKind::note;
    Channel channel = Channel::publicly;    // respond
    Priority priority = Priority::normal;   // priority
    std::optional<Duration> duration;       // respond/escalate within, monitor for, follow up after
    std::uint32_t hours = no_hours;         // the duration counts business time of these hours
    std::string text;                       // template, reason, team or note text
    std::vector<std::string> labels;        // tag
    ConditionId condition = no_condition;   // trailing `if`
    Span span;
};

struct Outcome {
    std::string name;
    std::string title;
    std::vector<Action> actions;
    Span span;
    Span name_span;
};

// ---- tests written in the flow file: `test "name" { given { ... } expect ... }` ----------

enum class ExpectKind : std::uint8_t { outcome, no_outcome, path, tag, escalate, priority };

struct TestValue {
    std::uint32_t field = 0;
    FieldValue value;  // for text and one-of values given as text, `text` holds the characters
    std::string text;
    Span span;
};

struct TestExpectation {
    ExpectKind kind = ExpectKind::outcome;
    std::vector<std::uint32_t> outcomes;  // outcome: passes when the decision is any of these
    std::vector<std::uint32_t> steps;     // path: exactly these steps, in this order
    std::vector<std::string> labels;      // tag: all present; escalate: all these teams
    std::vector<Priority> priorities;     // priority: the decided priority is one of these
    Span span;
};

struct FlowTest {
    std::string name;
    std::vector<TestValue> given;
    std::vector<std::uint32_t> crises;  // `during crisis`: active while the test runs
    std::uint32_t repeat = 1;           // `given N times`: a stream of N such mentions; the last is checked
    std::vector<TestExpectation> expectations;
    Span span;
    Span name_span;
};

class Flow {
public:
    explicit Flow(std::shared_ptr<const detail::FlowData> data) : data_(std::move(data)) {}

    [[nodiscard]] std::string_view name() const;
    [[nodiscard]] std::uint32_t version() const;
    [[nodiscard]] NodeRef start() const;

    [[nodiscard]] std::span<const Field> fields() const;
    [[nodiscard]] std::span<const WordList> word_lists() const;
    [[nodiscard]] std::span<const Let> lets() const;
    [[nodiscard]] std::span<const Regex> regexes() const;
    [[nodiscard]] std::span<const Condition> conditions() const;
    [[nodiscard]] std::span<const Step> steps() const;
    [[nodiscard]] std::span<const Outcome> outcomes() const;
    [[nodiscard]] std::span<const FlowTest> tests() const;
    [[nodiscard]] std::span<const Window> windows() const;
    [[nodiscard]] std::span<const Hours> hours() const;
    [[nodiscard]] std::span<const Crisis> crises() const;
    [[nodiscard]] const std::optional<Clock>& clock() const;
    // Whether evaluation depends on earlier mentions (windows or crisis modes): such a flow is
    // evaluated through a Monitor, in stream order.
    [[nodiscard]] bool keeps_state() const;

    [[nodiscard]] std::optional<NodeRef> find_node(std::string_view name) const;
    [[nodiscard]] std::optional<std::uint32_t> find_field(std::string_view name) const;
    [[nodiscard]] std::string_view node_name(NodeRef node) const;

    // The files the flow was compiled from, for diagnostics and explanations.
    [[nodiscard]] const SourceMap& sources() const;
    // The source text of a span, e.g. a branch condition as the author wrote it.
    [[nodiscard]] std::string_view source_text(Span span) const;

    [[nodiscard]] const detail::FlowData& data() const { return *data_; }

private:
    std::shared_ptr<const detail::FlowData> data_;
};

}  // namespace triage
