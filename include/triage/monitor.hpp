// What a flow remembers between mentions: its windows (counts of recent mentions) and its
// crisis modes. A Flow is immutable; a Monitor is the state of one stream of mentions, owned by
// the host. Hand it to the Evaluator with each mention, in stream order:
//
//     triage::Monitor monitor(flow);
//     evaluator.evaluate(record, now, decision, monitor);
//
// One Monitor per stream, used by one thread at a time. Its memory is bounded: per window, one
// ring of counts per group (see Limits::groups and Limits::state_bytes; docs/language.md). It can
// be saved with snapshot() and restored after a restart with restore().
#pragma once

#include "triage/flow.hpp"
#include "triage/limits.hpp"
#include "triage/value.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

struct Decision;
namespace detail {
struct MonitorState;
struct EvaluatorState;
struct Situation;
}  // namespace detail

struct CrisisState {
    bool active = false;
    TimePoint since{};             // when it last started
    std::uint64_t entered_by = 0;  // the mention that started it (1 = the first observed)
    bool manual = false;           // set by the host with set_crisis(), not by its `when`
};

// A group of a grouped crisis (`crisis outage "..." by brand`) that is in crisis.
struct CrisisGroup {
    std::uint32_t crisis = 0;  // index into Flow::crises()
    std::string group;         // the value of the crisis's `by` field
    CrisisState state;
};

struct MonitorStats {
    std::uint64_t mentions = 0;        // observed
    std::uint64_t late = 0;            // older than the clock's tolerance: decided, not counted
    std::uint64_t without_time = 0;    // no clock value: counted at the newest time seen
    std::uint64_t future = 0;          // dated after set_latest(): decided, not counted
    std::uint64_t groups_dropped = 0;  // least recently seen groups dropped at Limits::groups
    std::uint64_t groups = 0;          // groups held now, all windows
    std::uint64_t bytes = 0;           // memory the windows hold now
    // Grouped crises: groups that could not enter a crisis because Limits::groups of them were
    // in it already, and the groups in crisis now (by crisis, then by when they started).
    std::uint64_t crisis_groups_dropped = 0;
    std::vector<CrisisGroup> crisis_groups;
};

class Monitor {
public:
    // `limits.groups` bounds the groups each grouped window keeps.
    explicit Monitor(Flow flow, const Limits& limits = {});
    ~Monitor();
    Monitor(Monitor&&) noexcept;
    Monitor& operator=(Monitor&&) noexcept;

    [[nodiscard]] const Flow& flow() const noexcept { return flow_; }
    // The newest mention time observed, if any: the monitor's clock.
    [[nodiscard]] std::optional<TimePoint> now() const noexcept;
    // Per crisis. A grouped crisis is `active` while any of its groups is in crisis (which ones:
    // stats().crisis_groups, crisis_group()); its other members say nothing.
    [[nodiscard]] std::span<const CrisisState> crises() const noexcept;
    // A group's state in grouped crisis `crisis`; inactive if the group is not in crisis.
    [[nodiscard]] CrisisState crisis_group(std::uint32_t crisis, std::string_view group) const;
    [[nodiscard]] MonitorStats stats() const;

    // Mentions dated after `latest` (the host's "now", with a margin) are decided but neither
    // counted nor allowed to move the monitor's clock: one scraped date in the year 2099 would
    // otherwise leave every later mention late. No bound by default; `triage run` sets one.
    void set_latest(std::optional<TimePoint> latest);

    // Starts or ends a crisis mode by hand (an operator's call, or a test). A crisis started by
    // hand ends only by hand: its `leave when` is not consulted.
    // A grouped crisis is started or ended per group: name the group (a value of its `by` field);
    // the first form throws std::invalid_argument for a grouped crisis, the second for one that
    // is not grouped. A group started by hand is held even when Limits::groups are in crisis.
    void set_crisis(std::uint32_t crisis, bool active, TimePoint since);
    void set_crisis(std::uint32_t crisis, std::string_view group, bool active, TimePoint since);

    // The whole state as a JSON document, tied to the flow's windows, clock and crises.
    [[nodiscard]] std::string snapshot() const;
    // Replaces the state with a snapshot's. False, with a message, if the snapshot is unreadable
    // or was taken with a flow whose windows, clock or crises differ; the state is then unchanged.
    bool restore(std::string_view snapshot, std::string& error);

    // The first half of Evaluator::evaluate with a monitor: counts the mention the evaluator is
    // reading in the windows and updates the crisis modes, then tells the evaluator what it
    // knows. Hosts hand the monitor to the Evaluator instead; the parameter types are internal.
    const detail::Situation& observe(detail::EvaluatorState& evaluator, Decision* decision);

private:
    Flow flow_;
    std::unique_ptr<detail::MonitorState> state_;
};

}  // namespace triage
