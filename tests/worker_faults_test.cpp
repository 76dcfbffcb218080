// triage worker under faults, against real nats-server processes on loopback (issue 19):
// 20,000 mentions decided by three `triage worker` processes while one worker after another is
// killed with SIGKILL and started again, and while one node of a three-node JetStream cluster
// (R3 streams) is killed and started again. Both end with exactly one decision per mention, as a
// set equal to `triage run --now` on the same lines.
//
// The guarantee they rely on: a worker acks a mention only after the output stream stored its
// decision, and publishes it with Nats-Msg-Id = the mention's input sequence, so a mention
// delivered again (its worker died, or its ack was lost with a node) is dropped as a duplicate by
// the output stream. That holds within the output stream's duplicate window, here JetStream's
// default of 2 minutes, far longer than a redelivery takes here: --ack-wait 1 s, 2 to 16 s after a
// failed publish, and a killed node is back within seconds. The test's own publisher sets
// Nats-Msg-Id on the mentions too, so a publish retried across a node failure stores no mention
// twice.
//
// The cases are named "nats worker: ..." so that .ci/run leaves them out of the sanitizer build;
// their stores live under the build directory and every process they start is stopped.
#include "nats_fixture.hpp"
#include "support.hpp"

#include "triage/worker.hpp"

#include <doctest/doctest.h>
#include <nats/nats.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

namespace {

using namespace std::chrono_literals;

const std::string now_text = "2026-11-20T12:00:00Z";
constexpr int mention_count = 20'000;

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

// A program started with an argument vector (no shell), its output appended to `log`; killed
// with SIGKILL when destroyed still running, so a failed check leaves no process behind.
class Process {
public:
    Process() = default;
    ~Process() { kill(SIGKILL); }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    void start(const std::vector<std::string>& args, const std::string& log) { pid_ = triage::test::spawn(args, log); }
    // Sends `signal` and waits: the exit status, or 128 + the signal that ended it.
    int kill(int signal) {
        if (pid_ <= 0) return -1;
        ::kill(pid_, signal);
        const int status = triage::test::wait_exit(pid_);
        pid_ = -1;
        return status;
    }

private:
    pid_t pid_ = -1;
};

using Client = triage::test::NatsClient;
using triage::test::NatsCluster;

using triage::test::example;
using triage::test::lines_of;

// Publishes the mentions in order, 500 every 200 ms (about 2,500 a second, so the run lasts long
// enough for the faults), each with Nats-Msg-Id "mention-N"; `done` once all are stored.
class Publisher {
public:
    Publisher(Client& client, const std::vector<std::string>& lines)
        : thread_([this, &client, &lines] {
              for (std::size_t i = 0; i < lines.size(); ++i) {
                  if (!client.try_publish("mentions.in", lines[i], ("mention-" + std::to_string(i + 1)).c_str())) {
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

// Stops every worker with SIGTERM (each drains and exits 0) and sums the counts of their logs:
// mentions redelivered, and of those the ones already published.
std::pair<std::uint64_t, std::uint64_t> stop_and_count(std::vector<Process>& workers,
                                                       const std::vector<std::string>& logs) {
    std::uint64_t redelivered = 0, duplicates = 0;
    for (std::size_t w = 0; w < workers.size(); ++w) {
        CHECK(workers[w].kill(SIGTERM) == 0);
        auto [r, d] = redelivered_and_duplicates(logs[w]);
        redelivered += r, duplicates += d;
    }
    return {redelivered, duplicates};
}

}  // namespace

TEST_CASE("nats worker: 3 workers, one killed with SIGKILL every second and restarted: one decision per mention") {
    WorkDir dir;
    NatsCluster server(dir.path, 1);
    server.start_all();
    Client client(server.url(0));
    client.add_stream("MENTIONS", "mentions.in");
    client.add_stream("DECISIONS", "decisions.>");
    const std::vector<std::string> lines = triage::test::care_mentions(dir.path, mention_count);
    const std::vector<std::string> args = worker_args(server.url(0));

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
        Client own(server.url(0));
        for (std::size_t i = 0; i < lines.size(); ++i)
            CHECK(own.try_publish("mentions.in", lines[i], ("mention-" + std::to_string(i + 1)).c_str()));
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
    const auto [redelivered, duplicates] = stop_and_count(workers, logs);
    // The last victim died holding a batch: the workers that finished took it over.
    CHECK(redelivered > 0);
    MESSAGE(kills << " workers killed; the last workers took over " << redelivered << " mentions, " << duplicates
                  << " of them already published");
    CHECK(client.messages("MENTIONS") == mention_count);  // the publisher's retries stored none twice
    triage::test::check_one_decision_each(client, dir.path, mention_count, now_text);
}

TEST_CASE("nats worker: a 3-node cluster, R3 streams, the output stream's leader killed and restarted: one decision each") {
    WorkDir dir;
    NatsCluster cluster(dir.path, 3);
    cluster.start_all();
    Client client(cluster.urls());
    client.add_stream("MENTIONS", "mentions.in", 3);
    client.add_stream("DECISIONS", "decisions.>", 3);
    const std::vector<std::string> lines = triage::test::care_mentions(dir.path, mention_count);
    const std::vector<std::string> args = worker_args(cluster.urls());

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
        REQUIRE(!killed.empty());
        const std::size_t victim = cluster.node_named(killed);
        CHECK(cluster.stop(victim, SIGKILL) == 128 + SIGKILL);
        CHECK(decided_before < static_cast<std::uint64_t>(mention_count));  // killed mid-run
        std::this_thread::sleep_for(3s);
        cluster.start(victim);
    }
    CHECK(wait_until_decided(client, mention_count));
    const auto [redelivered, duplicates] = stop_and_count(workers, logs);
    // Whether a publish was cut off (and so redelivered) depends on the moment of the kill.
    MESSAGE("killed and restarted " << killed << "; " << redelivered << " redelivered, " << duplicates
                                    << " dropped as duplicates");
    CHECK(client.messages("MENTIONS") == mention_count);  // the publisher's retries stored none twice
    triage::test::check_one_decision_each(client, dir.path, mention_count, now_text);
}
