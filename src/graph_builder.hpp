// Stage 3: the resolved flow as a Boost.Graph, and the checks that need the whole graph:
// cycles (flows are acyclic) and reachability from `start`.
#pragma once

#include "flow_data.hpp"
#include "triage/diagnostic.hpp"

#include <vector>

namespace triage {

// Unreachable steps are reported only when `report_unreachable` (after a syntax error, a dropped
// declaration would make them cascades).
void build_graph(detail::FlowData& data, bool report_unreachable, std::vector<Diagnostic>& diagnostics);

}  // namespace triage
