// triage/worker_operations.hpp: logs, metrics, HTTP and the stats subject of one worker.
#include "worker_operations.hpp"

#include "triage/monitor.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <set>

#include <unistd.h>

namespace triage::detail {

namespace {

// A subject token holds no '.', '*', '>' or white space.
bool subject_token(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name)
        if (c == '.' || c == '*' || c == '>' || static_cast<unsigned char>(c) <= ' ') return false;
    return true;
}

std::string stats_subject(const WorkerOptions& options, std::string_view name) {
    if (!options.operations.stats_subject.empty()) return options.operations.stats_subject;
    return fmt::format("triage.worker.{}.stats", name);
}

// Answers a stats request on nats.c's thread; `closure` owns the metrics until the subscription
// is complete (on_stats_complete), so that an answer never reads a worker that has gone.
void on_stats_request(natsConnection* connection, natsSubscription*, natsMsg* message, void* closure) {
    const auto& metrics = *static_cast<std::shared_ptr<const WorkerMetrics>*>(closure);
    if (const char* reply = natsMsg_GetReply(message); reply != nullptr) {
        const std::string json = stats_json(*metrics);
        natsConnection_Publish(connection, reply, json.data(), static_cast<int>(json.size()));
    }
    natsMsg_Destroy(message);
}

void on_stats_complete(void* closure) { delete static_cast<std::shared_ptr<const WorkerMetrics>*>(closure); }

std::string connected_url(natsConnection* connection) {
    char url[256] = "";
    natsConnection_GetConnectedUrl(connection, url, sizeof url);
    return url;
}

}  // namespace

std::string worker_name(const WorkerOperations& operations) {
    if (!operations.name.empty()) return operations.name;
    char host[256] = "";
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "worker");
    std::string name = fmt::format("{}-{}", host, ::getpid());
    for (char& c : name)
        if (!subject_token(std::string_view(&c, 1))) c = '_';
    return name;
}

Operations::Operations(const WorkerOptions& options)
    : options_(options), metrics_(std::make_shared<WorkerMetrics>(worker_name(options.operations))),
      log_(options.operations.log_format, options.operations.quiet, metrics_->name), http_(metrics_) {}

Operations::~Operations() {
    if (stats_subscription_ != nullptr) {
        natsSubscription_Unsubscribe(stats_subscription_);
        natsSubscription_Destroy(stats_subscription_);
    }
}

std::string Operations::start() {
    const WorkerOptions& o = options_;
    if (!subject_token(metrics_->name))
        return fmt::format("--name '{}' is no subject token (no '.', '*', '>' or spaces)", metrics_->name);
    log_.write(LogLevel::info, "starting",
               fmt::format("{} starting: stream {}, subject {}, consumer {}, publishing to {}", metrics_->name,
                           o.stream, o.subject_in, o.durable, o.subject_out),
               {{"nats", o.nats.url}, {"stream", o.stream}, {"subject_in", o.subject_in},
                {"durable", o.durable}, {"subject_out", o.subject_out}, {"pid", std::uint64_t(::getpid())}});
    if (o.operations.http.empty()) return {};
    if (std::string problem = http_.start(o.operations.http); !problem.empty()) return problem;
    log_.write(LogLevel::info, "http_listening",
               fmt::format("serving /healthz and /metrics on {} (port {})", o.operations.http, http_.port()),
               {{"address", o.operations.http}, {"port", std::uint64_t(http_.port())}});
    return {};
}

void Operations::consuming(natsConnection* connection, jsCtx* jetstream) {
    connection_ = connection;
    jetstream_ = jetstream;
    const std::string url = connected_url(connection);
    log_.write(LogLevel::info, "connected", fmt::format("connected to {}", url), {{"url", url}});
    const std::string subject = stats_subject(options_, metrics_->name);
    auto* closure = new std::shared_ptr<const WorkerMetrics>(metrics_);
    natsStatus s = natsConnection_Subscribe(&stats_subscription_, connection, subject.c_str(), on_stats_request,
                                            closure);
    if (s == NATS_OK) s = natsSubscription_SetOnCompleteCB(stats_subscription_, on_stats_complete, closure);
    if (s != NATS_OK) {
        if (stats_subscription_ == nullptr) delete closure;  // else leaked: the callback may still hold it
        log_.write(LogLevel::warn, "stats_unavailable",
                   fmt::format("cannot answer stats on {}: {}", subject, natsStatus_GetText(s)),
                   {{"subject", subject}});
    }
    metrics_->connected = true;
    metrics_->consuming = true;
    last_stats_ = std::chrono::steady_clock::now();
    log_.write(LogLevel::info, "consuming",
               fmt::format("consuming {} from {}; stats on {}", options_.durable, options_.stream, subject),
               {{"durable", options_.durable}, {"stats_subject", subject}});
}

