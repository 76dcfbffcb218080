// Pictures of flows: DOT (golden), Mermaid (structure), traffic counts and their JSON, SVG via dot.
#include "support.hpp"

#include "triage/graph.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <sys/wait.h>

#include <fmt/format.h>

using namespace triage;

namespace {

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

Flow example(const char* name) {
    CompileResult result = compile_file(triage::test::source_dir() / "examples" / name);
    REQUIRE(result.ok());
    return *result.flow;
}

std::string run_cli(const std::string& arguments, int* status = nullptr) {
    triage::test::CliRun run = triage::test::run_triage(arguments);
    if (status) *status = run.status;
    return run.output;
}

}  // namespace

TEST_CASE("DOT output of the Air Force flow is stable (golden file)") {
    // Regenerate after an intended change: triage graph examples/airforce.flow > tests/fixtures/graph/airforce.dot
    CHECK(to_dot(example("airforce.flow")) == read(triage::test::source_dir() / "tests/fixtures/graph/airforce.dot"));
}

TEST_CASE("DOT: every step a diamond, every outcome a box, every branch an edge, labels escaped") {
    Flow flow = example("customer_care.flow");
    std::string dot = to_dot(flow);
    std::size_t branches = 0;
    for (const Step& s : flow.steps()) branches += s.branches.size() + (s.otherwise ? 1 : 0);
    auto count = [&](const std::regex& re) {
        return static_cast<std::size_t>(std::distance(std::sregex_iterator(dot.begin(), dot.end(), re), std::sregex_iterator()));
    };
    CHECK(count(std::regex("shape=diamond")) == flow.steps().size());
    CHECK(count(std::regex("shape=box")) == flow.outcomes().size());
    CHECK(count(std::regex("\\n[0-9]+->[0-9]+ ")) == branches);
    CHECK(count(std::regex("style=dashed")) == flow.steps().size());  // every step has an else
    // A quote inside a condition is escaped: text contains "money back".
    CHECK(dot.find(R"(text contains \"money)") != std::string::npos);
}

