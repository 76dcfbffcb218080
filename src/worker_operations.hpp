// What a running worker tells its operators, on top of the deciding loop of worker.cpp: the
// structured log (worker_log.hpp), the metrics (worker_metrics.hpp) served over HTTP
// (worker_http.hpp) and on a request-reply subject, the consumer's lag asked for periodically,
// and the connection's state (connected, reconnected) noticed between pulls.
#pragma once

#include "triage/stream.hpp"
#include "triage/worker.hpp"
#include "worker_http.hpp"
#include "worker_log.hpp"
#include "worker_metrics.hpp"

#include <nats/nats.h>

#include <chrono>
#include <memory>
#include <string>

namespace triage::detail {

// HOST-PID with the characters a subject token cannot hold replaced, unless given.
[[nodiscard]] std::string worker_name(const WorkerOperations& operations);

class Operations {
public:
    explicit Operations(const WorkerOptions& options);
    ~Operations();  // ends the stats subscription: before the connection goes
    Operations(const Operations&) = delete;
    Operations& operator=(const Operations&) = delete;

    // Logs the start and opens the HTTP port if asked (503 until consuming). Empty, or why not.
    [[nodiscard]] std::string start();
    // Bound to the consumer on this connection: answers the stats subject from now on.
    void consuming(natsConnection* connection, jsCtx* jetstream);
    // Between pulls: the counters, the connection's state, and every stats interval the lag.
    void tick(const WorkerSummary& summary, const Stream& stream);
    void draining();
    // Logs the summary, the last failed publish and why the worker stopped, if it failed.
    void stopped(const WorkerSummary& summary);

    // Crisis modes on now in `stream` (each ungrouped crisis in crisis, each group of a grouped one).
    [[nodiscard]] static std::uint64_t active_crises(const Stream& stream);

    [[nodiscard]] WorkerMetrics& metrics() { return *metrics_; }
    [[nodiscard]] const WorkerLog& log() const { return log_; }

private:
    void notice_connection();
    void ask_lag();

    const WorkerOptions& options_;
    std::shared_ptr<WorkerMetrics> metrics_;
    WorkerLog log_;
    HttpEndpoint http_;
    natsConnection* connection_ = nullptr;
    jsCtx* jetstream_ = nullptr;
    natsSubscription* stats_subscription_ = nullptr;
    std::chrono::steady_clock::time_point last_stats_{};
    std::uint64_t decisions_at_last_stats_ = 0;
    std::uint64_t not_acked_logged_ = 0;
};

}  // namespace triage::detail
