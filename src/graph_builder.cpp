#include "graph_builder.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/strong_components.hpp>
#include <fmt/format.h>

#include <string>

namespace triage {

namespace {

using Vertex = FlowGraph::vertex_descriptor;
using Edge = FlowGraph::edge_descriptor;

std::size_t vertex(const detail::ResolvedFlow& data, NodeRef node) {
    return node.kind == NodeKind::step ? node.index : data.steps.size() + node.index;
}

// Remembers each vertex's DFS parent and every edge that closes a cycle. Visitors are copied by
// the algorithm, so the state lives outside and is held by reference.
struct CycleRecorder : boost::default_dfs_visitor {
    std::vector<Vertex>& parent;
    std::vector<Edge>& back_edges;
    void tree_edge(Edge e, const FlowGraph& g) const { parent[boost::target(e, g)] = boost::source(e, g); }
    void back_edge(Edge e, const FlowGraph&) const { back_edges.push_back(e); }
};

std::string_view name_of(const detail::ResolvedFlow& data, Vertex v) {
    return v < data.steps.size() ? std::string_view(data.steps[v].name)
                                 : std::string_view(data.outcomes[v - data.steps.size()].name);
}

const Branch& branch_of(const detail::ResolvedFlow& data, const GraphEdge& edge) {
    const Step& step = data.steps[edge.step];
    return edge.branch < step.branches.size() ? step.branches[edge.branch] : *step.otherwise;
}

void report_cycles(const detail::ResolvedFlow& data, const FlowGraph& g, std::vector<Diagnostic>& diagnostics) {
    std::vector<Vertex> parent(boost::num_vertices(g));
    std::vector<Edge> back_edges;
    std::vector<boost::default_color_type> colors(boost::num_vertices(g));
    boost::depth_first_search(
        g, CycleRecorder{{}, parent, back_edges},
        boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g)));
    for (Edge e : back_edges) {
        Vertex from = boost::source(e, g);
        Vertex to = boost::target(e, g);
        // The tree path to -> ... -> from, then the back edge closes it.
        std::vector<Vertex> path{from};
        while (path.back() != to) path.push_back(parent[path.back()]);
        std::string text;
        for (auto it = path.rbegin(); it != path.rend(); ++it) text += fmt::format("{} -> ", name_of(data, *it));
        text += name_of(data, to);
        const Branch& branch = branch_of(data, g[e]);
        diagnostics.push_back({Severity::error, Code::cycle, branch.target_span,
                               fmt::format("this branch makes the flow go round in a cycle: {}", text),
                               {},
                               "a flow must always move forward to an outcome; point the branch "
                               "at a later step or an outcome"});
    }
}

// The flow as it may run: its branches, and for each crisis route `X -> Y` an edge u -> Y for
// every branch u -> X (a route applies where a branch arrives).
using RunGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

RunGraph run_graph(const detail::ResolvedFlow& data, const FlowGraph& g) {
    RunGraph run(boost::num_vertices(g));
    for (auto [e, end] = boost::edges(g); e != end; ++e) boost::add_edge(boost::source(*e, g), boost::target(*e, g), run);
    for (const Crisis& crisis : data.crises)
        for (const Route& route : crisis.routes)
            for (auto [e, end] = boost::in_edges(vertex(data, route.node), g); e != end; ++e)
                boost::add_edge(boost::source(*e, g), vertex(data, route.replacement), run);
    return run;
}

// A route that leads back to where it came from would make the flow go round while the crisis
// lasts. Cycles of branches alone are reported by report_cycles.
void report_route_cycles(const detail::ResolvedFlow& data, const FlowGraph& g, const RunGraph& run,
                         std::vector<Diagnostic>& diagnostics) {
    std::vector<std::size_t> component(boost::num_vertices(run));
    boost::strong_components(run, boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, run)));
    for (const Crisis& crisis : data.crises)
        for (const Route& route : crisis.routes)
            for (auto [e, end] = boost::in_edges(vertex(data, route.node), g); e != end; ++e)
                if (component[boost::source(*e, g)] == component[vertex(data, route.replacement)]) {
                    diagnostics.push_back({Severity::error, Code::cycle, route.span,
                                           fmt::format("in crisis '{}' this route makes the flow go round in a cycle "
                                                       "through '{}'",
                                                       crisis.name, name_of(data, boost::source(*e, g))),
                                           {},
                                           "route to a step or outcome that does not lead back here"});
                    break;
                }
}

void report_unreachable(const detail::ResolvedFlow& data, const RunGraph& g, std::vector<Diagnostic>& diagnostics) {
    std::vector<boost::default_color_type> colors(boost::num_vertices(g), boost::white_color);
    auto color_map =
        boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g));
    boost::breadth_first_search(g, vertex(data, data.start), boost::color_map(color_map));
    std::string_view start = name_of(data, vertex(data, data.start));
    for (Vertex v = 0; v < boost::num_vertices(g); ++v) {
        if (colors[v] != boost::white_color) continue;
        bool is_step = v < data.steps.size();
        Span where = is_step ? data.steps[v].name_span : data.outcomes[v - data.steps.size()].name_span;
        diagnostics.push_back({Severity::warning, Code::unreachable, where,
                               fmt::format("{} '{}' is unreachable: no path from '{}' leads here",
                                           is_step ? "step" : "outcome", name_of(data, v), start),
                               {},
                               {}});
    }
}

}  // namespace

FlowGraph build_graph(const detail::ResolvedFlow& data, bool unreachable_wanted, std::vector<Diagnostic>& diagnostics) {
    FlowGraph g;
    for (std::uint32_t i = 0; i < data.steps.size(); ++i) boost::add_vertex(GraphVertex{{NodeKind::step, i}}, g);
    for (std::uint32_t i = 0; i < data.outcomes.size(); ++i)
        boost::add_vertex(GraphVertex{{NodeKind::outcome, i}}, g);
    for (std::uint32_t s = 0; s < data.steps.size(); ++s) {
        const Step& step = data.steps[s];
        for (std::uint32_t b = 0; b < step.branches.size(); ++b)
            if (step.branches[b].target != detail::unresolved_node)
                boost::add_edge(s, vertex(data, step.branches[b].target), GraphEdge{s, b}, g);
        if (step.otherwise)
            boost::add_edge(s, vertex(data, step.otherwise->target),
                            GraphEdge{s, static_cast<std::uint32_t>(step.branches.size())}, g);
    }
    report_cycles(data, g, diagnostics);
    const RunGraph run = run_graph(data, g);
    report_route_cycles(data, g, run, diagnostics);
    if (unreachable_wanted && data.start != detail::unresolved_node) report_unreachable(data, run, diagnostics);
    return g;
}

}  // namespace triage
