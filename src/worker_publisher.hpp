// Publishing a batch of decisions without a round trip each: every publish of a batch is sent at
// once (nats.c's js_PublishAsync), then the batch waits for the output stream's acknowledgements
// together. A worker acks an input only when the outcome of its own publish says it was stored.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace triage::detail {

// How long to wait before a decision whose publish failed `failures` times in a row (1, 2, ...)
// is published again: 2 s, doubling to 30 s (2, 4, 8, 16, 30, 30, ...). A failed publish mostly
// means the output stream has no leader: when its node is lost, the others elect one after 4 to
// 9 s (5 to 8 s seen here), and until then every publish gets "no responders" at once, so
// retrying at once (or every 200 ms, or every second) spends the tries within the election.
[[nodiscard]] std::chrono::milliseconds publish_retry_delay(std::uint64_t failures);

class BatchPublisher {
public:
    // What became of one publish of the batch.
    struct Outcome {
        bool stored = false;     // the stream acknowledged it (as new, or as a duplicate)
        bool duplicate = false;  // the stream already held this Nats-Msg-Id
        std::string problem;     // why it was not stored
    };

    // A JetStream context of its own on `connection` (its acknowledgements come to its own inbox
    // and handler), at most `max_pending` publishes in flight; null with `problem` set if not.
    static std::unique_ptr<BatchPublisher> open(natsConnection* connection, int max_pending, std::string& problem);
    ~BatchPublisher();
    BatchPublisher(const BatchPublisher&) = delete;
    BatchPublisher& operator=(const BatchPublisher&) = delete;

    // Sends `data` to `subject` with Nats-Msg-Id `id` (unique within the batch) and returns at
    // once; the publish's outcome is outcomes()[its position in the batch] after complete().
    void send(const std::string& subject, std::string_view data, const std::string& id);
    // Waits at most `wait` for the acknowledgements of everything sent since the last call; what
    // is unanswered by then is taken back from nats.c and counts as not stored (its input is
    // delivered again; a late acknowledgement makes the second publish a duplicate).
    const std::vector<Outcome>& complete(std::chrono::milliseconds wait);

private:
    BatchPublisher() = default;
    static void on_acknowledgement(jsCtx* jetstream, natsMsg* message, jsPubAck* ack, jsPubAckErr* error,
                                   void* closure);
    void record(natsMsg* message, const jsPubAck* ack, const jsPubAckErr* error);
    void take_back_unanswered();

    jsCtx* jetstream_ = nullptr;
    bool tracking_ = false;  // a publish was handed to nats.c: it keeps a list of pending ones
    // Written by nats.c's thread for the context's replies, read by the worker after complete().
    std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> waiting_;  // Nats-Msg-Id -> position in the batch
    std::vector<Outcome> outcomes_;  // this batch's, in the order sent
    std::vector<Outcome> finished_;  // the last completed batch's
};

}  // namespace triage::detail
