// Pictures of a flow: Graphviz DOT (via Boost.Graph's write_graphviz) and Mermaid, optionally
// with traffic — how many mentions reached each step, took each branch and ended in each outcome.
#pragma once

#include "triage/decision.hpp"
#include "triage/flow.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

// The mentions whose one-of value spelt one listed value otherwise (NearMiss), for `triage run`'s
// note. Only the first few spellings are kept, each copied once.
struct NearMissCount {
    static constexpr std::size_t spellings_kept = 8;
    std::uint64_t mentions = 0;
    std::uint64_t first_line = 0;        // of the first such mention; 0 = not known
    std::vector<std::string> spellings;  // as written, in the order first seen
    bool more_spellings = false;         // some beyond spellings_kept were not kept

    void add(std::string_view spelling, std::uint64_t line);
    void merge(const NearMissCount& later);
};

// Counts collected over a run (`triage run --traffic FILE`), in the flow's own indices.
struct Traffic {
    std::uint64_t mentions = 0;
    std::vector<std::uint64_t> step_visits;                 // per step
    std::vector<std::vector<std::uint64_t>> branch_counts;  // per step: branches, then else
    std::vector<std::uint64_t> outcome_counts;              // per outcome
    // per crisis: per route, the mentions it sent to its replacement. A branch into a routed node
    // counts only the mentions that arrived there, so the counts on the edges into a node add up
    // to the node's own count (route edges included).
    std::vector<std::vector<std::uint64_t>> route_counts;
    std::uint64_t fell_through = 0;
    // per field: the mentions whose path read it and that lacked it. One lacked by every mention
    // is more likely named otherwise in the export than absent from it (`triage run` says so).
    std::vector<std::uint64_t> missing_counts;
    // per field, per listed value of a one-of field (none for other fields): the mentions whose
    // value spelt it otherwise, which the flow read as none of the values.
    std::vector<std::vector<NearMissCount>> near_misses;
    // The flow's shape, for record(): per step, each branch's written target; per crisis, each
    // route's node.
    std::vector<std::vector<NodeRef>> branch_targets;
    std::vector<std::vector<NodeRef>> route_nodes;

    static Traffic for_flow(const Flow& flow);
    void record(const Decision& decision, std::uint64_t line = 0);  // `line`: the mention's input line
    void merge(const Traffic& later);  // the counts of the mentions after these
    void clear() noexcept;  // every count to zero, keeping the shape

    // {"version": 2, "mentions", "steps": {name: visits}, "branches": [{step, branch, label, target, count}],
    //  "routes": [{crisis, route, node, replacement, count}], "outcomes": {name: count}, "fell_through"}
    [[nodiscard]] std::string to_json(const Flow& flow) const;
    // Reads what to_json wrote for the same flow (matched by names); nullopt with a message when
    // the file does not fit the flow, or is a version 1 file (its branches count rerouted mentions
    // too) for a flow with crisis routes.
    [[nodiscard]] static std::optional<Traffic> from_json(const Flow& flow, std::string_view json, std::string& error);
};

// What an outcome box's fill says, for a legend: {"public reply", "#c8e6c9"}, ...
struct OutcomeFill {
    std::string_view meaning;
    std::string_view colour;
};
[[nodiscard]] std::span<const OutcomeFill> outcome_fills() noexcept;

[[nodiscard]] std::string to_dot(const Flow& flow, const Traffic* traffic = nullptr);
[[nodiscard]] std::string to_mermaid(const Flow& flow, const Traffic* traffic = nullptr);

}  // namespace triage
