// triage/worker.hpp on nats.c: connect, bind the durable pull consumer, then pull a batch, decide
// it, publish each decision with Nats-Msg-Id without waiting for each (worker_publisher.hpp), and
// ack each mention once its own publish is acknowledged.
#include "triage/worker.hpp"

#include "worker_nats.hpp"
#include "worker_partition.hpp"
#include "worker_publisher.hpp"

#include "triage/decision_format.hpp"
#include "triage/json_writer.hpp"
#include "worker_operations.hpp"

#include <fmt/format.h>
#include <nats/nats.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace triage {

namespace {

using worker_nats::problem;
using worker_nats::MetaData;

// Everything one worker holds, released in reverse order.
struct Session {
    worker_nats::Connection connection;
    worker_nats::JetStream jetstream;
    worker_nats::Subscription subscription;
    std::unique_ptr<detail::BatchPublisher> publisher;  // before the connection goes: its handler ends
};

// The durable consumer, made if it does not exist (the same configuration from every worker is
// accepted by the server), then bound to without creating, so that no worker ever deletes it.
std::string bind_consumer(Session& session, const WorkerOptions& options) {
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = options.durable.c_str();
    config.AckPolicy = js_AckExplicit;
    config.AckWait = std::chrono::duration_cast<std::chrono::nanoseconds>(options.ack_wait).count();
    config.MaxDeliver = options.max_deliver;
    config.FilterSubject = options.subject_in.c_str();
    jsConsumerInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_AddConsumer(&info, session.jetstream.get(), options.stream.c_str(), &config, nullptr, &code);
    jsConsumerInfo_Destroy(info);
    if (s != NATS_OK)
        return problem(fmt::format("consumer '{}' on stream '{}'", options.durable, options.stream), s, code);
    jsSubOptions sub_options;
    jsSubOptions_Init(&sub_options);
    sub_options.Stream = options.stream.c_str();
    sub_options.Consumer = options.durable.c_str();
    natsSubscription* sub = nullptr;
    s = js_PullSubscribe(&sub, session.jetstream.get(), options.subject_in.c_str(), options.durable.c_str(), nullptr,
                         &sub_options, &code);
    if (s != NATS_OK) return problem(fmt::format("pulling from consumer '{}'", options.durable), s, code);
    session.subscription.reset(sub);
    return {};
}

std::string open_session(Session& session, const WorkerOptions& options) {
    std::string failure = worker_nats::connect(options.nats, session.connection, session.jetstream);
    if (failure.empty()) failure = bind_consumer(session, options);
    if (failure.empty())
        session.publisher = detail::BatchPublisher::open(session.connection.get(), std::max(options.batch, 1), failure);
    return failure;
}

// How long a batch waits for its publishes' acknowledgements: nats.c's default for one request.
constexpr std::chrono::milliseconds publish_wait{5'000};

// Decides a pulled batch, publishes what each mention gives without waiting for each, then acks
// every mention whose own publish was acknowledged; the others go the way of a failed publish.
class BatchHandler {
public:
    BatchHandler(Stream& stream, const WorkerOptions& options, jsCtx* jetstream, detail::BatchPublisher& publisher,
                 WorkerSummary& summary)
        : stream_(stream), options_(options), jetstream_(jetstream), publisher_(publisher), summary_(summary),
          decision_json_(stream.flow()) {}

    void handle(const natsMsgList& list) {
        sent_.clear();
        for (int i = 0; i < list.Count; ++i) send(list.Msgs[i]);
        const std::vector<detail::BatchPublisher::Outcome>& outcomes = publisher_.complete(publish_wait);
        for (std::size_t i = 0; i < sent_.size(); ++i) settle(sent_[i], outcomes[i]);
    }

private:
    // A mention whose decision (or error record) was sent.
    struct Sent {
        natsMsg* message;
        std::uint64_t sequence;
        std::uint64_t delivered;  // how many times the server has delivered it
        bool decided;             // a decision, not an error record
    };

    void send(natsMsg* message) {
        jsMsgMetaData* raw_meta = nullptr;
        if (natsMsg_GetMetaData(&raw_meta, message) != NATS_OK) {
            // Not from JetStream (cannot happen on a pull subscription): nothing to ack it by.
            ++summary_.not_acked;
            return;
        }
        MetaData meta(raw_meta);
        const std::uint64_t sequence = meta->Sequence.Stream;
        if (meta->NumDelivered > 1) ++summary_.redelivered;
        const bool decided = decide(text_of(message), sequence);
        const std::string& subject = decided || options_.error_subject.empty() ? options_.subject_out
                                                                                 : options_.error_subject;
        publisher_.send(subject, line_, worker_message_id(sequence));
        sent_.push_back({message, sequence, meta->NumDelivered, decided});
    }

    // Acks a mention whose publish was stored; after a failed one, dead-letters it on its last
    // delivery or asks for it again.
    void settle(const Sent& sent, const detail::BatchPublisher::Outcome& outcome) {
        if (outcome.stored) {
            natsMsg_Ack(sent.message, nullptr);
            ++(sent.decided ? summary_.decided : summary_.errors);
            if (outcome.duplicate) ++summary_.duplicates;
            return;
        }
        summary_.publish_problem = outcome.problem;
        const bool last_delivery =
            options_.max_deliver > 0 && sent.delivered >= static_cast<std::uint64_t>(options_.max_deliver);
        if (last_delivery && !options_.dead_letter.empty() &&
            worker_nats::publish(jetstream_, options_.dead_letter, text_of(sent.message),
                                 fmt::format("dead-letter-{}", sent.sequence), summary_.duplicates,
                                 summary_.publish_problem)) {
            natsMsg_Ack(sent.message, nullptr);
            ++summary_.dead_lettered;
            return;
        }
        // A plain nak brought the mention back at once to fail again, so its --max-deliver deliveries
        // were spent within milliseconds of a leader election and the server gave up on it: the
        // mention was lost (issue 19); a fixed 1 s spent them in 4 s. The default five deliveries
        // now span 30 s.
        natsMsg_NakWithDelay(sent.message, detail::publish_retry_delay(sent.delivered).count(), nullptr);
        ++summary_.not_acked;
    }

    static std::string_view text_of(natsMsg* message) {
        return {natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message))};
    }

