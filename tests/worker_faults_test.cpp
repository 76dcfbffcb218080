// triage worker under faults, against real nats-server processes on loopback (issue 19):
// 20,000 mentions decided by three `triage worker` processes while one worker after another is
// killed with SIGKILL and started again, and while one node of a three-node JetStream cluster
// (R3 streams) is killed and started again. Both end with exactly one decision per mention, as a
// set equal to `triage run --now` on the same lines.
//
// The guarantee they rely on: a worker acks a mention only after the output stream stored its
// decision, and publishes it with Nats-Msg-Id = the mention's input sequence, so a mention
// delivered again (its worker died, or its ack was lost with a node) is dropped as a duplicate by
// the output stream. That holds within the output stream's duplicate window, which these tests
// set to 2 minutes (JetStream's default), far longer than a redelivery takes here: --ack-wait 1 s,
// and a killed node is back within seconds. The test's own publisher sets Nats-Msg-Id on the
// mentions too, so a publish retried across a node failure stores no mention twice.
//
// The cases are named "nats worker: ..." so that .ci/run leaves them out of the sanitizer build;
// their stores live under the build directory and every process they start is stopped.
#include "support.hpp"

#include "triage/worker.hpp"

#include <doctest/doctest.h>
#include <nats/nats.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace {

using namespace std::chrono_literals;

const std::string now_text = "2026-11-20T12:00:00Z";
constexpr int mention_count = 20'000;
constexpr auto duplicate_window = std::chrono::minutes(2);

