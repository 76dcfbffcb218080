// gen --cover and test --scaffold (triage/cover.hpp): a mention per path, decided by the evaluator
// as the path says; the test blocks written from them, read back and passing; the examples' paths
// covered; and without the solver, a message instead.
#include "support.hpp"

#include "triage/cover.hpp"
#include "triage/testing.hpp"

#include "solver.hpp"

#include <sstream>

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

// The flow without its own `test` blocks (each starts a line with `test "` and ends at a `}` alone
// on a line), so that only the scaffolded tests count towards coverage.
namespace {

std::string without_tests(const std::string& flow) {
    std::string out;
    bool in_test = false;
    std::istringstream lines(flow);
    for (std::string line; std::getline(lines, line);) {
        if (!in_test && line.rfind("test \"", 0) == 0) in_test = true;
        if (!in_test) out += line + "\n";
        else if (line == "}") in_test = false;
    }
    return out;
}

}  // namespace

TEST_CASE("cover: the scaffolded tests alone cover every example flow 100%, windows and regexes included") {
    triage::test::TempDir dir;
    std::filesystem::copy(triage::test::source_dir() / "examples", dir.path, std::filesystem::copy_options::recursive);
    for (const char* name : {"airforce.flow", "crisis.flow", "customer_care.flow", "nonprofit.flow"}) {
        CAPTURE(name);
        const auto path = dir.path / name;
        const std::string own = triage::test::read_file(path);
        const std::string stripped = without_tests(own);
        REQUIRE(stripped.size() < own.size());  // it had tests, and they are gone
        CHECK(stripped.find("\ntest \"") == std::string::npos);
        triage::test::write_file(path, stripped);
        triage::test::CliRun scaffold =
            triage::test::run_triage("test --scaffold " + triage::test::quoted(path.string()) + " 2>&1");
        if (!triage::semantic_checks_built()) {
            CHECK(scaffold.status == 1);
            continue;
        }
        INFO(scaffold.output);
        REQUIRE(scaffold.status == 0);
        CHECK(scaffold.output.find("no mention found") == std::string::npos);  // every path has its test
        CHECK(scaffold.output.find("\ntest \"path 1: ") != std::string::npos);
        triage::test::write_file(path, stripped + scaffold.output);
        triage::test::CliRun run =
            triage::test::run_triage("test --coverage --min-coverage 100 " + triage::test::quoted(path.string()) + " 2>&1");
        INFO(run.output);
        CHECK(run.status == 0);
        CHECK(run.output.find(" 0 failed") != std::string::npos);
    }
}

TEST_CASE("cover: the crisis example's window paths are given N times, its crisis paths during the crisis") {
    if (!triage::semantic_checks_built()) return;
    const std::string flow = triage::test::quoted((triage::test::source_dir() / "examples" / "crisis.flow").string());
    triage::test::CliRun gen = triage::test::run_triage("gen --cover " + flow + " 2>&1");
    INFO(gen.output);
    CHECK(gen.status == 0);
    CHECK(gen.output.find(R"("outcome":"known_outage","crisis":["outage"],"times":1,"mention":{"text":)") != std::string::npos);
    triage::test::CliRun scaffold = triage::test::run_triage("test --scaffold " + flow + " 2>&1");
    INFO(scaffold.output);
    CHECK(scaffold.output.find("  during crisis outage\n  expect crisis_holding\n") != std::string::npos);
    // rate(...) over 15m > 2 per m: more than 30 in the window; count(...) over 1h by topic > 10: 11.
    CHECK(scaffold.output.find("-> public_storm\" {\n  given 31 times {") != std::string::npos);
    CHECK(scaffold.output.find("-> topic_surge\" {\n  given 11 times {") != std::string::npos);
}

constexpr std::string_view regex_flow = R"(flow "t" version 1
fields { text: text }
start s
step s "S" {
  if text matches /\b(pnr|booking)[ :#]*[a-z0-9]{6}\b/i -> booked
  if text matches /^\d{3}-[^a-z]+$/ -> numbered
  else -> other
}
outcome booked "B" { monitor }
outcome numbered "N" { monitor }
outcome other "O" { monitor }
)";

TEST_CASE("cover: a path behind a regular expression gets a text the expression matches") {
    if (!triage::semantic_checks_built()) return;
    const Flow flow = compiled(regex_flow);
    const triage::CoverReport report = triage::cover_paths(flow);
    CHECK(report.uncovered.empty());
    REQUIRE(report.covered.size() == 3);
    const Flow with_tests = compiled(std::string(regex_flow) + triage::scaffold_tests(flow, report.covered));
    const triage::TestRun run = triage::run_tests(with_tests);
    CHECK(run.results.size() == 3);
    CHECK(run.failed() == 0);
    CHECK(run.coverage.branches_covered() == 3);
}

TEST_CASE("cover: a regular expression no text is built for is said per path") {
    if (!triage::semantic_checks_built()) return;
    const Flow flow = compiled(R"(flow "t" version 1
fields { text: text }
start s
step s "S" {
  if text matches /\pL\d/ -> lettered
  else -> other
}
outcome lettered "L" { monitor }
outcome other "O" { monitor }
)");
    const triage::CoverReport report = triage::cover_paths(flow);
    CHECK(report.covered.size() == 1);
    REQUIRE(report.uncovered.size() == 1);
    CHECK_FALSE(report.uncovered[0].unreachable);
    CHECK(report.uncovered[0].reason == "no text was found that /\\pL\\d/ matches");
}

// `has any x` alone writes "late flight", which `has any late` takes first: a model the evaluator
// rejects, after which the solver is asked for another (here: `has any y`, "delay").
constexpr std::string_view retry_flow = R"(flow "t" version 1
fields { text: text }
words late = "late"
words x = "late flight"
words y = "delay"
outcome one "1" { monitor }
outcome two "2" { monitor }
outcome three "3" { monitor }
start s
step s "S" {
  if text has any late -> one
  if text has any x or text has any y -> two
  else -> three
}
)";

TEST_CASE("cover: a model the evaluator rejects is blocked and the solver asked again") {
    if (!triage::semantic_checks_built()) return;
    const Flow flow = compiled(retry_flow);
    // Forced: the first mention found is rejected whatever the evaluator says; the path it was
    // for is covered all the same, by another model, and every kept mention is the evaluator's.
    int verdicts = 0;
    const triage::CoverReport forced = triage::detail::cover_paths_judged(flow, {}, 100, [&](bool agrees) {
        return ++verdicts == 1 ? false : agrees;
    });
    CHECK(forced.rejected_models >= 1);
    CHECK(verdicts > 3);  // one for each of the three paths and the retry
    CHECK(forced.uncovered.empty());
    REQUIRE(forced.covered.size() == 3);
    const Flow with_tests = compiled(std::string(retry_flow) + triage::scaffold_tests(flow, forced.covered));
    const triage::TestRun run = triage::run_tests(with_tests);
    CHECK(run.failed() == 0);
    CHECK(run.coverage.outcomes_covered() == 3);
    // Unforced: whichever model comes first, path two ends with a text `has any late` misses.
    const triage::CoverReport report = triage::cover_paths(flow);
    REQUIRE(report.covered.size() == 3);
    for (const CoveredPath& p : report.covered)
        if (p.outcome == 1u) {
            REQUIRE(p.given.size() == 1);
            CHECK(p.given[0].text.find("delay") != std::string::npos);
            CHECK(p.given[0].text.find("late") == std::string::npos);
        }
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
