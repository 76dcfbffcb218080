// Running another program (Graphviz's dot) without a shell: posix_spawnp with an argument
// vector, the input on its stdin and its output read from pipes, killed when it overruns a time
// limit. Nothing the user typed is ever interpreted by a shell, and no temporary file is made.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace triage::cli {

struct ChildResult {
    bool started = false;     // false: the program could not be started (`error` says why)
    bool timed_out = false;   // killed when the time limit ran out
    int exit_status = -1;     // its exit status, when it exited
    int signal = 0;           // the signal that ended it, when one did
    std::string output;       // what it wrote to stdout
    std::string errors;       // what it wrote to stderr (at most 64 KiB kept)
    std::string error;        // why it could not be started or talked to
    int error_number = 0;     // the errno behind `error` (ENOENT: no such program)
    [[nodiscard]] bool succeeded() const { return started && !timed_out && exit_status == 0; }
};

// Runs `argv` (argv[0] looked up on PATH), writing `input` to its stdin and collecting its
// stdout and stderr until it exits or `limit` passes.
[[nodiscard]] ChildResult run_child(const std::vector<std::string>& argv, std::string_view input,
                                    std::chrono::milliseconds limit);

}  // namespace triage::cli