// A directory of its own under the build directory (stores can be large), removed afterwards.
struct WorkDir {
    std::filesystem::path path;
    WorkDir() {
        std::string pattern = (std::filesystem::path(TRIAGE_TEST_WORK_DIR) / "nats-faults-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~WorkDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
    [[nodiscard]] std::string file(const std::string& name) const { return (path / name).string(); }
};

// A loopback port nobody listens on now (the kernel picks it).
int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t size = sizeof address;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    ::close(fd);
    return ntohs(address.sin_port);
}

bool accepts_connections(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

// A program started with posix_spawnp and an argument vector (no shell), its output appended to
// `log`; killed with SIGKILL when destroyed still running, so a failed check leaves no process.
class Process {
public:
    Process() = default;
    Process(const std::vector<std::string>& args, const std::string& log) { start(args, log); }
    ~Process() { kill(SIGKILL); }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    void start(const std::vector<std::string>& args, const std::string& log) {
        std::vector<char*> argv;
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        REQUIRE_MESSAGE(rc == 0, "cannot start " << args[0]);
    }
    // Sends `signal` and waits: the exit status, or 128 + the signal that ended it.
    int kill(int signal) {
        if (pid_ <= 0) return -1;
        ::kill(pid_, signal);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

private:
    pid_t pid_ = -1;
};

void wait_for_port(int port, const std::string& log) {
    for (int i = 0; i < 200 && !accepts_connections(port); ++i) std::this_thread::sleep_for(50ms);
    REQUIRE_MESSAGE(accepts_connections(port), triage::test::read_file(log));
}

// One nats-server with JetStream, alone or as node `name` of a cluster, from a configuration file
// (the same shape as docs/scale.md shows).
struct NatsNode {
    std::string name;
    int port = 0;          // clients
    int cluster_port = 0;  // routes between the nodes
    std::string config;    // the configuration file's path
    std::string log;
    Process process;

    void start() {
        process.start({"nats-server", "-c", config}, log);
        wait_for_port(port, log);
    }
    [[nodiscard]] std::string url() const { return "nats://127.0.0.1:" + std::to_string(port); }
};

// `nodes` servers (1: no cluster block), their stores and logs in `dir`.
void configure(std::vector<NatsNode>& nodes, const WorkDir& dir) {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        nodes[i].name = "n" + std::to_string(i + 1);
        nodes[i].port = free_port();
        nodes[i].cluster_port = free_port();
        nodes[i].config = dir.file(nodes[i].name + ".conf");
        nodes[i].log = dir.file(nodes[i].name + ".log");
    }
    std::string routes;
    for (const NatsNode& n : nodes)
        routes += (routes.empty() ? "" : ", ") + ("nats-route://127.0.0.1:" + std::to_string(n.cluster_port));
    for (const NatsNode& n : nodes) {
        std::string text = "server_name: " + n.name + "\nlisten: 127.0.0.1:" + std::to_string(n.port) +
                           "\njetstream {\n  store_dir: \"" + dir.file("store-" + n.name) + "\"\n}\n";
        if (nodes.size() > 1)
            text += "cluster {\n  name: triage\n  listen: 127.0.0.1:" + std::to_string(n.cluster_port) +
                    "\n  routes: [" + routes + "]\n}\n";
        triage::test::write_file(n.config, text);
    }
}

std::string urls(const std::vector<NatsNode>& nodes) {
    std::string out;
    for (const NatsNode& n : nodes) out += (out.empty() ? "" : ",") + n.url();
    return out;
}

// The test's own JetStream client: makes streams, publishes mentions, reads what workers wrote.
// It reconnects without end, like a worker, and retries what a node failure interrupts.
class Client {
public:
    explicit Client(const std::string& urls) {
        natsOptions* options = nullptr;
        REQUIRE(natsOptions_Create(&options) == NATS_OK);
        // natsOptions_SetURL takes one URL; a list goes to natsOptions_SetServers.
        std::vector<std::string> list;
        std::istringstream in(urls);
        for (std::string url; std::getline(in, url, ',');) list.push_back(url);
        std::vector<const char*> servers;
        for (const std::string& url : list) servers.push_back(url.c_str());
        natsOptions_SetServers(options, servers.data(), static_cast<int>(servers.size()));
        natsOptions_SetMaxReconnect(options, -1);
        REQUIRE(natsConnection_Connect(&connection_, options) == NATS_OK);
        natsOptions_Destroy(options);
        REQUIRE(natsConnection_JetStream(&js_, connection_, nullptr) == NATS_OK);
    }
    ~Client() {
        jsCtx_Destroy(js_);
        natsConnection_Destroy(connection_);
    }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // A file stream on `subject` with `replicas` copies; a new cluster needs a moment to elect the
    // leader that makes streams, so this tries for up to 30 s.
    void add_stream(const std::string& name, const std::string& subject, int replicas) {
        jsStreamConfig config;
        jsStreamConfig_Init(&config);
        config.Name = name.c_str();
        const char* subjects[] = {subject.c_str()};
        config.Subjects = subjects;
        config.SubjectsLen = 1;
        config.Replicas = replicas;
        config.Duplicates = std::chrono::nanoseconds(duplicate_window).count();
        natsStatus s = NATS_ERR;
        for (int attempt = 0; attempt < 60 && s != NATS_OK; ++attempt) {
            if (attempt > 0) std::this_thread::sleep_for(500ms);
            jsStreamInfo* info = nullptr;
            s = js_AddStream(&info, js_, &config, nullptr, nullptr);
            jsStreamInfo_Destroy(info);
        }
        REQUIRE_MESSAGE(s == NATS_OK, "stream " << name << ": " << natsStatus_GetText(s));
    }
    // Publishes with Nats-Msg-Id `id`, retrying for up to a minute; false if it never succeeded.
    bool publish(const std::string& subject, std::string_view data, const std::string& id) {
        jsPubOptions options;
        jsPubOptions_Init(&options);
        options.MsgId = id.c_str();
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (std::chrono::steady_clock::now() < deadline) {
            jsPubAck* ack = nullptr;
            natsStatus s = js_Publish(&ack, js_, subject.c_str(), data.data(), static_cast<int>(data.size()),
                                      &options, nullptr);
            jsPubAck_Destroy(ack);
            if (s == NATS_OK) return true;
            std::this_thread::sleep_for(100ms);
        }
        return false;
    }
    // Messages in the stream; 0 while it cannot be asked (a leader being elected).
    [[nodiscard]] std::uint64_t messages(const std::string& stream) const {
        jsStreamInfo* info = nullptr;
        if (js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, nullptr) != NATS_OK) return 0;
        std::uint64_t count = info->State.Msgs;
        jsStreamInfo_Destroy(info);
        return count;
    }
    // The name of the node that leads the stream, empty while there is none.
    [[nodiscard]] std::string leader(const std::string& stream) const {
        jsStreamInfo* info = nullptr;
        if (js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, nullptr) != NATS_OK) return {};
        std::string name = info->Cluster != nullptr && info->Cluster->Leader != nullptr ? info->Cluster->Leader : "";
        jsStreamInfo_Destroy(info);
        return name;
    }
    // Mentions of the consumer not delivered yet; none while the consumer does not exist.
    [[nodiscard]] std::optional<std::uint64_t> pending(const std::string& stream, const std::string& durable) const {
        jsConsumerInfo* info = nullptr;
        if (js_GetConsumerInfo(&info, js_, stream.c_str(), durable.c_str(), nullptr, nullptr) != NATS_OK)
            return std::nullopt;
        std::uint64_t count = info->NumPending;
        jsConsumerInfo_Destroy(info);
        return count;
    }
    // Every mention of the consumer acked.
    [[nodiscard]] bool consumer_done(const std::string& stream, const std::string& durable) const {
        jsConsumerInfo* info = nullptr;
        if (js_GetConsumerInfo(&info, js_, stream.c_str(), durable.c_str(), nullptr, nullptr) != NATS_OK) return false;
        bool done = info->NumPending == 0 && info->NumAckPending == 0;
        jsConsumerInfo_Destroy(info);
        return done;
    }
    struct Stored {
        std::string id;  // Nats-Msg-Id
        std::string data;
    };
    [[nodiscard]] std::vector<Stored> read_all(const std::string& stream) const {
        std::vector<Stored> out;
        for (std::uint64_t seq = 1, n = messages(stream); out.size() < n; ++seq) {
            natsMsg* message = nullptr;
            REQUIRE(js_GetMsg(&message, js_, stream.c_str(), seq, nullptr, nullptr) == NATS_OK);
            const char* id = nullptr;
            natsMsgHeader_Get(message, "Nats-Msg-Id", &id);
            out.push_back({id != nullptr ? id : "", std::string(natsMsg_GetData(message),
                                                               static_cast<std::size_t>(natsMsg_GetDataLength(message)))});
            natsMsg_Destroy(message);
        }
        return out;
    }

private:
    natsConnection* connection_ = nullptr;
    jsCtx* js_ = nullptr;
};

