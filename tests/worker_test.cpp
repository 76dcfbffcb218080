// triage worker against real nats-server processes (JetStream, loopback, a temporary store):
// every mention gets exactly one decision, the same as `triage run` gives it, also when a
// mention is delivered again after its worker died between publishing and acking. The cases
// that start a server are named "nats worker: ..." and run in the Release build only (.ci/run).
#include "nats_fixture.hpp"
#include "support.hpp"

#include "triage/compile.hpp"
#include "triage/decision_format.hpp"
#include "triage/time.hpp"
#include "triage/worker.hpp"

#include <doctest/doctest.h>
#include <nats/nats.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

namespace {

using namespace std::chrono_literals;
using triage::test::TempDir;
using triage::test::NatsServer;
using triage::test::spawn;
using triage::test::wait_exit;
using Client = triage::test::NatsClient;

const std::string now_text = "2026-11-20T12:00:00Z";

using triage::test::example;
using triage::test::lines_of;

triage::Flow compile(const std::string& path) {
    triage::CompileResult result = triage::compile_file(path);
    REQUIRE(result.ok());
    return *result.flow;
}

triage::StreamOptions fixed_now() {
    triage::StreamOptions options;
    options.now = triage::parse_time(now_text);
    return options;
}

struct Deployment {
    std::string url;
    std::string token;
};

triage::WorkerOptions worker_options(const Deployment& d) {
    triage::WorkerOptions options;
    options.nats.url = d.url;
    options.nats.token = d.token;
    options.stream = "MENTIONS";
    options.subject_in = "mentions.in";
    options.subject_out = "decisions.out";
    options.error_subject = "decisions.errors";
    options.fetch_wait = 200ms;
    return options;
}

// Runs `workers` threads until the output stream holds `expected` messages and the consumer has
// every mention acked (or a minute passes), then stops them; their summaries.
std::vector<triage::WorkerSummary> run_workers(int workers, const triage::WorkerOptions& options,
                                               const Client& client, std::uint64_t expected) {
    const triage::Flow flow = compile(example("customer_care.flow"));
    std::atomic<bool> stop{false};
    std::vector<triage::WorkerSummary> summaries(static_cast<std::size_t>(workers));
    std::vector<std::thread> threads;
    for (auto& summary : summaries)
        threads.emplace_back([&] {
            triage::Stream stream(flow, fixed_now());
            summary = triage::run_worker(stream, options, stop);
        });
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline &&
           !(client.messages("DECISIONS") >= expected && client.consumer_done("MENTIONS", options.durable)))
        std::this_thread::sleep_for(50ms);
    stop = true;
    for (std::thread& t : threads) t.join();
    for (const auto& summary : summaries) CHECK(summary.failure == "");
    return summaries;
}

}  // namespace

TEST_CASE("nats worker: one worker and then three decide every mention once, as triage run does") {
    TempDir dir;
    NatsServer server(dir);
    Client client(server.url());
    client.add_stream("MENTIONS", "mentions.in");
    client.add_stream("DECISIONS", "decisions.>");
    const int count = 3000;
    std::vector<std::string> lines = triage::test::care_mentions(dir.path, count);
    const triage::WorkerOptions options = worker_options({server.url(), ""});

    for (int i = 0; i < count / 3; ++i) client.publish("mentions.in", lines[static_cast<std::size_t>(i)]);
    std::vector<triage::WorkerSummary> one = run_workers(1, options, client, count / 3);
    CHECK(one[0].decided + one[0].errors == count / 3);
    CHECK(one[0].errors == 1);  // "not json"

    for (int i = count / 3; i < count; ++i) client.publish("mentions.in", lines[static_cast<std::size_t>(i)]);
    std::vector<triage::WorkerSummary> three = run_workers(3, options, client, count);
    std::uint64_t handled = 0;
    for (const triage::WorkerSummary& s : three) {
        handled += s.decided + s.errors;
        CHECK(s.duplicates == 0);
    }
    CHECK(handled == count - count / 3);
    triage::test::check_one_decision_each(client, dir.path, count, now_text);
}

