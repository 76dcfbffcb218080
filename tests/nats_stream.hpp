// Reading a JetStream stream's stored messages, for the worker tests and the worker benchmark
// (no doctest here: a failure throws std::runtime_error, which fails a test case as well).
#pragma once

#include <nats/nats.h>

#include <cstdint>
#include <string>
#include <vector>

namespace triage::test {

struct StoredMessage {
    std::string id;  // Nats-Msg-Id
    std::string data;
};

// How many messages the stream holds; 0 when it cannot be asked.
[[nodiscard]] std::uint64_t stream_messages(jsCtx* js, const std::string& stream);
// The stream's messages in stream order.
[[nodiscard]] std::vector<StoredMessage> read_stream(jsCtx* js, const std::string& stream);

}  // namespace triage::test
