// triage/worker.hpp on nats.c: connect, bind the durable pull consumer, then pull, decide,
// publish with Nats-Msg-Id, and ack after the publish ack.
#include "triage/worker.hpp"

#include "worker_nats.hpp"
#include "worker_partition.hpp"

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
    return failure.empty() ? bind_consumer(session, options) : failure;
}

// Decides pulled mentions and publishes what each gives.
class MentionHandler {
public:
    MentionHandler(Stream& stream, const WorkerOptions& options, jsCtx* jetstream, WorkerSummary& summary)
        : stream_(stream), options_(options), jetstream_(jetstream), summary_(summary),
          decision_json_(stream.flow()) {}

    // Publishes the mention's decision (or error record), then acks it; after a failed publish,
    // dead-letters it on its last delivery or asks for it again after a delay (redelivery_delay).
    void handle(natsMsg* message) {
        jsMsgMetaData* raw_meta = nullptr;
        if (natsMsg_GetMetaData(&raw_meta, message) != NATS_OK) {
            // Not from JetStream (cannot happen on a pull subscription): nothing to ack it by.
            ++summary_.not_acked;
            return;
        }
        MetaData meta(raw_meta);
        const std::uint64_t sequence = meta->Sequence.Stream;
        if (meta->NumDelivered > 1) ++summary_.redelivered;
        const std::string_view text(natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message)));
        const bool decided = decide(text, sequence);
        const std::string& subject = decided || options_.error_subject.empty() ? options_.subject_out
                                                                                 : options_.error_subject;
        if (publish(subject, line_, worker_message_id(sequence))) {
            natsMsg_Ack(message, nullptr);
            ++(decided ? summary_.decided : summary_.errors);
            return;
        }
        const bool last_delivery = options_.max_deliver > 0 &&
                                   meta->NumDelivered >= static_cast<std::uint64_t>(options_.max_deliver);
        if (last_delivery && !options_.dead_letter.empty() &&
            publish(options_.dead_letter, text, fmt::format("dead-letter-{}", sequence))) {
            natsMsg_Ack(message, nullptr);
            ++summary_.dead_lettered;
            return;
        }
        natsMsg_NakWithDelay(message, redelivery_delay(meta->NumDelivered).count(), nullptr);
        ++summary_.not_acked;
    }

private:
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

    // A failed publish mostly means the output stream has no leader: when it is lost, the other
    // nodes elect one after 4 to 9 s (5 to 8 s seen here), and until then every publish gets "no
    // responders" at once. A plain nak brought the mention back at once to fail again, so its
    // --max-deliver deliveries were spent within milliseconds and the server gave up on it: the
    // mention was lost (issue 19). The delay doubles with each delivery: 2, 4, 8, 16 s, then 30 s,
    // so the default five deliveries span 30 s.
    static std::chrono::milliseconds redelivery_delay(std::uint64_t delivered) {
        const std::uint64_t doublings = std::min<std::uint64_t>(delivered > 0 ? delivered - 1 : 0, 4);
        return std::min(std::chrono::milliseconds(2'000 << doublings), std::chrono::milliseconds(30'000));
    }

    bool publish(const std::string& subject, std::string_view data, const std::string& id) {
        return worker_nats::publish(jetstream_, subject, data, id, summary_.duplicates, summary_.publish_problem);
    }

    Stream& stream_;
    const WorkerOptions& options_;
    jsCtx* jetstream_;
    WorkerSummary& summary_;
    DecisionJson decision_json_;
    Decision decision_;
    JsonWriter json_;
    std::string line_;
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
    MentionHandler handler(stream, options, session.jetstream.get(), summary);
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
        for (int i = 0; i < list.Count; ++i) handler.handle(list.Msgs[i]);
        natsMsgList_Destroy(&list);
    }
    if (summary.failure.empty()) operations.draining();
    // Acks are sent without waiting for a reply: flush them before the connection closes.
    natsConnection_FlushTimeout(session.connection.get(), 5'000);
    operations.stopped(summary);
    return summary;
}

}  // namespace triage
