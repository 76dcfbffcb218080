// What the tests of triage worker share: nats-server processes on free loopback ports with a
// store in a temporary directory, programs started without a shell, and a JetStream client that
// makes streams, publishes mentions and reads back what workers stored.
#pragma once

#include "support.hpp"

#include <nats/nats.h>

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triage::test {

// A loopback port nobody listens on now (the kernel picks it).
[[nodiscard]] int free_port();
[[nodiscard]] bool accepts_connections(int port);

// A program started with posix_spawnp and an argument vector (no shell), its stdout and stderr
// appended to `log`.
[[nodiscard]] pid_t spawn(const std::vector<std::string>& args, const std::string& log);
// Waits for `pid`: its exit status, or 128 + the signal that ended it.
int wait_exit(pid_t pid);

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

// The test's own JetStream client.
class NatsClient {
public:
    explicit NatsClient(const std::string& url, const std::string& token = {});
    ~NatsClient();
    NatsClient(const NatsClient&) = delete;
    NatsClient& operator=(const NatsClient&) = delete;
    [[nodiscard]] jsCtx* js() const { return js_; }

    // A stream (file storage, in the server's store) capturing `subject` (wildcards allowed).
    void add_stream(const std::string& name, const std::string& subject);
    // Publishes and waits for the stream's ack; `id` is the Nats-Msg-Id, if any.
    void publish(const std::string& subject, std::string_view data, const char* id = nullptr);
    [[nodiscard]] std::uint64_t messages(const std::string& stream) const;
    // Every mention of the durable consumer acked.
    [[nodiscard]] bool consumer_done(const std::string& stream, const std::string& durable) const;
    struct Stored {
        std::string id;  // Nats-Msg-Id
        std::string data;
    };
    // The stream's messages in stream order.
    [[nodiscard]] std::vector<Stored> read_all(const std::string& stream) const;

private:
    natsConnection* connection_ = nullptr;
    jsCtx* js_ = nullptr;
};

}  // namespace triage::test
