// The private representation behind triage::Flow, assembled last from what each stage returned:
// the resolved flow (checker), its graph (graph_builder) and its program (program).
#pragma once

#include "program.hpp"
#include "resolved_flow.hpp"
#include "triage/diagnostic.hpp"
#include "triage/graph.hpp"

#include <memory>
#include <vector>

namespace triage::detail {

// `# triage: allow(T034, T031)`: on its own line it covers the declaration that follows; after
// code it covers its line. Only warnings can be allowed.
struct Allowance {
    FileId file;
    std::uint32_t begin;
    std::uint32_t end;
    std::vector<Code> codes;
};

struct FlowData : ResolvedFlow {
    FlowData(ResolvedFlow&& resolved, FlowGraph flow_graph, Program flow_program, std::shared_ptr<const SourceMap> source_map)
        : ResolvedFlow(std::move(resolved)), graph(std::move(flow_graph)), program(std::move(flow_program)),
          sources(std::move(source_map)) {}

    FlowGraph graph;
    Program program;
    std::shared_ptr<const SourceMap> sources;
    // The allow comments of the flow's files: checks run after compile() honour them too.
    std::vector<Allowance> allowances;
};

}  // namespace triage::detail
