// The partitioned worker: takes free partitions' leases, restores each partition's state and
// replays its mentions from the sequence after the snapshot through an ordered consumer (in
// stream order, no acks: the snapshot's sequence is the position), publishes each decision with
// Nats-Msg-Id = its input sequence (a batch's decisions sent at once, their acknowledgements
// awaited together before the position moves), snapshots, and renews. A batch whose decisions
// are not all stored is published again after a doubling delay for as long as the lease lasts;
// a partition is given up once its lease or a snapshot write is refused, or the lease runs out.
// With --reorder a partition's Stream holds mentions until their turn in clock order: a
// snapshot records which (PartitionPosition), so that the next holder feeds those again and
// skips what was decided after them — also at a drain, which decides nothing held. A partition
// whose input goes quiet for --reorder-idle decides what it holds, as at the end of the input.
#include "worker_partition.hpp"

#include "worker_nats.hpp"
#include "worker_operations.hpp"
#include "worker_publisher.hpp"

#include "triage/decision_format.hpp"
#include "triage/json_writer.hpp"
#include "triage/monitor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <list>
#include <thread>
#include <vector>

namespace triage::detail {

namespace {

using Clock = std::chrono::steady_clock;
using worker_nats::problem;

// How long a batch waits for its publishes' acknowledgements: nats.c's default for one request.
constexpr std::chrono::milliseconds publish_wait{5'000};
// How soon a renewal the lease bucket did not answer is tried again (until the lease runs out).
constexpr std::chrono::milliseconds renew_retry{250};
constexpr std::string_view ran_out = "its lease ran out before a renewal was answered";

// A decision sent and not yet acknowledged, kept to be published again if it fails.
struct Sent {
    const std::string* subject;
    std::string id;    // Nats-Msg-Id: the input sequence
    std::string line;
    bool decided;      // a decision, not an error record
};

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
    std::uint64_t sequence = 0;        // the last input sequence fed (here or by the last holder), every
                                       // decision so far acknowledged
    std::uint64_t fed = 0;             // the last input sequence fed or skipped (in the batch in hand too)
    std::vector<std::uint64_t> skip;   // from the snapshot: sequences past `fed` the last holder decided
    std::uint64_t unsaved = 0;         // mentions fed (and decisions acknowledged) since the last snapshot
    Clock::time_point saved{};         // when the last snapshot was written
    // A batch whose decisions are not all stored: those still to store (each that failed, and every
    // one decided after the first failure and not yet sent), in order, published again at retry_at.
    std::vector<Sent> unstored{};
    std::uint64_t batch_end = 0;       // the last sequence the batch fed or skipped: the position once stored
    std::uint64_t batch_size = 0;      // the mentions it fed
    Clock::time_point retry_at{};      // the next try after a failed publish or an unanswered snapshot write
    std::uint64_t failures = 0;        // tries failed in a row: each doubles the delay
    Clock::time_point renew_again{};   // the next try after an unanswered renewal
    std::string_view lost{};           // why the partition is to be given up (renew_due), or empty
    bool save_due = false;             // an idle flush's snapshot is still to be written
    // For the idle flush (--reorder-idle): when the consumer last gave a message, whether the
    // stream had nothing more for the partition then, and whether a mention was fed since the last
    // flush (the Stream may hold some).
    Clock::time_point last_message{};
    bool caught_up = false;
    bool may_hold = false;
};

class PartitionedWorker {
public:
    PartitionedWorker(const Stream& prototype, const WorkerOptions& options, const std::atomic<bool>& stop)
        : prototype_(prototype), options_(options), parts_(options.partitioning), stop_(stop),
          decision_json_(prototype.flow()), operations_(options),
          idle_(prototype.reorders() ? parts_.reorder_idle.value_or(prototype.options().reorder)
                                     : std::chrono::milliseconds(0)) {}

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
            give_up_lost();
            if (Clock::now() >= next_acquire) {
                acquire_free();
                next_acquire = Clock::now() + std::max(parts_.lease_time / 4, std::chrono::milliseconds(100));
            }
            if (work() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        // The drain: each partition's state is saved and its lease released for the next holder.
        // What a partition's Stream holds stays undecided (the snapshot names it): the next holder
        // feeds it again with the mentions that come after, as one uninterrupted holder would.
        if (summary_.failure.empty()) operations_.draining();
        for (auto it = held_.begin(); it != held_.end();) {
            renew_due();
            if (!it->lost.empty()) {  // not ours any more: nothing decided or written
                it = give_up(it, it->lost, false);
                continue;
            }
            // With decisions not stored, the state counts mentions they are missing for: no
            // snapshot then; the next holder replays from the last one.
            if (it->unstored.empty() && (it->unsaved > 0 || it->save_due)) (void)save(*it);
            store_->release(it->lease);
            it = held_.erase(it);
        }
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
        if (std::string p = partitioning_problem(prototype_.flow(), parts_.by); !p.empty()) {
            summary_.failure = p;
            return false;
        }
        summary_.failure = worker_nats::connect(options_.nats, connection_, jetstream_);
        if (!summary_.failure.empty()) return false;
        publisher_ = BatchPublisher::open(connection_.get(), std::max(options_.batch, 1), summary_.failure);
        if (publisher_ == nullptr) return false;
        store_ = PartitionStore::open(options_.nats, parts_, summary_.failure);
        return store_ != nullptr;
    }

