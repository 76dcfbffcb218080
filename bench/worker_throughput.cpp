// `triage worker` end to end through NATS JetStream (issue 19), started by hand (not a test):
//
//   triage_worker_throughput TRIAGE FLOW [MENTIONS] [WORKER COUNTS]   defaults: 100000, "1,3"
//
// For each worker count, on a fresh nats-server -js (loopback, file store under a temporary
// directory, stopped afterwards):
//   throughput: MENTIONS generated mentions (`triage gen FLOW --seed 19`) are stored in the input
//     stream first; then the workers start; decisions/s = MENTIONS / (the last decision received
//     - the workers' start). The workers' start-up (well under 100 ms) is inside that time.
//   latency: the workers run first; the mentions are published at half the throughput just
//     measured, paced; latency = a decision's arrival at this program (a core subscription to the
//     output subject) - the moment its mention's publish was sent. p50, p99 and max are printed.
// Decisions are matched to mentions by Nats-Msg-Id, which a worker sets to the mention's input
// sequence. After the throughput phase the output stream is read back: it must hold exactly one
// decision per mention (one message per Nats-Msg-Id, none missing), and as a set they must equal
// the lines `triage run` writes for the same mentions with the same --now; otherwise the program
// fails. The load average before and after each phase is printed: the machine may be shared.
#include "nats_stream.hpp"  // tests/: reading a stream back, shared with the tests
#include "spawn.hpp"        // tests/: posix_spawnp and free loopback ports, shared with the tests

#include <nats/nats.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using triage::test::free_port;
using triage::test::spawn;
using triage::test::wait_exit;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* now_text = "2026-11-20T12:00:00Z";  // the workers' and triage run's --now

[[noreturn]] void fail(const std::string& why) { throw std::runtime_error(why); }

void check(natsStatus s, const char* what) {
    if (s != NATS_OK) fail(std::string(what) + ": " + natsStatus_GetText(s));
}

void stop(pid_t pid, int signal) {
    ::kill(pid, signal);
    (void)wait_exit(pid);
}

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one, five;
    in >> one >> five;
    return one + " (1 min), " + five + " (5 min)";
}

// What the output subject brought: the arrival time of each decision, by input sequence.
struct Arrivals {
    std::vector<Clock::time_point> at;  // index: sequence - 1
    std::atomic<std::size_t> count{0};
};

void on_decision(natsConnection*, natsSubscription*, natsMsg* message, void* closure) {
    auto* arrivals = static_cast<Arrivals*>(closure);
    const Clock::time_point now = Clock::now();
    const char* id = nullptr;
    if (natsMsgHeader_Get(message, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) {
        std::size_t sequence = std::strtoull(id, nullptr, 10);
        if (sequence >= 1 && sequence <= arrivals->at.size() && arrivals->at[sequence - 1] == Clock::time_point{}) {
            arrivals->at[sequence - 1] = now;
            ++arrivals->count;
        }
    }
    natsMsg_Destroy(message);
}

// One nats-server with the two streams, a connection to it and a subscription to the decisions.
class Deployment {
public:
    Deployment(const std::filesystem::path& dir, std::size_t mentions) : port_(free_port()) {
        arrivals_.at.assign(mentions, Clock::time_point{});
        server_ = spawn({"nats-server", "-a", "127.0.0.1", "-p", std::to_string(port_), "-js", "-sd",
                         (dir / "store").string()},
                        (dir / "nats-server.log").string());
        natsStatus s = NATS_ERR;
        for (int i = 0; i < 100 && s != NATS_OK; ++i) {
            std::this_thread::sleep_for(50ms);
            s = natsConnection_ConnectTo(&connection_, url().c_str());
        }
        check(s, "connecting to nats-server");
        check(natsConnection_JetStream(&js_, connection_, nullptr), "JetStream");
        add_stream("MENTIONS", "mentions.in");
        add_stream("DECISIONS", "decisions.>");
        check(natsConnection_Subscribe(&subscription_, connection_, "decisions.>", on_decision, &arrivals_),
              "subscribing to decisions");
        natsSubscription_SetPendingLimits(subscription_, -1, -1);
    }
    ~Deployment() {
        natsSubscription_Destroy(subscription_);
        jsCtx_Destroy(js_);
        natsConnection_Destroy(connection_);
        stop(server_, SIGTERM);
    }
    Deployment(const Deployment&) = delete;
    Deployment& operator=(const Deployment&) = delete;

    [[nodiscard]] std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] jsCtx* js() const { return js_; }
    Arrivals& arrivals() { return arrivals_; }

    void publish_async(const std::string& line) {
        check(js_PublishAsync(js_, "mentions.in", line.data(), static_cast<int>(line.size()), nullptr),
              "publishing a mention");
    }
    void wait_published() {
        jsPubOptions options;
        jsPubOptions_Init(&options);
        options.MaxWait = 120'000;
        check(js_PublishAsyncComplete(js_, &options), "waiting for publish acks");
    }
    // Waits until every decision arrived (or two minutes without progress).
    void wait_decided() {
        std::size_t last = 0;
        Clock::time_point progress = Clock::now();
        while (arrivals_.count < arrivals_.at.size()) {
            std::this_thread::sleep_for(10ms);
            if (arrivals_.count != last) last = arrivals_.count, progress = Clock::now();
            if (Clock::now() - progress > 120s) fail("no decision for two minutes");
        }
    }

private:
    void add_stream(const char* name, const char* subject) {
        jsStreamConfig config;
        jsStreamConfig_Init(&config);
        config.Name = name;
        config.Subjects = &subject;
        config.SubjectsLen = 1;
        jsStreamInfo* info = nullptr;
        check(js_AddStream(&info, js_, &config, nullptr, nullptr), "adding a stream");
        jsStreamInfo_Destroy(info);
    }

    int port_;
    pid_t server_ = -1;
    natsConnection* connection_ = nullptr;
    jsCtx* js_ = nullptr;
    natsSubscription* subscription_ = nullptr;
    Arrivals arrivals_;
};

