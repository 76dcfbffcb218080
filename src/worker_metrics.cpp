// triage/worker_metrics.hpp: one table of metrics, written as Prometheus text and as JSON.
#include "worker_metrics.hpp"

#include "triage/json_writer.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace triage::detail {

namespace {

struct Metric {
    std::string_view name;  // after triage_worker_
    std::string_view type;  // counter or gauge
    std::string_view help;
    double (*value)(const WorkerMetrics&);
};

double seconds_since_start(const WorkerMetrics& m) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m.started).count();
}

double start_time(const WorkerMetrics& m) {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::seconds>(m.started_at.time_since_epoch()).count());
}

// Every number a worker shows, in the order it shows them.
constexpr std::array<Metric, 14> metrics_table{{
    {"decisions_total", "counter", "Decisions published (and their mentions acked).",
     [](const WorkerMetrics& m) { return static_cast<double>(m.decisions.load()); }},
    {"error_records_total", "counter", "Error records published for messages that are no mention.",
     [](const WorkerMetrics& m) { return static_cast<double>(m.error_records.load()); }},
    {"dead_lettered_total", "counter", "Mentions published to the dead-letter subject.",
     [](const WorkerMetrics& m) { return static_cast<double>(m.dead_lettered.load()); }},
    {"redeliveries_total", "counter", "Mentions delivered more than once.",
     [](const WorkerMetrics& m) { return static_cast<double>(m.redeliveries.load()); }},
    {"duplicates_total", "counter", "Publishes the output stream had stored already (redeliveries).",
     [](const WorkerMetrics& m) { return static_cast<double>(m.duplicates.load()); }},
    {"not_acked_total", "counter", "Mentions negatively acked after a failed publish.",
     [](const WorkerMetrics& m) { return static_cast<double>(m.not_acked.load()); }},
    {"decisions_per_second", "gauge", "Decisions per second over the last stats interval.",
     [](const WorkerMetrics& m) { return m.decisions_per_second.load(); }},
    {"consumer_pending_messages", "gauge", "Mentions in the stream not yet delivered to the consumer (lag).",
     [](const WorkerMetrics& m) { return static_cast<double>(m.consumer_pending.load()); }},
    {"consumer_ack_pending_messages", "gauge", "Mentions delivered by the consumer and not yet acked.",
     [](const WorkerMetrics& m) { return static_cast<double>(m.consumer_ack_pending.load()); }},
    {"active_crises", "gauge", "Crisis modes (and groups of grouped crises) in crisis now.",
     [](const WorkerMetrics& m) { return static_cast<double>(m.active_crises.load()); }},
    {"partitions_held", "gauge", "Partitions whose lease this worker holds.",
     [](const WorkerMetrics& m) { return static_cast<double>(m.partitions_held.load()); }},
    {"connected", "gauge", "1 while connected to NATS.",
     [](const WorkerMetrics& m) { return m.connected.load() ? 1.0 : 0.0; }},
    {"consuming", "gauge", "1 while bound to the consumer and not draining.",
     [](const WorkerMetrics& m) { return m.consuming.load() ? 1.0 : 0.0; }},
    {"uptime_seconds", "gauge", "Seconds since the worker started.", seconds_since_start},
}};

constexpr Metric start_time_metric{"start_time_seconds", "gauge", "When the worker started, in Unix seconds.",
                                   start_time};

void append_prometheus(std::string& out, const Metric& metric, const WorkerMetrics& m) {
    out += fmt::format("# HELP triage_worker_{} {}\n# TYPE triage_worker_{} {}\ntriage_worker_{} {}\n", metric.name,
                       metric.help, metric.name, metric.type, metric.name, metric.value(m));
}

}  // namespace

WorkerMetrics::WorkerMetrics(std::string worker_name) : name(std::move(worker_name)) {}

void WorkerMetrics::record(const WorkerSummary& summary) {
    decisions.store(summary.decided, std::memory_order_relaxed);
    error_records.store(summary.errors, std::memory_order_relaxed);
    dead_lettered.store(summary.dead_lettered, std::memory_order_relaxed);
    redeliveries.store(summary.redelivered, std::memory_order_relaxed);
    duplicates.store(summary.duplicates, std::memory_order_relaxed);
    not_acked.store(summary.not_acked, std::memory_order_relaxed);
}

std::string prometheus_text(const WorkerMetrics& m) {
    std::string out;
    for (const Metric& metric : metrics_table) append_prometheus(out, metric, m);
    append_prometheus(out, start_time_metric, m);
    return out;
}

std::string stats_json(const WorkerMetrics& m) {
    JsonWriter json;
    json.begin_object().key("worker").string(m.name);
    for (const Metric& metric : metrics_table) json.key(metric.name).number(metric.value(m));
    json.key(start_time_metric.name).number(start_time_metric.value(m));
    json.end_object();
    return json.take();
}

std::string health_json(const WorkerMetrics& m) {
    JsonWriter json;
    json.begin_object()
        .key("status")
        .string(m.healthy() ? "ok" : "unavailable")
        .key("worker")
        .string(m.name)
        .key("connected")
        .boolean(m.connected.load())
        .key("consuming")
        .boolean(m.consuming.load())
        .end_object();
    return json.take();
}

}  // namespace triage::detail