    [[nodiscard]] bool holds(std::uint32_t partition) const {
        for (const HeldPartition& held : held_)
            if (held.lease.partition == partition) return true;
        return false;
    }

    // Renews each lease a third of the lease time after the last renewal. A renewal the lease
    // bucket does not answer (while its leader is elected) is tried again until the lease runs
    // out; a refused one (another worker took the lease) marks the partition lost. Nothing is
    // erased here, so that work() can renew between partitions: one partition's publishes can
    // wait out timeouts, and the others' leases must not run out meanwhile.
    void renew_due() {
        for (HeldPartition& held : held_) {
            if (!held.lost.empty()) continue;
            if (expired(held)) {
                held.lost = ran_out;
                continue;
            }
            const bool due = Clock::now() - held.lease.renewed >= parts_.lease_time / 3 && Clock::now() >= held.renew_again;
            if (!due) continue;
            if (store_->renew(held.lease) == KeyWrite::refused) held.lost = "its lease was taken";
            held.renew_again = Clock::now() + renew_retry;
        }
    }

    void give_up_lost() {
        for (auto it = held_.begin(); it != held_.end();) it = it->lost.empty() ? std::next(it) : give_up(it, it->lost, false);
    }

    // The lease may be another worker's by now: its last renewal was sent a lease time ago.
    [[nodiscard]] bool expired(const HeldPartition& held) const {
        return Clock::now() - held.lease.renewed >= parts_.lease_time;
    }

    std::list<HeldPartition>::iterator give_up(std::list<HeldPartition>::iterator it, std::string_view why,
                                               bool release) {
        ++summary_.partitions_lost;
        operations_.log().write(LogLevel::warn, "partition_given_up",
                                fmt::format("gave partition {} up: {}", it->lease.partition, why),
                                {{"partition", std::uint64_t{it->lease.partition}}, {"reason", why}});
        if (release) store_->release(it->lease);
        return held_.erase(it);
    }

    // Takes the free partitions' leases. A round ends at the first partition that could not be
    // taken for want of an answer (a cluster electing its leaders, restarting): each further try
    // would wait out a timeout too while the held leases go unrenewed; the next round tries again.
    // One refused for itself (a state that is not triage's, say) does not stop the others.
    void acquire_free() {
        for (std::uint32_t p = 0; p < parts_.partitions && !stop_.load(std::memory_order_relaxed); ++p) {
            if (parts_.max_held > 0 && held_.size() >= parts_.max_held) return;
            if (holds(p)) continue;
            KeyWrite outcome = KeyWrite::written;
            std::optional<Lease> lease = store_->acquire(p, outcome);
            if (outcome == KeyWrite::unanswered || (lease && take(*lease) == KeyWrite::unanswered)) return;
            renew_due();
        }
    }

