// `triage worker FLOW --nats URL --stream NAME --subject-in S --subject-out S`: decides mentions
// from a NATS JetStream consumer until SIGTERM or SIGINT, then drains (triage/worker.hpp).
#include "commands.hpp"
#include "flow_loading.hpp"

#if TRIAGE_WITH_NATS
#include "stop_signals.hpp"
#include "triage/text.hpp"
#include "triage/time.hpp"
#include "triage/worker.hpp"

#include <nats/nats.h>
#endif

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <memory>

namespace triage::cli {

namespace {

struct WorkerCommandOptions {
    std::string flow;
    StreamFlags stream;
    bool matches = false;
    bool quiet = false;
    std::string color = "auto";
#if TRIAGE_WITH_NATS
    WorkerOptions worker;
    unsigned ack_wait_seconds = 30;
    unsigned lease_milliseconds = 10'000;
    unsigned snapshot_milliseconds = 5'000;
    std::string reorder_idle;  // a duration, "0" or "off"; empty: the --reorder horizon
    std::string log_format = "text";
    unsigned stats_interval_seconds = 5;
#endif
};

#if TRIAGE_WITH_NATS
std::atomic<bool> stop_requested{false};

constexpr std::int64_t nats_close_wait_milliseconds = 5'000;

// A flow that keeps state needs --partition-by (and a field it can be partitioned by); one that
// keeps none is not partitioned. The exit status of a refusal, or nullopt.
std::optional<int> check_partitioning(const WorkerCommandOptions& options, const Stream& stream) {
    const std::string& by = options.worker.partitioning.by;
    if (stream.monitor() != nullptr && by.empty()) {
        log_worker_error(options.worker.operations, "refused", fmt::format("{} keeps state (windows, crisis modes); workers sharing one consumer "
                           "would each count only their share: partition the mentions with --partition-by FIELD "
                           "(docs/scale.md)",
                   options.flow));
        return exit_usage;
    }
    if (stream.monitor() == nullptr && !by.empty()) {
        log_worker_error(options.worker.operations, "refused", fmt::format("{} keeps no state: --partition-by is for flows with windows or crisis "
                           "modes; leave it out and every worker shares one consumer",
                   options.flow));
        return exit_usage;
    }
    // `triage run` only notes that --reorder does nothing here; a deployment's options are
    // refused instead, so that nobody sizes a consumer or reads its lag for a buffer there is not.
    if (stream.monitor() == nullptr && stream.options().reorder.count() > 0) {
        log_worker_error(options.worker.operations, "refused",
                         fmt::format("{} keeps no state: each mention is decided on its own, in any order, so "
                                     "--reorder has nothing to do; leave it out",
                                     options.flow));
        return exit_usage;
    }
    if (by.empty()) return std::nullopt;
    if (std::string problem = partitioning_problem(stream.flow(), by); !problem.empty()) {
        log_worker_error(options.worker.operations, "refused", problem);
        return exit_usage;
    }
    return std::nullopt;
}

// --reorder-idle: a duration, or 0/off for never; only with --reorder. The exit status of a
// refusal, or nullopt.
std::optional<int> set_reorder_idle(WorkerCommandOptions& options, const Stream& stream) {
    const std::string& text = options.reorder_idle;
    if (text.empty()) return std::nullopt;
    if (stream.options().reorder.count() == 0) {
        log_worker_error(options.worker.operations, "refused",
                         "--reorder-idle says when a quiet partition decides the mentions --reorder holds: give "
                         "--reorder DURATION too, or leave it out");
        return exit_usage;
    }
    if (text == "0" || text == "off") {
        options.worker.partitioning.reorder_idle = std::chrono::milliseconds(0);
        return std::nullopt;
    }
    const std::optional<Duration> idle = parse_duration(text);
    if (!idle) {
        log_worker_error(options.worker.operations, "refused",
                         fmt::format("--reorder-idle takes a duration such as 2m, 90s or 1h, or 0 or off for "
                                     "never, not '{}'",
                                     terminal_text(text)));
        return exit_usage;
    }
    options.worker.partitioning.reorder_idle = *idle;
    return std::nullopt;
}

int run(WorkerCommandOptions& options) {
    std::optional<Flow> flow = load_flow(options.flow, options.color);
    if (!flow) return exit_failure;
    std::optional<StreamOptions> stream_options_ = stream_options(*flow, options.stream);
    if (!stream_options_) return exit_usage;
    stream_options_->matches = options.matches;
    Stream stream(*flow, *stream_options_);
    options.worker.operations.quiet = options.quiet;
    options.worker.operations.stats_interval = std::chrono::seconds(options.stats_interval_seconds);
    options.worker.operations.log_format = options.log_format == "json" ? LogFormat::json : LogFormat::text;
    if (std::optional<int> refused = check_partitioning(options, stream)) return *refused;
    if (std::optional<int> refused = set_reorder_idle(options, stream)) return *refused;
    options.worker.ack_wait = std::chrono::seconds(options.ack_wait_seconds);
    options.worker.partitioning.lease_time = std::chrono::milliseconds(options.lease_milliseconds);
    options.worker.partitioning.snapshot_interval = std::chrono::milliseconds(options.snapshot_milliseconds);
    // SIGTERM and SIGINT ask for a drain: the batch in hand is published and acked, then it stops.
    stop_requested.store(false);
    const WorkerSummary summary = [&] {
        const StopSignals signals(stop_requested);
        return run_worker(stream, options.worker, stop_requested);
    }();
    // A subscription's delivery thread ends on its own after the subscription is destroyed, and
    // nats_Close() does not wait for it: a thread still ending while exit() ran nats.c's teardown
    // (its atexit handler destroys the library's lock) crashed the worker after a clean drain, now
    // and then (SIGABRT or SIGSEGV). Waiting until every nats.c thread has ended leaves exit() none.
    if (nats_CloseAndWait(nats_close_wait_milliseconds) == NATS_TIMEOUT)
        log_worker_error(options.worker.operations, "close_timeout",
                         fmt::format("nats.c's threads did not end within {} ms: exiting without them",
                                     nats_close_wait_milliseconds));
    // The worker logged its summary and, if it failed, why.
    return summary.failure.empty() ? exit_ok : exit_failure;
}

void add_operations_options(CLI::App& cmd, WorkerCommandOptions& o) {
    WorkerOperations& ops = o.worker.operations;
    cmd.add_option("--name", ops.name, "This worker's name in logs and stats (default: HOST-PID)");
    cmd.add_option("--http", ops.http, "Serve /healthz and Prometheus /metrics on HOST:PORT");
    cmd.add_option("--stats-subject", ops.stats_subject,
                   "Answer requests on this subject with the stats as JSON (default: triage.worker.NAME.stats)");
    cmd.add_option("--log-format", o.log_format, "stderr: text lines, or one JSON object per line")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));
    cmd.add_option("--stats-interval", o.stats_interval_seconds,
                   "Seconds between asking the server for the consumer's lag (and the decision rate)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 3'600u));
}

void add_partition_options(CLI::App& cmd, WorkerCommandOptions& o) {
    PartitionOptions& p = o.worker.partitioning;
    cmd.add_option("--partition-by", p.by,
                   "For a flow that keeps state: the text or one-of field whose value picks a mention's partition "
                   "(mentions go to SUBJECT-IN.<partition>)");
    cmd.add_option("--partitions", p.partitions, "Partitions, the same for every worker and publisher")
        ->capture_default_str()
        ->check(CLI::Range(1u, 10'000u));
    cmd.add_option("--max-partitions", p.max_held, "Partitions this worker holds at once (0: every free one)")
        ->capture_default_str();
    cmd.add_option("--lease-bucket", p.lease_bucket, "The KV bucket of the partitions' leases")->capture_default_str();
    cmd.add_option("--state-bucket", p.state_bucket, "The KV bucket of the partitions' state snapshots")
        ->capture_default_str();
    cmd.add_option("--lease-time", o.lease_milliseconds,
                   "Milliseconds a lease lasts unrenewed (the lease bucket's TTL); renewed every third")
        ->capture_default_str()
        ->check(CLI::Range(500u, 3'600'000u));
    cmd.add_option("--snapshot-every", p.snapshot_every, "Mentions of a partition between state snapshots")
        ->capture_default_str()
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}));
    cmd.add_option("--snapshot-interval", o.snapshot_milliseconds, "Milliseconds at most between state snapshots")
        ->capture_default_str()
        ->check(CLI::Range(10u, 3'600'000u));
    cmd.add_option("--reorder", o.stream.reorder,
                   "With --partition-by: count and decide each partition's mentions in clock order, holding each "
                   "until one this much newer has arrived in its partition (a duration: 10m, 90s, 1h). Snapshots "
                   "record the held mentions, and SIGTERM leaves them to the next holder. At most --limit "
                   "reorder-buffer lines are held per partition")
        ->type_name("DURATION");
    cmd.add_option("--reorder-idle", o.reorder_idle,
                   "With --reorder: a partition with no new mention for this long (wall-clock time) decides what it "
                   "holds, as at the end of the input (a duration; 0 or off: never; default: the --reorder horizon)")
        ->type_name("DURATION");
}