void Operations::tick(const WorkerSummary& summary, const Stream& stream) {
    metrics_->record(summary);
    notice_connection();
    if (summary.not_acked > not_acked_logged_) {
        log_.write(LogLevel::warn, "publish_failed",
                   fmt::format("{} mentions not acked after a failed publish: {}", summary.not_acked - not_acked_logged_,
                               summary.publish_problem),
                   {{"count", summary.not_acked - not_acked_logged_}, {"problem", summary.publish_problem}});
        not_acked_logged_ = summary.not_acked;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_stats_ < options_.operations.stats_interval) return;
    const double seconds = std::chrono::duration<double>(now - last_stats_).count();
    metrics_->decisions_per_second = static_cast<double>(summary.decided - decisions_at_last_stats_) / seconds;
    decisions_at_last_stats_ = summary.decided;
    last_stats_ = now;
    // A partitioned worker reads through ordered consumers of its own, with no durable consumer
    // to ask; it counts its partitions' crises itself.
    if (!options_.partitioning.by.empty()) return;
    if (metrics_->connected) ask_lag();
    metrics_->active_crises = active_crises(stream);
}

void Operations::notice_connection() {
    const bool connected = natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
    if (connected == metrics_->connected.load()) return;
    metrics_->connected = connected;
    if (connected) {
        const std::string url = connected_url(connection_);
        log_.write(LogLevel::info, "reconnected", fmt::format("reconnected to {}", url), {{"url", url}});
    } else {
        log_.write(LogLevel::warn, "disconnected", "disconnected from NATS: reconnecting");
    }
}

// The consumer's pending counts: a request to the server, so once per stats interval only.
void Operations::ask_lag() {
    jsConsumerInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetConsumerInfo(&info, jetstream_, options_.stream.c_str(), options_.durable.c_str(), nullptr,
                                      &code);
    if (s == NATS_OK) {
        metrics_->consumer_pending = info->NumPending;
        metrics_->consumer_ack_pending = static_cast<std::uint64_t>(info->NumAckPending);
    } else {
        log_.write(LogLevel::warn, "lag_unavailable",
                   fmt::format("cannot ask for consumer {}'s lag: {}", options_.durable, natsStatus_GetText(s)));
    }
    jsConsumerInfo_Destroy(info);
}

// Crisis modes on now: each ungrouped crisis in crisis, and each group of a grouped one.
std::uint64_t Operations::active_crises(const Stream& stream) {
    const Monitor* monitor = stream.monitor();
    if (monitor == nullptr) return 0;
    const MonitorStats stats = monitor->stats();
    std::set<std::uint32_t> grouped;
    for (const CrisisGroup& group : stats.crisis_groups) grouped.insert(group.crisis);
    std::uint64_t active = stats.crisis_groups.size();
    const auto crises = monitor->crises();
    for (std::uint32_t i = 0; i < crises.size(); ++i)
        if (crises[i].active && grouped.count(i) == 0) ++active;
    return active;
}

void Operations::draining() {
    metrics_->consuming = false;
    log_.write(LogLevel::info, "draining", "stopping: the batch in hand is published and acked, acks flushed");
}

void Operations::stopped(const WorkerSummary& s) {
    metrics_->record(s);
    metrics_->consuming = false;
    log_.write(LogLevel::info, "stopped",
               fmt::format("{} decisions and {} error records published, {} redelivered mentions ({} already "
                           "published: dropped by the output stream), {} dead-lettered, {} not acked",
                           s.decided, s.errors, s.redelivered, s.duplicates, s.dead_lettered, s.not_acked),
               {{"decisions", s.decided}, {"error_records", s.errors}, {"redeliveries", s.redelivered},
                {"duplicates", s.duplicates}, {"dead_lettered", s.dead_lettered}, {"not_acked", s.not_acked}});
    if (s.partitions_taken > 0)
        log_.write(LogLevel::info, "partitions",
                   fmt::format("{} partitions taken, {} given up, {} snapshots written, {} mentions skipped "
                               "(decided before the snapshot)",
                               s.partitions_taken, s.partitions_lost, s.snapshots, s.skipped),
                   {{"taken", s.partitions_taken}, {"given_up", s.partitions_lost}, {"snapshots", s.snapshots},
                    {"skipped", s.skipped}});
    if (s.not_acked > 0 && !s.publish_problem.empty())
        log_.write(LogLevel::warn, "publish_failed", fmt::format("last failed publish: {}", s.publish_problem),
                   {{"problem", s.publish_problem}});
    if (!s.failure.empty()) log_.write(LogLevel::error, "failed", s.failure);
}

}  // namespace triage::detail

namespace triage {

void log_worker_error(const WorkerOperations& operations, std::string_view event, std::string_view message) {
    detail::WorkerLog(operations.log_format, operations.quiet, detail::worker_name(operations))
        .write(detail::LogLevel::error, event, message);
}

}  // namespace triage
