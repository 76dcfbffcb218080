// The Boost.Graph view of a flow and the checks that need the whole graph.
#include "support.hpp"

#include "triage/graph.hpp"

#include <boost/graph/graph_traits.hpp>

using namespace triage;
using triage::test::codes;
using triage::test::compile_text;
using triage::test::find;

TEST_CASE("steps and outcomes are vertices, branches are edges") {
    CompileResult result = compile_text(
        "flow \"t\" version 1\nfields { a: bool }\nstart s\n"
        "step s \"q\" { if a -> t\n else -> o1 }\n"
        "step t \"q\" { if a -> o1\n if not a -> o2\n else -> o2 }\n"
        "outcome o1 \"1\" { monitor }\noutcome o2 \"2\" { monitor }\n");
    REQUIRE(result.ok());
    const Flow& flow = *result.flow;
    const FlowGraph& g = graph(flow);
    CHECK(boost::num_vertices(g) == 4);
    CHECK(boost::num_edges(g) == 5);
    CHECK(vertex_of(flow, *flow.find_node("t")) == 1);
    CHECK(vertex_of(flow, *flow.find_node("o2")) == 3);
    CHECK(g[3].node == *flow.find_node("o2"));
    std::vector<std::string> edges;
    for (auto e : boost::make_iterator_range(boost::edges(g))) {
        const GraphEdge& edge = g[e];
        const Step& step = flow.steps()[edge.step];
        std::string label = edge.branch < step.branches.size()
                                ? std::string(flow.condition_text(step.branches[edge.branch].condition))
                                : "else";
        edges.push_back(std::string(flow.node_name(g[boost::source(e, g)].node)) + " -[" + label + "]-> " +
                        std::string(flow.node_name(g[boost::target(e, g)].node)));
    }
    std::sort(edges.begin(), edges.end());
    CHECK(edges == std::vector<std::string>{"s -[a]-> t", "s -[else]-> o1", "t -[a]-> o1",
                                            "t -[else]-> o2", "t -[not a]-> o2"});
}

TEST_CASE("a cycle is an error that spells out its path") {
    CompileResult result = compile_text(
        "flow \"t\" version 1\nfields { a: bool }\nstart s1\n"
        "step s1 \"q\" { if a -> s2\n else -> o }\n"
        "step s2 \"q\" { if a -> s3\n else -> o }\n"
        "step s3 \"q\" { if a -> s1\n else -> o }\n"
        "outcome o \"O\" { monitor }\n");
    CHECK_FALSE(result.ok());
    CHECK(codes(result) == std::vector<std::string>{"T030"});
    const Diagnostic* d = find(result, Code::cycle);
    CHECK(d->message == "this branch makes the flow go round in a cycle: s1 -> s2 -> s3 -> s1");
    Location at = result.sources->begin(d->span);
    CHECK(at.line == 8);
    CHECK(at.column == 23);
}

TEST_CASE("a step that leads to itself is a cycle") {
    CompileResult result = compile_text(
        "flow \"t\" version 1\nfields { a: bool }\nstart s\nstep s \"q\" { if a -> o\n else -> s }\n"
        "outcome o \"O\" { monitor }\n");
    CHECK(codes(result) == std::vector<std::string>{"T030"});
    CHECK(find(result, Code::cycle)->message == "this branch makes the flow go round in a cycle: s -> s");
}

TEST_CASE("everything not reachable from start is reported, steps and outcomes alike") {
    CompileResult result = compile_text(
        "flow \"t\" version 1\nstart s\nstep s \"q\" { if true -> o }\n"
        "step orphan \"q\" { if true -> lost\n else -> o }\n"
        "outcome o \"O\" { monitor }\noutcome lost \"L\" { monitor }\n");
    CHECK(result.ok());  // warnings only
    std::vector<std::string> unreachable;
    for (const Diagnostic& d : result.diagnostics)
        if (d.code == Code::unreachable) unreachable.push_back(d.message);
    CHECK(unreachable == std::vector<std::string>{
                             "step 'orphan' is unreachable: no path from 's' leads here",
                             "outcome 'lost' is unreachable: no path from 's' leads here"});
}

TEST_CASE("a flow may start at an outcome") {
    CompileResult result = compile_text("flow \"t\" version 1\nstart o\noutcome o \"O\" { monitor }\n");
    CHECK(result.ok());
    CHECK(result.diagnostics.empty());
    CHECK(result.flow->start().kind == NodeKind::outcome);
}
