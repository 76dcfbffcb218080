// What the CLI says about itself: help for commands and diagnostic codes, usage errors with
// suggestions, completion scripts that complete, man pages from the option definitions.
#include "support.hpp"

#include "triage/version.hpp"

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>

namespace {

using triage::test::CliRun;

CliRun run_cli(const std::string& arguments) { return triage::test::run_triage(arguments + " 2>&1"); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The section of docs/diagnostics.md that begins with "## CODE ", read here from the file.
std::string diagnostics_section(const std::string& code) {
    const std::string all = triage::test::read_file(triage::test::source_dir() / "docs/diagnostics.md");
    const std::size_t start = all.find("\n## " + code + " ");
    REQUIRE(start != std::string::npos);
    const std::size_t end = all.find("\n## ", start + 1);
    std::string section = all.substr(start + 1, end - start - 1);
    while (section.ends_with('\n')) section.pop_back();
    return section + "\n";
}

// The section as `triage help` shows it: without the lines that tell docs_truth.py how to test
// each block.
std::string readers_section(const std::string& code) {
    static const std::regex marker(R"(<!-- doc: [^\n]*-->\n)");
    return std::regex_replace(diagnostics_section(code), marker, "");
}

// What bash's completion offers for the words of a command line (the last one is being completed).
std::string bash_completion(const std::string& words) {
    triage::test::TempDir dir;
    triage::test::write_file(dir.path / "complete.sh",
                             "source <(" + triage::test::triage_cli() + " completion bash)\nCOMP_WORDS=(" + words +
                                 ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n_triage\necho \"${COMPREPLY[*]}\"\n");
    CliRun run = triage::test::run_command("bash " + triage::test::quoted(dir.file("complete.sh")) + " 2>&1");
    REQUIRE(run.status == 0);
    return run.output;
}

}  // namespace

TEST_CASE("help: a command's help is its --help, and no argument is the whole help") {
    CliRun help = run_cli("help check");
    CHECK(help.status == 0);
    CHECK(help.output == run_cli("check --help").output);
    CHECK(contains(help.output, "--werror"));
    CliRun all = run_cli("help");
    CHECK(all.status == 0);
    CHECK(all.output == run_cli("--help").output);
}

TEST_CASE("help: a diagnostic code prints its page of docs/diagnostics.md, compiled in") {
    CliRun page = run_cli("help T012");
    CHECK(page.status == 0);
    CHECK(page.output == readers_section("T012"));
    CHECK(readers_section("T012") != diagnostics_section("T012"));  // the page has blocks that docs_truth tests
    CHECK_FALSE(contains(page.output, "<!--"));
    CHECK(page.output.starts_with("## T012 — unknown step or outcome\n"));
    CHECK_FALSE(contains(page.output, "## T013"));
    CHECK(run_cli("help t012").output == page.output);
    CHECK(run_cli("help T034").output == readers_section("T034"));  // the last of a run of pages
    // The binary carries the text: it answers from a directory with no docs/ in sight.
    CliRun elsewhere = triage::test::run_triage("help T012", triage::test::CommandOptions().in("/"));
    CHECK(elsewhere.output == page.output);
}

TEST_CASE("help: an unknown code or command is a usage error, with a suggestion") {
    CliRun code = run_cli("help T999");
    CHECK(code.status == 2);
    CHECK(contains(code.output, "no diagnostic T999"));
    CliRun command = run_cli("help chek");
    CHECK(command.status == 2);
    CHECK(contains(command.output, "help: did you mean 'check'?"));
}

TEST_CASE("usage errors: the error, a suggestion and a short usage, not the whole help") {
    CliRun command = run_cli("chek " + triage::test::quoted((triage::test::source_dir() / "examples/airforce.flow").string()));
    INFO(command.output);
    CHECK(command.status == 2);
    CHECK(contains(command.output, "triage: error: 'chek' is not a triage command\n"));
    CHECK(contains(command.output, "help: did you mean 'check'?\n"));
    CHECK(contains(command.output, "Usage: triage"));
    CHECK(contains(command.output, "Run 'triage help' for more."));
    CHECK_FALSE(contains(command.output, "Compile flow files"));  // a command's line of the full help

    CliRun option = run_cli("check --wrror " + triage::test::quoted((triage::test::source_dir() / "examples/airforce.flow").string()));
    INFO(option.output);
    CHECK(option.status == 2);
    CHECK(contains(option.output, "--wrror"));
    CHECK(contains(option.output, "help: did you mean '--werror'?\n"));
    CHECK(contains(option.output, "Usage: triage check [OPTIONS]"));
    CHECK(contains(option.output, "Run 'triage help check' for more."));
    CHECK_FALSE(contains(option.output, "Treat warnings as errors"));

    CliRun value = run_cli("check --format=xml x.flow");
    CHECK(value.status == 2);
    CHECK_FALSE(contains(value.output, "did you mean"));  // --format is right, its value is not
    CHECK(contains(value.output, "Usage: triage check"));
}

TEST_CASE("completion: the bash script completes commands, then each command's options") {
    CHECK(bash_completion("triage ch") == "check\n");
    CHECK(bash_completion("triage co") == "completion\n");
    CHECK(bash_completion("triage check --wer") == "--werror\n");
    CHECK(bash_completion("triage fmt --ch") == "--check\n");
    CHECK(bash_completion("triage check --format") == "--format\n");
    CHECK(bash_completion("triage check fl") == "\n");  // file names: bash's own (complete -o default)
}

TEST_CASE("completion: zsh and fish scripts name every command and its options") {
    CliRun zsh = run_cli("completion zsh");
    CHECK(zsh.status == 0);
    CHECK(zsh.output.starts_with("#compdef triage\n"));
    CHECK(contains(zsh.output, "'check:Compile flow files and report every problem'"));
    CHECK(contains(zsh.output, "        fmt) options=("));
    CliRun fish = run_cli("completion fish");
    CHECK(fish.status == 0);
    CHECK(contains(fish.output, "complete -c triage -n '__fish_seen_subcommand_from check' -l werror -d 'Treat "
                                "warnings as errors'\n"));
    CHECK(contains(fish.output, "complete -c triage -n '__fish_seen_subcommand_from check' -l format -r -d"));
    CHECK(run_cli("completion tcsh").status == 2);
}

TEST_CASE("man: the pages are dated by --date, else by SOURCE_DATE_EPOCH, in the .TH line") {
    triage::test::TempDir dir;
    REQUIRE(run_cli("man --date 2024-02-29 " + triage::test::quoted(dir.file("dated"))).status == 0);
    CHECK(triage::test::read_file(dir.path / "dated/triage-check.1")
              .starts_with(".TH TRIAGE-CHECK 1 \"2024-02-29\" \"triage " TRIAGE_VERSION_STRING "\" \"triage manual\"\n"));
    // A reproducible build sets SOURCE_DATE_EPOCH: 86400 s after the epoch is 1970-01-02 (UTC).
    ::setenv("SOURCE_DATE_EPOCH", "86400", 1);
    const int status = run_cli("man " + triage::test::quoted(dir.file("epoch"))).status;
    ::unsetenv("SOURCE_DATE_EPOCH");
    REQUIRE(status == 0);
    CHECK(triage::test::read_file(dir.path / "epoch/triage.1").starts_with(".TH TRIAGE 1 \"1970-01-02\" "));
    // Without either: today's date, in the same form.
    REQUIRE(run_cli("man " + triage::test::quoted(dir.file("today"))).status == 0);
    const std::string today = triage::test::read_file(dir.path / "today/triage.1");
    CHECK(std::regex_search(today, std::regex(R"(^\.TH TRIAGE 1 "20[0-9]{2}-[01][0-9]-[0-3][0-9]" )")));
    CliRun bad = run_cli("man --date 2024-2-29 " + triage::test::quoted(dir.file("bad")));
    CHECK(bad.status == 2);
    CHECK(contains(bad.output, "expected YYYY-MM-DD, got '2024-2-29'"));
}

TEST_CASE("man: a page per command, written from the same option definitions as --help") {
    triage::test::TempDir dir;
    CliRun run = run_cli("man " + triage::test::quoted(dir.file("man")));
    REQUIRE(run.status == 0);
    const std::string main_page = triage::test::read_file(dir.path / "man/triage.1");
    CHECK(main_page.starts_with(".TH TRIAGE 1 "));
    for (const char* command : {"check", "test", "fmt", "diff", "graph", "report", "run", "explain", "gen", "help",
                                "completion", "man"}) {
        CAPTURE(command);
        CHECK(contains(main_page, std::string(".BR triage\\-") + command + " (1)"));
        CHECK(std::filesystem::exists(dir.path / "man" / (std::string("triage-") + command + ".1")));
    }
    const std::string check = triage::test::read_file(dir.path / "man/triage-check.1");
    CHECK(check.starts_with(".TH TRIAGE-CHECK 1 "));
    CHECK(contains(check, ".TP\n\\fB\\-\\-werror\\fR\nTreat warnings as errors\n"));
    CHECK(contains(check, ".TP\n\\fB\\-\\-format\\fR \\fITEXT:{text,json,sarif}=text\\fR\nOutput format\n"));
    CHECK(contains(check, ".SH NOTES\nFiles without a `flow` header are fragments"));  // the footer, as --help shows it
    CHECK(contains(check, "Exit status: 0 when every file"));
    // Every option --help names is in the page.
    const std::string help = run_cli("check --help").output;
    for (const char* option : {"--format", "--color", "--fix", "--limit"}) {
        CAPTURE(option);
        CHECK(contains(help, option));
        std::string escaped;
        for (const char* c = option; *c != 0; ++c) escaped += *c == '-' ? std::string("\\-") : std::string(1, *c);
        CHECK(contains(check, escaped));
    }
    // groff (where installed: man-db's) reads the page without a warning.
    CliRun groff = triage::test::run_command("groff -man -Tutf8 -ww -z " + triage::test::quoted(dir.file("man/triage-check.1")) + " 2>&1");
    if (groff.status != 127) {  // 127: groff is not installed
        CHECK(groff.status == 0);
        CHECK(groff.output.empty());
    }
}
