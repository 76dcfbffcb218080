// The tests' shell-free program runner: a command line split by parse_command_line, started by
// posix_spawnp with the redirections as file actions, its output read through a pipe.
#include "process.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string_view>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace triage::test {

namespace {

// Characters a shell would give a meaning to outside quotes; a command line holding one unquoted
// is refused rather than run with a different meaning than the test's author had in mind.
constexpr std::string_view shell_characters = "|;&$`\\()<>*?[]{}~#!";

std::string fmt_error(const std::string& what, std::size_t at) {
    return what + " at column " + std::to_string(at + 1) + ": run_command starts no shell";
}

struct Reader {
    std::string_view text;
    std::size_t at = 0;
    [[nodiscard]] bool done() const { return at >= text.size(); }
    [[nodiscard]] char peek() const { return text[at]; }
    [[nodiscard]] bool starts(std::string_view s) const { return text.substr(at).starts_with(s); }
    void skip_spaces() {
        while (!done() && (peek() == ' ' || peek() == '\t' || peek() == '\n')) ++at;
    }
};

// One word: unquoted characters and quoted parts up to the next space. Empty optional and an
// error when the word holds something only a shell could read.
std::optional<std::string> read_word(Reader& in, std::string& error) {
    std::string word;
    while (!in.done() && in.peek() != ' ' && in.peek() != '\t' && in.peek() != '\n') {
        char c = in.peek();
        if (c == '\'' || c == '"') {
            std::size_t end = in.text.find(c, in.at + 1);
            if (end == std::string_view::npos) {
                error = fmt_error("an unclosed quote", in.at);
                return std::nullopt;
            }
            std::string_view quoted = in.text.substr(in.at + 1, end - in.at - 1);
            if (c == '"' && quoted.find_first_of("$`\\") != std::string_view::npos) {
                error = fmt_error("$, ` or \\ inside double quotes", in.at);
                return std::nullopt;
            }
            word += quoted;
            in.at = end + 1;
            continue;
        }
        if (shell_characters.find(c) != std::string_view::npos) {
            error = fmt_error(std::string("the shell character '") + c + "'", in.at);
            return std::nullopt;
        }
        word += c;
        ++in.at;
    }
    return word;
}

}  // namespace

CommandLine parse_command_line(std::string_view line) {
    CommandLine result;
    Reader in{line};
    for (in.skip_spaces(); !in.done(); in.skip_spaces()) {
        if (in.starts("2>&1")) {
            result.redirections.push_back({2, 1, {}});
            in.at += 4;
            continue;
        }
        int fd = -1;
        bool append = false;
        if (in.starts("2>>") || in.starts(">>")) append = true, fd = in.peek() == '2' ? 2 : 1, in.at += fd == 2 ? 3 : 2;
        else if (in.starts("2>")) fd = 2, in.at += 2;
        else if (in.starts(">")) fd = 1, in.at += 1;
        else if (in.starts("<")) fd = 0, in.at += 1;
        if (fd >= 0) in.skip_spaces();
        std::optional<std::string> word = read_word(in, result.error);
        if (!word) return result;
        if (fd >= 0 && word->empty()) {
            result.error = fmt_error("a redirection without a file", in.at);
            return result;
        }
        if (fd >= 0) result.redirections.push_back({fd, -1, std::move(*word), append});
        else result.argv.push_back(std::move(*word));
    }
    if (result.argv.empty() && result.error.empty()) result.error = "an empty command line";
    return result;
}

namespace {

std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
    std::vector<std::string> out;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string_view entry(*e);
        std::string_view name = entry.substr(0, entry.find('='));
        bool replaced = false;
        for (const std::string& o : overrides) replaced = replaced || o.substr(0, o.find('=')) == name;
        if (!replaced) out.emplace_back(entry);
    }
    out.insert(out.end(), overrides.begin(), overrides.end());
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (std::string& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// Writes `input` to the program and reads what it prints until it closes its output.
std::string exchange(int input_fd, int output_fd, std::string_view input) {
    std::string output;
    std::size_t written = 0;
    std::array<char, 65536> buffer{};
    while (output_fd >= 0) {
        std::array<pollfd, 2> fds{pollfd{output_fd, POLLIN, 0}, pollfd{input_fd, POLLOUT, 0}};
        const nfds_t count = input_fd >= 0 ? 2 : 1;
        if (::poll(fds.data(), count, -1) < 0) {
            if (errno == EINTR) continue;
            FAIL("poll failed: " << std::strerror(errno));
        }
        if (count == 2 && fds[1].revents != 0) {
            ssize_t n = ::write(input_fd, input.data() + written, input.size() - written);
            if (n > 0) written += std::size_t(n);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (n < 0 || written == input.size()) {  // done, or the program stopped reading
                ::close(input_fd);
                input_fd = -1;
            }
        }
        if (fds[0].revents != 0) {
            ssize_t n = ::read(output_fd, buffer.data(), buffer.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::close(output_fd);
                output_fd = -1;
            } else {
                output.append(buffer.data(), std::size_t(n));
            }
        }
    }
    if (input_fd >= 0) ::close(input_fd);
    return output;
}

}  // namespace

// long because: one spawn set-up, from the pipes through the file actions to the wait.
CliRun run_command(std::string_view line, const CommandOptions& options) {
    CommandLine command = parse_command_line(line);
    INFO("command line: " << std::string(line));
    REQUIRE_MESSAGE(command.error.empty(), command.error);
    if (options.file_size_limit >= 0) {
        command.argv.insert(command.argv.begin(),
                            {"prlimit", "--fsize=" + std::to_string(options.file_size_limit), "--"});
    }
    std::array<int, 2> out{-1, -1};
    std::array<int, 2> in{-1, -1};
    REQUIRE(::pipe2(out.data(), O_CLOEXEC) == 0);
    if (options.input) {
        REQUIRE(::pipe2(in.data(), O_CLOEXEC) == 0);
        // Never block on a full input pipe while the program waits for its output to be read.
        REQUIRE(::fcntl(in[1], F_SETFL, O_NONBLOCK) == 0);
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (!options.directory.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.directory.c_str());
    if (options.input) posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    else posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    for (const Redirection& r : command.redirections) {
        if (r.to_fd >= 0) posix_spawn_file_actions_adddup2(&actions, r.to_fd, r.fd);
        else posix_spawn_file_actions_addopen(&actions, r.fd, r.path.c_str(),
                                              r.fd == 0 ? O_RDONLY : O_WRONLY | O_CREAT | (r.append ? O_APPEND : O_TRUNC), 0644);
    }
    // The program gets SIGPIPE's default action even if the test process ignores it.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> arguments = command.argv;
    std::vector<std::string> environment = environment_with(options.environment);
    std::vector<char*> argv = pointers(arguments);
    std::vector<char*> envp = pointers(environment);
    pid_t pid = -1;
    const int spawned = ::posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(out[1]);
    if (options.input) ::close(in[0]);

    CliRun run;
    if (spawned != 0) {
        ::close(out[0]);
        if (options.input) ::close(in[1]);
        run.status = 127;  // what a shell reports for a program it cannot start
        return run;
    }
    // The program may exit before it reads all its input: its closed pipe must not end the test.
    struct sigaction ignore {};
    struct sigaction previous {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &previous);
    run.output = exchange(options.input ? in[1] : -1, out[0], options.input ? *options.input : std::string_view{});
    ::sigaction(SIGPIPE, &previous, nullptr);
    int raw = 0;
    while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {}
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : WIFSIGNALED(raw) ? 128 + WTERMSIG(raw) : -1;
    return run;
}

}  // namespace triage::test
