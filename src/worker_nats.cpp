// src/worker_nats.hpp: the nats.c plumbing the worker's parts share.
#include "worker_nats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace triage::worker_nats {

std::string problem(std::string_view what, natsStatus status, jsErrCode code) {
    std::string text = fmt::format("{}: {}", what, natsStatus_GetText(status));
    const char* last = nats_GetLastError(nullptr);
    if (last != nullptr && *last != '\0') text += fmt::format(" ({})", last);
    if (code != 0) text += fmt::format(" [JetStream error {}]", static_cast<int>(code));
    return text;
}

std::string make_options(const NatsConnection& c, std::unique_ptr<natsOptions, OptionsDeleter>& out) {
    natsOptions* raw = nullptr;
    natsStatus s = natsOptions_Create(&raw);
    if (s != NATS_OK) return problem("nats options", s);
    out.reset(raw);
    // natsOptions_SetURL takes one URL only (nats.c splits lists in natsConnection_ConnectTo, not
    // there): a list of servers goes to natsOptions_SetServers, one string each.
    std::vector<std::string> urls;
    for (std::size_t at = 0; at <= c.url.size();) {
        std::size_t end = std::min(c.url.find(',', at), c.url.size());
        std::string url = c.url.substr(at, end - at);
        url.erase(0, url.find_first_not_of(' '));
        url.erase(url.find_last_not_of(' ') + 1);
        if (!url.empty()) urls.push_back(std::move(url));
        at = end + 1;
    }
    if (urls.empty()) return fmt::format("no NATS server URL in '{}'", c.url);
    std::vector<const char*> servers;
    for (const std::string& url : urls) servers.push_back(url.c_str());
    s = natsOptions_SetServers(raw, servers.data(), static_cast<int>(servers.size()));
    if (s == NATS_OK && !c.token.empty()) s = natsOptions_SetToken(raw, c.token.c_str());
    if (s == NATS_OK && !c.user.empty()) s = natsOptions_SetUserInfo(raw, c.user.c_str(), c.password.c_str());
    if (s == NATS_OK && !c.creds.empty()) s = natsOptions_SetUserCredentialsFromFiles(raw, c.creds.c_str(), nullptr);
    if (s == NATS_OK && c.tls) s = natsOptions_SetSecure(raw, true);
    if (s == NATS_OK && !c.tls_ca.empty()) s = natsOptions_LoadCATrustedCertificates(raw, c.tls_ca.c_str());
    if (s == NATS_OK && !c.tls_cert.empty())
        s = natsOptions_LoadCertificatesChain(raw, c.tls_cert.c_str(), c.tls_key.c_str());
    // A worker outlives server restarts: it reconnects for as long as it runs.
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(raw, -1);
    return s == NATS_OK ? std::string() : problem("nats options", s);
}

std::string connect(const NatsConnection& c, Connection& connection, JetStream& jetstream) {
    std::unique_ptr<natsOptions, OptionsDeleter> nats_options;
    if (std::string p = make_options(c, nats_options); !p.empty()) return p;
    natsConnection* raw_connection = nullptr;
    natsStatus s = natsConnection_Connect(&raw_connection, nats_options.get());
    if (s != NATS_OK) return problem(fmt::format("connecting to {}", c.url), s);
    connection.reset(raw_connection);
    jsCtx* raw_jetstream = nullptr;
    s = natsConnection_JetStream(&raw_jetstream, raw_connection, nullptr);
    if (s != NATS_OK) return problem("JetStream", s);
    jetstream.reset(raw_jetstream);
    return {};
}

bool publish(jsCtx* jetstream, const std::string& subject, std::string_view data, const std::string& id,
             std::uint64_t& duplicates, std::string& problem_out) {
    jsPubOptions publish_options;
    jsPubOptions_Init(&publish_options);
    publish_options.MsgId = id.c_str();
    jsPubAck* ack = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&ack, jetstream, subject.c_str(), data.data(), static_cast<int>(data.size()),
                              &publish_options, &code);
    if (s == NATS_OK && ack != nullptr && ack->Duplicate) ++duplicates;
    jsPubAck_Destroy(ack);
    if (s != NATS_OK) problem_out = problem(fmt::format("publishing to '{}'", subject), s, code);
    return s == NATS_OK;
}

}  // namespace triage::worker_nats
