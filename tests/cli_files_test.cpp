// check, fmt and test on files, directories, fragments and standard input; the options that take
// one value each; diff naming its files; run -q. (Issue 17, items 2 and 6.)
#include "support.hpp"

namespace {

using Run = triage::test::CliRun;
using triage::test::quoted;
using triage::test::TempDir;
using triage::test::write_file;

Run run_cli(const std::string& arguments) { return triage::test::run_triage(arguments + " 2>&1"); }
std::string source(const std::string& relative) { return quoted((triage::test::source_dir() / relative).string()); }
bool has(const Run& run, const std::string& text) { return run.output.find(text) != std::string::npos; }

const std::string flow_text =
    "flow \"Small\" version 1\n"
    "\n"
    "fields {\n"
    "  text: text\n"
    "}\n"
    "\n"
    "include \"lists.flow\"\n"
    "\n"
    "start topic\n"
    "\n"
    "step topic \"Greeting?\" {\n"
    "  if text has any greeting -> hello\n"
    "  else -> other\n"
    "}\n"
    "\n"
    "outcome hello \"Hello\" {\n"
    "  respond publicly within 1d\n"
    "}\n"
    "\n"
    "outcome other \"Other\" {\n"
    "  respond publicly within 1d\n"
    "}\n"
    "\n"
    "test \"greets\" {\n"
    "  given { text: \"hello there\" }\n"
    "  expect hello\n"
    "}\n"
    "\n"
    "test \"other\" {\n"
    "  given { text: \"nothing\" }\n"
    "  expect other\n"
    "}\n";
const std::string fragment_text = "# Shared: no header, no start.\nwords greeting = \"hello\", \"hi\"\n";

// A tree of flows: two that include a fragment, in sub-directories, and a file that is no flow.
struct FlowTree {
    TempDir dir;
    FlowTree() {
        std::filesystem::create_directories(dir.path / "b" / "deeper");
        std::filesystem::create_directories(dir.path / "a");
        write_file(dir.path / "b" / "deeper" / "second.flow", flow_text);
        write_file(dir.path / "b" / "deeper" / "lists.flow", fragment_text);
        write_file(dir.path / "a" / "first.flow", flow_text);
        write_file(dir.path / "a" / "lists.flow", fragment_text);
        write_file(dir.path / "a" / "notes.txt", "not a flow");
    }
    [[nodiscard]] std::string at(const std::string& relative) const { return quoted(dir.file(relative)); }
};

}  // namespace

TEST_CASE("check, fmt --check and test walk directories for *.flow and skip fragments") {
    FlowTree tree;
    Run check = run_cli("check " + tree.at(""));
    INFO(check.output);
    CHECK(check.status == 0);
    CHECK(has(check, "2 files checked: 0 errors, 0 warnings"));  // the fragments not alone, notes.txt not at all
    CHECK_FALSE(has(check, "fragment"));
    Run format = run_cli("fmt --check " + tree.at(""));
    INFO(format.output);
    CHECK(format.status == 0);
    Run test = run_cli("test " + tree.at(""));
    INFO(test.output);
    CHECK(test.status == 0);
    CHECK(has(test, "4 passed, 0 failed"));
    // Sorted: a/ before b/.
    CHECK(test.output.find("a/first.flow: 2 tests") < test.output.find("b/deeper/second.flow: 2 tests"));
    CHECK(run_cli("check " + source("examples")).output.find("5 files checked: 0 errors, 0 warnings") != std::string::npos);
}

TEST_CASE("check: an error under a directory is found, in sorted order, and reported once for a shared fragment") {
    FlowTree tree;
    write_file(tree.dir.path / "b" / "deeper" / "second.flow", flow_text + "\ntest \"bad\" {\n  given { txt: \"x\" }\n  expect hello\n}\n");
    write_file(tree.dir.path / "a" / "first.flow", "flow \"Broken\" version 1\nstart nowhere\n");
    Run check = run_cli("check --color never " + tree.at(""));
    INFO(check.output);
    CHECK(check.status == 1);
    const std::size_t first = check.output.find("a/first.flow:2:7: error[T012]");
    const std::size_t second = check.output.find("second.flow:35:");
    CHECK(first != std::string::npos);
    CHECK(second != std::string::npos);
    CHECK(first < second);

    // Two flows include one fragment with a warning: it is reported once.
    TempDir shared;
    write_file(shared.path / "one.flow", flow_text);
    write_file(shared.path / "two.flow", flow_text);
    write_file(shared.path / "lists.flow", fragment_text + "words unused = \"x\"\n");
    Run twice = run_cli("check --color never " + quoted(shared.path.string()));
    INFO(twice.output);
    CHECK(twice.status == 0);
    CHECK(has(twice, "2 files checked: 0 errors, 1 warning\n"));
    CHECK(has(twice, "lists.flow:3:7: warning[T035]"));
}

