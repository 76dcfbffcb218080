// The partitioned worker: takes free partitions' leases, restores each partition's state and
// replays its mentions from the sequence after the snapshot through an ordered consumer (in
// stream order, no acks: the snapshot's sequence is the position), publishes each decision with
// Nats-Msg-Id = its input sequence, snapshots, renews, and gives a partition up as soon as its
// lease or a snapshot write is refused.
#include "worker_partition.hpp"

#include "worker_nats.hpp"
#include "worker_operations.hpp"

#include "triage/decision_format.hpp"
#include "triage/json_writer.hpp"
#include "triage/monitor.hpp"

#include <fmt/format.h>

#include <list>
#include <thread>

namespace triage::detail {

namespace {

using Clock = std::chrono::steady_clock;
using worker_nats::problem;

// An ordered consumer is ephemeral and this worker's alone: unsubscribing deletes it on the server.
struct OrderedDeleter {
    void operator()(natsSubscription* p) const {
        natsSubscription_Unsubscribe(p);
        natsSubscription_Destroy(p);
    }
};

// A partition this worker holds: its lease, its own Stream (state) and ordered consumer.
struct HeldPartition {
    Lease lease;
    Stream stream;
    std::unique_ptr<natsSubscription, OrderedDeleter> subscription;
    std::uint64_t sequence = 0;        // the last input sequence decided
    std::uint64_t unsaved = 0;         // mentions decided since the last snapshot
    Clock::time_point saved{};         // when the last snapshot was written
};

class PartitionedWorker {
public:
    PartitionedWorker(const Stream& prototype, const WorkerOptions& options, const std::atomic<bool>& stop)
        : prototype_(prototype), options_(options), parts_(options.partitioning), stop_(stop),
          decision_json_(prototype.flow()), operations_(options) {}

