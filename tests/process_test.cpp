// The tests' own program runner: command lines are split without a shell, and anything a shell
// would have read differently is refused.
#include "support.hpp"

using triage::test::CliRun;
using triage::test::CommandOptions;
using triage::test::CommandLine;
using triage::test::parse_command_line;
using triage::test::run_command;

TEST_CASE("process: a command line splits into words and redirections, quotes taken literally") {
    CommandLine line = parse_command_line(R"('/a b/triage' run "x'; touch y" its' ok' 2>&1 >/dev/null < in.jsonl)");
    CHECK(line.error.empty());
    CHECK(line.argv == std::vector<std::string>{"/a b/triage", "run", "x'; touch y", "its ok"});
    REQUIRE(line.redirections.size() == 3);
    CHECK(line.redirections[0].fd == 2);
    CHECK(line.redirections[0].to_fd == 1);
    CHECK(line.redirections[1].path == "/dev/null");
    CHECK(line.redirections[2].fd == 0);
    CHECK(line.redirections[2].path == "in.jsonl");
}

TEST_CASE("process: what only a shell could read is refused") {
    for (const char* line : {"a | b", "a; b", "a && b", "echo $HOME", "echo `id`", "ls *.flow", "a 'open",
                             "echo \"$HOME\"", "a >", "cat <(a)"}) {
        CAPTURE(line);
        CHECK_FALSE(parse_command_line(line).error.empty());
    }
}

TEST_CASE("process: a program's output, status, input, directory, environment and redirections") {
    triage::test::TempDir dir;
    CliRun echo = run_command("echo 'a  b' c");
    CHECK(echo.status == 0);
    CHECK(echo.output == "a  b c\n");
    CHECK(run_command("false").status == 1);
    CHECK(run_command("/nonexistent/program").status == 127);
    CHECK(run_command("cat", CommandOptions().reading(std::string(200'000, 'x'))).output.size() == 200'000);
    CHECK(run_command("pwd", CommandOptions().in(dir.path)).output == dir.path.string() + "\n");
    CHECK(run_command("printenv TRIAGE_PROCESS_TEST", CommandOptions().with("TRIAGE_PROCESS_TEST=yes")).output == "yes\n");
    CHECK(run_command("ls /nonexistent-dir 2>&1").output.find("nonexistent-dir") != std::string::npos);
    CHECK(run_command("ls /nonexistent-dir 2>/dev/null").output.empty());
    CHECK(run_command("echo hidden >" + triage::test::quoted(dir.file("out.txt"))).output.empty());
    CHECK(triage::test::read_file(dir.path / "out.txt") == "hidden\n");
    CHECK(run_command("cat <" + triage::test::quoted(dir.file("out.txt"))).output == "hidden\n");
    // A program past its file-size limit is stopped by SIGXFSZ, as under ulimit -f.
    CliRun big = run_command("head -c 100000 /dev/zero >" + triage::test::quoted(dir.file("big")),
                             CommandOptions().writing_at_most(4096));
    CHECK(big.status != 0);
    CHECK(std::filesystem::file_size(dir.path / "big") <= 4096);
}
