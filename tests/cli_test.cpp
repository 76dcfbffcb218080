// The CLI as a CI pipeline sees it: exit codes and output formats.
#include "support.hpp"

#include "triage/version.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <simdjson.h>
#include <sys/wait.h>

namespace {

using Run = triage::test::CliRun;

// The triage binary with arguments (shell-quoted by the caller), standard error included.
Run run_cli(const std::string& arguments) { return triage::test::run_triage(arguments + " 2>&1"); }

std::string path(const std::string& relative) {
    return "'" + (triage::test::source_dir() / relative).string() + "'";
}

}  // namespace

TEST_CASE("check: clean files exit 0") {
    Run run = run_cli("check " + path("examples/airforce.flow") + " " + path("examples/nonprofit.flow"));
    INFO(run.output);
    CHECK(run.status == 0);
    CHECK(run.output.find("2 files checked: 0 errors, 0 warnings") != std::string::npos);
}

TEST_CASE("check: errors exit 1 and are printed clang-style") {
    Run run = run_cli("check --color never " + path("tests/fixtures/cli/bad.flow"));
    INFO(run.output);
    CHECK(run.status == 1);
    CHECK(run.output.find("bad.flow:6:16: error[T012]: unknown step or outcome 'asess'\n"
                          "6 |   if urgent -> asess\n"
                          "  |                ^~~~~\n"
                          "help: did you mean 'assess'?\n") != std::string::npos);
}

TEST_CASE("check: warnings pass unless --werror") {
    Run lenient = run_cli("check " + path("tests/fixtures/cli/warning.flow"));
    INFO(lenient.output);
    CHECK(lenient.status == 0);
    CHECK(lenient.output.find("warning[T032]") != std::string::npos);
    Run strict = run_cli("check --werror " + path("tests/fixtures/cli/warning.flow"));
    CHECK(strict.status == 1);
}

TEST_CASE("check: usage errors exit 2") {
    CHECK(run_cli("check").status == 2);
    CHECK(run_cli("check --format xml " + path("examples/airforce.flow")).status == 2);
    CHECK(run_cli("frobnicate").status == 2);
    const Run bare = run_cli("");
    CHECK(bare.status == 2);  // `triage` alone lists the commands (not just "a subcommand is required")
    CHECK(bare.output.find("Subcommands:") != std::string::npos);
    CHECK(bare.output.find("Decide every mention of a JSON Lines stream") != std::string::npos);
    CHECK(bare.output.find("required") == std::string::npos);
}

TEST_CASE("check: --format json is one document for all files") {
    Run run = run_cli("check --format json " + path("tests/fixtures/cli/bad.flow") + " " +
                      path("examples/airforce.flow"));
    INFO(run.output);
    CHECK(run.status == 1);
    CHECK(run.output.rfind("{\"diagnostics\":[{", 0) == 0);
    CHECK(run.output.find("\"code\":\"T012\"") != std::string::npos);
    CHECK(run.output.find("\"line\":6,\"column\":16") != std::string::npos);
    CHECK(run.output.find("\"help\":\"did you mean 'assess'?\"") != std::string::npos);
    // Without the solver, the flow that compiles has a note saying the semantic checks were not done.
    const std::string counts = triage::semantic_checks_built() ? "\"errors\":1,\"warnings\":0,\"notes\":0,\"ok\":false}"
                                                               : "\"errors\":1,\"warnings\":0,\"notes\":1,\"ok\":false}";
    CHECK(run.output.find(counts) != std::string::npos);
    CHECK(std::count(run.output.begin(), run.output.end(), '\n') == 1);
}

TEST_CASE("--version and --help exit 0") {
    Run version = run_cli("--version");
    CHECK(version.status == 0);
    // The version CMake's project() declares, through triage/version.hpp.
    CHECK(version.output == "triage " TRIAGE_VERSION_STRING "\n");
    Run help = run_cli("check --help");
    CHECK(help.status == 0);
    CHECK(help.output.find("--werror") != std::string::npos);
}

