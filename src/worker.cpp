// triage/worker.hpp on nats.c: connect, bind the durable pull consumer, then pull, decide,
// publish with Nats-Msg-Id, and ack after the publish ack.
#include "triage/worker.hpp"

#include "triage/decision_format.hpp"
#include "triage/json_writer.hpp"
#include "worker_operations.hpp"

#include <fmt/format.h>
#include <nats/nats.h>

#include <memory>
#include <thread>

namespace triage {

namespace {

// nats.c's status in words, with its last error (which names the server's reason) and the
// JetStream error code when there is one.
std::string nats_problem(std::string_view what, natsStatus status, jsErrCode code = static_cast<jsErrCode>(0)) {
    std::string text = fmt::format("{}: {}", what, natsStatus_GetText(status));
    const char* last = nats_GetLastError(nullptr);
    if (last != nullptr && *last != '\0') text += fmt::format(" ({})", last);
    if (code != 0) text += fmt::format(" [JetStream error {}]", static_cast<int>(code));
    return text;
}

struct OptionsDeleter {
    void operator()(natsOptions* p) const { natsOptions_Destroy(p); }
};
struct ConnectionDeleter {
    void operator()(natsConnection* p) const { natsConnection_Destroy(p); }
};
struct ContextDeleter {
    void operator()(jsCtx* p) const { jsCtx_Destroy(p); }
};
// Destroying (not unsubscribing) keeps the durable consumer for the other workers and the next run.
struct SubscriptionDeleter {
    void operator()(natsSubscription* p) const { natsSubscription_Destroy(p); }
};
struct MetaDataDeleter {
    void operator()(jsMsgMetaData* p) const { jsMsgMetaData_Destroy(p); }
};

// Everything one worker holds, released in reverse order.
struct Session {
    std::unique_ptr<natsConnection, ConnectionDeleter> connection;
    std::unique_ptr<jsCtx, ContextDeleter> jetstream;
    std::unique_ptr<natsSubscription, SubscriptionDeleter> subscription;
};

// The connection options, each credential handed to nats.c as the user gave it.
std::string make_options(const NatsConnection& c, std::unique_ptr<natsOptions, OptionsDeleter>& out) {
    natsOptions* raw = nullptr;
    natsStatus s = natsOptions_Create(&raw);
    if (s != NATS_OK) return nats_problem("nats options", s);
    out.reset(raw);
    s = natsOptions_SetURL(raw, c.url.c_str());
    if (s == NATS_OK && !c.token.empty()) s = natsOptions_SetToken(raw, c.token.c_str());
    if (s == NATS_OK && !c.user.empty()) s = natsOptions_SetUserInfo(raw, c.user.c_str(), c.password.c_str());
    if (s == NATS_OK && !c.creds.empty()) s = natsOptions_SetUserCredentialsFromFiles(raw, c.creds.c_str(), nullptr);
    if (s == NATS_OK && c.tls) s = natsOptions_SetSecure(raw, true);
    if (s == NATS_OK && !c.tls_ca.empty()) s = natsOptions_LoadCATrustedCertificates(raw, c.tls_ca.c_str());
    if (s == NATS_OK && !c.tls_cert.empty())
        s = natsOptions_LoadCertificatesChain(raw, c.tls_cert.c_str(), c.tls_key.c_str());
    // A worker outlives server restarts: it reconnects for as long as it runs.
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(raw, -1);
    return s == NATS_OK ? std::string() : nats_problem("nats options", s);
}

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
        return nats_problem(fmt::format("consumer '{}' on stream '{}'", options.durable, options.stream), s, code);
    jsSubOptions sub_options;
    jsSubOptions_Init(&sub_options);
    sub_options.Stream = options.stream.c_str();
    sub_options.Consumer = options.durable.c_str();
    natsSubscription* sub = nullptr;
    s = js_PullSubscribe(&sub, session.jetstream.get(), options.subject_in.c_str(), options.durable.c_str(), nullptr,
                         &sub_options, &code);
    if (s != NATS_OK) return nats_problem(fmt::format("pulling from consumer '{}'", options.durable), s, code);
    session.subscription.reset(sub);
    return {};
}

std::string open_session(Session& session, const WorkerOptions& options) {
    std::unique_ptr<natsOptions, OptionsDeleter> nats_options;
    if (std::string problem = make_options(options.nats, nats_options); !problem.empty()) return problem;
    natsConnection* connection = nullptr;
    natsStatus s = natsConnection_Connect(&connection, nats_options.get());
    if (s != NATS_OK) return nats_problem(fmt::format("connecting to {}", options.nats.url), s);
    session.connection.reset(connection);
    jsCtx* jetstream = nullptr;
    s = natsConnection_JetStream(&jetstream, connection, nullptr);
    if (s != NATS_OK) return nats_problem("JetStream", s);
    session.jetstream.reset(jetstream);
    return bind_consumer(session, options);
}

// Decides pulled mentions and publishes what each gives.
class MentionHandler {
public:
    MentionHandler(Stream& stream, const WorkerOptions& options, jsCtx* jetstream, WorkerSummary& summary)
        : stream_(stream), options_(options), jetstream_(jetstream), summary_(summary),
          decision_json_(stream.flow()) {}

    // Publishes the mention's decision (or error record), then acks it; after a failed publish,
    // dead-letters it on its last delivery or asks for it again.
    void handle(natsMsg* message) {
        jsMsgMetaData* raw_meta = nullptr;
        if (natsMsg_GetMetaData(&raw_meta, message) != NATS_OK) {
            // Not from JetStream (cannot happen on a pull subscription): nothing to ack it by.
            ++summary_.not_acked;
            return;
        }
        std::unique_ptr<jsMsgMetaData, MetaDataDeleter> meta(raw_meta);
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
        natsMsg_Nak(message, nullptr);
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

    bool publish(const std::string& subject, std::string_view data, const std::string& id) {
        jsPubOptions publish_options;
        jsPubOptions_Init(&publish_options);
        publish_options.MsgId = id.c_str();
        jsPubAck* ack = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        natsStatus s = js_Publish(&ack, jetstream_, subject.c_str(), data.data(), static_cast<int>(data.size()),
                                  &publish_options, &code);
        if (s == NATS_OK && ack != nullptr && ack->Duplicate) ++summary_.duplicates;
        jsPubAck_Destroy(ack);
        if (s != NATS_OK) summary_.publish_problem = nats_problem(fmt::format("publishing to '{}'", subject), s, code);
        return s == NATS_OK;
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
    WorkerSummary summary;
    if (stream.monitor() != nullptr) {
        summary.failure = "the flow keeps state (windows, crisis modes): workers deciding shares of one consumer "
                          "would each count only their share, so a worker takes only flows that keep none";
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
                summary.failure = nats_problem("pulling mentions", s, code);
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