TEST_CASE("nats worker: a mention delivered again after its worker died before the ack gives no second decision") {
    TempDir dir;
    NatsServer server(dir);
    Client client(server.url());
    client.add_stream("MENTIONS", "mentions.in");
    client.add_stream("DECISIONS", "decisions.>");
    const int count = 200;
    std::vector<std::string> lines = triage::test::care_mentions(dir.path, count);
    for (const std::string& line : lines) client.publish("mentions.in", line);
    triage::WorkerOptions options = worker_options({server.url(), ""});
    // Short enough for the dead worker's mention to come back soon, long enough that the live
    // worker acks a batch of its own in time on a loaded machine (a second delivery of one of
    // those would be a second duplicate; seen with 1 s and batches of 100).
    options.ack_wait = 3s;
    options.batch = 10;

    // A worker that published the first mention's decision and died before acking it: the same
    // consumer as the workers make, one mention pulled, its decision published, no ack.
    {
        jsConsumerConfig config;
        jsConsumerConfig_Init(&config);
        config.Durable = options.durable.c_str();
        config.AckPolicy = js_AckExplicit;
        config.AckWait = std::chrono::nanoseconds(options.ack_wait).count();
        config.MaxDeliver = options.max_deliver;
        config.FilterSubject = options.subject_in.c_str();
        jsConsumerInfo* info = nullptr;
        REQUIRE(js_AddConsumer(&info, client.js(), "MENTIONS", &config, nullptr, nullptr) == NATS_OK);
        jsConsumerInfo_Destroy(info);
        jsSubOptions sub_options;
        jsSubOptions_Init(&sub_options);
        sub_options.Stream = "MENTIONS";
        sub_options.Consumer = options.durable.c_str();
        natsSubscription* sub = nullptr;
        REQUIRE(js_PullSubscribe(&sub, client.js(), "mentions.in", options.durable.c_str(), nullptr, &sub_options,
                                 nullptr) == NATS_OK);
        natsMsgList pulled{};
        REQUIRE(natsSubscription_Fetch(&pulled, sub, 1, 5000, nullptr) == NATS_OK);
        REQUIRE(pulled.Count == 1);
        triage::Stream stream(compile(example("customer_care.flow")), fixed_now());
        triage::Decision decision;
        REQUIRE(stream.decide(std::string_view(natsMsg_GetData(pulled.Msgs[0])), decision));
        std::string line;
        triage::DecisionJson(stream.flow()).append(line, decision, 1, stream.id());
        client.publish("decisions.out", line, triage::worker_message_id(1).c_str());
        natsMsgList_Destroy(&pulled);
        natsSubscription_Destroy(sub);
    }
    std::vector<triage::WorkerSummary> summaries = run_workers(1, options, client, count);
    CHECK(summaries[0].redelivered == 1);
    CHECK(summaries[0].duplicates == 1);
    CHECK(summaries[0].decided + summaries[0].errors == count);
    triage::test::check_one_decision_each(client, dir.path, count, now_text);
}

TEST_CASE("nats worker: a publish that keeps failing goes to the dead-letter subject on the last delivery") {
    TempDir dir;
    NatsServer server(dir);
    Client client(server.url());
    client.add_stream("MENTIONS", "mentions.in");
    client.add_stream("DECISIONS", "decisions.>");
    std::vector<std::string> lines = triage::test::care_mentions(dir.path, 12);
    for (const std::string& line : lines) client.publish("mentions.in", line);
    triage::WorkerOptions options = worker_options({server.url(), ""});
    options.subject_out = "nowhere.out";  // no stream captures it: no publish ack
    options.error_subject = "";
    options.max_deliver = 2;
    options.dead_letter = "decisions.dead";
    std::vector<triage::WorkerSummary> summaries = run_workers(1, options, client, lines.size());
    CHECK(summaries[0].dead_lettered == lines.size());
    CHECK(summaries[0].not_acked == lines.size());  // the first delivery of each
    CHECK(summaries[0].publish_problem.find("nowhere.out") != std::string::npos);
    std::vector<Client::Stored> stored = client.read_all("DECISIONS");
    REQUIRE(stored.size() == lines.size());
    std::multiset<std::string> dead, sent(lines.begin(), lines.end());
    for (const auto& s : stored) dead.insert(s.data);
    CHECK(dead == sent);
}

TEST_CASE("nats worker: in a batch whose publishes partly fail, only the mentions whose own publish was stored "
          "are acked") {
    TempDir dir;
    NatsServer server(dir);
    Client client(server.url());
    client.add_stream("MENTIONS", "mentions.in");
    client.add_stream("DECISIONS", "decisions.>");
    const int count = 60;  // one batch: "not json" is mention 11, {"text": 42} mention 31
    std::vector<std::string> lines = triage::test::care_mentions(dir.path, count);
    for (const std::string& line : lines) client.publish("mentions.in", line);
    triage::WorkerOptions options = worker_options({server.url(), ""});
    options.error_subject = "nowhere.errors";  // no stream captures it: the error records' publishes fail
    options.max_deliver = 2;
    options.dead_letter = "decisions.dead";
    std::vector<triage::WorkerSummary> summaries = run_workers(1, options, client, lines.size());
    const triage::WorkerSummary& s = summaries[0];
    CHECK(s.decided == count - 2);
    CHECK(s.errors == 0);
    CHECK(s.not_acked == 2);      // the two error records' first deliveries
    CHECK(s.redelivered == 2);    // only those: the decisions of their batch were acked
    CHECK(s.dead_lettered == 2);  // on their last delivery
    CHECK(s.duplicates == 0);
    CHECK(s.publish_problem.find("nowhere.errors") != std::string::npos);

    std::set<std::string> decided, dead;
    for (const Client::Stored& stored : client.read_all("DECISIONS")) {
        std::set<std::string>& into = stored.id.rfind("dead-letter-", 0) == 0 ? dead : decided;
        CHECK_MESSAGE(into.insert(stored.id).second, "stored twice: " << stored.id);
    }
    std::set<std::string> expected_decided;
    for (int i = 1; i <= count; ++i)
        if (i != 11 && i != count / 2 + 1)
            expected_decided.insert(triage::worker_message_id(static_cast<std::uint64_t>(i)));
    CHECK(decided == expected_decided);
    CHECK(dead == std::set<std::string>{"dead-letter-11", "dead-letter-" + std::to_string(count / 2 + 1)});
}