TEST_CASE("check --fix: applies the fixes in place, reports what remains, and leaves included files alone") {
    triage::test::TempDir dir;
    const std::string broken =
        "flow \"t\" version 1\n"
        "fields {\n  sentiment: number\n  urgent: bool\n  text: text\n}\n"
        "include \"lib.flow\"\n"
        "start s\n"
        "step s \"q?\" {\n  if sentimnt < 0 -> t\n}\n"
        "step t \"r?\" {\n  if urgent && text has any insults -> act\n  if text has any legal -> act\n  else -> act\n}\n"
        "outcome act \"Act\" { monitor }\n";
    const std::string lib = "words legal = \xE2\x80\x9Clawyer\xE2\x80\x9D\nwords insults = \"idiot\"\nlet unused_here = urgnt\n";
    triage::test::write_file(dir.path / "main.flow", broken);
    triage::test::write_file(dir.path / "lib.flow", lib);
    const std::string main = triage::test::quoted((dir.path / "main.flow").string());
    Run run = run_cli("check --color never --fix " + main);
    INFO(run.output);
    CHECK(run.output.find("main.flow: applied 2 fixes") != std::string::npos);
    CHECK(triage::test::read_file(dir.path / "main.flow") ==
          "flow \"t\" version 1\n"
          "fields {\n  sentiment: number\n  urgent: bool\n  text: text\n}\n"
          "include \"lib.flow\"\n"
          "start s\n"
          "step s \"q?\" {\n  if sentiment < 0 -> t\n}\n"
          "step t \"r?\" {\n  if urgent and text has any insults -> act\n  if text has any legal -> act\n  else -> act\n}\n"
          "outcome act \"Act\" { monitor }\n");
    // The included file's own mistakes are reported, not fixed: another flow may include it.
    CHECK(triage::test::read_file(dir.path / "lib.flow") == lib);
    CHECK(run.output.find("error[T001]") != std::string::npos);
    CHECK(run.status == 1);
    // Once the included file is fixed too (it is given itself), only the missing else remains: no fix.
    triage::test::write_file(dir.path / "lib.flow", "words legal = \"lawyer\"\nwords insults = \"idiot\"\n");
    Run again = run_cli("check --color never --fix " + main);
    INFO(again.output);
    CHECK(again.status == 0);
    CHECK(again.output.find("applied") == std::string::npos);
    CHECK(again.output.find("warning[T032]") != std::string::npos);
}

TEST_CASE("check --fix: fixes what a syntax error hid, round after round") {
    triage::test::TempDir dir;
    // The curly quotes stop the parse: the && after them is found only once they are fixed.
    triage::test::write_file(dir.path / "a.flow",
                             "flow \"t\" version 1\nfields {\n  label: text\n  text: text\n}\nstart s\n"
                             "step s \xE2\x80\x9Cq\xE2\x80\x9D {\n  if label is \"bad\" && text contains \"x\" -> o\n  else -> o\n}\n"
                             "outcome o \"O\" { monitor }\n");
    Run run = run_cli("check --color never --fix " + triage::test::quoted((dir.path / "a.flow").string()));
    INFO(run.output);
    CHECK(run.status == 0);
    CHECK(run.output.find("a.flow: applied 2 fixes") != std::string::npos);
    CHECK(triage::test::read_file(dir.path / "a.flow") ==
          "flow \"t\" version 1\nfields {\n  label: text\n  text: text\n}\nstart s\n"
          "step s \"q\" {\n  if label is \"bad\" and text contains \"x\" -> o\n  else -> o\n}\n"
          "outcome o \"O\" { monitor }\n");
}

TEST_CASE("check --fix: a file given twice is refused and left as it was") {
    triage::test::TempDir dir;
    const std::string text = "flow \"t\" version 1\nfields { a: bool }\nstart s\nstep s \"q?\" {\n  if !a -> o\n  else -> o\n}\n"
                             "outcome o \"O\" { monitor }\n";
    triage::test::write_file(dir.path / "f.flow", text);
    const std::string file = triage::test::quoted((dir.path / "f.flow").string());
    const std::string same = triage::test::quoted((dir.path / "." / "f.flow").string());
    Run run = run_cli("check --fix " + file + " " + same);
    INFO(run.output);
    CHECK(run.status == 2);
    CHECK(triage::test::read_file(dir.path / "f.flow") == text);
    Run once = run_cli("check --fix " + file);
    CHECK(once.status == 0);
    CHECK(triage::test::read_file(dir.path / "f.flow").find("if not a -> o") != std::string::npos);
}