TEST_CASE("check: a fragment named alone is parsed, and no flow found is exit 1 unless --allow-empty") {
    FlowTree tree;
    Run alone = run_cli("check " + tree.at("a/lists.flow"));
    INFO(alone.output);
    CHECK(alone.status == 1);
    CHECK(has(alone, "lists.flow has no `flow` header: a fragment, parsed here and checked through the flows that include it"));
    CHECK(has(alone, "no flow found in "));
    CHECK(has(alone, "0 files checked (1 fragment parsed): 0 errors, 0 warnings"));
    CHECK_FALSE(has(alone, "T015"));  // no "missing header" for a fragment
    CHECK(run_cli("check --allow-empty " + tree.at("a/lists.flow")).status == 0);
    // What a fragment alone can be blamed for, it is: a syntax error.
    write_file(tree.dir.path / "a" / "lists.flow", fragment_text + "words broken = \"x\",\n");
    Run broken = run_cli("check --allow-empty --color never " + tree.at("a/lists.flow"));
    INFO(broken.output);
    CHECK(broken.status == 1);
    CHECK(has(broken, "error[T001]"));
    // And a pre-commit hook given the fragment and its flow checks the flow with it.
    Run with_flow = run_cli("check " + tree.at("b/deeper/lists.flow") + " " + tree.at("b/deeper/second.flow"));
    INFO(with_flow.output);
    CHECK(with_flow.status == 0);
    CHECK(has(with_flow, "1 file checked (1 fragment parsed): 0 errors, 0 warnings"));
}

TEST_CASE("check, fmt --check, test: an empty directory is no flow found, exit 1 unless --allow-empty") {
    TempDir empty;
    std::filesystem::create_directories(empty.path / "sub");
    write_file(empty.path / "sub" / "readme.txt", "no flows here");
    for (const std::string command : {"check", "fmt --check", "test"}) {
        CAPTURE(command);
        Run none = run_cli(command + " " + quoted(empty.path.string()));
        CHECK(none.status == 1);
        CHECK(has(none, "no flow"));
        CHECK(has(none, "--allow-empty"));
        CHECK(run_cli(command + " --allow-empty " + quoted(empty.path.string())).status == 0);
    }
}

TEST_CASE("check and fmt read standard input as '-', named <stdin>") {
    Run clean = run_cli("check - < " + source("examples/airforce.flow"));
    INFO(clean.output);
    CHECK(clean.status == 0);
    CHECK(has(clean, "1 file checked: 0 errors, 0 warnings"));
    Run bad = run_cli("check --color never - < " + source("tests/fixtures/cli/bad.flow"));
    CHECK(bad.status == 1);
    CHECK(has(bad, "<stdin>:6:16: error[T012]: unknown step or outcome 'asess'"));
    Run json = run_cli("check --format json - < " + source("tests/fixtures/cli/bad.flow"));
    CHECK(has(json, "\"path\":\"-\",\"ok\":false"));
    CHECK(run_cli("check --fix - < " + source("tests/fixtures/cli/bad.flow")).status == 2);

    Run formatted = triage::test::run_triage("fmt -", triage::test::CommandOptions().reading("words  a =   \"x\" ,\"y\"\n"));
    CHECK(formatted.status == 0);
    CHECK(formatted.output == "words a = \"x\", \"y\"\n");
    Run check = triage::test::run_triage("fmt --check -", triage::test::CommandOptions().reading("words  a = \"x\"\n"));
    CHECK(check.status == 1);
    CHECK(check.output == "--- <stdin>\n+++ <stdin> (formatted)\n@@ -1 +1 @@\n-words  a = \"x\"\n+words a = \"x\"\n");
    CHECK(run_cli("fmt --write - < " + source("examples/airforce.flow")).status == 2);
}

TEST_CASE("fmt --check on a directory names each file that is not formatted") {
    FlowTree tree;
    write_file(tree.dir.path / "a" / "lists.flow", "words  greeting = \"hello\", \"hi\"\n");  // fragments are laid out too
    Run check = run_cli("fmt --check " + tree.at(""));
    INFO(check.output);
    CHECK(check.status == 1);
    CHECK(has(check, "--- " + tree.dir.file("a/lists.flow") + "\n+++ " + tree.dir.file("a/lists.flow") + " (formatted)\n"));
    CHECK_FALSE(has(check, "first.flow"));
}

