// What a running worker counts, kept in atomics so that the HTTP server and the stats subject can
// read it from their own threads while the worker decides, and the two ways it is shown: the
// Prometheus text exposition format (/metrics) and one JSON object (the stats subject). Both give
// the same names, so a dashboard and a script read the same numbers.
#pragma once

#include "triage/worker.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace triage::detail {

struct WorkerMetrics {
    explicit WorkerMetrics(std::string worker_name);

    const std::string name;
    const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    const std::chrono::system_clock::time_point started_at = std::chrono::system_clock::now();

    // Counters, copied from the worker's summary after every batch.
    std::atomic<std::uint64_t> decisions{0};
    std::atomic<std::uint64_t> error_records{0};
    std::atomic<std::uint64_t> dead_lettered{0};
    std::atomic<std::uint64_t> redeliveries{0};
    std::atomic<std::uint64_t> duplicates{0};
    std::atomic<std::uint64_t> not_acked{0};
    // Gauges. The consumer's lag is asked of the server every WorkerOperations::stats_interval.
    std::atomic<std::uint64_t> consumer_pending{0};      // in the stream, not yet delivered
    std::atomic<std::uint64_t> consumer_ack_pending{0};  // delivered, not yet acked
    std::atomic<double> decisions_per_second{0};          // over the last stats interval
    std::atomic<std::uint64_t> active_crises{0};         // crisis modes (and crisis groups) on now
    std::atomic<std::uint64_t> partitions_held{0};       // partitions this worker holds the lease of
    std::atomic<bool> connected{false};
    std::atomic<bool> consuming{false};                  // bound to the consumer and not draining

    // Mirrors the summary's counters (called by the worker's thread only).
    void record(const WorkerSummary& summary);
    [[nodiscard]] bool healthy() const { return connected.load() && consuming.load(); }
};

// The Prometheus text exposition format 0.0.4: HELP and TYPE before each metric, names prefixed
// `triage_worker_`, counters ending in `_total`, units in the name.
[[nodiscard]] std::string prometheus_text(const WorkerMetrics& metrics);

// The same numbers as one JSON object, keyed by the metric names without `triage_worker_`, with
// the worker's name, for the stats request-reply subject.
[[nodiscard]] std::string stats_json(const WorkerMetrics& metrics);

// The /healthz body: {"status": "ok"|"unavailable", "worker", "connected", "consuming"}.
[[nodiscard]] std::string health_json(const WorkerMetrics& metrics);

}  // namespace triage::detail
