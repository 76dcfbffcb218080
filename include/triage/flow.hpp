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

class Flow;
namespace detail {
struct FlowData;
// The representation behind a Flow, for the library's own stages (src/flow_data.hpp).
[[nodiscard]] const FlowData& data_of(const Flow& flow) noexcept;
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

// A condition of the flow (a branch's, an action's `if`, a crisis's `when`), resolved at compile
// time; Flow::condition_text gives it as the author wrote it.
using ConditionId = std::uint32_t;
inline constexpr ConditionId no_condition = UINT32_MAX;

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
    // by: a text or one-of field; each value of it (a group) has a crisis state of its own, and
    // the windows in `enter` and `leave` count per group.
    std::optional<std::uint32_t> group;
    Span span;
    Span name_span;
    Span enter_span;  // the `when` condition, for explanations
    Span group_span;  // the field after `by`
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

class Flow {
public:
    explicit Flow(std::shared_ptr<const detail::FlowData> data) : data_(std::move(data)) {}

    [[nodiscard]] std::string_view name() const;
    [[nodiscard]] std::uint32_t version() const;
    [[nodiscard]] NodeRef start() const;

    [[nodiscard]] std::span<const Field> fields() const;
    [[nodiscard]] std::span<const WordList> word_lists() const;
    [[nodiscard]] std::span<const Step> steps() const;
    [[nodiscard]] std::span<const Outcome> outcomes() const;
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
    // A condition (of a branch, an action's `if`, a crisis) as the author wrote it.
    [[nodiscard]] std::string_view condition_text(ConditionId condition) const;
    [[nodiscard]] Span condition_span(ConditionId condition) const;

private:
    friend const detail::FlowData& detail::data_of(const Flow& flow) noexcept;
    std::shared_ptr<const detail::FlowData> data_;
};

}  // namespace triage
