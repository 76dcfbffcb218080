// tests/nats_fixture.hpp: nats-server processes and a JetStream client for the worker tests.
#include "nats_fixture.hpp"

#include "triage/worker.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

namespace triage::test {

using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string example(const std::string& name) { return (source_dir() / "examples" / name).string(); }

std::vector<std::string> care_mentions(const std::filesystem::path& dir, int count) {
    CliRun gen = run_triage("gen " + quoted(example("customer_care.flow")) + " --seed 19 -n " + std::to_string(count - 2));
    REQUIRE(gen.status == 0);
    std::vector<std::string> lines = lines_of(gen.output);
    lines.insert(lines.begin() + 10, "not json");
    lines.insert(lines.begin() + count / 2, "{\"text\": 42}");
    std::string all;
    for (const std::string& line : lines) all += line + '\n';
    write_file(dir / "mentions.jsonl", all);
    return lines;
}

NatsServer::NatsServer(const TempDir& dir, const std::string& token) : dir_(dir), token_(token), port_(free_port()) {
    start();
}

NatsServer::~NatsServer() { stop(); }

void NatsServer::start() {
    std::vector<std::string> args{"nats-server", "-a", "127.0.0.1", "-p", std::to_string(port_), "-js",
                                  "-sd", dir_.file("store")};
    if (!token_.empty()) args.insert(args.end(), {"--auth", token_});
    pid_ = spawn(args, dir_.file("nats-server.log"));
    for (int i = 0; i < 200 && !accepts_connections(port_); ++i) std::this_thread::sleep_for(50ms);
    REQUIRE_MESSAGE(accepts_connections(port_), read_file(dir_.file("nats-server.log")));
}

void NatsServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    (void)wait_exit(pid_);
    pid_ = -1;
}

NatsCluster::NatsCluster(const std::filesystem::path& dir, std::size_t size) : nodes_(size) {
    std::vector<int> cluster_ports;
    std::string routes;
    for (std::size_t i = 0; i < size; ++i) {
        nodes_[i].name = "n" + std::to_string(i + 1);
        nodes_[i].port = free_port();
        nodes_[i].config = (dir / (nodes_[i].name + ".conf")).string();
        nodes_[i].log = (dir / (nodes_[i].name + ".log")).string();
        cluster_ports.push_back(free_port());
        routes += (routes.empty() ? "" : ", ") + ("nats-route://127.0.0.1:" + std::to_string(cluster_ports[i]));
    }
    for (std::size_t i = 0; i < size; ++i) {
        const Node& n = nodes_[i];
        std::string text = "server_name: " + n.name + "\nlisten: 127.0.0.1:" + std::to_string(n.port) +
                           "\njetstream {\n  store_dir: \"" + (dir / ("store-" + n.name)).string() + "\"\n}\n";
        if (size > 1)
            text += "cluster {\n  name: triage\n  listen: 127.0.0.1:" + std::to_string(cluster_ports[i]) +
                    "\n  routes: [" + routes + "]\n}\n";
        write_file(n.config, text);
    }
}

NatsCluster::~NatsCluster() {
    for (std::size_t i = 0; i < nodes_.size(); ++i) stop(i, SIGKILL);
}

std::string NatsCluster::url(std::size_t node) const {
    return "nats://127.0.0.1:" + std::to_string(nodes_.at(node).port);
}

std::string NatsCluster::urls() const {
    std::string out;
    for (std::size_t i = 0; i < nodes_.size(); ++i) out += (out.empty() ? "" : ",") + url(i);
    return out;
}

std::size_t NatsCluster::node_named(const std::string& name) const {
    for (std::size_t i = 0; i < nodes_.size(); ++i)
        if (nodes_[i].name == name) return i;
    FAIL("no node named '" << name << "'");
    return 0;
}

void NatsCluster::start_all() {
    for (Node& n : nodes_) n.pid = spawn({"nats-server", "-c", n.config}, n.log);
    for (const Node& n : nodes_) {
        for (int i = 0; i < 200 && !accepts_connections(n.port); ++i) std::this_thread::sleep_for(50ms);
        REQUIRE_MESSAGE(accepts_connections(n.port), read_file(n.log));
    }
}

void NatsCluster::start(std::size_t node) {
    Node& n = nodes_.at(node);
    n.pid = spawn({"nats-server", "-c", n.config}, n.log);
    for (int i = 0; i < 200 && !accepts_connections(n.port); ++i) std::this_thread::sleep_for(50ms);
    REQUIRE_MESSAGE(accepts_connections(n.port), read_file(n.log));
}

int NatsCluster::stop(std::size_t node, int signal) {
    Node& n = nodes_.at(node);
    if (n.pid <= 0) return -1;
    ::kill(n.pid, signal);
    const int status = wait_exit(n.pid);
    n.pid = -1;
    return status;
}

NatsClient::NatsClient(const std::string& url, const std::string& token) {
    natsOptions* options = nullptr;
    REQUIRE(natsOptions_Create(&options) == NATS_OK);
    // natsOptions_SetURL takes one URL; a list goes to natsOptions_SetServers.
    std::vector<std::string> list;
    for (std::size_t at = 0; at <= url.size();) {
        const std::size_t end = std::min(url.find(',', at), url.size());
        list.push_back(url.substr(at, end - at));
        at = end + 1;
    }
    std::vector<const char*> servers;
    for (const std::string& server : list) servers.push_back(server.c_str());
    natsOptions_SetServers(options, servers.data(), static_cast<int>(servers.size()));
    natsOptions_SetMaxReconnect(options, -1);
    if (!token.empty()) natsOptions_SetToken(options, token.c_str());
    REQUIRE(natsConnection_Connect(&connection_, options) == NATS_OK);
    natsOptions_Destroy(options);
    REQUIRE(natsConnection_JetStream(&js_, connection_, nullptr) == NATS_OK);
}