TEST_CASE("nats worker: a token-protected server, through the CLI, which drains and exits 0 on SIGTERM") {
    TempDir dir;
    const std::string token = "s3cret-token";
    NatsServer server(dir, token);
    Client client(server.url(), token);
    client.add_stream("MENTIONS", "mentions.in");
    client.add_stream("DECISIONS", "decisions.>");
    const int count = 100;
    std::vector<std::string> lines = triage::test::care_mentions(dir.path, count);
    for (const std::string& line : lines) client.publish("mentions.in", line);

    std::vector<std::string> args{TRIAGE_CLI_PATH, "worker", example("customer_care.flow"), "--nats", server.url(),
                                  "--stream", "MENTIONS", "--subject-in", "mentions.in", "--subject-out",
                                  "decisions.out", "--error-subject", "decisions.errors", "--now", now_text};
    // Without the token the server refuses the worker.
    CHECK(wait_exit(spawn(args, dir.file("refused.log"))) == 1);
    CHECK(triage::test::read_file(dir.file("refused.log")).find("Authorization") != std::string::npos);

    args.insert(args.end(), {"--token", token});
    pid_t worker = spawn(args, dir.file("worker.log"));
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline &&
           !(client.messages("DECISIONS") >= count && client.consumer_done("MENTIONS", "triage")))
        std::this_thread::sleep_for(50ms);
    ::kill(worker, SIGTERM);
    CHECK(wait_exit(worker) == 0);
    const std::string log = triage::test::read_file(dir.file("worker.log"));
    CHECK_MESSAGE(log.find("98 decisions and 2 error records published") != std::string::npos, log);
    // It waited for nats.c's threads to end before exiting, and none was left running (leaked).
    CHECK_MESSAGE(log.find("threads did not end") == std::string::npos, log);
    triage::test::check_one_decision_each(client, dir.path, count, now_text);
}

TEST_CASE("nats worker: a worker process killed with SIGKILL mid-run, two more finish: one decision per mention") {
    TempDir dir;
    NatsServer server(dir);
    Client client(server.url());
    client.add_stream("MENTIONS", "mentions.in");
    client.add_stream("DECISIONS", "decisions.>");
    const int count = 2000;
    std::vector<std::string> lines = triage::test::care_mentions(dir.path, count);
    for (const std::string& line : lines) client.publish("mentions.in", line);
    const std::vector<std::string> args{TRIAGE_CLI_PATH, "worker", example("customer_care.flow"), "--nats",
                                        server.url(), "--stream", "MENTIONS", "--subject-in", "mentions.in",
                                        "--subject-out", "decisions.out", "--error-subject", "decisions.errors",
                                        "--now", now_text, "--ack-wait", "1", "--batch", "50"};
    pid_t doomed = spawn(args, dir.file("doomed.log"));
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline && client.messages("DECISIONS") < count / 4)
        std::this_thread::sleep_for(5ms);
    ::kill(doomed, SIGKILL);
    CHECK(wait_exit(doomed) == 128 + SIGKILL);
    const std::uint64_t before = client.messages("DECISIONS");
    CHECK(before < static_cast<std::uint64_t>(count));  // it died with work left

    pid_t second = spawn(args, dir.file("second.log"));
    pid_t third = spawn(args, dir.file("third.log"));
    deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline &&
           !(client.messages("DECISIONS") >= count && client.consumer_done("MENTIONS", "triage")))
        std::this_thread::sleep_for(50ms);
    ::kill(second, SIGTERM);
    ::kill(third, SIGTERM);
    CHECK(wait_exit(second) == 0);
    CHECK(wait_exit(third) == 0);
    triage::test::check_one_decision_each(client, dir.path, count, now_text);
}

TEST_CASE("worker: a flow that keeps state is refused before connecting") {
    triage::Stream stream(compile(example("crisis.flow")));
    std::atomic<bool> stop{false};
    triage::WorkerOptions options;
    options.nats.url = "nats://127.0.0.1:1";
    triage::WorkerSummary summary = triage::run_worker(stream, options, stop);
    CHECK(summary.failure.find("keeps state") != std::string::npos);
}
