// Tests written in flow files: the runner's verdicts, coverage, and `triage test` as CI uses it.
#include "support.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <simdjson.h>
#include <sstream>
#include <sys/wait.h>

using namespace triage;

namespace {

std::filesystem::path fixture(const char* name) { return triage::test::source_dir() / "tests" / "fixtures" / "testing" / name; }

using Run = triage::test::CliRun;

Run run_cli(const std::string& arguments) { return triage::test::run_triage(arguments + " 2>&1"); }

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TEST_CASE("the runner reports each expectation that does not hold") {
    CompileResult compiled = compile_file(fixture("care.test.flow"));
    INFO(triage::test::all_text(compiled));
    REQUIRE(compiled.ok());
    TestRun run = run_tests(*compiled.flow);
    REQUIRE(run.results.size() == 3);
    // Included tests come where the include stands: first.
    CHECK(run.results[0].name == "gold refund");
    CHECK(run.results[0].passed);
    CHECK(run.results[1].passed);
    const TestResult& wrong = run.results[2];
    CHECK_FALSE(wrong.passed);
    CHECK(wrong.problems == std::vector<std::string>{
                                "expected outcome standard_refund, got acknowledge",
                                "expected priority high, got none",
                                "expected tag 'vip'; tags were: none",
                                "expected an escalation to 'legal'; escalations were: none",
                                "expected path topic, tier_check; the mention went topic",
                            });
    CHECK(wrong.explanation.find("-> acknowledge (else)") != std::string::npos);
    CHECK(run.failed() == 1);
}

TEST_CASE("a failure shows deadlines only when the test's mention gives a time") {
    // Without a time, the test clock starts at 1970: a date nobody asked about.
    const Flow flow = triage::test::compiled(R"(flow "t" version 1
fields { text: text  at: time }
clock at
start s
step s "q?" {
  if text contains "x" -> a
  else -> b
}
outcome a "A" { respond publicly within 4h }
outcome b "B" { monitor for 1d }
test "no time" {
  given { text: "x" }
  expect b
}
test "a time" {
  given { text: "x", at: "2026-11-30T09:00:00Z" }
  expect b
}
)");
    TestRun run = run_tests(flow);
    REQUIRE(run.results.size() == 2);
    CHECK(run.results[0].explanation.find("respond publicly within 4h\n") != std::string::npos);
    CHECK(run.results[0].explanation.find("1970") == std::string::npos);
    CHECK(run.results[1].explanation.find("respond publicly within 4h (by 2026-11-30T13:00:00Z)") != std::string::npos);
}

TEST_CASE("coverage counts steps, branches (else included) and outcomes the tests reach") {
    CompileResult compiled = compile_file(fixture("care.flow"));
    REQUIRE(compiled.ok());
    TestRun run = run_tests(*compiled.flow);
    const Coverage& c = run.coverage;
    CHECK(c.steps_covered() == 2);
    CHECK(c.branches_total() == 4);
    CHECK(c.branches_covered() == 2);  // topic's `if` and tier_check's `if`
    CHECK(c.branch_taken[0] == std::vector<bool>{true, false});
    CHECK(c.branch_taken[1] == std::vector<bool>{true, false});
    CHECK(c.outcomes_covered() == 1);

    CompileResult with_more = compile_file(fixture("care.test.flow"));
    REQUIRE(with_more.ok());
    Coverage more = run_tests(*with_more.flow).coverage;
    CHECK(more.branches_covered() == 4);
    CHECK(more.outcomes_covered() == 3);
}

TEST_CASE("triage test: the examples pass with full branch coverage") {
    Run run = run_cli("test " + quoted(triage::test::source_dir() / "examples") + " --coverage --min-coverage 100");
    INFO(run.output);
    CHECK(run.status == 0);
    CHECK(run.output.find("46 passed, 0 failed\n") != std::string::npos);
    CHECK(run.output.find("branches 14/14 (100.0%)") != std::string::npos);
}

TEST_CASE("triage test: failures, shared tests run once, and the coverage gate") {
    Run run = run_cli("test --color never " + quoted(fixture("care.flow")) + " " + quoted(fixture("care.test.flow")) +
                      " --coverage --min-coverage 100");
    INFO(run.output);
    CHECK(run.status == 1);
    CHECK(run.output.find("FAIL " + fixture("care.test.flow").generic_string() + ":10:6: test \"wrong on purpose\"\n"
                       "  expected outcome standard_refund, got acknowledge\n") != std::string::npos);
    CHECK(run.output.find("care.flow: 1 test, 1 passed, 0 failed") != std::string::npos);
    CHECK(run.output.find("care.test.flow: 2 tests, 1 passed, 1 failed") != std::string::npos);  // "gold refund" not again
    CHECK(run.output.find("2 passed, 1 failed\n") != std::string::npos);

    Run gate = run_cli("test " + quoted(fixture("care.flow")) + " --min-coverage 60");
    INFO(gate.output);
    CHECK(gate.status == 1);
    CHECK(gate.output.find("branch coverage 50.0% is below --min-coverage 60") != std::string::npos);
    CHECK(gate.output.find("branch 'else -> acknowledge' of step 'topic' is never taken") != std::string::npos);
    CHECK(run_cli("test " + quoted(fixture("care.flow")) + " --min-coverage 50").status == 0);
}

TEST_CASE("triage test: no test is a failure unless allowed") {
    std::string flow = quoted(triage::test::source_dir() / "tests" / "fixtures" / "cli" / "warning.flow");
    Run none = run_cli("test " + flow);
    CHECK(none.status == 1);
    CHECK(none.output.find("no test ran") != std::string::npos);
    CHECK(run_cli("test --allow-empty " + flow).status == 0);
    // A flow that does not compile fails, and is not told to write the tests it may well have.
    Run bad = run_cli("test " + quoted(triage::test::source_dir() / "tests" / "fixtures" / "cli" / "bad.flow"));
    INFO(bad.output);
    CHECK(bad.status == 1);
    CHECK(bad.output.find("bad.flow: does not compile; its tests did not run") != std::string::npos);
    CHECK(bad.output.find("no test ran") == std::string::npos);
}

TEST_CASE("triage test: JUnit XML and LCOV reports") {
    const triage::test::TempDir scratch;  // its own: parallel runs must not share a file
    std::filesystem::path xml_path = scratch.path / "triage_junit_test.xml";
    Run run = run_cli("test " + quoted(fixture("care.test.flow")) + " --junit " + quoted(xml_path) +
                      " --coverage --coverage-format lcov");
    std::ifstream in(xml_path);
    std::stringstream xml;
    xml << in.rdbuf();
    std::string text = xml.str();
    CHECK(text.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"triage\" tests=\"3\" failures=\"1\" errors=\"0\">", 0) == 0);
    // Well-formed: every element that opens closes, in order.
    std::vector<std::string> open;
    for (std::size_t at = text.find('<', 1); at != std::string::npos; at = text.find('<', at + 1)) {
        std::size_t end = text.find('>', at);
        REQUIRE(end != std::string::npos);
        std::string tag = text.substr(at + 1, end - at - 1);
        if (tag[0] == '/') {
            REQUIRE_FALSE(open.empty());
            CHECK(tag.substr(1) == open.back());
            open.pop_back();
        } else if (tag.back() != '/') {
            open.push_back(tag.substr(0, tag.find(' ')));
        }
    }
    CHECK(open.empty());
    CHECK(text.find("<testcase name=\"wrong on purpose\"") != std::string::npos);
    CHECK(text.find("<failure message=\"expected outcome standard_refund, got acknowledge\">") != std::string::npos);
    std::filesystem::remove(xml_path);