    // Restores the partition's state and starts its ordered consumer after the snapshot's
    // sequence: written when taken; otherwise the lease is given back, unanswered when the
    // cluster could not be asked (the round ends), refused when the partition cannot be taken.
    KeyWrite take(Lease& lease) {
        std::string error;
        KeyWrite outcome = KeyWrite::written;
        std::optional<PartitionState> state = store_->take_over(lease, outcome, error);
        if (!state) {
            summary_.publish_problem = error;
            operations_.log().write(LogLevel::warn, "partition_not_taken",
                                    fmt::format("gave partition {} back: {}", lease.partition, error),
                                    {{"partition", std::uint64_t{lease.partition}}, {"reason", error}});
            store_->release(lease);
            return outcome;
        }
        HeldPartition held{lease, Stream(prototype_.flow(), prototype_.options()), {}, state->sequence, state->floor,
                           std::move(state->decided), 0, Clock::now()};
        held.last_message = Clock::now();
        if (!state->monitor.empty() && !held.stream.monitor()->restore(state->monitor, error)) {
            // A snapshot of another flow: deciding on from a fresh state would count wrongly.
            summary_.failure = fmt::format("partition {}: its snapshot does not fit this flow: {}", lease.partition, error);
            store_->release(lease);
            return KeyWrite::refused;
        }
        if (!subscribe(held)) {
            store_->release(lease);
            return KeyWrite::unanswered;  // or the worker stops (summary_.failure)
        }
        ++summary_.partitions_taken;
        operations_.log().write(LogLevel::info, "partition_taken",
                                fmt::format("took partition {} (token {}), deciding from sequence {}", lease.partition,
                                            lease.token, held.sequence + 1),
                                {{"partition", std::uint64_t{lease.partition}}, {"token", lease.token},
                                 {"sequence", held.sequence}});
        held_.push_back(std::move(held));
        return KeyWrite::written;
    }

    bool subscribe(HeldPartition& held) {
        const std::string subject = partition_subject(options_.subject_in, held.lease.partition);
        jsSubOptions sub_options;
        jsSubOptions_Init(&sub_options);
        sub_options.Stream = options_.stream.c_str();
        sub_options.Ordered = true;
        sub_options.Config.DeliverPolicy = held.fed == 0 ? js_DeliverAll : js_DeliverByStartSequence;
        sub_options.Config.OptStartSeq = held.fed == 0 ? 0 : held.fed + 1;
        natsSubscription* sub = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        natsStatus s = js_SubscribeSync(&sub, jetstream_.get(), subject.c_str(), nullptr, &sub_options, &code);
        if (s != NATS_OK) {
            const std::string why = problem(fmt::format("reading '{}' from stream '{}'", subject, options_.stream), s, code);
            // While a cluster elects its leaders (after a restart, say) no consumer can be made: the
            // partition is given back and taken again on a later round, as a lease nobody answers
            // for is. Anything else (no such stream, no permission) stops the worker.
            if (s != NATS_TIMEOUT && s != NATS_NO_RESPONDERS && code != JSClusterNotAvailErr) {
                summary_.failure = why;
                return false;
            }
            summary_.publish_problem = why;
            operations_.log().write(LogLevel::warn, "partition_not_taken",
                                    fmt::format("gave partition {} back, to take it again later: {}",
                                                held.lease.partition, why),
                                    {{"partition", std::uint64_t{held.lease.partition}}, {"reason", why}});
            return false;
        }
        held.subscription.reset(sub);
        return true;
    }

