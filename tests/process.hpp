// Running programs from the tests without a shell. A test writes a command line the way a user
// would type it, and `run_command` splits it into an argument vector itself and starts the program
// with posix_spawnp, so nothing in a test's paths or arguments is ever interpreted by a shell.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::test {

struct CliRun {
    int status = -1;     // the exit status, or 128 + the signal that ended the program
    std::string output;  // what it wrote to standard output (and standard error after 2>&1)
};

struct CommandOptions {
    std::filesystem::path directory;        // the program's working directory; empty: the test's
    std::vector<std::string> environment;   // NAME=VALUE entries that replace inherited ones
    std::optional<std::string> input;       // its standard input; none: /dev/null, or a < FILE
    long long file_size_limit = -1;         // the largest file it may write, in bytes (ulimit -f)

    CommandOptions& in(std::filesystem::path d) { directory = std::move(d); return *this; }
    CommandOptions& with(std::string name_value) { environment.push_back(std::move(name_value)); return *this; }
    CommandOptions& reading(std::string text) { input = std::move(text); return *this; }
    CommandOptions& writing_at_most(long long bytes) { file_size_limit = bytes; return *this; }
};

// Runs a command line written in a small notation that is not a shell: words separated by spaces,
// 'single-quoted' and "double-quoted" words taken literally, and the redirections 2>&1, >FILE,
// >>FILE, 2>FILE, 2>>FILE and <FILE (a space after the operator is allowed), applied left to right as a shell
// applies them. Anything else a shell would interpret (| ; & $ ` \ ( ) and the like) fails the
// test, so that a command line can never mean more than it says.
[[nodiscard]] CliRun run_command(std::string_view line, const CommandOptions& options = {});

// The argument vector and redirections of a command line, as run_command reads it.
struct Redirection {
    int fd = 1;             // the descriptor redirected: 0, 1 or 2
    int to_fd = -1;         // 2>&1: the descriptor it becomes a copy of
    std::string path;       // >FILE, 2>FILE, <FILE: the file it opens
    bool append = false;    // >>FILE, 2>>FILE: written at its end
};
struct CommandLine {
    std::vector<std::string> argv;
    std::vector<Redirection> redirections;
    std::string error;  // why the line cannot be run without a shell; empty when it can
};
[[nodiscard]] CommandLine parse_command_line(std::string_view line);

}  // namespace triage::test
