// src/worker_publisher.hpp: a batch's publishes sent at once, their acknowledgements awaited together.
#include "worker_publisher.hpp"

#include "worker_nats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace triage::detail {

namespace {

constexpr const char* message_id_header = "Nats-Msg-Id";

// The same words as worker_nats::problem, from an acknowledgement's error: nats.c's last error is
// per thread, and this runs on nats.c's thread, so the error's own text is used.
std::string refused(const char* subject, const jsPubAckErr& error) {
    const char* status = natsStatus_GetText(error.Err);
    std::string text = fmt::format("publishing to '{}': {}", subject == nullptr ? "" : subject, status);
    if (error.ErrText != nullptr && *error.ErrText != '\0' && std::strcmp(error.ErrText, status) != 0)
        text += fmt::format(" ({})", error.ErrText);
    if (error.ErrCode != 0) text += fmt::format(" [JetStream error {}]", static_cast<int>(error.ErrCode));
    return text;
}

}  // namespace

std::chrono::milliseconds publish_retry_delay(std::uint64_t failures) {
    const std::uint64_t doublings = std::min<std::uint64_t>(failures > 0 ? failures - 1 : 0, 4);
    return std::min(std::chrono::milliseconds(2'000 << doublings), std::chrono::milliseconds(30'000));
}

std::unique_ptr<BatchPublisher> BatchPublisher::open(natsConnection* connection, int max_pending,
                                                     std::string& problem) {
    std::unique_ptr<BatchPublisher> publisher(new BatchPublisher());
    jsOptions options;
    jsOptions_Init(&options);
    options.PublishAsync.MaxPending = max_pending;
    options.PublishAsync.AckHandler = &BatchPublisher::on_acknowledgement;
    options.PublishAsync.AckHandlerClosure = publisher.get();
    natsStatus s = natsConnection_JetStream(&publisher->jetstream_, connection, &options);
    if (s != NATS_OK) {
        problem = worker_nats::problem("JetStream for publishing", s);
        return nullptr;
    }
    return publisher;
}

BatchPublisher::~BatchPublisher() {
    // No acknowledgement handler may run once this object is gone.
    if (!outcomes_.empty()) take_back_unanswered();
    jsCtx_Destroy(jetstream_);
}

void BatchPublisher::send(const std::string& subject, std::string_view data, const std::string& id) {
    std::size_t position = 0;
    {
        std::lock_guard lock(mutex_);
        position = outcomes_.size();
        outcomes_.emplace_back();
        waiting_[id] = position;
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = id.c_str();
    natsStatus s = js_PublishAsync(jetstream_, subject.c_str(), data.data(), static_cast<int>(data.size()), &options);
    if (s == NATS_OK) {
        tracking_ = true;
        return;
    }
    // Not sent, or sent and not tracked: either way no acknowledgement handler will report it.
    std::lock_guard lock(mutex_);
    waiting_.erase(id);
    outcomes_[position].problem = worker_nats::problem(fmt::format("publishing to '{}'", subject), s);
}

const std::vector<BatchPublisher::Outcome>& BatchPublisher::complete(std::chrono::milliseconds wait) {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = std::max<std::int64_t>(wait.count(), 1);
    if (js_PublishAsyncComplete(jetstream_, &options) != NATS_OK) take_back_unanswered();
    std::lock_guard lock(mutex_);
    for (const auto& [id, position] : waiting_)  // none left, unless nats.c lost track of one
        outcomes_[position].problem = fmt::format("publishing message {}: no acknowledgement", id);
    waiting_.clear();
    finished_.swap(outcomes_);
    outcomes_.clear();
    return finished_;
}

// Takes every unanswered publish back from nats.c (its acknowledgement, if it comes, is dropped),
// then waits for the handlers already running: after that none runs until the next send.
void BatchPublisher::take_back_unanswered() {
    // Before the first publish nats.c has no list of pending ones to ask (it would crash).
    if (!tracking_) return;
    natsMsgList unanswered{};
    if (js_PublishAsyncGetPendingList(&unanswered, jetstream_) == NATS_OK) {
        for (int i = 0; i < unanswered.Count; ++i) {
            jsPubAckErr timeout{};
            timeout.Err = NATS_TIMEOUT;
            timeout.ErrText = "no acknowledgement in time";
            record(unanswered.Msgs[i], nullptr, &timeout);
        }
        natsMsgList_Destroy(&unanswered);
    }
    // What is still counted as pending now is only handlers in progress, which end.
    js_PublishAsyncComplete(jetstream_, nullptr);
}

void BatchPublisher::on_acknowledgement(jsCtx*, natsMsg* message, jsPubAck* ack, jsPubAckErr* error,
                                        void* closure) {
    static_cast<BatchPublisher*>(closure)->record(message, ack, error);
    natsMsg_Destroy(message);
}

void BatchPublisher::record(natsMsg* message, const jsPubAck* ack, const jsPubAckErr* error) {
    const char* id = nullptr;
    if (natsMsgHeader_Get(message, message_id_header, &id) != NATS_OK || id == nullptr) return;
    std::lock_guard lock(mutex_);
    const auto it = waiting_.find(id);
    if (it == waiting_.end()) return;
    Outcome& outcome = outcomes_[it->second];
    waiting_.erase(it);
    if (ack != nullptr) {
        outcome.stored = true;
        outcome.duplicate = ack->Duplicate;
    } else if (error != nullptr) {
        outcome.problem = refused(natsMsg_GetSubject(message), *error);
    } else {
        outcome.problem = fmt::format("publishing to '{}': no acknowledgement", natsMsg_GetSubject(message));
    }
}

}  // namespace triage::detail
