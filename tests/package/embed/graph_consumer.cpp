// Compiles and links against an installed triage through its graph target (triage::graph, with
// Boost) and the umbrella header: the CMake package exports both targets usably.
#include <triage/graph.hpp>
#include <triage/triage.hpp>

#include <boost/graph/graph_traits.hpp>

#include <cstdio>

int main() {
    auto r = triage::compile("flow \"x\" version 1\nstart o\noutcome o \"O\" { monitor }\n");
    if (!r.ok()) return 1;
    triage::Stream stream(*r.flow);
    triage::Decision decision;
    const bool decided = stream.decide(R"({"id": 1})", decision) && decision.decided();
    const auto vertices = boost::num_vertices(triage::graph(*r.flow));
    std::printf("%s triage %s, %zu vertex\n", decided && vertices == 1 ? "ok" : "bad", TRIAGE_VERSION_STRING,
                static_cast<std::size_t>(vertices));
    return decided ? 0 : 1;
}
