// A worker's operations: the Prometheus text and stats JSON it shows, its JSON log lines and its
// HTTP port (these cases need no server), then a `triage worker` process against a real
// nats-server on loopback: /healthz 200 while it runs and 503 once the server is gone, /metrics
// counting the mentions it decided, the stats subject answering the same numbers, and its log one
// JSON object per line. The case that starts a server is named "nats worker: ..." and runs in the
// Release build only (.ci/run).
#include "nats_fixture.hpp"
#include "support.hpp"

#include "worker_http.hpp"
#include "worker_log.hpp"
#include "worker_metrics.hpp"

#include <doctest/doctest.h>
#include <nats/nats.h>
#include <simdjson.h>

#if TRIAGE_WITH_HTTPLIB
#include <httplib.h>
#endif

#include <signal.h>

#include <chrono>
#include <map>
#include <sstream>
#include <thread>

namespace {

using namespace std::chrono_literals;
using triage::test::TempDir;

using triage::test::lines_of;

// The samples of a Prometheus text exposition, by metric name; checks the format on the way:
// every sample is announced by its HELP and TYPE lines, and names carry the triage_worker_ prefix.
std::map<std::string, double> parse_exposition(const std::string& text) {
    std::map<std::string, double> samples;
    std::string help, type;
    for (const std::string& line : lines_of(text)) {
        REQUIRE(!line.empty());
        std::istringstream in(line);
        if (line.rfind("# HELP ", 0) == 0) {
            help = line.substr(7, line.find(' ', 7) - 7);
            continue;
        }
        if (line.rfind("# TYPE ", 0) == 0) {
            std::string hash, word, name, kind;
            in >> hash >> word >> name >> kind;
            CHECK(name == help);
            CHECK((kind == "counter" || kind == "gauge"));
            if (kind == "counter") CHECK(name.ends_with("_total"));
            type = name;
            continue;
        }
        std::string name;
        double value = -1;
        in >> name >> value;
        REQUIRE_MESSAGE(!in.fail(), line);
        CHECK(name.rfind("triage_worker_", 0) == 0);
        CHECK_MESSAGE(name == type, "no TYPE line before " << name);
        CHECK(samples.count(name) == 0);
        samples[name] = value;
    }
    return samples;
}

// A flat JSON object of numbers (and the worker's name) as the stats subject answers.
std::map<std::string, double> parse_stats(const std::string& json, std::string& worker) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    REQUIRE_MESSAGE(parser.parse(json).get(object) == simdjson::SUCCESS, json);
    std::map<std::string, double> stats;
    for (auto [key, value] : object) {
        if (key == "worker") {
            worker = std::string(std::string_view(value));
            continue;
        }
        double number = 0;
        if (value.get(number) != simdjson::SUCCESS) number = static_cast<double>(std::int64_t(value));
        stats["triage_worker_" + std::string(key)] = number;
    }
    return stats;
}

}  // namespace

TEST_CASE("worker metrics: the Prometheus exposition and the stats JSON show the same counters") {
    triage::detail::WorkerMetrics metrics("w1");
    triage::WorkerSummary summary;
    summary.decided = 41;
    summary.errors = 2;
    summary.redelivered = 3;
    summary.duplicates = 1;
    summary.dead_lettered = 4;
    summary.not_acked = 5;
    metrics.record(summary);
    metrics.consumer_pending = 17;
    metrics.partitions_held = 2;
    metrics.connected = true;

    const std::map<std::string, double> samples = parse_exposition(triage::detail::prometheus_text(metrics));
    CHECK(samples.at("triage_worker_decisions_total") == 41);
    CHECK(samples.at("triage_worker_error_records_total") == 2);
    CHECK(samples.at("triage_worker_redeliveries_total") == 3);
    CHECK(samples.at("triage_worker_duplicates_total") == 1);
    CHECK(samples.at("triage_worker_dead_lettered_total") == 4);
    CHECK(samples.at("triage_worker_not_acked_total") == 5);
    CHECK(samples.at("triage_worker_consumer_pending_messages") == 17);
    CHECK(samples.at("triage_worker_partitions_held") == 2);
    CHECK(samples.at("triage_worker_connected") == 1);
    CHECK(samples.at("triage_worker_consuming") == 0);
    CHECK(samples.at("triage_worker_uptime_seconds") >= 0);

    std::string worker;
    std::map<std::string, double> stats = parse_stats(triage::detail::stats_json(metrics), worker);
    CHECK(worker == "w1");
    std::map<std::string, double> comparable = samples;
    stats.erase("triage_worker_uptime_seconds");  // read a moment apart
    comparable.erase("triage_worker_uptime_seconds");
    CHECK(stats == comparable);
    CHECK(!metrics.healthy());
}