std::string example(const std::string& name) { return (triage::test::source_dir() / "examples" / name).string(); }

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// `count` synthetic mentions for customer_care.flow, two of them no mention at all, also written
// to mentions.jsonl for `triage run`.
std::vector<std::string> mentions(const WorkDir& dir, int count) {
    triage::test::CliRun gen =
        triage::test::run_triage("gen " + triage::test::quoted(example("customer_care.flow")) + " --seed 19 -n " +
                                 std::to_string(count - 2));
    REQUIRE(gen.status == 0);
    std::vector<std::string> lines = lines_of(gen.output);
    lines.insert(lines.begin() + 10, "not json");
    lines.insert(lines.begin() + count / 2, "{\"text\": 42}");
    std::string all;
    for (const std::string& line : lines) all += line + '\n';
    triage::test::write_file(dir.file("mentions.jsonl"), all);
    return lines;
}

// Publishes the mentions in order, 500 every 200 ms (about 2,500 a second, so the run lasts long
// enough for the faults), each with Nats-Msg-Id "mention-N"; `done` once all are stored.
class Publisher {
public:
    Publisher(Client& client, const std::vector<std::string>& lines)
        : thread_([this, &client, &lines] {
              for (std::size_t i = 0; i < lines.size(); ++i) {
                  if (!client.publish("mentions.in", lines[i], "mention-" + std::to_string(i + 1))) {
                      failed_ = true;
                      break;
                  }
                  if ((i + 1) % 500 == 0) std::this_thread::sleep_for(200ms);
              }
              done_ = true;
          }) {}
    ~Publisher() { thread_.join(); }
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;
    [[nodiscard]] bool done() const { return done_; }
    [[nodiscard]] bool failed() const { return failed_; }

private:
    std::atomic<bool> done_{false}, failed_{false};
    std::thread thread_;
};

