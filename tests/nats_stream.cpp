#include "nats_stream.hpp"

#include <stdexcept>

namespace triage::test {

std::uint64_t stream_messages(jsCtx* js, const std::string& stream) {
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, js, stream.c_str(), nullptr, nullptr) != NATS_OK) return 0;
    const std::uint64_t count = info->State.Msgs;
    jsStreamInfo_Destroy(info);
    return count;
}

std::vector<StoredMessage> read_stream(jsCtx* js, const std::string& stream) {
    std::vector<StoredMessage> out;
    for (std::uint64_t seq = 1, n = stream_messages(js, stream); out.size() < n; ++seq) {
        natsMsg* message = nullptr;
        if (const natsStatus s = js_GetMsg(&message, js, stream.c_str(), seq, nullptr, nullptr); s != NATS_OK)
            throw std::runtime_error("reading message " + std::to_string(seq) + " of stream " + stream + ": " +
                                     natsStatus_GetText(s));
        const char* id = nullptr;
        natsMsgHeader_Get(message, "Nats-Msg-Id", &id);
        out.push_back({id != nullptr ? id : "",
                       std::string(natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message)))});
        natsMsg_Destroy(message);
    }
    return out;
}

}  // namespace triage::test
