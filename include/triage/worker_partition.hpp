// Partitioned workers, for a flow that keeps state (windows, crisis modes): issue 19 item 2,
// docs/scale.md. A mention's partition is a hash of one field's value (partition_of), and
// publishers send it to `<subject-in>.<partition>`. One worker at a time decides a partition,
// holding its lease: a key in a KV bucket made with compare-and-set, whose TTL (the bucket's) is
// the lease time and which the holder renews well before it runs out. The partition's state (the
// Monitor's snapshot) is written to a second KV bucket with the input position it covers,
// every so many mentions or seconds and when the worker stops; each write is a compare-and-set on
// the state key's revision, which a worker taking the partition over bumps first (the fence): a
// holder that lost its lease without noticing has its next write refused and gives the partition
// up. The new holder restores the snapshot and replays from the sequence after it (after its
// floor when mentions were held for reordering: PartitionPosition).
//
// Built only with nats.c (CMake option TRIAGE_WITH_NATS, target triage_worker).
#pragma once

#include "triage/flow.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

struct NatsConnection;

struct PartitionOptions {
    std::string by;                  // the field whose value picks the partition; empty: not partitioned
    std::uint32_t partitions = 8;    // fixed for a deployment: changing it moves keys between partitions
    std::uint32_t max_held = 0;      // partitions this worker holds at once; 0: every free one
    std::string lease_bucket = "triage_leases";
    std::string state_bucket = "triage_state";
    std::string deployment = "triage";  // the prefix of this deployment's keys in both buckets
    std::chrono::milliseconds lease_time{10'000};        // the lease bucket's TTL; renewed every third
    std::uint64_t snapshot_every = 1'000;                 // mentions between snapshots
    std::chrono::milliseconds snapshot_interval{5'000};  // at most this long between snapshots
    // With StreamOptions::reorder: once a partition's input has had no new mention for this long
    // (wall-clock time, with nothing more in the stream for it), what its Stream holds is decided
    // as at the end of the input (Stream::finish). nullopt: the reorder horizon; zero: never.
    std::optional<std::chrono::milliseconds> reorder_idle;
    std::string holder;  // this worker's name in its leases; empty: host:pid
};

// The partition of a key: the 64-bit FNV-1a hash of its UTF-8 bytes, modulo `partitions`.
// A mention without the field (or null) has the key "".
[[nodiscard]] std::uint32_t partition_of(std::string_view key, std::uint32_t partitions);
// The subject of a partition's mentions: "<subject_in>.<partition>".
[[nodiscard]] std::string partition_subject(std::string_view subject_in, std::uint32_t partition);
// Why `flow` cannot be partitioned by `field`, or "": the field must be a text or one-of field,
// and every grouped crisis must be grouped by it.
[[nodiscard]] std::string partitioning_problem(const Flow& flow, std::string_view field);

// A partition's lease as its holder knows it.
struct Lease {
    std::uint32_t partition = 0;
    std::uint64_t token = 0;           // the fencing token: the lease key's revision when taken
    std::uint64_t revision = 0;        // the lease key's revision now (renewals move it)
    std::uint64_t state_revision = 0;  // the state key's revision after this holder's last write
    // When the request that took or last renewed it was sent: the bucket's TTL runs from its
    // write, which came later, so the lease is this holder's until renewed + the lease time.
    std::chrono::steady_clock::time_point renewed{};
};

// What came of a compare-and-set on a lease or state key.
enum class KeyWrite {
    written,     // the key held the revision this holder knew: written
    refused,     // it holds another (the lease was taken, the state written by a newer holder): fenced
    unanswered,  // the bucket could not be asked (no leader while the cluster elects one, no
                 // connection, no answer in time): try again while the lease lasts
};

// Where a snapshot leaves a partition's input. Every sequence up to `floor` is decided; above it,
// up to `sequence`, those in `decided` are, and the partition's others were held in its reorder
// buffer (StreamOptions::reorder, Stream::pending): the next holder replays from floor + 1,
// feeding those again and skipping the decided ones. Without reordering floor == sequence.
struct PartitionPosition {
    std::uint64_t sequence = 0;          // the last input sequence fed; 0: none yet
    std::uint64_t floor = 0;
    std::vector<std::uint64_t> decided;  // ascending, each in (floor, sequence]
};

// What a snapshot write records: the Monitor's snapshot and the position it covers.
struct PartitionState : PartitionPosition {
    std::uint64_t token = 0;  // the fencing token of the holder that wrote it
    std::string monitor;      // Monitor::snapshot(); empty: a fresh state
};

// The two KV buckets of a deployment, on a connection of their own.
class PartitionStore {
public:
    // Connects and makes (or binds) both buckets: file storage, one value per key, the lease
    // bucket with TTL options.lease_time. Null, with `error`, when that fails.
    static std::unique_ptr<PartitionStore> open(const NatsConnection& nats, const PartitionOptions& options,
                                                std::string& error);
    ~PartitionStore();
    PartitionStore(const PartitionStore&) = delete;
    PartitionStore& operator=(const PartitionStore&) = delete;

    // Takes the partition's lease if nobody holds it (no key, or one released); nullopt otherwise,
    // `outcome` saying whether it is held (refused) or the bucket did not answer (unanswered).
    [[nodiscard]] std::optional<Lease> acquire(std::uint32_t partition, KeyWrite& outcome);
    [[nodiscard]] std::optional<Lease> acquire(std::uint32_t partition) {
        KeyWrite outcome = KeyWrite::written;
        return acquire(partition, outcome);
    }
    // Renews the lease (compare-and-set on its revision); refused: it was lost.
    KeyWrite renew(Lease& lease);
    // Gives the lease up (compare-and-set), so another worker can take it at once.
    void release(Lease& lease);
    // Reads the partition's state and writes it back under the lease's token, which fences off
    // every earlier holder; nullopt, with `error`, when that fails: `outcome` unanswered when the
    // bucket could not be asked, refused otherwise (a newer holder's state, one triage did not write).
    [[nodiscard]] std::optional<PartitionState> take_over(Lease& lease, KeyWrite& outcome, std::string& error);
    [[nodiscard]] std::optional<PartitionState> take_over(Lease& lease, std::string& error) {
        KeyWrite outcome = KeyWrite::written;
        return take_over(lease, outcome, error);
    }
    // Writes a snapshot (compare-and-set on the state key's revision); refused, with `error`, when
    // another holder has written since this one's last write: this holder is fenced off.
    KeyWrite write(Lease& lease, const PartitionPosition& position, std::string_view monitor, std::string& error);
    // The same with nothing held: every sequence up to `sequence` decided.
    KeyWrite write(Lease& lease, std::uint64_t sequence, std::string_view monitor, std::string& error) {
        return write(lease, PartitionPosition{sequence, sequence, {}}, monitor, error);
    }
    // The partition's stored state, as any reader sees it (tests, operators).
    [[nodiscard]] std::optional<PartitionState> read(std::uint32_t partition, std::string& error);

    [[nodiscard]] const std::string& holder() const;

private:
    struct Impl;
    explicit PartitionStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace triage
