// gen --cover and test --scaffold (triage/cover.hpp): a mention per path, decided by the evaluator
// as the path says; the test blocks written from them, read back and passing; the examples' paths
// covered; and without the solver, a message instead.
#include "support.hpp"

#include "triage/cover.hpp"
#include "triage/testing.hpp"

namespace {

using triage::CoveredPath;
using triage::Flow;
using triage::GivenValue;
using triage::PathEntry;
using triage::test::compiled;

constexpr std::string_view small_flow = R"(flow "t" version 1
fields {
  text: text
  negative: bool
  retweets: integer
  channel: one of twitter, email
  at: time
}
words bad = "awful", "terrible"
start triage
step triage "Negative?" {
  if negative -> fine
  if negative and retweets > 3 -> escalate
  if text has any bad -> angry
  if retweets >= 10 and channel is twitter -> escalate
}
outcome fine "Fine" { monitor }
outcome escalate "Escalate" { escalate to "press office" }
outcome angry "Angry" { monitor }
)";

}  // namespace

TEST_CASE("cover: the writer writes each value as a given does, with during crisis and no outcome") {
    const Flow flow = compiled(small_flow);
    CoveredPath p;
    PathEntry first;
    first.step = 0;
    first.branch = 2;
    p.path = {first};
    p.outcome = 2;
    p.given = {{0, triage::FieldValue::of_text({}), "say \"awful\"\\ \tnow"},
               {1, triage::FieldValue::of_bool(false), {}},
               {2, triage::FieldValue::of_number(-12), {}},
               {3, triage::FieldValue::of_enum(1), {}},
               {4, triage::FieldValue::of_time(triage::TimePoint(std::chrono::milliseconds(1'500))), {}}};
    CoveredPath falls;
    PathEntry none;
    none.step = 0;
    none.branch = 4;
    falls.path = {none};
    const std::string tests = triage::scaffold_tests(flow, {p, falls});
    CHECK(tests == "\ntest \"path 1: triage (if 3) -> angry\" {\n"
                   "  given { text: \"say \\\"awful\\\"\\\\ \\tnow\", negative: false, retweets: -12, channel: email, "
                   "at: \"1970-01-01T00:00:01.500Z\" }\n"
                   "  expect angry\n"
                   "  expect path triage\n"
                   "}\n"
                   "\ntest \"path 2: triage (nothing matched) -> no outcome\" {\n"
                   "  given { }\n"
                   "  expect no outcome\n"
                   "  expect path triage\n"
                   "}\n");
    // Read back by the compiler, the tests pass: the values are what the evaluator is given.
    const Flow with_tests = compiled(std::string(small_flow) + tests);
    const triage::TestRun run = triage::run_tests(with_tests);
    REQUIRE(run.results.size() == 2);
    for (const triage::TestResult& r : run.results) {
        INFO(r.name, r.problems.empty() ? "" : r.problems.front());
        CHECK(r.passed);
    }
}

TEST_CASE("cover: numbers are written without an exponent") {
    const Flow flow = compiled(small_flow);
    CHECK(triage::given_value_text(flow, {2, triage::FieldValue::of_number(1e21), {}}) == "1000000000000000000000");
    CHECK(triage::given_value_text(flow, {2, triage::FieldValue::of_number(0.5), {}}) == "0.5");
}

TEST_CASE("cover: a mention per path, each decided along it, and the dead branch said to be unreachable") {
    const Flow flow = compiled(small_flow);
    const triage::CoverReport report = triage::cover_paths(flow);
    if (!report.solver_available) return;
    // fine, angry, escalate by retweets, and falling through; `negative and retweets > 3` is dead.
    REQUIRE(report.covered.size() == 4);
    REQUIRE(report.uncovered.size() == 1);
    CHECK(report.uncovered[0].unreachable);
    CHECK(triage::describe_path(flow, report.uncovered[0]) == "triage (if 2) -> escalate");
    const Flow with_tests = compiled(std::string(small_flow) + triage::scaffold_tests(flow, report.covered));
    const triage::TestRun run = triage::run_tests(with_tests);
    CHECK(run.failed() == 0);
    CHECK(run.coverage.branches_covered() == 3);  // of 4: the dead one
    CHECK(run.coverage.outcomes_covered() == 3);
}

TEST_CASE("cover: scaffolded tests appended to each example flow pass with 100% branch coverage") {
    triage::test::TempDir dir;
    std::filesystem::copy(triage::test::source_dir() / "examples", dir.path, std::filesystem::copy_options::recursive);
    for (const char* name : {"airforce.flow", "crisis.flow", "customer_care.flow", "nonprofit.flow"}) {
        CAPTURE(name);
        const auto path = dir.path / name;
        triage::test::CliRun scaffold =
            triage::test::run_triage("test --scaffold " + triage::test::quoted(path.string()) + " 2>/dev/null");
        if (!triage::semantic_checks_built()) {
            CHECK(scaffold.status == 1);
            continue;
        }
        REQUIRE(scaffold.status == 0);
        CHECK(scaffold.output.find("\ntest \"path 1: ") != std::string::npos);
        triage::test::write_file(path, triage::test::read_file(path) + scaffold.output);
        triage::test::CliRun run =
            triage::test::run_triage("test --coverage --min-coverage 100 " + triage::test::quoted(path.string()) + " 2>&1");
        INFO(run.output);
        CHECK(run.status == 0);
        CHECK(run.output.find(" 0 failed") != std::string::npos);
    }
}

TEST_CASE("cover: the crisis example's crisis paths are scaffolded during the crisis, window paths said on stderr") {
    if (!triage::semantic_checks_built()) return;
    const std::string flow = triage::test::quoted((triage::test::source_dir() / "examples" / "crisis.flow").string());
    triage::test::CliRun gen = triage::test::run_triage("gen --cover " + flow + " 2>&1");
    INFO(gen.output);
    CHECK(gen.status == 0);
    CHECK(gen.output.find(R"("outcome":"known_outage","crisis":["outage"],"mention":{"text":)") != std::string::npos);
    CHECK(gen.output.find("screen (if 2) -> public_storm: no mention found (a window or business hours must hold") !=
          std::string::npos);
    triage::test::CliRun scaffold = triage::test::run_triage("test --scaffold " + flow + " 2>/dev/null");
    CHECK(scaffold.output.find("  during crisis outage\n  expect crisis_holding\n") != std::string::npos);
}

TEST_CASE("cover: test --scaffold -o never writes over the flow") {
    triage::test::TempDir dir;
    const auto path = dir.path / "t.flow";
    triage::test::write_file(path, small_flow);
    const std::string quoted = triage::test::quoted(path.string());
    triage::test::CliRun run = triage::test::run_triage("test --scaffold " + quoted + " -o " + quoted + " 2>&1");
    INFO(run.output);
    CHECK(run.status == 2);
    CHECK(triage::test::read_file(path) == small_flow);
}

TEST_CASE("solver: without the solver gen --cover and test --scaffold say it is unavailable") {
    triage::test::TempDir dir;
    const auto path = dir.path / "t.flow";
    triage::test::write_file(path, small_flow);
    const std::string quoted = triage::test::quoted(path.string());
    for (const std::string command : {"gen --cover ", "test --scaffold "}) {
        CAPTURE(command);
        triage::test::CliRun run = triage::test::run_triage(command + quoted + " 2>&1");
        INFO(run.output);
        if (triage::semantic_checks_built()) {
            CHECK(run.status == 0);
            CHECK(run.output.find("unavailable") == std::string::npos);
        } else {
            CHECK(run.status == 1);
            CHECK(run.output.find("triage: the solver is unavailable") != std::string::npos);
        }
    }
}
