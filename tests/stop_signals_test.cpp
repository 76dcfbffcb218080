// StopSignals: SIGTERM and SIGINT reach the stop flag through its own thread, and threads started
// while it lives (as nats.c's are) never receive them. Each case runs in a forked child: a
// process-directed signal in the test process could land in any thread it happens to have.
#include "cli/stop_signals.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <pthread.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

// Exit codes of the child, one per way it can fail.
enum ChildExit { child_ok = 0, later_thread_not_blocked = 10, flag_not_set = 11, mask_not_restored = 12 };

bool blocked_in_this_thread(int signal) {
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, nullptr, &mask);
    return sigismember(&mask, signal) == 1;
}

int stop_on(int signal) {
    std::atomic<bool> stop{false};
    {
        const triage::cli::StopSignals signals(stop);
        bool later_blocked = false;
        std::thread([&] { later_blocked = blocked_in_this_thread(SIGTERM) && blocked_in_this_thread(SIGINT); })
            .join();
        if (!later_blocked) return later_thread_not_blocked;
        kill(getpid(), signal);
        for (int i = 0; i < 500 && !stop.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (!stop.load()) return flag_not_set;
    }
    if (blocked_in_this_thread(SIGTERM) || blocked_in_this_thread(SIGINT)) return mask_not_restored;
    return child_ok;
}

// As the CLI runs a command: on a thread of its own, while the first thread waits to join it with
// neither signal blocked.
int stop_on_second_thread(int signal) {
    int result = -1;
    std::thread([&] { result = stop_on(signal); }).join();
    return result;
}

// The child's exit status, or -signal if a signal ended it (the signal's default action: death).
int run_in_child(int (*child_main)(int), int signal) {
    const pid_t child = fork();
    if (child == 0) _exit(child_main(signal));
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

}  // namespace

TEST_CASE("StopSignals: SIGTERM and SIGINT set the stop flag, and threads started meanwhile block both") {
    for (const int signal : {SIGTERM, SIGINT}) {
        CAPTURE(signal);
        CHECK(run_in_child(stop_on, signal) == child_ok);
        CHECK(run_in_child(stop_on_second_thread, signal) == child_ok);
    }
}
