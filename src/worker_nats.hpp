// What the parts of the worker share on nats.c: problems in words, owners of nats.c objects,
// connection options, and a JetStream publish with a message id.
#pragma once

#include "triage/worker.hpp"

#include <nats/nats.h>

#include <memory>
#include <string>
#include <string_view>

namespace triage::worker_nats {

// nats.c's status in words, with its last error (which names the server's reason) and the
// JetStream error code when there is one.
std::string problem(std::string_view what, natsStatus status, jsErrCode code = static_cast<jsErrCode>(0));

struct OptionsDeleter {
    void operator()(natsOptions* p) const { natsOptions_Destroy(p); }
};
struct ConnectionDeleter {
    void operator()(natsConnection* p) const { natsConnection_Destroy(p); }
};
struct ContextDeleter {
    void operator()(jsCtx* p) const { jsCtx_Destroy(p); }
};
// Destroying (not unsubscribing) keeps a durable consumer for the other workers and the next run.
struct SubscriptionDeleter {
    void operator()(natsSubscription* p) const { natsSubscription_Destroy(p); }
};
struct MetaDataDeleter {
    void operator()(jsMsgMetaData* p) const { jsMsgMetaData_Destroy(p); }
};
struct KeyValueDeleter {
    void operator()(kvStore* p) const { kvStore_Destroy(p); }
};
struct EntryDeleter {
    void operator()(kvEntry* p) const { kvEntry_Destroy(p); }
};

using Connection = std::unique_ptr<natsConnection, ConnectionDeleter>;
using JetStream = std::unique_ptr<jsCtx, ContextDeleter>;
using Subscription = std::unique_ptr<natsSubscription, SubscriptionDeleter>;
using MetaData = std::unique_ptr<jsMsgMetaData, MetaDataDeleter>;

// The connection options, each credential handed to nats.c as the user gave it; a problem or "".
std::string make_options(const NatsConnection& c, std::unique_ptr<natsOptions, OptionsDeleter>& out);

// Connects and opens a JetStream context; a problem or "".
std::string connect(const NatsConnection& c, Connection& connection, JetStream& jetstream);

// Publishes `data` with Nats-Msg-Id `id` and waits for the stream's acknowledgement. Counts a
// publish the stream had already stored in `duplicates`; a failure's reason goes to `problem_out`.
bool publish(jsCtx* jetstream, const std::string& subject, std::string_view data, const std::string& id,
             std::uint64_t& duplicates, std::string& problem_out);

}  // namespace triage::worker_nats
