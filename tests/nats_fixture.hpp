// What the tests of triage worker share: nats-server processes on free loopback ports with a
// store in a temporary directory, programs started without a shell, and a JetStream client that
// makes streams, publishes mentions and reads back what workers stored.
#pragma once

#include "nats_stream.hpp"
#include "spawn.hpp"
#include "support.hpp"

#include <nats/nats.h>

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::test {

// The lines of `text`, without their '\n'.
[[nodiscard]] std::vector<std::string> lines_of(const std::string& text);
// examples/NAME in the source tree.
[[nodiscard]] std::string example(const std::string& name);
// `count` synthetic mentions for examples/customer_care.flow (`triage gen --seed 19`), two of them
// no mention at all, also written to `dir`/mentions.jsonl for `triage run`.
[[nodiscard]] std::vector<std::string> care_mentions(const std::filesystem::path& dir, int count);

// nats-server -js on a free loopback port, its store in `dir`/store; stopped (SIGTERM) when
// destroyed. stop() and start() restart it on the same port with the same store.
class NatsServer {
public:
    explicit NatsServer(const TempDir& dir, const std::string& token = {});
    ~NatsServer();
    NatsServer(const NatsServer&) = delete;
    NatsServer& operator=(const NatsServer&) = delete;
    [[nodiscard]] std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
    void stop();
    void start();

private:
    const TempDir& dir_;
    std::string token_;
    int port_;
    pid_t pid_ = -1;
};

// `size` nats-server processes with JetStream, from configuration files in `dir` (the shape
// docs/scale.md shows): nodes "n1", "n2", ... on free loopback ports, each with its own store, a
// cluster named "triage" when there are several. Every node still running is killed when destroyed.
class NatsCluster {
public:
    NatsCluster(const std::filesystem::path& dir, std::size_t size);
    ~NatsCluster();
    NatsCluster(const NatsCluster&) = delete;
    NatsCluster& operator=(const NatsCluster&) = delete;
    [[nodiscard]] std::size_t size() const { return nodes_.size(); }
    [[nodiscard]] std::string url(std::size_t node) const;
    [[nodiscard]] std::string urls() const;  // every node's, comma-separated
    // The node named `name` ("n1" is node 0).
    [[nodiscard]] std::size_t node_named(const std::string& name) const;
    // Starts every node and waits until each accepts connections (a new cluster has no leaders yet).
    void start_all();
    void start(std::size_t node);
    // Sends `signal` to the node and waits: its exit status, or 128 + the signal that ended it.
    int stop(std::size_t node, int signal);

private:
    struct Node {
        std::string name, config, log;
        int port = 0;
        pid_t pid = -1;
    };
    std::vector<Node> nodes_;
};

// The test's own JetStream client. `url` may list several servers, comma-separated: the client
// then reconnects to another for as long as it lives.
class NatsClient {
public:
    explicit NatsClient(const std::string& url, const std::string& token = {});
    ~NatsClient();
    NatsClient(const NatsClient&) = delete;
    NatsClient& operator=(const NatsClient&) = delete;
    [[nodiscard]] jsCtx* js() const { return js_; }

    // A stream (file storage, in the server's store) capturing `subject` (wildcards allowed), with
    // `replicas` copies; a new cluster needs a moment to elect the leader that makes streams, so
    // this tries for up to 30 s.
    // A file-stored stream capturing `subject`; max_messages >= 0: it stores at most that many and
    // refuses what comes after (discard new).
    void add_stream(const std::string& name, const std::string& subject, int replicas = 1,
                    std::int64_t max_messages = -1);
    // Changes the message limit of a stream add_stream made (-1: none).
    void update_stream(const std::string& name, const std::string& subject, std::int64_t max_messages);
    // A KV bucket as PartitionStore makes it (file storage, one value per key, `ttl`; 0: none),
    // with `replicas` copies, as an operator makes it before the workers start.
    void add_key_value(const std::string& bucket, std::chrono::milliseconds ttl, int replicas);
    // Publishes and waits for the stream's ack, retrying for up to a minute (a cluster electing
    // leaders); `id` is the Nats-Msg-Id, if any.
    void publish(const std::string& subject, std::string_view data, const char* id = nullptr);
    // The same, false when no try succeeded (for a thread of the test's, where REQUIRE cannot stop it).
    [[nodiscard]] bool try_publish(const std::string& subject, std::string_view data, const char* id = nullptr);
    // Messages in the stream; 0 while it cannot be asked (a cluster electing its leader).
    [[nodiscard]] std::uint64_t messages(const std::string& stream) const;
    // The name of the node that leads the stream; empty while there is none.
    [[nodiscard]] std::string leader(const std::string& stream) const;
    // The reply to an empty request on `subject` (a worker's stats subject).
    [[nodiscard]] std::string request(const std::string& subject) const;
    // Mentions of the durable consumer not delivered yet; none while it cannot be asked.
    [[nodiscard]] std::optional<std::uint64_t> pending(const std::string& stream, const std::string& durable) const;
    // Every mention of the durable consumer acked.
    [[nodiscard]] bool consumer_done(const std::string& stream, const std::string& durable) const;
    using Stored = StoredMessage;
    // The stream's messages in stream order.
    [[nodiscard]] std::vector<Stored> read_all(const std::string& stream) const;

private:
    void write_stream(const std::string& name, const std::string& subject, int replicas, std::int64_t max_messages,
                      bool update);
    natsConnection* connection_ = nullptr;
    jsCtx* js_ = nullptr;
};

// The stream DECISIONS holds one message per mention of care_mentions(`dir`, `count`): Msg-Ids 1..N,
// each once, and as a set the lines `triage run --now NOW` writes for the same mentions.
void check_one_decision_each(const NatsClient& client, const std::filesystem::path& dir, std::size_t count,
                             const std::string& now);

}  // namespace triage::test
