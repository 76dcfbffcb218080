// The private representation behind triage::Flow, assembled last from what each stage returned:
// the resolved flow (checker), its graph (graph_builder) and its program (program).
#pragma once

#include "program.hpp"
#include "resolved_flow.hpp"
#include "triage/graph.hpp"

#include <memory>

namespace triage::detail {

struct FlowData : ResolvedFlow {
    FlowData(ResolvedFlow&& resolved, FlowGraph flow_graph, Program flow_program, std::shared_ptr<const SourceMap> source_map)
        : ResolvedFlow(std::move(resolved)), graph(std::move(flow_graph)), program(std::move(flow_program)),
          sources(std::move(source_map)) {}

    FlowGraph graph;
    Program program;
    std::shared_ptr<const SourceMap> sources;
};

}  // namespace triage::detail