    CHECK(run.output.find("BRF:4\nBRH:4\n") != std::string::npos);
    CHECK(run.output.find("end_of_record\n") != std::string::npos);
}

TEST_CASE("triage test: --coverage-format json alone is all of stdout, the summary goes to stderr") {
    const std::string args = "test " + quoted(fixture("care.test.flow")) + " --coverage-format json";
    triage::test::CliRun data = triage::test::run_triage(args + " 2>/dev/null");
    CHECK(data.status == 1);  // "wrong on purpose" fails
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(data.output).get(doc) == simdjson::SUCCESS);
    simdjson::dom::element file = simdjson::dom::array(doc["files"]).at(0);
    CHECK(std::int64_t(file["branches"]["covered"]) == 4);
    CHECK(std::int64_t(file["branches"]["total"]) == 4);
    triage::test::CliRun summary = triage::test::run_triage(args + " 2>&1 >/dev/null");
    CHECK(summary.output.find("2 passed, 1 failed\n") != std::string::npos);
    CHECK(summary.output.find("FAIL ") != std::string::npos);
    CHECK(summary.output.find("coverage: branches 4/4 (100.0%)\n") != std::string::npos);
}

TEST_CASE("triage test: --coverage-output FILE holds the data, the summary stays on stdout") {
    triage::test::TempDir dir;
    const std::filesystem::path json_path = dir.path / "coverage.json", lcov_path = dir.path / "coverage.info";
    triage::test::CliRun json_run = triage::test::run_triage("test " + quoted(fixture("care.flow")) +
                                                             " --coverage-output " + quoted(json_path) + " 2>/dev/null");
    INFO(json_run.output);
    CHECK(json_run.status == 0);
    CHECK(json_run.output.find("1 passed, 0 failed\ncoverage: branches 2/4 (50.0%)\n") != std::string::npos);
    CHECK(json_run.output.find("never taken") == std::string::npos);  // the listing is in the file
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(triage::test::read_file(json_path)).get(doc) == simdjson::SUCCESS);  // .json: JSON
    CHECK(simdjson::dom::array(simdjson::dom::array(doc["files"]).at(0)["uncovered"]).size() > 0);

    // .info names LCOV; the gate still applies, and says so on stdout.
    triage::test::CliRun lcov_run = triage::test::run_triage("test " + quoted(fixture("care.flow")) + " --coverage-output " +
                                                             quoted(lcov_path) + " --min-coverage 60 2>/dev/null");
    CHECK(lcov_run.status == 1);
    CHECK(lcov_run.output.find("branch coverage 50.0% is below --min-coverage 60") != std::string::npos);
    const std::string lcov = triage::test::read_file(lcov_path);
    CHECK(lcov.rfind("TN:", 0) == 0);
    CHECK(lcov.find("BRF:4\nBRH:2\n") != std::string::npos);

    // An explicit format wins over the name; the output may not be an input.
    CHECK(run_cli("test " + quoted(fixture("care.flow")) + " --coverage-format lcov --coverage-output " + quoted(json_path))
              .status == 0);
    CHECK(triage::test::read_file(json_path).rfind("TN:", 0) == 0);
    CHECK(run_cli("test " + quoted(fixture("care.flow")) + " --coverage-output " + quoted(fixture("care.flow"))).status == 2);
}

TEST_CASE("triage test: JUnit XML has an error testcase for each file that does not compile") {
    triage::test::TempDir dir;
    const std::filesystem::path xml_path = dir.path / "junit.xml";
    const std::filesystem::path bad = triage::test::source_dir() / "tests" / "fixtures" / "cli" / "bad.flow";
    Run run = run_cli("test " + quoted(bad) + " " + quoted(fixture("care.flow")) + " --junit " + quoted(xml_path));
    CHECK(run.status == 1);
    const std::string xml = triage::test::read_file(xml_path);
    INFO(xml);
    CHECK(xml.find("<testsuites name=\"triage\" tests=\"2\" failures=\"0\" errors=\"1\">") != std::string::npos);
    CHECK(xml.find("<testsuite name=\"" + bad.string() + "\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
                   "    <testcase name=\"compile\" classname=\"" + bad.string() + "\" file=\"" + bad.string() + "\">\n"
                   "      <error message=\"" + bad.string() + " does not compile; its tests did not run\" type=\"compile\">") !=
          std::string::npos);
    CHECK(xml.find("error[T012]: unknown step or outcome") != std::string::npos);
    CHECK(xml.find("<testcase name=\"gold refund\"") != std::string::npos);  // the file that compiles is there too
}