// `ack_wait` seconds must cover deciding and publishing a whole batch on a loaded machine, or
// mentions still in hand are delivered to another worker too (a storm of redeliveries).
std::vector<std::string> worker_args(const std::string& nats_urls, const char* ack_wait = "1", const char* batch = "50") {
    return {TRIAGE_CLI_PATH, "worker", example("customer_care.flow"), "--nats", nats_urls, "--stream", "MENTIONS",
            "--subject-in", "mentions.in", "--subject-out", "decisions.out", "--error-subject", "decisions.errors",
            "--now", now_text, "--ack-wait", ack_wait, "--batch", batch};
}

// Waits (up to two minutes) until the output stream holds `count` messages and every mention is acked.
bool wait_until_decided(const Client& client, std::uint64_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (client.messages("DECISIONS") >= count && client.consumer_done("MENTIONS", "triage")) return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

// The output stream's messages are one per mention: Msg-Ids 1..N, each once, and as a set the
// lines `triage run --now` writes for the same mentions. The input stream holds each mention once.
void check_one_decision_each(const Client& client, const WorkDir& dir, std::size_t count) {
    CHECK(client.messages("MENTIONS") == count);
    std::vector<Client::Stored> stored = client.read_all("DECISIONS");
    CHECK(stored.size() == count);
    std::set<std::string> ids;
    std::multiset<std::string> published;
    for (const Client::Stored& s : stored) {
        ids.insert(s.id);
        published.insert(s.data);
    }
    std::set<std::string> sequences;
    for (std::size_t i = 1; i <= count; ++i) sequences.insert(triage::worker_message_id(i));
    CHECK(ids.size() == stored.size());  // no id twice
    CHECK(ids == sequences);             // none missing
    triage::test::CliRun run = triage::test::run_triage(
        "run -q -j 1 --max-errors 10 --now " + now_text + " " + triage::test::quoted(example("customer_care.flow")) +
        " " + triage::test::quoted(dir.file("mentions.jsonl")) + " 2>/dev/null");
    REQUIRE(run.status == 0);
    std::vector<std::string> expected_lines = lines_of(run.output);
    std::multiset<std::string> expected(expected_lines.begin(), expected_lines.end());
    REQUIRE(expected.size() == count);
    CHECK(published == expected);
}

// The "N redelivered mentions (M already published" counts of every summary in a worker's log.
std::pair<std::uint64_t, std::uint64_t> redelivered_and_duplicates(const std::string& log) {
    std::uint64_t redelivered = 0, duplicates = 0;
    std::istringstream in(triage::test::read_file(log));
    for (std::string line; std::getline(in, line);) {
        std::size_t at = line.find(" redelivered mentions (");
        if (at == std::string::npos) continue;
        std::size_t start = line.rfind(", ", at);
        redelivered += std::stoull(line.substr(start + 2, at - start - 2));
        duplicates += std::stoull(line.substr(at + std::string(" redelivered mentions (").size()));
    }
    return {redelivered, duplicates};
}

}  // namespace

