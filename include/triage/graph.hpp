// The flow as a Boost.Graph: steps and outcomes are vertices, branches are edges.
// Vertex v < steps().size() is step v; the rest are outcomes in order.
#pragma once

#include "triage/flow.hpp"

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>

namespace triage {

struct GraphVertex {
    NodeRef node;
};
struct GraphEdge {
    std::uint32_t step = 0;
    std::uint32_t branch = 0;  // == steps()[step].branches.size() for the `else` branch
};
using FlowGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                        GraphVertex, GraphEdge>;

[[nodiscard]] FlowGraph::vertex_descriptor vertex_of(const Flow& flow, NodeRef node);
[[nodiscard]] const FlowGraph& graph(const Flow& flow);

}  // namespace triage
