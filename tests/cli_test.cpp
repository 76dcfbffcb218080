// The CLI as a CI pipeline sees it: exit codes and output formats.
#include "support.hpp"

#include <array>
#include <cstdio>
#include <sys/wait.h>

namespace {

struct Run {
    int status = -1;
    std::string output;
};

// Runs the triage binary with arguments (shell-quoted by the caller), capturing stdout+stderr.
Run run_cli(const std::string& arguments) {
    std::string command = std::string("'") + TRIAGE_CLI_PATH + "' " + arguments + " 2>&1";
    Run run;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buffer{};
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) run.output.append(buffer.data(), n);
    int raw = pclose(pipe);
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return run;
}

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
    CHECK(run_cli("").status == 2);
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
    CHECK(run.output.find("\"errors\":1,\"warnings\":0,\"ok\":false}") != std::string::npos);
    CHECK(std::count(run.output.begin(), run.output.end(), '\n') == 1);
}

TEST_CASE("--version and --help exit 0") {
    Run version = run_cli("--version");
    CHECK(version.status == 0);
    CHECK(version.output.find("triage 0.1.0") != std::string::npos);
    Run help = run_cli("check --help");
    CHECK(help.status == 0);
    CHECK(help.output.find("--werror") != std::string::npos);
}