TEST_CASE("nats worker: 3 workers, one killed with SIGKILL every second and restarted: one decision per mention") {
    WorkDir dir;
    std::vector<NatsNode> nodes(1);
    configure(nodes, dir);
    nodes[0].start();
    Client client(nodes[0].url());
    client.add_stream("MENTIONS", "mentions.in", 1);
    client.add_stream("DECISIONS", "decisions.>", 1);
    const std::vector<std::string> lines = mentions(dir, mention_count);
    const std::vector<std::string> args = worker_args(nodes[0].url());

    std::vector<Process> workers(3);
    std::vector<std::string> logs;
    for (std::size_t w = 0; w < workers.size(); ++w) {
        logs.push_back(dir.file("worker-" + std::to_string(w) + ".log"));
        workers[w].start(args, logs[w]);
    }
    for (int i = 0; i < 300 && !client.pending("MENTIONS", "triage"); ++i) std::this_thread::sleep_for(100ms);
    // Workers decide tens of thousands of mentions a second, faster than the kills below: the
    // mentions are published while they run (one at a time, each waited for), so the kills fall
    // throughout the run.
    std::atomic<bool> published{false};
    std::thread publisher([&] {
        Client own(nodes[0].url());
        for (std::size_t i = 0; i < lines.size(); ++i)
            CHECK(own.publish("mentions.in", lines[i], "mention-" + std::to_string(i + 1)));
        published = true;
    });
    // While mentions come in and wait to be delivered, kill one worker a second, round robin, and
    // start a new process on the same consumer at once.
    int kills = 0;
    for (;;) {
        std::this_thread::sleep_for(1s);
        if (published && client.pending("MENTIONS", "triage").value_or(0) == 0) break;
        Process& victim = workers[static_cast<std::size_t>(kills) % workers.size()];
        CHECK(victim.kill(SIGKILL) == 128 + SIGKILL);
        victim.start(args, logs[static_cast<std::size_t>(kills) % workers.size()]);
        ++kills;
    }
    publisher.join();
    CHECK(kills >= 2);
    CHECK(wait_until_decided(client, mention_count));
    std::uint64_t redelivered = 0, duplicates = 0;
    for (std::size_t w = 0; w < workers.size(); ++w) {
        CHECK(workers[w].kill(SIGTERM) == 0);
        auto [r, d] = redelivered_and_duplicates(logs[w]);
        redelivered += r, duplicates += d;
    }
    // The last victim died holding a batch: the workers that finished took it over.
    CHECK(redelivered > 0);
    MESSAGE(kills << " workers killed; the last workers took over " << redelivered << " mentions, " << duplicates
                  << " of them already published");
    check_one_decision_each(client, dir, mention_count);
}

TEST_CASE("nats worker: a 3-node cluster, R3 streams, the output stream's leader killed and restarted: one decision each") {
    WorkDir dir;
    std::vector<NatsNode> nodes(3);
    configure(nodes, dir);
    for (NatsNode& node : nodes) node.process.start({"nats-server", "-c", node.config}, node.log);
    for (NatsNode& node : nodes) wait_for_port(node.port, node.log);
    Client client(urls(nodes));
    client.add_stream("MENTIONS", "mentions.in", 3);
    client.add_stream("DECISIONS", "decisions.>", 3);
    const std::vector<std::string> lines = mentions(dir, mention_count);
    const std::vector<std::string> args = worker_args(urls(nodes));

    std::vector<Process> workers(3);
    std::vector<std::string> logs;
    for (std::size_t w = 0; w < workers.size(); ++w) {
        logs.push_back(dir.file("worker-" + std::to_string(w) + ".log"));
        workers[w].start(args, logs[w]);
    }
    std::string killed;
    {
        Publisher publisher(client, lines);
        // Once a quarter is decided, SIGKILL the node leading the decision stream (publishes in
        // flight lose their acks), keep it down for 3 s, start it again on its store.
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (std::chrono::steady_clock::now() < deadline && client.messages("DECISIONS") < mention_count / 4)
            std::this_thread::sleep_for(20ms);
        const std::uint64_t decided_before = client.messages("DECISIONS");
        killed = client.leader("DECISIONS");
        REQUIRE(killed.size() == 2);  // "n1" ... "n3", the names configure() gives
        NatsNode& victim = nodes.at(static_cast<std::size_t>(killed[1] - '1'));
        CHECK(victim.process.kill(SIGKILL) == 128 + SIGKILL);
        CHECK(decided_before < static_cast<std::uint64_t>(mention_count));  // killed mid-run
        std::this_thread::sleep_for(3s);
        victim.start();
    }
    CHECK(wait_until_decided(client, mention_count));
    std::uint64_t redelivered = 0, duplicates = 0;
    for (std::size_t w = 0; w < workers.size(); ++w) {
        CHECK(workers[w].kill(SIGTERM) == 0);
        auto [r, d] = redelivered_and_duplicates(logs[w]);
        redelivered += r, duplicates += d;
    }
    // Whether a publish was cut off (and so redelivered) depends on the moment of the kill.
    MESSAGE("killed and restarted " << killed << "; " << redelivered << " redelivered, " << duplicates
                                    << " dropped as duplicates");
    check_one_decision_each(client, dir, mention_count);
}