NatsClient::~NatsClient() {
    jsCtx_Destroy(js_);
    natsConnection_Destroy(connection_);
}

void NatsClient::add_stream(const std::string& name, const std::string& subject, int replicas, std::int64_t max_messages) {
    write_stream(name, subject, replicas, max_messages, false);
}

void NatsClient::update_stream(const std::string& name, const std::string& subject, std::int64_t max_messages) {
    write_stream(name, subject, 1, max_messages, true);
}

void NatsClient::write_stream(const std::string& name, const std::string& subject, int replicas,
                              std::int64_t max_messages, bool update) {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = name.c_str();
    const char* subjects[] = {subject.c_str()};
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = replicas;
    config.MaxMsgs = max_messages;
    if (max_messages >= 0) config.Discard = js_DiscardNew;  // a full stream refuses what comes after
    natsStatus s = NATS_ERR;
    // A cluster answers only once it has a metadata leader: try for up to 30 s.
    for (int attempt = 0; attempt < 60 && s != NATS_OK; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(500ms);
        jsStreamInfo* info = nullptr;
        s = update ? js_UpdateStream(&info, js_, &config, nullptr, nullptr)
                   : js_AddStream(&info, js_, &config, nullptr, nullptr);
        jsStreamInfo_Destroy(info);
    }
    REQUIRE_MESSAGE(s == NATS_OK, "stream " << name << ": " << natsStatus_GetText(s));
}

void NatsClient::add_key_value(const std::string& bucket, std::chrono::milliseconds ttl, int replicas) {
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = bucket.c_str();
    config.History = 1;
    config.StorageType = js_FileStorage;
    config.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count();
    config.Replicas = replicas;
    natsStatus s = NATS_ERR;
    for (int attempt = 0; attempt < 60 && s != NATS_OK; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(500ms);
        kvStore* kv = nullptr;
        s = js_CreateKeyValue(&kv, js_, &config);
        kvStore_Destroy(kv);
    }
    REQUIRE_MESSAGE(s == NATS_OK, "KV bucket " << bucket << ": " << natsStatus_GetText(s));
}

void NatsClient::publish(const std::string& subject, std::string_view data, const char* id) {
    REQUIRE_MESSAGE(try_publish(subject, data, id), "publishing to " << subject << " failed for a minute");
}

bool NatsClient::try_publish(const std::string& subject, std::string_view data, const char* id) {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = id;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        jsPubAck* ack = nullptr;
        natsStatus s = js_Publish(&ack, js_, subject.c_str(), data.data(), static_cast<int>(data.size()), &options,
                                  nullptr);
        jsPubAck_Destroy(ack);
        if (s == NATS_OK) return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

std::uint64_t NatsClient::messages(const std::string& stream) const { return stream_messages(js_, stream); }

std::string NatsClient::leader(const std::string& stream) const {
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, nullptr) != NATS_OK) return {};
    std::string name = info->Cluster != nullptr && info->Cluster->Leader != nullptr ? info->Cluster->Leader : "";
    jsStreamInfo_Destroy(info);
    return name;
}

std::string NatsClient::request(const std::string& subject) const {
    natsMsg* reply = nullptr;
    REQUIRE(natsConnection_RequestString(&reply, connection_, subject.c_str(), "", 5000) == NATS_OK);
    std::string data(natsMsg_GetData(reply), static_cast<std::size_t>(natsMsg_GetDataLength(reply)));
    natsMsg_Destroy(reply);
    return data;
}

std::optional<std::uint64_t> NatsClient::pending(const std::string& stream, const std::string& durable) const {
    jsConsumerInfo* info = nullptr;
    if (js_GetConsumerInfo(&info, js_, stream.c_str(), durable.c_str(), nullptr, nullptr) != NATS_OK)
        return std::nullopt;
    std::uint64_t count = info->NumPending;
    jsConsumerInfo_Destroy(info);
    return count;
}

bool NatsClient::consumer_done(const std::string& stream, const std::string& durable) const {
    jsConsumerInfo* info = nullptr;
    if (js_GetConsumerInfo(&info, js_, stream.c_str(), durable.c_str(), nullptr, nullptr) != NATS_OK) return false;
    bool done = info->NumPending == 0 && info->NumAckPending == 0;
    jsConsumerInfo_Destroy(info);
    return done;
}

std::vector<NatsClient::Stored> NatsClient::read_all(const std::string& stream) const {
    return read_stream(js_, stream);
}

void check_one_decision_each(const NatsClient& client, const std::filesystem::path& dir, std::size_t count,
                             const std::string& now) {
    std::vector<NatsClient::Stored> stored = client.read_all("DECISIONS");
    CHECK(stored.size() == count);
    std::set<std::string> ids;
    std::multiset<std::string> published;
    for (const NatsClient::Stored& s : stored) {
        ids.insert(s.id);
        published.insert(s.data);
    }
    std::set<std::string> sequences;
    for (std::size_t i = 1; i <= count; ++i) sequences.insert(triage::worker_message_id(i));
    CHECK(ids.size() == stored.size());  // no id twice
    CHECK(ids == sequences);             // none missing
    CliRun run = run_triage("run -q -j 1 --max-errors 10 --now " + now + " " + quoted(example("customer_care.flow")) +
                            " " + quoted((dir / "mentions.jsonl").string()) + " 2>/dev/null");
    REQUIRE(run.status == 0);
    std::vector<std::string> expected_lines = lines_of(run.output);
    std::multiset<std::string> expected(expected_lines.begin(), expected_lines.end());
    REQUIRE(expected.size() == count);
    CHECK(published == expected);
}

}  // namespace triage::test
