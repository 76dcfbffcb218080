#include "large_stack.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <vector>

#include <pthread.h>

namespace triage::cli {

namespace {

struct Pool {
    std::size_t count = 0;
    const std::function<void(std::size_t)>* work = nullptr;
    std::atomic<std::size_t> next{0};
    std::mutex failure_lock;
    std::exception_ptr failure;

    void drain() {
        for (std::size_t i = next++; i < count; i = next++) {
            try {
                (*work)(i);
            } catch (...) {
                std::lock_guard lock(failure_lock);
                if (!failure) failure = std::current_exception();
                next = count;  // the others stop after their current item
            }
        }
    }
};

}  // namespace

void run_on_large_stacks(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& work) {
    Pool pool;
    pool.count = count;
    pool.work = &work;
    threads = std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(count, 1));
    std::vector<pthread_t> started;
    pthread_attr_t attributes;
    if (pthread_attr_init(&attributes) == 0) {
        if (pthread_attr_setstacksize(&attributes, large_stack_bytes) == 0) {
            for (std::size_t t = 0; t < threads; ++t) {
                pthread_t thread;
                auto body = [](void* p) -> void* {
                    static_cast<Pool*>(p)->drain();
                    return nullptr;
                };
                if (pthread_create(&thread, &attributes, body, &pool) != 0) break;
                started.push_back(thread);
            }
        }
        pthread_attr_destroy(&attributes);
    }
    if (started.empty()) pool.drain();  // no thread to be had: this one's stack holds the default limits
    for (pthread_t thread : started) pthread_join(thread, nullptr);
    if (pool.failure) std::rethrow_exception(pool.failure);
}

void run_on_large_stack(const std::function<void()>& work) {
    run_on_large_stacks(1, 1, [&](std::size_t) { work(); });
}

}  // namespace triage::cli