struct Setup {
    std::string triage, flow;
    std::filesystem::path dir;
    std::vector<std::string> lines;
};

// `triage worker` processes, stopped with SIGTERM (they drain) when destroyed.
struct Workers {
    std::vector<pid_t> pids;
    Workers() = default;
    ~Workers() {
        for (pid_t pid : pids) ::kill(pid, SIGTERM);
        for (pid_t pid : pids) (void)wait_exit(pid);
    }
    Workers(const Workers&) = delete;
    Workers& operator=(const Workers&) = delete;
};

void start_workers(Workers& out, const Setup& setup, const Deployment& d, int workers) {
    for (int w = 0; w < workers; ++w)
        out.pids.push_back(spawn({setup.triage, "worker", setup.flow, "--nats", d.url(), "--stream", "MENTIONS",
                              "--subject-in", "mentions.in", "--subject-out", "decisions.out", "--now",
                              now_text, "-q"},
                             (setup.dir / "workers.log").string()));
}

std::vector<std::string> read_lines(const std::filesystem::path& file) {
    std::vector<std::string> lines;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The output stream holds exactly one decision per mention, and they are `triage run`'s.
void check_decisions(const Setup& setup, const Deployment& d, const std::filesystem::path& dir) {
    // A decision reaches the bench's core subscription and the stream separately.
    const Clock::time_point give_up = Clock::now() + 30s;
    while (triage::test::stream_messages(d.js(), "DECISIONS") < setup.lines.size() && Clock::now() < give_up)
        std::this_thread::sleep_for(10ms);
    const std::vector<triage::test::StoredMessage> stored = triage::test::read_stream(d.js(), "DECISIONS");
    std::set<std::string> ids;
    std::multiset<std::string> published;
    for (const triage::test::StoredMessage& m : stored) {
        ids.insert(m.id);
        published.insert(m.data);
    }
    const std::size_t count = setup.lines.size();
    if (ids.size() != stored.size()) fail(std::to_string(stored.size() - ids.size()) + " mentions decided twice");
    for (std::size_t sequence = 1; sequence <= count; ++sequence)
        if (ids.count(std::to_string(sequence)) == 0) fail("mention " + std::to_string(sequence) + " has no decision");
    if (stored.size() != count) fail(std::to_string(stored.size()) + " decisions stored for " + std::to_string(count));
    const std::filesystem::path out = dir / "run.jsonl";
    const pid_t run = spawn({setup.triage, "run", "-q", "-j", "1", "--now", now_text, setup.flow,
                             (setup.dir / "mentions.jsonl").string()},
                            out.string(), true);
    if (wait_exit(run) != 0) fail("triage run failed");
    const std::vector<std::string> expected_lines = read_lines(out);
    const std::multiset<std::string> expected(expected_lines.begin(), expected_lines.end());
    if (published != expected) {
        const auto [mine, theirs] = std::mismatch(published.begin(), published.end(), expected.begin(), expected.end());
        fail("the workers' decisions differ from triage run's: " + (mine != published.end() ? *mine : "(none)") +
             " against " + (theirs != expected.end() ? *theirs : "(none)"));
    }
    std::printf("    the output stream holds exactly one decision per mention, equal as a set to triage run's\n");
}

double throughput(const Setup& setup, int workers) {
    std::filesystem::path dir = setup.dir / ("throughput-" + std::to_string(workers));
    std::filesystem::create_directories(dir);
    Deployment d(dir, setup.lines.size());
    for (const std::string& line : setup.lines) d.publish_async(line);
    d.wait_published();
    std::printf("  throughput, %d worker(s): load before %s\n", workers, load_average().c_str());
    const Clock::time_point start = Clock::now();
    Workers pids;
    start_workers(pids, setup, d, workers);
    d.wait_decided();
    const Clock::time_point last = *std::max_element(d.arrivals().at.begin(), d.arrivals().at.end());
    const double seconds = std::chrono::duration<double>(last - start).count();
    const double rate = static_cast<double>(setup.lines.size()) / seconds;
    std::printf("    %zu decisions in %.2f s: %.0f decisions/s; load after %s\n", setup.lines.size(), seconds, rate,
                load_average().c_str());
    check_decisions(setup, d, dir);
    return rate;
}

void latency(const Setup& setup, int workers, double rate) {
    std::filesystem::path dir = setup.dir / ("latency-" + std::to_string(workers));
    std::filesystem::create_directories(dir);
    Deployment d(dir, setup.lines.size());
    Workers pids;
    start_workers(pids, setup, d, workers);
    std::this_thread::sleep_for(500ms);  // the workers connected and bound the consumer
    std::printf("  latency, %d worker(s), %.0f mentions/s offered: load before %s\n", workers, rate,
                load_average().c_str());
    std::vector<Clock::time_point> sent(setup.lines.size());
    const Clock::time_point start = Clock::now();
    for (std::size_t i = 0; i < setup.lines.size(); ++i) {
        std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                  std::chrono::duration<double>(static_cast<double>(i) / rate)));
        sent[i] = Clock::now();
        d.publish_async(setup.lines[i]);
    }
    d.wait_published();
    d.wait_decided();
    std::vector<double> ms;
    for (std::size_t i = 0; i < sent.size(); ++i)
        ms.push_back(std::chrono::duration<double, std::milli>(d.arrivals().at[i] - sent[i]).count());
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
    std::printf("    publish -> decision: p50 %.2f ms, p99 %.2f ms, max %.2f ms; load after %s\n", at(0.5), at(0.99),
                ms.back(), load_average().c_str());
}