TEST_CASE("worker metrics: a JSON log line is one object with time, level, event, worker and fields") {
    const triage::detail::WorkerLog log(triage::LogFormat::json, false, "w\"1");
    const std::string line = log.line(triage::detail::LogLevel::warn, "publish_failed", "a \"quoted\" problem\n",
                                      {{"count", std::uint64_t{3}}, {"subject", std::string_view("x.y")}});
    CHECK(line.find('\n') == std::string::npos);
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    REQUIRE(parser.parse(line).get(object) == simdjson::SUCCESS);
    CHECK(std::string_view(object["level"]) == "warn");
    CHECK(std::string_view(object["event"]) == "publish_failed");
    CHECK(std::string_view(object["worker"]) == "w\"1");
    CHECK(std::string_view(object["message"]) == "a \"quoted\" problem\n");
    CHECK(std::int64_t(object["count"]) == 3);
    CHECK(std::string_view(object["subject"]) == "x.y");
    const std::string_view time = object["time"];
    CHECK(time.size() == 24);  // 2026-12-01T03:12:16.123Z
    CHECK(time.back() == 'Z');
    const triage::detail::WorkerLog text(triage::LogFormat::text, false, "w1");
    CHECK(text.line(triage::detail::LogLevel::info, "stopped", "done", {}) == "triage worker: done");
}

TEST_CASE("worker metrics: --http addresses") {
    std::string host;
    int port = -1;
    CHECK(triage::detail::split_http_address("127.0.0.1:9464", host, port));
    CHECK(host == "127.0.0.1");
    CHECK(port == 9464);
    CHECK(triage::detail::split_http_address("[::1]:0", host, port));
    CHECK(host == "::1");
    CHECK(port == 0);
    CHECK(!triage::detail::split_http_address("9464", host, port));
    CHECK(!triage::detail::split_http_address(":9464", host, port));
    CHECK(!triage::detail::split_http_address("localhost:", host, port));
    CHECK(!triage::detail::split_http_address("localhost:99999", host, port));
    CHECK(!triage::detail::split_http_address("localhost:12ab", host, port));
}

#if TRIAGE_WITH_HTTPLIB
TEST_CASE("worker metrics: the HTTP port answers 503 until connected and consuming, then 200") {
    auto metrics = std::make_shared<triage::detail::WorkerMetrics>("w1");
    triage::detail::HttpEndpoint endpoint(metrics);
    REQUIRE(endpoint.start("127.0.0.1:0") == "");
    REQUIRE(endpoint.port() > 0);
    httplib::Client client("127.0.0.1", endpoint.port());
    auto health = client.Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 503);
    CHECK(health->body.find("\"status\":\"unavailable\"") != std::string::npos);
    metrics->connected = true;
    metrics->consuming = true;
    metrics->decisions = 7;
    health = client.Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
    CHECK(health->body.find("\"status\":\"ok\"") != std::string::npos);
    auto scrape = client.Get("/metrics");
    REQUIRE(scrape);
    CHECK(scrape->status == 200);
    CHECK(scrape->get_header_value("Content-Type").find("version=0.0.4") != std::string::npos);
    CHECK(parse_exposition(scrape->body).at("triage_worker_decisions_total") == 7);
    CHECK(client.Get("/nothing")->status == 404);

    triage::detail::HttpEndpoint taken(metrics);
    CHECK(taken.start("127.0.0.1:" + std::to_string(endpoint.port())).find("cannot listen") != std::string::npos);
    CHECK(taken.start("nowhere").find("HOST:PORT") != std::string::npos);
}
#endif

#if TRIAGE_WITH_HTTPLIB
namespace {

using triage::test::NatsClient;
using triage::test::NatsServer;
using triage::test::spawn;

// Sends `signal` to `pid` and waits: its exit status, or 128 + the signal that ended it.
int stop_process(pid_t pid, int signal) {
    ::kill(pid, signal);
    return triage::test::wait_exit(pid);
}

template <typename Condition>
bool eventually(Condition condition, std::chrono::seconds limit = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return condition();
}

}  // namespace

