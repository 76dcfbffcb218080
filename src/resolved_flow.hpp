// Stage 2's result: the flow as the checker leaves it, every name resolved to an index. The
// later stages read it and add what they build (flow_data.hpp).
#pragma once

#include "triage/flow.hpp"
#include "business_hours.hpp"
#include "time_format.hpp"

#include <re2/re2.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace triage::detail {

// Stands for a branch target that names no step or outcome (already reported as an error);
// the graph stage leaves such branches out.
inline constexpr NodeRef unresolved_node{NodeKind::step, UINT32_MAX};

struct ResolvedFlow {
    std::string name;
    std::uint32_t version = 0;
    NodeRef start = unresolved_node;

    std::vector<Field> fields;
    std::vector<TimeFormat> time_formats;  // parallel to fields: how each time field is read
    std::vector<WordList> word_lists;
    std::vector<Let> lets;
    std::vector<Regex> regexes;
    std::vector<std::unique_ptr<const re2::RE2>> compiled_regexes;  // parallel to regexes
    std::vector<Condition> conditions;
    std::vector<Step> steps;
    std::vector<Outcome> outcomes;
    std::vector<FlowTest> tests;
    std::vector<Window> windows;
    std::vector<Hours> hours;
    std::vector<BusinessHours> calendars;  // parallel to hours
    std::vector<Crisis> crises;
    std::optional<Clock> clock;

    std::unordered_map<std::string, NodeRef> node_index;
    std::unordered_map<std::string, std::uint32_t> field_index;
};

}  // namespace triage::detail