std::vector<std::string> generate(const Setup& setup, std::size_t count) {
    const std::string file = (setup.dir / "mentions.jsonl").string();
    pid_t gen = spawn({setup.triage, "gen", setup.flow, "--seed", "19", "-n", std::to_string(count)}, file, true);
    if (wait_exit(gen) != 0) fail("triage gen failed");
    std::vector<std::string> lines = read_lines(file);
    if (lines.size() != count) fail("triage gen wrote " + std::to_string(lines.size()) + " lines");
    return lines;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s TRIAGE FLOW [MENTIONS] [WORKER COUNTS, e.g. 1,3]\n", argv[0]);
        return 2;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it comes, also into a file
    Setup setup{argv[1], argv[2], {}, {}};
    const std::size_t count = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 100'000;
    std::vector<int> worker_counts;
    std::istringstream counts(argc > 4 ? argv[4] : "1,3");
    for (std::string n; std::getline(counts, n, ',');) worker_counts.push_back(std::atoi(n.c_str()));
    std::string pattern = (std::filesystem::temp_directory_path() / "triage-worker-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return 1;
    setup.dir = pattern;
    int status = 0;
    try {
        setup.lines = generate(setup, count);
        std::printf("%zu mentions of %s; %u cores\n", count, setup.flow.c_str(), std::thread::hardware_concurrency());
        for (int workers : worker_counts) {
            const double rate = throughput(setup, workers);
            latency(setup, workers, rate / 2);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "triage_worker_throughput: %s\n", e.what());
        status = 1;
    }
    std::filesystem::remove_all(setup.dir);
    return status;
}
