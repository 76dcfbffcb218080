// Stage 3: the resolved flow as a Boost.Graph, and the checks that need the whole graph:
// cycles (flows are acyclic) and reachability from `start`.
#pragma once

#include "flow_data.hpp"
#include "triage/diagnostic.hpp"

#include <vector>

namespace triage {

void build_graph(detail::FlowData& data, bool start_resolved, std::vector<Diagnostic>& diagnostics);

}  // namespace triage