void add_nats_options(CLI::App& cmd, WorkerCommandOptions& o) {
    WorkerOptions& w = o.worker;
    cmd.add_option("--nats", w.nats.url, "NATS server URL(s), comma-separated")->capture_default_str();
    cmd.add_option("--stream", w.stream, "The JetStream stream that holds the mentions")->required();
    cmd.add_option("--subject-in", w.subject_in, "The subject of the mentions (the consumer's filter)")->required();
    cmd.add_option("--subject-out", w.subject_out, "Where to publish decisions (a stream must capture it)")
        ->required();
    cmd.add_option("--error-subject", w.error_subject,
                   "Where to publish error records for messages that are no mention (default: --subject-out)");
    cmd.add_option("--durable", w.durable, "The durable consumer, shared by every worker of a deployment")
        ->capture_default_str();
    cmd.add_option("--max-deliver", w.max_deliver,
                   "Deliveries of a mention before the server gives up on it; a failed publish is redelivered "
                   "after a doubling delay (2, 4, 8, 16 s, capped at 30 s), so N deliveries ride out an outage "
                   "of about N times the delay (30 s for 5)")
        ->capture_default_str()
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}));
    cmd.add_option("--dead-letter", w.dead_letter,
                   "Publish a mention whose last delivery could not be published here, and ack it");
    cmd.add_option("--batch", w.batch, "Mentions pulled at once")->capture_default_str()->check(CLI::Range(1, 10'000));
    cmd.add_option("--ack-wait", o.ack_wait_seconds, "Seconds before an unacked mention is delivered again")
        ->capture_default_str()
        ->check(CLI::Range(1u, 86'400u));
    add_partition_options(cmd, o);
    cmd.add_option("--token", w.nats.token, "NATS auth token")->envname("NATS_TOKEN");
    cmd.add_option("--user", w.nats.user, "NATS user");
    cmd.add_option("--password", w.nats.password, "NATS password")->envname("NATS_PASSWORD");
    cmd.add_option("--creds", w.nats.creds, "NATS credentials file (JWT and NKey seed)");
    cmd.add_flag("--tls", w.nats.tls, "Require TLS");
    cmd.add_option("--tls-ca", w.nats.tls_ca, "Trusted CA certificates (PEM)");
    cmd.add_option("--tls-cert", w.nats.tls_cert, "Client certificate (PEM)");
    cmd.add_option("--tls-key", w.nats.tls_key, "Client private key (PEM)");
    add_operations_options(cmd, o);
}
#else
int run(WorkerCommandOptions&) {
    fmt::print(stderr, "triage worker: unavailable: this triage was built without nats.c (libnats-dev, "
                       "CMake option TRIAGE_WITH_NATS)\n");
    return exit_failure;
}
#endif

}  // namespace

std::function<int()> add_worker_command(CLI::App& app) {
    auto options = std::make_shared<WorkerCommandOptions>();
    CLI::App* cmd = app.add_subcommand("worker", "Decide mentions from a NATS JetStream consumer until stopped");
    cmd->add_option("flow", options->flow, "The flow file (one that keeps state needs --partition-by)")->required();
#if TRIAGE_WITH_NATS
    add_nats_options(*cmd, *options);
#else
    cmd->allow_extras();
#endif
    add_stream_flags(*cmd, options->stream);
    cmd->add_flag("--matches", options->matches, "Add to each decision what matched its text conditions");
    cmd->add_flag("-q,--quiet", options->quiet, "Log only problems (no start, connection or summary lines)");
    cmd->add_option("--color", options->color, "Colour diagnostics")->check(CLI::IsMember({"auto", "always", "never"}));
    cmd->footer("Each decision is the line `triage run` writes, published with Nats-Msg-Id = the mention's "
                "sequence in --stream; a mention is acked only after its publish is acknowledged. SIGTERM or "
                "SIGINT drains: the batch in hand is finished, then the worker exits. See docs/scale.md.");
    return [options] { return run(*options); };
}

}  // namespace triage::cli
