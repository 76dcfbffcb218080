// SIGTERM and SIGINT as a request to stop, kept away from the threads that talk to the network.
//
// A signal sent to the process goes to any thread that does not block it. nats.c waits for its
// socket with poll(), which a signal handler interrupts (poll is never restarted) and which nats.c
// then reports as an I/O error: the connection is dropped and re-made in the middle of a drain.
// While a StopSignals lives, both signals set the stop flag; the thread that made it, and every
// thread started from it afterwards (nats.c's, the HTTP server's), block them; and one thread of
// its own, which only waits, leaves the process a thread to take them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

namespace triage::cli {

class StopSignals {
public:
    // Sets `stop` when SIGTERM or SIGINT arrives; `stop` must outlive this. One at a time.
    explicit StopSignals(std::atomic<bool>& stop);
    // Gives the making thread its signal mask and the process its handlers back.
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

private:
    struct sigaction previous_term_ {};
    struct sigaction previous_int_ {};
    sigset_t previous_mask_{};
    std::mutex mutex_;
    std::condition_variable ending_;
    bool ended_ = false;
    std::thread receiver_;
};

}  // namespace triage::cli