TEST_CASE("check: a mistyped keyword is the one error, in text, JSON and SARIF alike") {
    // `stpe triage`: the step's name stays declared, so `start triage` is not an unknown step.
    const std::string flow = path("tests/fixtures/diagnostics/T001-hint-keyword-typo.flow");
    Run text = run_cli("check --color never " + flow);
    INFO(text.output);
    CHECK(text.output.find("4:1: error[T001]") != std::string::npos);
    CHECK(text.output.find("help: did you mean 'step'?") != std::string::npos);
    CHECK(text.output.find("1 file checked: 1 error, 0 warnings") != std::string::npos);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    Run json = run_cli("check --format json " + flow);
    REQUIRE(parser.parse(json.output).get(doc) == simdjson::SUCCESS);
    simdjson::dom::array diagnostics = doc["diagnostics"];
    REQUIRE(diagnostics.size() == 1);
    CHECK(std::string_view(diagnostics.at(0)["code"]) == "T001");
    Run sarif = run_cli("check --format sarif " + flow);
    REQUIRE(parser.parse(sarif.output).get(doc) == simdjson::SUCCESS);
    simdjson::dom::array results = doc["runs"].at(0)["results"];
    REQUIRE(results.size() == 1);
    CHECK(std::string_view(results.at(0)["ruleId"]) == "T001");
}

TEST_CASE("check: --format sarif has the structure SARIF 2.1.0 requires") {
    Run run = run_cli("check --format sarif " + path("tests/fixtures/cli/bad.flow") + " " +
                      path("tests/fixtures/diagnostics/T010-duplicate-field.flow") + " 2>/dev/null");
    CHECK(run.status == 1);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(run.output).get(doc) == simdjson::SUCCESS);
    CHECK(std::string_view(doc["version"]) == "2.1.0");
    CHECK(std::string_view(doc["$schema"]).find("sarif-2.1.0") != std::string_view::npos);
    simdjson::dom::array runs = doc["runs"];
    REQUIRE(runs.size() == 1);
    simdjson::dom::element tool_run = runs.at(0);
    CHECK(std::string_view(tool_run["tool"]["driver"]["name"]) == "triage");
    CHECK(std::string_view(tool_run["columnKind"]) == "unicodeCodePoints");
    std::vector<std::string> rule_ids;
    for (simdjson::dom::element rule : simdjson::dom::array(tool_run["tool"]["driver"]["rules"])) {
        rule_ids.emplace_back(std::string_view(rule["id"]));
        CHECK(!std::string_view(rule["shortDescription"]["text"]).empty());
    }
    CHECK(rule_ids == std::vector<std::string>{"T010", "T012"});
    simdjson::dom::array results = tool_run["results"];
    REQUIRE(results.size() == 2);
    for (simdjson::dom::element result : results) {
        std::string_view rule = result["ruleId"];
        std::int64_t index = result["ruleIndex"];
        CHECK(rule_ids.at(static_cast<std::size_t>(index)) == rule);
        CHECK(std::string_view(result["level"]) == "error");
        CHECK(!std::string_view(result["message"]["text"]).empty());
        simdjson::dom::element physical = simdjson::dom::array(result["locations"]).at(0)["physicalLocation"];
        CHECK(std::string_view(physical["artifactLocation"]["uri"]).find(".flow") != std::string_view::npos);
        std::int64_t start_line = physical["region"]["startLine"];
        std::int64_t start_column = physical["region"]["startColumn"];
        std::int64_t end_column = physical["region"]["endColumn"];
        CHECK(start_line >= 1);
        CHECK(end_column > start_column);
    }
    // The duplicate's note becomes a related location pointing at the first definition.
    simdjson::dom::element duplicate = results.at(1);  // the second file's T010
    simdjson::dom::array related = duplicate["relatedLocations"];
    REQUIRE(related.size() == 1);
    std::int64_t related_line = related.at(0)["physicalLocation"]["region"]["startLine"];
    CHECK(related_line == 3);
}

TEST_CASE("fmt: --check prints a diff and exits 1, --write fixes the file, the result checks clean") {
    const triage::test::TempDir scratch;  // its own: parallel runs must not share a file
    std::filesystem::path file = scratch.path / "triage_fmt_test.flow";
    {
        std::ofstream out(file);
        out << "flow \"t\" version 1\nfields { urgent: bool }\nstart s\nstep s \"Urgent?\" { if urgent -> o else -> o }\n"
               "outcome o \"O\" { monitor }\n";
    }
    std::string quoted = "'" + file.string() + "'";
    Run check = run_cli("fmt --check " + quoted);
    CHECK(check.status == 1);
    CHECK(check.output.find("-step s \"Urgent?\" { if urgent -> o else -> o }\n") != std::string::npos);
    CHECK(check.output.find("+  if urgent -> o\n") != std::string::npos);
    CHECK(run_cli("fmt --write " + quoted).status == 0);
    CHECK(run_cli("fmt --check " + quoted).status == 0);
    CHECK(run_cli("check --werror " + quoted).status == 0);
    Run print = run_cli("fmt " + quoted);
    CHECK(print.output.rfind("flow \"t\" version 1\n\nfields {\n  urgent: bool\n}\n", 0) == 0);
    CHECK(run_cli("fmt --check --write " + quoted).status == 2);
    std::filesystem::remove(file);
    CHECK(run_cli("fmt " + path("tests/fixtures/diagnostics/T001-missing-arrow.flow")).status == 1);
}