    // Decides up to a batch of each held partition's mentions, or publishes again what a batch
    // could not store when that is due; how many mentions it handled.
    std::size_t work() {
        std::size_t handled = 0;
        for (auto it = held_.begin(); it != held_.end();) {
            renew_due();  // no deciding, no publishing on a lease that ran out or was taken
            if (!it->lost.empty()) {
                it = give_up(it, it->lost, false);
                continue;
            }
            HeldPartition& held = *it;
            bool keep = true;
            if (Clock::now() >= held.retry_at) {
                if (!held.unstored.empty()) keep = publish_again(held);
                else if (held.save_due) keep = save(held);  // an idle flush's snapshot before more is fed
                else keep = work_on(held, handled);
                // Not when a write just went unanswered: its retry waits for the delay.
                if (keep && held.unstored.empty() && held.unsaved > 0 && Clock::now() >= held.retry_at &&
                    Clock::now() - held.saved >= parts_.snapshot_interval)
                    keep = save(held);
            }
            if (keep) {
                ++it;
                continue;
            }
            it = give_up(it, summary_.publish_problem, true);
        }
        return handled;
    }

    // Feeds the partition's next mentions to its Stream in stream order, sending each decision as
    // it is made, then waits for the acknowledgements: only then do the partition's position and a
    // snapshot move past them. A batch ends where a snapshot is due. False when the partition must
    // be given up (the snapshot write was refused).
    bool work_on(HeldPartition& held, std::size_t& handled) {
        const std::uint64_t room = parts_.snapshot_every > held.unsaved ? parts_.snapshot_every - held.unsaved : 1;
        const std::uint64_t limit = std::min(static_cast<std::uint64_t>(std::max(options_.batch, 1)), room);
        const Stream::Decided decided = [this, &held](std::uint64_t sequence, bool ok) { send(held, sequence, ok); };
        sent_.clear();
        std::uint64_t fed = 0;
        while (fed < limit && held.unstored.empty()) {  // after a failure, nothing more is decided
            natsMsg* message = nullptr;
            if (natsSubscription_NextMsg(&message, held.subscription.get(), 0) != NATS_OK) break;
            ++handled;
            fed += feed(held, message, decided) ? 1 : 0;
            natsMsg_Destroy(message);
        }
        flush(held);
        if (fed == 0 && held.unstored.empty()) {  // nothing more to read for now
            held.sequence = std::max(held.sequence, held.fed);  // skipped ones: the last holder decided them
            return !idle(held) || flush_idle(held);
        }
        held.batch_end = held.fed;
        held.batch_size = fed;
        return batch_stored(held);
    }

    // Publishes the decisions of the batch in hand that were not stored again, in order, a batch at
    // a time (as many as the publisher keeps in flight); a chunk with a failure ends the round, and
    // what it did not store waits with the rest for the next.
    bool publish_again(HeldPartition& held) {
        const std::size_t batch = static_cast<std::size_t>(std::max(options_.batch, 1));
        std::vector<Sent> failed;
        std::size_t done = 0;
        while (done < held.unstored.size() && failed.empty()) {
            const std::size_t end = std::min(held.unstored.size(), done + batch);
            const std::vector<Sent> chunk(held.unstored.begin() + static_cast<std::ptrdiff_t>(done),
                                          held.unstored.begin() + static_cast<std::ptrdiff_t>(end));
            for (const Sent& sent : chunk) publisher_->send(*sent.subject, sent.line, sent.id);
            failed = settle(chunk, publisher_->complete(publish_wait));
            done = end;
        }
        failed.insert(failed.end(), std::make_move_iterator(held.unstored.begin() + static_cast<std::ptrdiff_t>(done)),
                      std::make_move_iterator(held.unstored.end()));
        held.unstored = std::move(failed);
        return batch_stored(held);
    }

