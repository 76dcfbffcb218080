// Threads for work that recurses as deep as a flow nests: conditions are compiled and evaluated
// recursively, up to --limit nesting levels (at most triage::max_nesting), so every thread of the
// CLI that compiles or decides gets a stack that holds the deepest accepted nesting in any build,
// sanitizers included. The memory is reserved, and used only as deep as a flow goes.
#pragma once

#include <cstddef>
#include <functional>

namespace triage::cli {

inline constexpr std::size_t large_stack_bytes = std::size_t{512} << 20;

// Runs `work` on a new thread with a large stack and waits for it (on this thread when no such
// thread can be had). An exception from `work` is rethrown here.
void run_on_large_stack(const std::function<void()>& work);

// Runs work(0) ... work(count - 1) on at most `threads` threads with large stacks, each taking the
// next index when it is done with one; returns when all are done. The first exception from
// `work` is rethrown here, after every thread has stopped.
void run_on_large_stacks(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& work);

}  // namespace triage::cli