TEST_CASE("run: an export's own time format, and --time-format for a one-off that does not fit it") {
    const std::string flow = path("tests/fixtures/run/export_times.flow");
    const std::string mentions = path("tests/fixtures/run/export_times.jsonl");
    Run fits = run_cli("run --now 2015-02-24T20:00:00Z " + flow + " " + mentions);
    CHECK(fits.status == 0);
    CHECK(fits.output.find(R"("outcome":"delay")") != std::string::npos);
    CHECK(fits.output.find(R"("deadline":"2015-02-24T20:35:52Z")") != std::string::npos);  // 11:35:52 -0800, plus 1h
    CHECK(fits.output.find(R"("error":)") == std::string::npos);

    Run other = run_cli("run --time-format tweet_created=twitter " + flow + " " + mentions);
    CHECK(other.status == 1);
    CHECK(other.output.find("3 lines: 'tweet_created' does not match its time format \"twitter\": \"2015-02-24 11:35:52 -0800\"; first at line 1") != std::string::npos);

    Run unknown = run_cli("run --time-format posted=unix " + flow + " " + mentions);
    CHECK(unknown.status == 1);  // an error in the flow as compiled
    CHECK(unknown.output.find("error[T049]: --time-format posted=unix: the flow has no time field 'posted'") != std::string::npos);
}

TEST_CASE("report and diff: --time-format, --fields and -m - as run takes them (issue 15 item 4)") {
    const std::string flow = path("tests/fixtures/run/export_times.flow");
    const std::string mentions = path("tests/fixtures/run/export_times.jsonl");

    // -m -: the mentions on standard input, the same counts as from the file.
    Run from_file = run_cli("report --format json " + flow + " -m " + mentions);
    Run from_stdin = run_cli("report --format json " + flow + " -m - < " + mentions);
    CHECK(from_stdin.status == 0);
    CHECK(from_stdin.output.find(R"("outcomes":{"delay":2,"other":1})") != std::string::npos);
    CHECK(from_file.output.find(R"("outcomes":{"delay":2,"other":1})") != std::string::npos);
    Run diff_stdin = run_cli("diff " + flow + " " + flow + " -m - < " + mentions);
    CHECK(diff_stdin.status == 0);
    CHECK(diff_stdin.output.find("0 of 3 mentions change outcome") != std::string::npos);
    CHECK(diff_stdin.output.find("mentions: <stdin>") != std::string::npos);

    // --time-format: a format that does not fit the export makes every line unreadable.
    Run report_format = run_cli("report --format json --time-format tweet_created=twitter " + flow + " -m " + mentions);
    CHECK(report_format.status == 1);
    CHECK(report_format.output.find("does not match its time format \"twitter\"") != std::string::npos);
    Run diff_format = run_cli("diff --time-format tweet_created=twitter " + flow + " " + flow + " -m " + mentions);
    CHECK(diff_format.output.find("does not match its time format \"twitter\"") != std::string::npos);

    // --fields: an export that names the text field differently, renamed once per option.
    triage::test::TempDir dir;
    const std::filesystem::path renamed = dir.path / "renamed.jsonl";
    {
        std::ofstream out(renamed);
        out << R"({"tweet_created": "2015-02-24 11:35:52 -0800", "body": "flight delayed again"})" << '\n'
            << R"({"tweet_created": "2015-02-24 11:36:10 -0800", "body": "thanks"})" << '\n';
    }
    const std::string renamed_path = triage::test::quoted(renamed.string());
    Run without = run_cli("report --format json " + flow + " -m " + renamed_path);
    CHECK(without.output.find(R"("outcomes":{"delay":0,"other":2})") != std::string::npos);
    Run report_fields = run_cli("report --format json --fields body=text " + flow + " -m " + renamed_path);
    CHECK(report_fields.status == 0);
    CHECK(report_fields.output.find(R"("outcomes":{"delay":1,"other":1})") != std::string::npos);
    Run diff_fields = run_cli("diff --fields body=text " + flow + " " + flow + " -m - < " + renamed_path);
    CHECK(diff_fields.status == 0);
    CHECK(diff_fields.output.find("0 of 2 mentions change outcome") != std::string::npos);
}
