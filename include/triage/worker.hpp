// Deciding mentions from a NATS JetStream stream: `triage worker` and the API under it. A worker
// pulls mentions from a durable consumer (explicit acks), decides each through a Stream, exactly as
// `triage run` decides a line, and publishes the decision line to an output subject with the
// header Nats-Msg-Id set to the mention's sequence number in the input stream (a batch's decisions
// are sent without waiting between them). It acks a mention only once the output stream has
// acknowledged that mention's own publish, so a mention whose worker dies in
// between is delivered again and its second publish is dropped by the output stream's duplicate
// window: within that window, one decision per mention (docs/scale.md).
//
// Built only with nats.c (CMake option TRIAGE_WITH_NATS, target triage_worker).
#pragma once

#include "triage/stream.hpp"
#include "triage/worker_partition.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace triage {

// How to reach NATS; everything but the URL is passed through to nats.c as given.
struct NatsConnection {
    std::string url = "nats://127.0.0.1:4222";  // one server or several, comma-separated
    std::string token;                           // an auth token
    std::string user, password;
    std::string creds;                           // a .creds file (JWT and NKey seed)
    bool tls = false;                            // require TLS
    std::string tls_ca, tls_cert, tls_key;       // PEM files: trusted CAs, client certificate and key
};

// How a worker reports on itself (docs/scale.md, "Operations").
enum class LogFormat { text, json };

struct WorkerOperations {
    std::string name;           // in logs, stats and the stats subject; empty: HOST-PID
    std::string http;           // "HOST:PORT": serve /healthz and /metrics there; empty: no HTTP
    std::string stats_subject;  // answers requests with the stats as JSON; empty: triage.worker.NAME.stats
    LogFormat log_format = LogFormat::text;  // stderr: text lines, or one JSON object per line
    bool quiet = false;                      // log only warnings and errors
    std::chrono::milliseconds stats_interval{5'000};  // how often the consumer's lag is asked for
};

struct WorkerOptions {
    NatsConnection nats;
    std::string stream;         // the JetStream stream that holds the mentions
    std::string subject_in;     // the consumer's filter subject
    std::string subject_out;    // where decisions go (a subject some stream captures)
    std::string error_subject;  // where error records go; empty: subject_out, as `run` mixes them
    std::string durable = "triage";  // the consumer every worker of one deployment shares
    std::int64_t max_deliver = 5;    // deliveries of one mention before the server gives up on it
    std::string dead_letter;    // after the last delivery fails to publish: the mention goes here
    int batch = 100;            // mentions pulled at once
    std::chrono::milliseconds ack_wait{30'000};  // unacked this long: delivered again
    std::chrono::milliseconds fetch_wait{1'000}; // how long one pull waits, the bound on stopping
    // Partitioned workers, for a flow that keeps state (triage/worker_partition.hpp, docs/scale.md).
    PartitionOptions partitioning;
    WorkerOperations operations;
};

struct WorkerSummary {
    std::uint64_t decided = 0;       // decisions published (and their mentions acked)
    std::uint64_t errors = 0;        // error records published (and their lines acked)
    std::uint64_t duplicates = 0;    // publishes the output stream had already stored (redeliveries)
    std::uint64_t redelivered = 0;   // mentions that came more than once
    std::uint64_t dead_lettered = 0; // mentions sent to the dead-letter subject (and acked)
    std::uint64_t not_acked = 0;     // mentions negatively acked after a failed publish (partitioned:
                                     //   decisions whose publish failed, each try; they are tried again)
    std::uint64_t partitions_taken = 0;  // partitioned: leases won (each a restore and a replay)
    std::uint64_t partitions_lost = 0;   // partitioned: given up (lease taken, or run out unrenewed; a
                                         //   fenced snapshot write)
    std::uint64_t snapshots = 0;         // partitioned: state snapshots written
    std::uint64_t skipped = 0;           // partitioned: mentions at or before a partition's position
                                         //   or, with --reorder, above its floor and decided
    std::string publish_problem;     // why the last failed publish failed
    std::string failure;             // why the worker stopped, if not asked to; empty otherwise
};

// Decides mentions until `stop` is set (then finishes the batch in hand: every mention pulled is
// published and acked, or left for redelivery) or the connection fails. Without
// options.partitioning.by, `stream` must be a flow that keeps no state: every worker of a
// consumer sees a share of the mentions. With it, the worker holds partitions through leases and
// decides each partition's mentions in stream order with a Stream of its own (made from
// `stream`'s flow and options), its state snapshotted to a KV bucket (triage/worker_partition.hpp).
[[nodiscard]] WorkerSummary run_worker(Stream& stream, const WorkerOptions& options,
                                       const std::atomic<bool>& stop);

// Writes one event to stderr as the worker's log does (for a host that refuses to start one).
void log_worker_error(const WorkerOperations& operations, std::string_view event, std::string_view message);

// The input-stream sequence number as a worker writes it in Nats-Msg-Id.
[[nodiscard]] std::string worker_message_id(std::uint64_t sequence);

}  // namespace triage
