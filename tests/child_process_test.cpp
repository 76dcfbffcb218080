// Running a program without a shell: input through a pipe, output and errors back, a time limit.
#include "support.hpp"

#include "cli/child_process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>

using triage::cli::ChildResult;
using triage::cli::run_child;
using namespace std::chrono_literals;

TEST_CASE("child process: the input goes in and the output comes out, however large") {
    // 4 MiB both ways: more than a pipe holds, so writing and reading must interleave.
    std::string input;
    for (int i = 0; input.size() < (4u << 20); ++i) input += "line " + std::to_string(i) + "\n";
    ChildResult cat = run_child({"cat"}, input, 60s);
    CHECK(cat.succeeded());
    CHECK(cat.output == input);
    CHECK(cat.errors.empty());
}

TEST_CASE("child process: exit status, standard error and signals are reported") {
    ChildResult failed = run_child({"sh", "-c", "echo oops >&2; exit 7"}, "", 60s);
    CHECK(failed.started);
    CHECK_FALSE(failed.succeeded());
    CHECK(failed.exit_status == 7);
    CHECK(failed.errors == "oops\n");
    ChildResult killed = run_child({"sh", "-c", "kill -TERM $$"}, "", 60s);
    CHECK(killed.signal == SIGTERM);
    CHECK_FALSE(killed.succeeded());
}

TEST_CASE("child process: a program that does not read its input is no SIGPIPE for the caller") {
    ChildResult ignoring = run_child({"true"}, std::string(8u << 20, 'x'), 60s);
    CHECK(ignoring.started);
    CHECK(ignoring.exit_status == 0);
}

TEST_CASE("child process: a missing program is an error with its reason, not a crash") {
    ChildResult missing = run_child({"triage-no-such-program"}, "x", 60s);
    CHECK_FALSE(missing.started);
    CHECK(missing.error_number == ENOENT);
    CHECK_FALSE(missing.error.empty());
    // The name is a program name, never a command line: nothing here is run by a shell.
    ChildResult not_a_shell = run_child({"true; echo injected"}, "", 60s);
    CHECK_FALSE(not_a_shell.started);
}

TEST_CASE("child process: past its time limit it is killed, also when it closed its output") {
    const auto started = std::chrono::steady_clock::now();
    ChildResult sleeping = run_child({"sleep", "30"}, "", 200ms);
    CHECK(sleeping.timed_out);
    CHECK(sleeping.signal == SIGKILL);
    ChildResult quiet = run_child({"sh", "-c", "exec >&- 2>&-; sleep 30"}, "", 200ms);
    CHECK(quiet.timed_out);
    // Both were stopped, not waited for: far less than one 30 s sleep (a bound, not a timing).
    CHECK(std::chrono::steady_clock::now() - started < 20s);
}
