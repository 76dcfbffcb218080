// Stage 3: the resolved flow as a Boost.Graph, and the checks that need the whole graph:
// cycles (flows are acyclic) and reachability from `start`.
#pragma once

#include "resolved_flow.hpp"
#include "triage/graph.hpp"
#include "triage/diagnostic.hpp"

#include <vector>

namespace triage {

// Unreachable steps are reported only when `report_unreachable` (after a syntax error, a dropped
// declaration would make them cascades).
[[nodiscard]] FlowGraph build_graph(const detail::ResolvedFlow& data, bool report_unreachable,
                                    std::vector<Diagnostic>& diagnostics);

}  // namespace triage