TEST_CASE("Mermaid output has the structure GitHub renders") {
    Flow flow = example("airforce.flow");
    std::string mermaid = to_mermaid(flow);
    std::istringstream lines(mermaid);
    std::string line;
    std::getline(lines, line);
    CHECK(line == "flowchart TD");
    std::size_t nodes = 0, edges = 0;
    const std::regex node(R"re(^  [so][0-9]+(\{"[^"]*"\}|\(\["[^"]*"\]\))$)re");
    const std::regex edge(R"re(^  (start\(\(start\)\)|s[0-9]+) (-->|-\.->)(\|"[^"]*"\|)? [so][0-9]+$)re");
    const std::regex style(R"re(^  (classDef [a-z]+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6}|class o[0-9]+ [a-z]+)$)re");
    while (std::getline(lines, line)) {
        CAPTURE(line);
        if (std::regex_match(line, node)) ++nodes;
        else if (std::regex_match(line, edge)) ++edges;
        else CHECK(std::regex_match(line, style));
    }
    std::size_t branches = 0;
    for (const Step& s : flow.steps()) branches += s.branches.size() + (s.otherwise ? 1 : 0);
    CHECK(nodes == flow.steps().size() + flow.outcomes().size());
    CHECK(edges == branches + 1);  // and the start arrow
}

TEST_CASE("traffic: counts agree with the decisions, survive JSON, and fit only their flow") {
    Flow flow = example("customer_care.flow");
    Traffic traffic = Traffic::for_flow(flow);
    JsonRecordReader reader(flow);
    Evaluator evaluator(flow);
    Decision d;
    std::ifstream in(triage::test::source_dir() / "examples" / "mentions.jsonl");
    std::vector<std::uint64_t> outcomes(flow.outcomes().size(), 0);
    for (std::string line; std::getline(in, line);) {
        REQUIRE(reader.read(line));
        evaluator.evaluate(reader.view(), TimePoint{}, d);
        traffic.record(d);
        ++outcomes[d.outcome];
    }
    CHECK(traffic.mentions == 300);
    CHECK(traffic.outcome_counts == outcomes);
    CHECK(traffic.step_visits[0] == 300);  // every mention is screened
    std::uint64_t leaving_screen = 0;
    for (std::uint64_t c : traffic.branch_counts[0]) leaving_screen += c;
    CHECK(leaving_screen == 300);

    std::string error;
    std::optional<Traffic> back = Traffic::from_json(flow, traffic.to_json(flow), error);
    REQUIRE(back);
    CHECK(back->branch_counts == traffic.branch_counts);
    CHECK(back->outcome_counts == traffic.outcome_counts);
    CHECK_FALSE(Traffic::from_json(example("airforce.flow"), traffic.to_json(flow), error));
    CHECK(error.find("that this flow does not have") != std::string::npos);

    std::string dot = to_dot(flow, &traffic);
    CHECK(dot.find("penwidth=6.0") != std::string::npos);  // the busiest edge
    CHECK(dot.find("[300]") != std::string::npos);
}

TEST_CASE("run --traffic and graph --traffic, SVG through Graphviz") {
    const triage::test::TempDir scratch;  // its own: parallel runs must not share a file
    std::filesystem::path traffic = scratch.path / "triage_traffic_test.json";
    std::string examples = (triage::test::source_dir() / "examples").string();
    int status = -1;
    std::string summary = run_cli("run '" + examples + "/customer_care.flow' '" + examples +
                                      "/mentions.jsonl' --now 2026-11-22T10:00:00Z -o /dev/null --traffic '" +
                                      traffic.string() + "' 2>&1",
                                  &status);
    CHECK(status == 0);
    std::string json = read(traffic);
    // The same counts the run's summary printed.
    CHECK(summary.find("legal 37") != std::string::npos);
    CHECK(json.find("\"legal\":37") != std::string::npos);
    std::string svg = run_cli("graph '" + examples + "/customer_care.flow' --format svg --traffic '" + traffic.string() + "'", &status);
    CHECK(status == 0);
    CHECK(svg.find("<svg") != std::string::npos);
    CHECK(svg.find("[37 mentions]") != std::string::npos);
    std::size_t nodes = 0;
    for (std::size_t at = svg.find("class=\"node\""); at != std::string::npos; at = svg.find("class=\"node\"", at + 1)) ++nodes;
    CHECK(nodes == 5 + 11 + 1);  // steps, outcomes and the start marker
    std::filesystem::remove(traffic);
    run_cli("graph '" + examples + "/airforce.flow' --format xml 2>/dev/null", &status);
    CHECK(status == 2);
}

TEST_CASE("report: the counts in the HTML equal those of triage run") {
    std::string examples = (triage::test::source_dir() / "examples").string();
    const triage::test::TempDir scratch;  // its own: parallel runs must not share a file
    std::filesystem::path page = scratch.path / "triage_report_test.html";
    int status = -1;
    std::string summary = run_cli("run '" + examples + "/customer_care.flow' '" + examples +
                                      "/mentions.jsonl' --now 2026-11-22T10:00:00Z -o /dev/null 2>&1",
                                  &status);
    REQUIRE(status == 0);
    run_cli("report '" + examples + "/customer_care.flow' -m '" + examples + "/mentions.jsonl' -o '" + page.string() +
                "' --now 2026-11-22T10:00:00Z 2>/dev/null",
            &status);
    REQUIRE(status == 0);
    std::string html = read(page);
    // "9 mentions: a 1, b 2, ..." against <td class="count" data-outcome="a">1</td>
    const std::regex pair("([a-z_]+) ([0-9]+),");
    std::size_t compared = 0;
    for (std::sregex_iterator it(summary.begin(), summary.end(), pair), end; it != end; ++it) {
        std::string name = (*it)[1], count = (*it)[2];
        if (name == "outcome") continue;  // "no outcome 0,"
        CAPTURE(name);
        CHECK(html.find("data-outcome=\"" + name + "\">" + count + "</td>") != std::string::npos);
        ++compared;
    }
    CHECK(compared == 11);
    CHECK(html.find("<span id=\"mentions\">300</span>") != std::string::npos);
    // Self-contained: nothing to fetch (namespace URIs in the SVG are names, not requests).
    for (const char* fetch : {"src=\"http", "href=\"http", "url(http", "@import", "<script src", "<link "})
        CHECK(html.find(fetch) == std::string::npos);
    std::filesystem::remove(page);
}

TEST_CASE("crisis routes are drawn as red dashed edges in DOT and Mermaid") {
    Flow flow = example("crisis.flow");
    std::string dot = to_dot(flow);
    std::string mermaid = to_mermaid(flow);
    const std::string holding = std::to_string(vertex_of(flow, *flow.find_node("crisis_holding")));
    const std::string complaint = std::to_string(vertex_of(flow, *flow.find_node("complaint")));
    CHECK(dot.find(complaint + " -> " + holding + " [label=\"in crisis outage:\\ninstead\" style=dashed color=\"#c62828\"") !=
          std::string::npos);
    CHECK(mermaid.find(fmt::format("  o{} -.->|\"in crisis outage: instead\"| o{}\n", flow.find_node("complaint")->index,
                                   flow.find_node("crisis_holding")->index)) != std::string::npos);
}

TEST_CASE("traffic counts crisis routes: a branch counts what arrived, the route what it sent on") {
    Flow flow = example("crisis.flow");
    const std::uint32_t tone = flow.find_node("tone")->index, screen = flow.find_node("screen")->index;
    const NodeRef complaint = *flow.find_node("complaint"), holding = *flow.find_node("crisis_holding");
    const std::uint32_t else_branch = static_cast<std::uint32_t>(flow.steps()[screen].branches.size());
    // Three complaints, two of them rerouted by the outage crisis (its first route).
    Traffic traffic = Traffic::for_flow(flow);
    for (int i = 0; i < 3; ++i) {
        Decision d;
        const bool rerouted = i > 0;
        d.path.push_back({screen, else_branch, *flow.find_node("tone"), no_crisis});
        d.path.push_back({tone, 0, rerouted ? holding : complaint, rerouted ? 0u : no_crisis});
        d.outcome = rerouted ? holding.index : complaint.index;
        traffic.record(d);
    }
    CHECK(traffic.branch_counts[tone][0] == 1);  // into complaint: only the one that arrived
    REQUIRE(traffic.route_counts.size() == 1);
    CHECK(traffic.route_counts[0] == std::vector<std::uint64_t>{2, 0});
    CHECK(traffic.outcome_counts[complaint.index] == 1);
    CHECK(traffic.outcome_counts[holding.index] == 2);

    std::string error;
    const std::string json = traffic.to_json(flow);
    CHECK(json.find(R"("version":2)") != std::string::npos);
    CHECK(json.find(R"({"crisis":"outage","route":0,"node":"complaint","replacement":"crisis_holding","count":2})") != std::string::npos);
    std::optional<Traffic> back = Traffic::from_json(flow, json, error);
    REQUIRE(back);
    CHECK(back->route_counts == traffic.route_counts);
    CHECK(back->branch_counts == traffic.branch_counts);
    Traffic twice = traffic;
    twice.merge(traffic);
    CHECK(twice.route_counts[0][0] == 4);
    twice.clear();
    CHECK(twice.route_counts[0][0] == 0);

    // A file from before route counts: refused for a flow with routes, read for one without.
    std::string old = json;
    old.erase(old.find(R"("version":2,)"), std::string_view(R"("version":2,)").size());
    CHECK_FALSE(Traffic::from_json(flow, old, error));
    CHECK(error.find("write it again with 'triage run --traffic'") != std::string::npos);
    Flow care = example("customer_care.flow");
    std::string care_old = Traffic::for_flow(care).to_json(care);
    care_old.erase(care_old.find(R"("version":2,)"), std::string_view(R"("version":2,)").size());
    CHECK(Traffic::from_json(care, care_old, error));
    std::string future = json;
    future.replace(future.find(R"("version":2)"), std::string_view(R"("version":2)").size(), R"("version":3)");
    CHECK_FALSE(Traffic::from_json(flow, future, error));
    CHECK(error.find("version 3") != std::string::npos);
    std::string unknown = json;
    unknown.replace(unknown.find(R"("crisis":"outage")"), std::string_view(R"("crisis":"outage")").size(), R"("crisis":"flood")");
    CHECK_FALSE(Traffic::from_json(flow, unknown, error));
    CHECK(error.find("crisis 'flood'") != std::string::npos);

    // Drawn: the route edge carries its count, in DOT and Mermaid.
    const std::string dot = to_dot(flow, &traffic);
    const std::string from = std::to_string(vertex_of(flow, complaint)), to = std::to_string(vertex_of(flow, holding));
    CHECK(dot.find(from + " -> " + to + " [label=\"in crisis outage:\\ninstead\\n(2)\"") != std::string::npos);
    CHECK(to_mermaid(flow, &traffic).find(fmt::format("  o{} -.->|\"in crisis outage: instead (2)\"| o{}\n", complaint.index,
                                                      holding.index)) != std::string::npos);
    CHECK(dot.find("tooltip=\"step tone\"") != std::string::npos);
    CHECK(dot.find("tooltip=\"outcome complaint\"") != std::string::npos);
}
