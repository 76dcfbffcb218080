// Programs started without a shell, and loopback ports, for the tests and the benchmarks that run
// nats-server and triage processes (bench/worker_throughput.cpp links this too, so no doctest
// here: a failure throws std::runtime_error, which fails a test case as well).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace triage::test {

// A loopback port nobody listens on now (the kernel picks it).
[[nodiscard]] int free_port();
[[nodiscard]] bool accepts_connections(int port);

// A program started with posix_spawnp and an argument vector (no shell), its stdout — and its
// stderr, unless `stdout_only` — appended to `log`.
[[nodiscard]] pid_t spawn(const std::vector<std::string>& args, const std::string& log, bool stdout_only = false);
// Waits for `pid`: its exit status, or 128 + the signal that ended it; -1 if it is no child.
int wait_exit(pid_t pid);

}  // namespace triage::test
