#include "stop_signals.hpp"

#include <pthread.h>

namespace triage::cli {

namespace {

std::atomic<std::atomic<bool>*> stop_target{nullptr};  // lock-free: safe to read in a handler

extern "C" void on_stop_signal(int) {
    if (std::atomic<bool>* stop = stop_target.load()) stop->store(true);
}

sigset_t stop_signal_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

}  // namespace

StopSignals::StopSignals(std::atomic<bool>& stop) {
    stop_target.store(&stop);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, &previous_term_);
    sigaction(SIGINT, &action, &previous_int_);
    // Started before the mask below, so that it takes the signals; it does nothing else.
    receiver_ = std::thread([this] {
        // Unblocked here whatever the process was started with (a blocked mask survives exec).
        const sigset_t signals = stop_signal_set();
        pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
        std::unique_lock lock(mutex_);
        ending_.wait(lock, [this] { return ended_; });
    });
    const sigset_t signals = stop_signal_set();
    pthread_sigmask(SIG_BLOCK, &signals, &previous_mask_);
}

StopSignals::~StopSignals() {
    {
        const std::lock_guard lock(mutex_);
        ended_ = true;
    }
    ending_.notify_one();
    receiver_.join();
    pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
    sigaction(SIGINT, &previous_int_, nullptr);
    stop_target.store(nullptr);
}

}  // namespace triage::cli