    // The line `triage run` would write for this mention, numbered by its sequence, without '\n'.
    bool decide(std::string_view text, std::uint64_t sequence) {
        line_.clear();
        if (stream_.decide(text, decision_)) {
            decision_json_.append(line_, decision_, sequence, stream_.id());
            return true;
        }
        json_.clear();
        write_error_json(json_, sequence, stream_.error());
        line_ = json_.str();
        return false;
    }

    Stream& stream_;
    const WorkerOptions& options_;
    jsCtx* jetstream_;  // the session's, for the dead-letter publishes (one at a time, waited for)
    detail::BatchPublisher& publisher_;
    WorkerSummary& summary_;
    DecisionJson decision_json_;
    Decision decision_;
    JsonWriter json_;
    std::string line_;
    std::vector<Sent> sent_;
};

}  // namespace

std::string worker_message_id(std::uint64_t sequence) { return std::to_string(sequence); }

WorkerSummary run_worker(Stream& stream, const WorkerOptions& options, const std::atomic<bool>& stop) {
    if (!options.partitioning.by.empty()) return detail::run_partitioned_worker(stream, options, stop);
    WorkerSummary summary;
    if (stream.monitor() != nullptr) {
        summary.failure = "the flow keeps state (windows, crisis modes): workers deciding shares of one consumer "
                          "would each count only their share: partition the mentions (--partition-by)";
        return summary;
    }
    Session session;
    detail::Operations operations(options);  // after the session: its subscription ends first
    summary.failure = operations.start();
    if (summary.failure.empty()) summary.failure = open_session(session, options);
    if (!summary.failure.empty()) {
        operations.stopped(summary);
        return summary;
    }
    operations.consuming(session.connection.get(), session.jetstream.get());
    BatchHandler handler(stream, options, session.jetstream.get(), *session.publisher, summary);
    while (!stop.load(std::memory_order_relaxed)) {
        operations.tick(summary, stream);
        natsMsgList list{};
        jsErrCode code = static_cast<jsErrCode>(0);
        natsStatus s = natsSubscription_Fetch(&list, session.subscription.get(), options.batch,
                                              options.fetch_wait.count(), &code);
        if (s == NATS_TIMEOUT) continue;
        if (s != NATS_OK) {
            if (natsConnection_IsClosed(session.connection.get())) {
                summary.failure = problem("pulling mentions", s, code);
                break;
            }
            // Reconnecting, or the server is busy: wait, then pull again.
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        // Once pulled, a batch is finished even when asked to stop: that is the drain.
        handler.handle(list);
        natsMsgList_Destroy(&list);
    }
    if (summary.failure.empty()) operations.draining();
    // Acks are sent without waiting for a reply: flush them before the connection closes.
    natsConnection_FlushTimeout(session.connection.get(), 5'000);
    operations.stopped(summary);
    return summary;
}

}  // namespace triage