    // Once every decision of the batch is stored, the position moves past it (skipped mentions
    // too: the last holder decided them), and a snapshot may fall due. Until then the partition
    // waits, its lease renewed, and publishes the rest again after the doubling delay: given up,
    // it would be replayed by its next holder, which during a leader election of the output
    // stream fails the same way (issue 19).
    bool batch_stored(HeldPartition& held) {
        if (!held.unstored.empty()) {
            wait_to_retry(held);
            return true;
        }
        held.failures = 0;
        held.sequence = std::max(held.sequence, held.batch_end);
        held.unsaved += held.batch_size;
        held.batch_size = 0;
        return held.unsaved < parts_.snapshot_every || save(held);
    }

    void wait_to_retry(HeldPartition& held) { held.retry_at = Clock::now() + publish_retry_delay(++held.failures); }

    // Feeds one mention after `held.fed` to the partition's Stream, which decides it (and sends
    // the decision) now or, reordering, later; one the last holder decided is skipped. False
    // when it was not fed.
    bool feed(HeldPartition& held, natsMsg* message, const Stream::Decided& decided) {
        jsMsgMetaData* raw_meta = nullptr;
        if (natsMsg_GetMetaData(&raw_meta, message) != NATS_OK) return false;
        worker_nats::MetaData meta(raw_meta);
        const std::uint64_t sequence = meta->Sequence.Stream;
        held.last_message = Clock::now();
        held.caught_up = meta->NumPending == 0;
        if (sequence <= held.fed) {
            ++summary_.skipped;
            return false;
        }
        held.fed = sequence;
        const auto next = std::lower_bound(held.skip.begin(), held.skip.end(), sequence);
        if (next != held.skip.end() && *next == sequence) {
            ++summary_.skipped;
            return false;
        }
        const std::string_view text(natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message)));
        held.stream.feed(sequence, text, decision_, decided);
        held.may_hold = true;
        return true;
    }

    // Sends the decision (or error record) of the mention `held.stream` has just decided; the
    // decisions in hand are awaited first when they fill a batch (one mention can let many held
    // ones go). Once one was not stored, the later ones are not sent but queued behind it (those
    // already sent with it may be stored before it: a failure can reorder the output stream).
    void send(HeldPartition& held, std::uint64_t sequence, bool ok) {
        if (sent_.size() >= static_cast<std::size_t>(std::max(options_.batch, 1))) flush(held);
        format(held.stream, sequence, ok);
        const std::string* subject =
            ok || options_.error_subject.empty() ? &options_.subject_out : &options_.error_subject;
        if (!held.unstored.empty()) {
            held.unstored.push_back({subject, worker_message_id(sequence), line_, ok});
            return;
        }
        sent_.push_back({subject, worker_message_id(sequence), line_, ok});
        publisher_->send(*subject, line_, sent_.back().id);
    }

    // Waits for the acknowledgements of the decisions in hand; those not stored (and all after
    // them) are kept in `held.unstored`, to be published again.
    void flush(HeldPartition& held) {
        if (sent_.empty()) return;
        std::vector<Sent> unstored = settle(sent_, publisher_->complete(publish_wait));
        held.unstored.insert(held.unstored.end(), std::make_move_iterator(unstored.begin()),
                             std::make_move_iterator(unstored.end()));
        sent_.clear();
    }

    // Whether the partition has gone quiet with mentions perhaps held: the stream had nothing
    // more for it when its last message came, --reorder-idle ago. Checked only once what the
    // consumer delivered is read, so a backfill (a stream read as fast as it goes) never idles
    // before its end, however slow the worker.
    [[nodiscard]] bool idle(const HeldPartition& held) const {
        return idle_.count() > 0 && held.may_hold && held.caught_up && Clock::now() - held.last_message >= idle_;
    }

    // The idle flush: decides what the partition's Stream holds, as at the end of the input, and
    // publishes it as a batch (kept and published again if not all stored). A flush hangs on the
    // wall clock, which a replay cannot repeat, so its snapshot is written before anything more is
    // fed: a holder that died after it would otherwise be followed by one that decides a later,
    // older mention before the flushed ones (whose decisions are already stored).
    bool flush_idle(HeldPartition& held) {
        held.may_hold = false;
        std::uint64_t released = 0;
        sent_.clear();
        held.stream.finish(decision_, [&](std::uint64_t sequence, bool ok) {
            ++released;
            send(held, sequence, ok);
        });
        if (released == 0) return true;
        flush(held);
        held.batch_end = held.fed;
        held.batch_size = 0;  // counted in unsaved when fed
        held.save_due = true;
        return batch_stored(held);
    }