    WorkerSummary run() {
        summary_.failure = operations_.start();
        if (!summary_.failure.empty() || !open()) {
            operations_.stopped(summary_);
            return std::move(summary_);
        }
        operations_.consuming(connection_.get(), jetstream_.get());
        Clock::time_point next_acquire{};
        Clock::time_point next_count{};
        while (!stop_.load(std::memory_order_relaxed) && summary_.failure.empty()) {
            operations_.tick(summary_, prototype_);
            if (Clock::now() >= next_count) {  // a Monitor's stats walk its groups: once a second
                count_partitions();
                next_count = Clock::now() + std::chrono::seconds(1);
            }
            renew_due();
            if (Clock::now() >= next_acquire) {
                acquire_free();
                next_acquire = Clock::now() + std::max(parts_.lease_time / 4, std::chrono::milliseconds(100));
            }
            if (work() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        // The drain: every partition's state is saved and its lease released for the next holder.
        if (summary_.failure.empty()) operations_.draining();
        for (HeldPartition& held : held_) {
            if (held.unsaved > 0) (void)save(held);
            store_->release(held.lease);
        }
        held_.clear();
        count_partitions();
        natsConnection_FlushTimeout(connection_.get(), 5'000);
        operations_.stopped(summary_);
        return std::move(summary_);
    }

private:
    void count_partitions() {
        std::uint64_t crises = 0;
        for (const HeldPartition& held : held_) crises += Operations::active_crises(held.stream);
        operations_.metrics().partitions_held = held_.size();
        operations_.metrics().active_crises = crises;
    }

    bool open() {
        if (prototype_.options().reorder.count() > 0) {
            summary_.failure = "a partitioned worker decides each partition in stream order: --reorder is not "
                               "supported with --partition-by";
            return false;
        }
        if (std::string p = partitioning_problem(prototype_.flow(), parts_.by); !p.empty()) {
            summary_.failure = p;
            return false;
        }
        summary_.failure = worker_nats::connect(options_.nats, connection_, jetstream_);
        if (!summary_.failure.empty()) return false;
        store_ = PartitionStore::open(options_.nats, parts_, summary_.failure);
        return store_ != nullptr;
    }

    [[nodiscard]] bool holds(std::uint32_t partition) const {
        for (const HeldPartition& held : held_)
            if (held.lease.partition == partition) return true;
        return false;
    }

    // Renews each lease a third of the lease time after the last renewal; a lease that cannot be
    // renewed (another worker took it, or the server refused) is given up.
    void renew_due() {
        for (auto it = held_.begin(); it != held_.end();) {
            if (Clock::now() - it->lease.renewed < parts_.lease_time / 3 || store_->renew(it->lease)) {
                ++it;
                continue;
            }
            ++summary_.partitions_lost;
            it = held_.erase(it);
        }
    }

    void acquire_free() {
        for (std::uint32_t p = 0; p < parts_.partitions && !stop_.load(std::memory_order_relaxed); ++p) {
            if (parts_.max_held > 0 && held_.size() >= parts_.max_held) return;
            if (holds(p)) continue;
            if (std::optional<Lease> lease = store_->acquire(p)) take(*lease);
        }
    }

    // Restores the partition's state and starts its ordered consumer after the snapshot's sequence.
    void take(Lease& lease) {
        std::string error;
        std::optional<PartitionState> state = store_->take_over(lease, error);
        if (!state) {
            summary_.publish_problem = error;
            store_->release(lease);
            return;
        }
        HeldPartition held{lease, Stream(prototype_.flow(), prototype_.options()), {}, state->sequence, 0, Clock::now()};
        if (!state->monitor.empty() && !held.stream.monitor()->restore(state->monitor, error)) {
            // A snapshot of another flow: deciding on from a fresh state would count wrongly.
            summary_.failure = fmt::format("partition {}: its snapshot does not fit this flow: {}", lease.partition, error);
            store_->release(lease);
            return;
        }
        if (!subscribe(held)) {
            store_->release(lease);
            return;
        }
        ++summary_.partitions_taken;
        held_.push_back(std::move(held));
    }

    bool subscribe(HeldPartition& held) {
        const std::string subject = partition_subject(options_.subject_in, held.lease.partition);
        jsSubOptions sub_options;
        jsSubOptions_Init(&sub_options);
        sub_options.Stream = options_.stream.c_str();
        sub_options.Ordered = true;
        sub_options.Config.DeliverPolicy = held.sequence == 0 ? js_DeliverAll : js_DeliverByStartSequence;
        sub_options.Config.OptStartSeq = held.sequence == 0 ? 0 : held.sequence + 1;
        natsSubscription* sub = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        natsStatus s = js_SubscribeSync(&sub, jetstream_.get(), subject.c_str(), nullptr, &sub_options, &code);
        if (s != NATS_OK) {
            summary_.failure = problem(fmt::format("reading '{}' from stream '{}'", subject, options_.stream), s, code);
            return false;
        }
        held.subscription.reset(sub);
        return true;
    }

    // Decides up to a batch of each held partition's mentions; how many it handled.
    std::size_t work() {
        std::size_t handled = 0;
        for (auto it = held_.begin(); it != held_.end();) {
            bool keep = true;
            for (int i = 0; i < options_.batch && keep; ++i) {
                natsMsg* message = nullptr;
                if (natsSubscription_NextMsg(&message, it->subscription.get(), 0) != NATS_OK) break;
                keep = handle(*it, message);
                natsMsg_Destroy(message);
                ++handled;
            }
            if (keep && it->unsaved > 0 && Clock::now() - it->saved >= parts_.snapshot_interval) keep = save(*it);
            if (keep) {
                ++it;
                continue;
            }
            ++summary_.partitions_lost;
            store_->release(it->lease);
            it = held_.erase(it);
        }
        return handled;
    }

    // False when the partition must be given up (its decision could not be published, or its
    // snapshot write was refused).
    bool handle(HeldPartition& held, natsMsg* message) {
        jsMsgMetaData* raw_meta = nullptr;
        if (natsMsg_GetMetaData(&raw_meta, message) != NATS_OK) return true;
        worker_nats::MetaData meta(raw_meta);
        const std::uint64_t sequence = meta->Sequence.Stream;
        if (sequence <= held.sequence) {
            ++summary_.skipped;
            return true;
        }
        const std::string_view text(natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message)));
        const bool decided = decide(held.stream, text, sequence);
        const std::string& subject = decided || options_.error_subject.empty() ? options_.subject_out
                                                                                 : options_.error_subject;
        if (!publish(subject, worker_message_id(sequence))) return false;
        ++(decided ? summary_.decided : summary_.errors);
        held.sequence = sequence;
        ++held.unsaved;
        return held.unsaved < parts_.snapshot_every || save(held);
    }

    // A few tries: a partition given up is taken again from its snapshot, which replays more.
    bool publish(const std::string& subject, const std::string& id) {
        for (int attempt = 0; attempt < 3; ++attempt) {
            if (worker_nats::publish(jetstream_.get(), subject, line_, id, summary_.duplicates, summary_.publish_problem))
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        ++summary_.not_acked;
        return false;
    }

    bool decide(Stream& stream, std::string_view text, std::uint64_t sequence) {
        line_.clear();
        if (stream.decide(text, decision_)) {
            decision_json_.append(line_, decision_, sequence, stream.id());
            return true;
        }
        json_.clear();
        write_error_json(json_, sequence, stream.error());
        line_ = json_.str();
        return false;
    }

    bool save(HeldPartition& held) {
        std::string error;
        if (!store_->write(held.lease, held.sequence, held.stream.monitor()->snapshot(), error)) {
            summary_.publish_problem = error;
            return false;
        }
        ++summary_.snapshots;
        held.unsaved = 0;
        held.saved = Clock::now();
        return true;
    }

    const Stream& prototype_;
    const WorkerOptions& options_;
    const PartitionOptions& parts_;
    const std::atomic<bool>& stop_;
    WorkerSummary summary_;
    worker_nats::Connection connection_;
    worker_nats::JetStream jetstream_;
    std::unique_ptr<PartitionStore> store_;
    std::list<HeldPartition> held_;
    DecisionJson decision_json_;
    Decision decision_;
    JsonWriter json_;
    std::string line_;
    Operations operations_;  // after the connection: its stats subscription ends first
};

}  // namespace

WorkerSummary run_partitioned_worker(const Stream& prototype, const WorkerOptions& options,
                                     const std::atomic<bool>& stop) {
    return PartitionedWorker(prototype, options, stop).run();
}

}  // namespace triage::detail