TEST_CASE("fmt: a long word list is kept one group of phrases per line, within 100 columns") {
    std::string phrases;
    for (int i = 0; i < 14; ++i) phrases += (i ? ", " : "") + std::string("\"phrase number ") + std::to_string(i) + "\"";
    Run run = triage::test::run_triage("fmt -", triage::test::CommandOptions().reading("words big = \"alpha one\", \"bravo two\", \"charlie three\", \"delta four\", \"echo five\",\n"
                      "     \"foxtrot six\",   \"golf seven\"\nwords short = \"a\",\n  \"b\"\nwords long = " + phrases + "\n"));
    INFO(run.output);
    CHECK(run.status == 0);
    CHECK(run.output ==
          "words big = \"alpha one\", \"bravo two\", \"charlie three\", \"delta four\", \"echo five\",\n"
          "  \"foxtrot six\", \"golf seven\"\n"
          "words short = \"a\", \"b\"\n"
          "words long = \"phrase number 0\", \"phrase number 1\", \"phrase number 2\", \"phrase number 3\",\n"
          "  \"phrase number 4\", \"phrase number 5\", \"phrase number 6\", \"phrase number 7\", \"phrase number 8\",\n"
          "  \"phrase number 9\", \"phrase number 10\", \"phrase number 11\", \"phrase number 12\", \"phrase number 13\"\n");
    // Laid out once, it stays.
    TempDir dir;
    write_file(dir.path / "w.flow", run.output);
    CHECK(run_cli("fmt --check " + quoted(dir.file("w.flow"))).status == 0);
}

TEST_CASE("--fields and --crisis take one value each, so positionals after them stay positionals") {
    const std::string flow = source("tests/fixtures/run/airforce_small.flow");
    Run run = triage::test::run_triage("run --fields body=text --fields score=sentiment " + flow +
                                       " - --now 2026-11-22T10:00:00Z 2>/dev/null",
                                       triage::test::CommandOptions().reading("{\"body\": \"USAF\", \"score\": 0.9}\n"));
    CHECK(run.status == 0);
    CHECK(has(run, R"("outcome":"let_stand")"));
    Run explain = run_cli("explain --crisis outage " + source("tests/fixtures/run/outage.flow") +
                          R"( --now 2026-11-22T10:00:00Z --record '{"text": "is the app down?", "posted_at": "2026-11-20T10:00:00Z"}')");
    INFO(explain.output);
    CHECK(explain.status == 0);
    CHECK(has(explain, "outcome status_page"));
}

TEST_CASE("diff names the files it compares") {
    const std::string old_flow = source("examples/customer_care.flow");
    const std::string new_flow = source("tests/fixtures/diff/customer_care_v4.flow");
    const std::string mentions = source("examples/mentions.jsonl");
    Run text = triage::test::run_triage("diff " + old_flow + " " + new_flow + " -m " + mentions + " 2>/dev/null");
    const std::string root = triage::test::source_dir().string();
    CHECK(text.output.rfind("12 of 300 mentions change outcome (4.0%)\n  old flow: " + root + "/examples/customer_care.flow\n"
                            "  new flow: " + root + "/tests/fixtures/diff/customer_care_v4.flow\n"
                            "  mentions: " + root + "/examples/mentions.jsonl\n", 0) == 0);
    Run json = triage::test::run_triage("diff --format json " + old_flow + " " + new_flow + " -m - 2>/dev/null < " + mentions);
    CHECK(has(json, ",\"files\":{\"old\":\"" + root + "/examples/customer_care.flow\",\"new\":\"" + root +
                        "/tests/fixtures/diff/customer_care_v4.flow\",\"mentions\":\"<stdin>\"}}\n"));
}

TEST_CASE("run -q writes no summary, --no-progress keeps it") {
    const std::string args = "run " + source("examples/customer_care.flow") + " " + source("examples/mentions.jsonl") +
                             " -o /dev/null --now 2026-11-22T10:00:00Z";
    Run normal = run_cli(args + " --no-progress");
    CHECK(normal.status == 0);
    CHECK(has(normal, "300 mentions:"));
    Run quiet = run_cli(args + " -q");
    CHECK(quiet.status == 0);
    CHECK(quiet.output.empty());
    CHECK(run_cli(args + " --quiet").output.empty());
}

TEST_CASE("the pre-commit recipe of docs/ci.md passes on a commit that changes only a fragment, and fails on a bad one") {
    FlowTree tree;
    // The hooks' commands: check and test the whole directory, fmt --check the changed file.
    auto hooks = [&] {
        return run_cli("check --werror " + tree.at("")).status == 0 && run_cli("fmt --check " + tree.at("a/lists.flow")).status == 0 &&
               run_cli("test --allow-empty " + tree.at("")).status == 0;
    };
    CHECK(hooks());
    write_file(tree.dir.path / "a" / "lists.flow", "words greeting = \"hello\", \"hi\"\nwords stray = \"x\"\n");  // unused: a warning
    CHECK_FALSE(hooks());
    write_file(tree.dir.path / "a" / "lists.flow", "words greting = \"hello\", \"hi\"\n");  // the flow's name is gone
    CHECK_FALSE(hooks());
}
