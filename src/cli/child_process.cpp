#include "child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <algorithm>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace triage::cli {

namespace {

constexpr std::size_t max_kept_errors = 64 * 1024;

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    [[nodiscard]] int get() const { return fd_; }
    void set(int fd) { fd_ = fd; }

private:
    int fd_ = -1;
};

// A pipe whose two ends are closed on exec; posix_spawn's dup2 clears that flag on the copies
// the child gets as 0, 1 and 2, so the child holds only its own ends.
bool make_pipe(Fd& read_end, Fd& write_end) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read_end.set(fds[0]);
    write_end.set(fds[1]);
    return true;
}

// While this object lives, SIGPIPE is blocked in this thread, so writing to a child that has
// exited fails with EPIPE instead of ending triage; a SIGPIPE raised meanwhile is consumed.
class SigpipeBlocked {
public:
    SigpipeBlocked() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    }
    ~SigpipeBlocked() {
        sigset_t pending;
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE) == 1 && sigismember(&previous_, SIGPIPE) == 0) {
            const timespec zero{0, 0};
            sigtimedwait(&pipe_, nullptr, &zero);
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    SigpipeBlocked(const SigpipeBlocked&) = delete;
    SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

private:
    sigset_t pipe_{};
    sigset_t previous_{};
};

pid_t spawn(const std::vector<std::string>& argv, int in, int out, int err, int& error) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err, STDERR_FILENO);
    // The child starts with no signal blocked and SIGPIPE at its default, whatever this thread has.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    error = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return error == 0 ? pid : -1;
}

// Writes `input` to the child's stdin and reads its stdout and stderr into `result` until it
// closes both, `deadline` passes (timed_out) or poll fails (error); then closes our ends.
void exchange(Fd& in_write, Fd& out_read, Fd& err_read, std::string_view input,
              std::chrono::steady_clock::time_point deadline, ChildResult& result) {
    ::fcntl(in_write.get(), F_SETFL, O_NONBLOCK);
    std::size_t written = 0;
    if (input.empty()) in_write.reset();
    char buffer[1 << 16];
    while (out_read.get() >= 0 || err_read.get() >= 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            break;
        }
        pollfd fds[3] = {{in_write.get(), POLLOUT, 0}, {out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
        int ready = ::poll(fds, 3, static_cast<int>(std::min<std::chrono::milliseconds::rep>(left.count(), 1000)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) {
            result.error = std::strerror(errno);
            break;
        }
        if (fds[0].revents != 0) {
            ssize_t n = ::write(in_write.get(), input.data() + written, input.size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            // EPIPE: it stopped reading (an error it will report); what it says decides.
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) in_write.reset();
        }
        for (int k : {1, 2}) {
            if (fds[k].revents == 0) continue;
            ssize_t n = ::read(fds[k].fd, buffer, sizeof buffer);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (n <= 0) {
                (k == 1 ? out_read : err_read).reset();
                continue;
            }
            std::string& to = k == 1 ? result.output : result.errors;
            if (k == 1 || to.size() < max_kept_errors) to.append(buffer, static_cast<std::size_t>(n));
        }
    }
    in_write.reset();
    out_read.reset();
    err_read.reset();
}

// Reaps the child into `result`. It may close its output and still run: the limit holds until it
// exits, and it is killed when the limit has passed or talking to it failed.
void wait_for_exit(pid_t pid, std::chrono::steady_clock::time_point deadline, ChildResult& result) {
    int status = 0;
    bool ended = false;
    while (!ended && !result.timed_out && result.error.empty()) {
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) ended = true;
        else if (done < 0 && errno != EINTR) result.error = std::strerror(errno);
        else if (std::chrono::steady_clock::now() >= deadline) result.timed_out = true;
        else ::usleep(5000);
    }
    if (!ended) {
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
}

}  // namespace

ChildResult run_child(const std::vector<std::string>& argv, std::string_view input, std::chrono::milliseconds limit) {
    ChildResult result;
    if (argv.empty()) {
        result.error = "no program named";
        return result;
    }
    Fd in_read, in_write, out_read, out_write, err_read, err_write;
    if (!make_pipe(in_read, in_write) || !make_pipe(out_read, out_write) || !make_pipe(err_read, err_write)) {
        result.error = std::strerror(errno);
        return result;
    }
    SigpipeBlocked sigpipe_blocked;
    int spawn_error = 0;
    const pid_t pid = spawn(argv, in_read.get(), out_write.get(), err_write.get(), spawn_error);
    if (pid < 0) {
        result.error_number = spawn_error;
        result.error = std::strerror(spawn_error);
        return result;
    }
    result.started = true;
    in_read.reset();
    out_write.reset();
    err_write.reset();
    const auto deadline = std::chrono::steady_clock::now() + limit;
    exchange(in_write, out_read, err_read, input, deadline, result);
    wait_for_exit(pid, deadline, result);
    return result;
}

}  // namespace triage::cli