    // Counts what was stored; returns what was not, in order, to be published again.
    std::vector<Sent> settle(const std::vector<Sent>& batch, const std::vector<BatchPublisher::Outcome>& outcomes) {
        std::vector<Sent> unstored;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (outcomes[i].duplicate) ++summary_.duplicates;
            if (outcomes[i].stored) {
                ++(batch[i].decided ? summary_.decided : summary_.errors);
                continue;
            }
            summary_.publish_problem = outcomes[i].problem;
            ++summary_.not_acked;
            unstored.push_back(batch[i]);
        }
        return unstored;
    }

    // The line `triage run` writes for the mention `stream` has just decided (or found no mention).
    void format(const Stream& stream, std::uint64_t sequence, bool ok) {
        line_.clear();
        if (ok) {
            decision_json_.append(line_, decision_, sequence, stream.id());
            return;
        }
        json_.clear();
        write_error_json(json_, sequence, stream.error());
        line_ = json_.str();
    }

    // Where the partition's input stands: past the floor, what its Stream holds is left out of
    // `decided`, and what the last holder decided but this one has not reached yet is in it.
    const PartitionPosition& position(HeldPartition& held) {
        held.stream.pending(held_lines_, decided_lines_);
        position_.sequence = held.sequence;
        position_.floor = held_lines_.empty() ? held.fed : held_lines_.front() - 1;
        held.skip.erase(held.skip.begin(), std::upper_bound(held.skip.begin(), held.skip.end(), position_.floor));
        position_.decided.clear();
        std::merge(decided_lines_.begin(), decided_lines_.end(), held.skip.begin(), held.skip.end(),
                   std::back_inserter(position_.decided));
        return position_;
    }

    // False when the write was refused (fenced off); one the state bucket did not answer is
    // tried again after the doubling delay, the partition's deciding paused until then.
    bool save(HeldPartition& held) {
        std::string error;
        const KeyWrite written = store_->write(held.lease, position(held), held.stream.monitor()->snapshot(), error);
        if (written != KeyWrite::written) {
            summary_.publish_problem = error;
            if (written == KeyWrite::unanswered) wait_to_retry(held);
            return written == KeyWrite::unanswered;
        }
        ++summary_.snapshots;
        held.unsaved = 0;
        held.save_due = false;
        held.saved = Clock::now();
        held.failures = 0;
        return true;
    }

    const Stream& prototype_;
    const WorkerOptions& options_;
    const PartitionOptions& parts_;
    const std::atomic<bool>& stop_;
    WorkerSummary summary_;
    worker_nats::Connection connection_;
    worker_nats::JetStream jetstream_;
    std::unique_ptr<BatchPublisher> publisher_;  // after the connection: its handler ends first
    std::vector<Sent> sent_;                     // the batch in hand, in the order decided
    std::unique_ptr<PartitionStore> store_;
    std::list<HeldPartition> held_;
    DecisionJson decision_json_;
    Decision decision_;
    JsonWriter json_;
    std::string line_;
    std::vector<std::uint64_t> held_lines_, decided_lines_;  // Stream::pending, for a snapshot
    PartitionPosition position_;
    Operations operations_;  // after the connection: its stats subscription ends first
    const std::chrono::milliseconds idle_;  // --reorder-idle; zero: never (or not reordering)
};

}  // namespace

WorkerSummary run_partitioned_worker(const Stream& prototype, const WorkerOptions& options,
                                     const std::atomic<bool>& stop) {
    return PartitionedWorker(prototype, options, stop).run();
}

}  // namespace triage::detail