TEST_CASE("nats worker: /healthz, /metrics, the stats subject and JSON logs of a worker process") {
    TempDir dir;
    NatsServer server(dir);
    const std::string url = server.url();
    int count = 300;
    {
        NatsClient nats(url);
        nats.add_stream("MENTIONS", "mentions.in");
        nats.add_stream("DECISIONS", "decisions.>");
        triage::test::CliRun gen = triage::test::run_triage(
            "gen " + triage::test::quoted((triage::test::source_dir() / "examples" / "customer_care.flow").string()) +
            " --seed 7 -n " + std::to_string(count - 1));
        REQUIRE(gen.status == 0);
        std::vector<std::string> lines = lines_of(gen.output);
        lines.insert(lines.begin() + 5, "not json");
        REQUIRE(lines.size() == static_cast<std::size_t>(count));
        for (const std::string& line : lines) nats.publish("mentions.in", line);
    }
    const int http_port = triage::test::free_port();
    const std::string flow = (triage::test::source_dir() / "examples" / "customer_care.flow").string();
    pid_t worker = spawn({TRIAGE_CLI_PATH, "worker", flow, "--nats", url, "--stream", "MENTIONS", "--subject-in",
                          "mentions.in", "--subject-out", "decisions.out", "--error-subject", "decisions.errors",
                          "--name", "w1", "--http", "127.0.0.1:" + std::to_string(http_port), "--log-format", "json",
                          "--stats-interval", "1", "--now", "2026-11-20T12:00:00Z"},
                         dir.file("worker.log"));
    httplib::Client http("127.0.0.1", http_port);
    auto scrape = [&] {
        auto response = http.Get("/metrics");
        REQUIRE(response);
        REQUIRE(response->status == 200);
        return parse_exposition(response->body);
    };
    // Everything decided, and the lag asked for since: nothing pending.
    CHECK(eventually([&] {
        auto response = http.Get("/metrics");
        if (!response) return false;
        std::map<std::string, double> m = parse_exposition(response->body);
        return m["triage_worker_decisions_total"] + m["triage_worker_error_records_total"] == count &&
               m["triage_worker_consumer_pending_messages"] == 0 &&
               m["triage_worker_consumer_ack_pending_messages"] == 0 && m["triage_worker_decisions_per_second"] == 0;
    }));
    auto health = http.Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
    CHECK(health->body == R"({"status":"ok","worker":"w1","connected":true,"consuming":true})");

    std::map<std::string, double> metrics = scrape();
    CHECK(metrics["triage_worker_decisions_total"] == count - 1);
    CHECK(metrics["triage_worker_error_records_total"] == 1);
    CHECK(metrics["triage_worker_connected"] == 1);
    std::string name;
    std::map<std::string, double> stats = parse_stats(NatsClient(url).request("triage.worker.w1.stats"), name);
    CHECK(name == "w1");
    stats.erase("triage_worker_uptime_seconds");
    metrics.erase("triage_worker_uptime_seconds");
    CHECK(stats == metrics);

    // The server goes: the worker is no longer healthy, and says why.
    server.stop();
    CHECK(eventually([&] {
        auto response = http.Get("/healthz");
        return response && response->status == 503;
    }));
    CHECK(http.Get("/healthz")->body.find("\"connected\":false") != std::string::npos);
    CHECK(stop_process(worker, SIGTERM) == 0);

    // The log: one JSON object per line, the events of a worker's life in order.
    std::vector<std::string> events;
    simdjson::dom::parser parser;
    for (const std::string& line : lines_of(triage::test::read_file(dir.file("worker.log")))) {
        simdjson::dom::object object;
        REQUIRE_MESSAGE(parser.parse(line).get(object) == simdjson::SUCCESS, line);
        CHECK(std::string_view(object["worker"]) == "w1");
        CHECK(std::string_view(object["time"]).size() == 24);
        const std::string_view level = object["level"];
        CHECK((level == "info" || level == "warn" || level == "error"));
        events.emplace_back(std::string_view(object["event"]));
        if (events.back() == "stopped") {
            CHECK(std::int64_t(object["decisions"]) == count - 1);
            CHECK(std::int64_t(object["error_records"]) == 1);
        }
    }
    const std::vector<std::string> expected{"starting", "http_listening", "connected", "consuming", "disconnected",
                                            "draining", "stopped"};
    std::vector<std::string> life;
    for (const std::string& event : events)
        if (std::find(expected.begin(), expected.end(), event) != expected.end()) life.push_back(event);
    CHECK(life == expected);
}
#endif
