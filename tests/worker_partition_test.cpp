// Partitioned workers for a flow that keeps state (issue 19 item 2), against real nats-server
// processes: a grouped crisis decided by three worker processes, one killed with SIGKILL in the
// middle of the surges and started again, enters and leaves its crisis at the same mentions as
// `triage run` over each brand's mentions in order; leases are exclusive and taken over when they
// run out; a holder that lost its lease has its snapshot write refused; snapshots survive a
// restart of the server. The cases that start a server are named "nats worker: ..." and run in
// the Release build only (.ci/run).
#include "nats_fixture.hpp"
#include "support.hpp"

#include "triage/compile.hpp"
#include "triage/monitor.hpp"
#include "triage/time.hpp"
#include "triage/worker.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace {

using namespace std::chrono_literals;
using triage::test::NatsClient;
using triage::test::NatsServer;
using triage::test::TempDir;

const std::string now_text = "2026-11-20T12:00:00Z";

// One crisis mode per brand; the flow's only windows are the crisis's, so they count per brand.
const std::string brands_flow = R"(flow "Brands in crisis" version 1

fields {
  text: text
  brand: one of acme, globex, soylent, initech
  posted_at: time
}

clock posted_at tolerance 1m

words outage = "outage", "down"

crisis outage "Outage" by brand {
  when count(text has any outage) over 10m > 20
  leave when count(text has any outage) over 10m < 3
}

start screen

step screen "In crisis?" {
  if in crisis outage -> holding
  else -> chatter
}

outcome holding "Holding statement" {
  tag crisis
}

outcome chatter "Ordinary" {
  tag ordinary
}
)";

// acme and globex share partition 2 of 3, soylent has 1, initech 0 (FNV-1a of the name, mod 3).
const std::vector<std::string> brands{"acme", "globex", "soylent", "initech"};

struct Mention {
    std::string brand;
    std::string line;
};

// `count` mentions three seconds apart, brands interleaved, each brand with a surge of outage
// posts of its own (and a few outside it), so each enters and leaves its crisis mode.
std::vector<Mention> surges(int count) {
    std::vector<Mention> out;
    const triage::TimePoint start = *triage::parse_time("2026-11-20T08:00:00Z");
    for (int i = 0; i < count; ++i) {
        const std::size_t b = static_cast<std::size_t>((i * 7 + i / 13) % 4);
        const int surge_start = count / 10 + static_cast<int>(b) * count / 5;
        const bool in_surge = i >= surge_start && i < surge_start + count / 8;
        const bool outage = (in_surge && i % 2 == 0) || i % 97 == 0;
        const std::string time = triage::format_time(start + std::chrono::seconds(3 * i));
        out.push_back({brands[b], fmt::format(R"({{"text": "{} #{}", "brand": "{}", "posted_at": "{}"}})",
                                              outage ? "the app is down" : "hello", i, brands[b], time)});
    }
    return out;
}

using triage::test::lines_of;

// A decision line numbered as `triage run` numbers it in its brand's file.
std::string renumbered(const std::string& line, std::size_t number) {
    static const std::regex first_line_number(R"(^\{"line":[0-9]+)");
    return std::regex_replace(line, first_line_number, "{\"line\":" + std::to_string(number),
                              std::regex_constants::format_first_only);
}

// Publishes the mentions to mentions.<partition>; stream sequence i + 1 is mention i.
void publish_partitioned(NatsClient& client, const std::vector<Mention>& mentions, std::uint32_t partitions) {
    for (const Mention& m : mentions)
        client.publish(triage::partition_subject("mentions", triage::partition_of(m.brand, partitions)), m.line);
}

// The decisions stored, by their Nats-Msg-Id (the input sequence); each id once.
std::map<std::uint64_t, std::string> decisions_by_sequence(const NatsClient& client) {
    std::map<std::uint64_t, std::string> out;
    for (const NatsClient::Stored& s : client.read_all("DECISIONS")) {
        const std::uint64_t sequence = std::stoull(s.id);
        CHECK_MESSAGE(out.count(sequence) == 0, "two decisions for mention " << sequence);
        out[sequence] = s.data;
    }
    return out;
}

// Each brand's decisions, in its order, are those `triage run RUN-OPTIONS` gives that brand's
// mentions alone; and each brand went into crisis and out of it again.
void check_as_runs_per_brand(const TempDir& dir, const std::vector<Mention>& mentions,
                             const std::map<std::uint64_t, std::string>& decisions,
                             const std::string& run_options = "") {
    REQUIRE(decisions.size() == mentions.size());
    for (const std::string& brand : brands) {
        std::string input;
        std::vector<std::uint64_t> sequences;
        for (std::size_t i = 0; i < mentions.size(); ++i)
            if (mentions[i].brand == brand) {
                input += mentions[i].line + '\n';
                sequences.push_back(i + 1);
            }
        triage::test::write_file(dir.file(brand + ".jsonl"), input);
        triage::test::CliRun run = triage::test::run_triage(
            "run -q -j 1 --now " + now_text + run_options + " " + triage::test::quoted(dir.file("brands.flow")) + " " +
            triage::test::quoted(dir.file(brand + ".jsonl")));
        REQUIRE(run.status == 0);
        const std::vector<std::string> expected = lines_of(run.output);
        REQUIRE(expected.size() == sequences.size());
        std::size_t differing = 0, holding = 0, entered = 0;
        bool was_holding = false;
        for (std::size_t k = 0; k < sequences.size(); ++k) {
            const std::string got = renumbered(decisions.at(sequences[k]), k + 1);
            if (got != expected[k] && differing++ == 0) CHECK_MESSAGE(got == expected[k], brand << " mention " << k + 1);
            const bool is_holding = got.find("\"outcome\":\"holding\"") != std::string::npos;
            holding += is_holding;
            entered += is_holding && !was_holding;
            was_holding = is_holding;
        }
        CHECK_MESSAGE(differing == 0, brand << ": " << differing << " decisions differ from triage run");
        CHECK_MESSAGE(entered >= 1, brand << " never entered its crisis");
        CHECK_MESSAGE(!was_holding, brand << " never left its crisis");
        CHECK(holding < sequences.size() / 2);
    }
}

// The pid in a lease's value ("host:pid"), or -1.
pid_t lease_holder(const NatsClient& client, std::uint32_t partition) {
    kvStore* kv = nullptr;
    if (js_KeyValue(&kv, client.js(), "triage_leases") != NATS_OK) return -1;
    kvEntry* entry = nullptr;
    pid_t pid = -1;
    if (kvStore_Get(&entry, kv, ("triage." + std::to_string(partition)).c_str()) == NATS_OK) {
        const std::string value = kvEntry_ValueString(entry);
        if (const std::size_t colon = value.rfind(':'); colon != std::string::npos && colon + 1 < value.size())
            pid = static_cast<pid_t>(std::stol(value.substr(colon + 1)));
        kvEntry_Destroy(entry);
    }
    kvStore_Destroy(kv);
    return pid;
}

triage::PartitionOptions store_options(const std::string& holder, std::chrono::milliseconds lease_time = 1000ms) {
    triage::PartitionOptions options;
    options.by = "brand";
    options.lease_time = lease_time;
    options.holder = holder;
    return options;
}

// brands.flow in a temporary directory, a nats-server on it with the streams MENTIONS and
// DECISIONS, which stores at most `room` decisions and refuses more (discard new).
struct FillingServer {
    TempDir dir;
    NatsServer server{dir};
    NatsClient client{server.url()};
    explicit FillingServer(std::int64_t room) {
        triage::test::write_file(dir.file("brands.flow"), brands_flow);
        client.add_stream("MENTIONS", "mentions.*");
        client.add_stream("DECISIONS", "decisions.>", 1, room);
    }
};

// One partition (a 1 s lease), batches of 20, a snapshot every 25 mentions or 50 ms: due all the
// time, so that none may cover what is not stored.
triage::WorkerOptions one_partition(const std::string& url) {
    triage::WorkerOptions options;
    options.nats.url = url;
    options.stream = "MENTIONS";
    options.subject_in = "mentions";
    options.subject_out = "decisions.out";
    options.batch = 20;
    options.operations.quiet = true;
    options.partitioning = store_options("");
    options.partitioning.partitions = 1;
    options.partitioning.snapshot_every = 25;
    options.partitioning.snapshot_interval = 50ms;
    return options;
}

std::unique_ptr<triage::PartitionStore> open_store(const std::string& url, const std::string& holder) {
    triage::NatsConnection nats;
    nats.url = url;
    std::string error;
    std::unique_ptr<triage::PartitionStore> store = triage::PartitionStore::open(nats, store_options(holder), error);
    REQUIRE_MESSAGE(store != nullptr, error);
    return store;
}

// A partition's stored state, asked for until the store answers (a restarted cluster elects its
// leaders first): for up to a minute.
triage::PartitionState state_when_ready(const std::string& urls, std::uint32_t partition,
                                        std::chrono::milliseconds lease_time) {
    triage::NatsConnection nats;
    nats.url = urls;
    std::string error;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        std::unique_ptr<triage::PartitionStore> store =
            triage::PartitionStore::open(nats, store_options("reader", lease_time), error);
        if (store)
            if (std::optional<triage::PartitionState> state = store->read(partition, error)) return *state;
        std::this_thread::sleep_for(500ms);
    }
    FAIL("the state of partition " << partition << " cannot be read: " << error);
    return {};
}

// Runs one partitioned worker (a thread, the library API; reordering by `reorder`) until `done`
// says so or a minute and a half passes; its summary.
template <typename Done>
triage::WorkerSummary run_partitioned(const triage::Flow& flow, const triage::WorkerOptions& options, Done done,
                                      triage::Duration reorder = triage::Duration(0)) {
    std::atomic<bool> stop{false};
    triage::WorkerSummary summary;
    std::thread worker([&] {
        triage::StreamOptions stream_options;
        stream_options.now = triage::parse_time(now_text);
        stream_options.reorder = reorder;
        triage::Stream stream(flow, stream_options);
        summary = triage::run_worker(stream, options, stop);
    });
    const auto deadline = std::chrono::steady_clock::now() + 90s;
    while (std::chrono::steady_clock::now() < deadline && !done()) std::this_thread::sleep_for(50ms);
    stop = true;
    worker.join();
    CHECK(summary.failure == "");
    return summary;
}

// `triage worker` on the brands flow in `dir`, partitioned by brand into 3, then `extra`.
std::vector<std::string> worker_args(const TempDir& dir, const std::string& nats, std::vector<std::string> extra) {
    std::vector<std::string> args{TRIAGE_CLI_PATH, "worker", dir.file("brands.flow"), "--nats", nats, "--stream",
                                  "MENTIONS", "--subject-in", "mentions", "--subject-out", "decisions.out", "--now",
                                  now_text, "--partition-by", "brand", "--partitions", "3"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// One nats-server with streams MENTIONS (mentions.*) and DECISIONS; the brands flow in `dir`.
struct BrandsServer {
    NatsServer server;
    NatsClient client;
    explicit BrandsServer(const TempDir& dir) : server(dir), client(server.url()) {
        triage::test::write_file(dir.file("brands.flow"), brands_flow);
        client.add_stream("MENTIONS", "mentions.*");
        client.add_stream("DECISIONS", "decisions.>");
    }
};

// Waits (up to `limit`) until the output stream holds `count` decisions.
void wait_for_decisions(const NatsClient& client, std::uint64_t count, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline && client.messages("DECISIONS") < count)
        std::this_thread::sleep_for(20ms);
}

// A 3-node cluster with R3 streams MENTIONS (mentions.*) and DECISIONS, and the two buckets made
// R3 before any worker starts (docs/scale.md; the workers bind to them); the brands flow in `dir`.
struct BrandsCluster {
    triage::test::NatsCluster cluster;
    NatsClient client;
    BrandsCluster(const TempDir& dir, std::chrono::milliseconds lease_time)
        : cluster(dir.path, 3), client(started(cluster)) {
        triage::test::write_file(dir.file("brands.flow"), brands_flow);
        client.add_stream("MENTIONS", "mentions.*", 3);
        client.add_stream("DECISIONS", "decisions.>", 3);
        client.add_key_value("triage_leases", lease_time, 3);
        client.add_key_value("triage_state", 0ms, 3);
    }
    static std::string started(triage::test::NatsCluster& cluster) {
        cluster.start_all();
        return cluster.urls();
    }
};


// `mentions` shuffled within each block of 30 (90 s: more than the clock's tolerance of 1m), with
// a fixed seed: each arrives at most 87 s behind the newest one before it. Fisher-Yates by hand,
// so that every standard library shuffles alike.
std::vector<Mention> shuffled_within_90s(std::vector<Mention> mentions) {
    std::mt19937 random(19);
    for (std::size_t block = 0; block < mentions.size(); block += 30) {
        const std::size_t end = std::min(block + 30, mentions.size());
        for (std::size_t i = end - 1; i > block; --i)
            std::swap(mentions[i], mentions[block + random() % (i - block + 1)]);
    }
    return mentions;
}

// Every partition's snapshot covers the last mention of `mentions` published to it (sequence i + 1
// is mention i): everything is fed (with --reorder, the last mentions may still be held).
bool all_fed(triage::PartitionStore& store, const std::vector<Mention>& mentions, std::uint32_t partitions) {
    std::vector<std::uint64_t> last(partitions, 0);
    for (std::size_t i = 0; i < mentions.size(); ++i) last[triage::partition_of(mentions[i].brand, partitions)] = i + 1;
    std::string error;
    for (std::uint32_t p = 0; p < partitions; ++p) {
        const std::optional<triage::PartitionState> state = store.read(p, error);
        if (!state || state->sequence < last[p]) return false;
    }
    return true;
}

// A temporary directory with brands.flow, a nats-server on it and the test's client.
struct BrandsOnServer {
    TempDir dir;
    BrandsServer deployment{dir};
    NatsServer& server = deployment.server;
    NatsClient& client = deployment.client;
};

// Publishes `mentions` to 3 partitions and starts 3 workers (`extra` added to their arguments),
// each holding one partition; the holder of acme's partition (shared with globex, the busiest) is
// SIGKILLed once a sixth of the mentions is decided, `after_kill` runs, and it is started again.
// Once every mention is decided (with --reorder, the last ones by the idle flush), every worker is
// stopped with SIGTERM.
void decide_with_a_kill(BrandsOnServer& setup, const std::vector<Mention>& mentions,
                        const std::vector<std::string>& extra, const std::function<void()>& after_kill) {
    const TempDir& dir = setup.dir;
    const NatsServer& server = setup.server;
    NatsClient& client = setup.client;
    publish_partitioned(client, mentions, 3);
    std::vector<std::string> options{"--max-partitions", "1", "--lease-time", "2000", "--snapshot-every", "150",
                                     "--batch", "20"};
    options.insert(options.end(), extra.begin(), extra.end());
    const std::vector<std::string> args = worker_args(dir, server.url(), options);
    std::vector<pid_t> workers;
    for (int i = 0; i < 3; ++i) workers.push_back(triage::test::spawn(args, dir.file(fmt::format("w{}.log", i))));
    const std::uint32_t busiest = triage::partition_of("acme", 3);
    auto deadline = std::chrono::steady_clock::now() + 90s;
    while (std::chrono::steady_clock::now() < deadline && client.messages("DECISIONS") < mentions.size() / 6)
        std::this_thread::sleep_for(5ms);
    // A loaded machine can delay a renewal past the lease: then the lease is briefly nobody's.
    pid_t doomed = lease_holder(client, busiest);
    auto victim = std::find(workers.begin(), workers.end(), doomed);
    for (int i = 0; i < 100 && victim == workers.end(); ++i) {
        std::this_thread::sleep_for(50ms);
        doomed = lease_holder(client, busiest);
        victim = std::find(workers.begin(), workers.end(), doomed);
    }
    REQUIRE_MESSAGE(victim != workers.end(), "no worker holds partition " << busiest);
    ::kill(doomed, SIGKILL);
    CHECK(triage::test::wait_exit(doomed) == 128 + SIGKILL);
    CHECK(client.messages("DECISIONS") < mentions.size() * 2 / 3);  // it died with its partition unfinished
    after_kill();
    *victim = triage::test::spawn(args, dir.file("restarted.log"));
    wait_for_decisions(client, mentions.size(), 120s);
    for (pid_t pid : workers) ::kill(pid, SIGTERM);
    for (pid_t pid : workers) CHECK(triage::test::wait_exit(pid) == 0);
    const std::string restarted = triage::test::read_file(dir.file("restarted.log"));
    CHECK_MESSAGE(restarted.find("1 partitions taken") != std::string::npos, restarted);
    CHECK_MESSAGE(restarted.find("threads did not end") == std::string::npos, restarted);  // none leaked
}

}  // namespace

TEST_CASE("nats worker: a crisis by brand over 3 partitioned workers, one killed mid-surge and restarted, "
          "enters and leaves at the same mentions as triage run per brand") {
    BrandsOnServer setup;
    const std::vector<Mention> mentions = surges(8000);
    decide_with_a_kill(setup, mentions, {}, [] {});
    check_as_runs_per_brand(setup.dir, mentions, decisions_by_sequence(setup.client));
}

TEST_CASE("nats worker: with --reorder, mentions published out of clock order are decided per brand as "
          "triage run --reorder decides them, across a holder killed while mentions were held") {
    BrandsOnServer setup;
    const TempDir& dir = setup.dir;
    const std::string url = setup.server.url();
    const std::vector<Mention> mentions = shuffled_within_90s(surges(6000));
    // The dead holder's last snapshot held mentions, and others it had decided after them. Every
    // mention is published before the workers start, so a partition's stream has more for it
    // until its last mention is read, and the idle flush cannot come before that, however
    // loaded the machine or long the restarted holder's replay: 1s is no race.
    triage::PartitionState at_kill;
    decide_with_a_kill(setup, mentions, {"--reorder", "2m", "--reorder-idle", "1s", "--snapshot-interval", "200"}, [&] {
        at_kill = state_when_ready(url, triage::partition_of("acme", 3), 2000ms);
    });
    CHECK(at_kill.floor < at_kill.sequence);
    CHECK(!at_kill.decided.empty());
    // Each mention was counted once: the last snapshot of each partition, written after the idle
    // flush decided what was held, has counted every mention of its partition.
    triage::CompileResult compiled = triage::compile_file(dir.file("brands.flow"));
    REQUIRE(compiled.ok());
    for (std::uint32_t p = 0; p < 3; ++p) {
        const triage::PartitionState last = state_when_ready(url, p, 2000ms);
        CHECK(last.floor == last.sequence);
        triage::StreamOptions options;
        options.now = triage::parse_time(now_text);
        triage::Stream restored(*compiled.flow, options);
        std::string error;
        REQUIRE_MESSAGE(restored.monitor()->restore(last.monitor, error), error);
        CHECK(restored.monitor()->stats().mentions ==
              static_cast<std::uint64_t>(std::count_if(mentions.begin(), mentions.end(), [&](const Mention& m) {
                  return triage::partition_of(m.brand, 3) == p;
              })));
    }
    check_as_runs_per_brand(dir, mentions, decisions_by_sequence(setup.client), " --reorder 2m");
    // Out of order by more than the clock's tolerance: without reordering some brand's crisis differs.
    std::size_t brands_differing = 0;
    for (const std::string& brand : brands) {
        const std::string file = triage::test::quoted(dir.file(brand + ".jsonl"));
        const std::string run = "run -q -j 1 --max-late 100% --now " + now_text + " " +
                                triage::test::quoted(dir.file("brands.flow"));
        brands_differing += triage::test::run_triage(run + " " + file).output !=
                            triage::test::run_triage(run + " --reorder 2m " + file).output;
    }
    CHECK(brands_differing > 0);
}

TEST_CASE("nats worker: with --reorder, a worker stopped with SIGTERM leaves the mentions it holds to the next "
          "holder, which decides them as one triage run --reorder over the whole stream") {
    BrandsOnServer setup;
    const TempDir& dir = setup.dir;
    NatsClient& client = setup.client;
    const std::vector<Mention> mentions = shuffled_within_90s(surges(6000));
    // Cut in the middle of a 90 s block, where soylent's crisis starts: some mentions published
    // after the restart are older than some held at the stop. Deciding the held ones at the stop
    // (as at the end of the input, the drain before) makes those late, and moves soylent's crisis:
    // 178 decisions differed from triage run --reorder.
    const std::size_t cut = 3010;
    const std::vector<Mention> first(mentions.begin(), mentions.begin() + cut);
    const std::vector<Mention> rest(mentions.begin() + cut, mentions.end());
    publish_partitioned(client, first, 3);
    // No idle flush for the first worker: what it holds when stopped is held.
    const pid_t stopped = triage::test::spawn(
        worker_args(dir, setup.server.url(),
                    {"--reorder", "2m", "--reorder-idle", "off", "--snapshot-interval", "200", "--lease-time", "1000"}),
        dir.file("first.log"));
    std::unique_ptr<triage::PartitionStore> store = open_store(setup.server.url(), "reader");  // a 1 s lease too
    const auto deadline = std::chrono::steady_clock::now() + 90s;
    while (std::chrono::steady_clock::now() < deadline && !all_fed(*store, first, 3)) std::this_thread::sleep_for(50ms);
    REQUIRE_MESSAGE(all_fed(*store, first, 3), triage::test::read_file(dir.file("first.log")));
    ::kill(stopped, SIGTERM);
    REQUIRE_MESSAGE(triage::test::wait_exit(stopped) == 0, triage::test::read_file(dir.file("first.log")));

    // Each partition's snapshot names mentions held, and none of them has a decision; every other
    // mention fed has one.
    const std::map<std::uint64_t, std::string> at_stop = decisions_by_sequence(client);
    std::size_t held = 0;
    for (std::uint32_t p = 0; p < 3; ++p) {
        std::string error;
        const std::optional<triage::PartitionState> state = store->read(p, error);
        REQUIRE_MESSAGE(state, error);
        CHECK(state->floor < state->sequence);
        for (std::uint64_t sequence = 1; sequence <= state->sequence; ++sequence) {
            if (triage::partition_of(first[sequence - 1].brand, 3) != p) continue;
            const bool decided = sequence <= state->floor ||
                                 std::binary_search(state->decided.begin(), state->decided.end(), sequence);
            held += !decided;
            CHECK_MESSAGE(at_stop.count(sequence) == (decided ? 1u : 0u), "mention " << sequence);
        }
    }
    CHECK(held > 0);
    CHECK(at_stop.size() + held == first.size());

    // The rest comes after the restart; the new holder ends with the idle flush (every mention is
    // in the stream before it starts, so that cannot come early).
    publish_partitioned(client, rest, 3);
    const pid_t restarted = triage::test::spawn(
        worker_args(dir, setup.server.url(), {"--reorder", "2m", "--reorder-idle", "1s", "--lease-time", "1000"}),
        dir.file("second.log"));
    wait_for_decisions(client, mentions.size(), 120s);
    ::kill(restarted, SIGTERM);
    CHECK(triage::test::wait_exit(restarted) == 0);
    MESSAGE(held << " mentions held at the stop");
    check_as_runs_per_brand(dir, mentions, decisions_by_sequence(client), " --reorder 2m");
}

TEST_CASE("nats worker: a partition whose decisions stop being stored is kept and published again after a "
          "doubling delay, its snapshot never past an unacknowledged decision, and decided on from it later") {
    // Batches of 20 that end where a snapshot is due (every 25): ..., 1501-1520, 1521-1525. The
    // stream fills inside the batch whose end is a snapshot: that snapshot must wait for its acks.
    const std::int64_t room = 1522;
    FillingServer setup(room);
    auto& [dir, server, client] = setup;
    const std::vector<Mention> mentions = surges(4000);
    publish_partitioned(client, mentions, 1);
    triage::CompileResult compiled = triage::compile_file(dir.file("brands.flow"));
    REQUIRE(compiled.ok());
    triage::WorkerOptions options = one_partition(server.url());
    std::unique_ptr<triage::PartitionStore> store = open_store(server.url(), "the-test");

    // Full: the holder keeps the partition and publishes the rest of the batch again 2 s later
    // (and 4 s after that); it decides nothing more meanwhile. Stopped then, it writes no snapshot.
    std::optional<std::chrono::steady_clock::time_point> filled;
    triage::WorkerSummary full = run_partitioned(*compiled.flow, options, [&] {
        if (client.messages("DECISIONS") < static_cast<std::uint64_t>(room)) return false;
        if (!filled) filled = std::chrono::steady_clock::now();
        return std::chrono::steady_clock::now() - *filled > 3500ms;
    });
    CHECK(full.partitions_taken == 1);
    CHECK(full.partitions_lost == 0);
    CHECK(full.not_acked >= 6);  // the 3 decisions past the room, tried twice
    CHECK(full.publish_problem.find("decisions.out") != std::string::npos);
    std::string error;
    const std::optional<triage::PartitionState> state = store->read(0, error);
    REQUIRE_MESSAGE(state, error);
    const std::map<std::uint64_t, std::string> stored = decisions_by_sequence(client);
    CHECK(stored.size() == static_cast<std::size_t>(room));
    CHECK(state->sequence >= 1);
    CHECK(state->sequence <= static_cast<std::uint64_t>(room));
    for (std::uint64_t sequence = 1; sequence <= state->sequence; ++sequence)
        CHECK_MESSAGE(stored.count(sequence) == 1, "the snapshot covers mention " << sequence << ", not stored");
    // ... and its state is that of exactly the mentions up to its sequence.
    triage::StreamOptions stream_options;
    stream_options.now = triage::parse_time(now_text);
    triage::Stream replay(*compiled.flow, stream_options);
    triage::Decision decision;
    for (std::uint64_t i = 0; i < state->sequence; ++i) REQUIRE(replay.decide(mentions[i].line, decision));
    CHECK(state->monitor == replay.monitor()->snapshot());

    // Room again: the next holder replays from the snapshot; the stream drops what it holds.
    client.update_stream("DECISIONS", "decisions.>", -1);
    triage::WorkerSummary rest = run_partitioned(*compiled.flow, options, [&] {
        return client.messages("DECISIONS") >= mentions.size();
    });
    CHECK(rest.duplicates == static_cast<std::uint64_t>(room) - state->sequence);
    check_as_runs_per_brand(dir, mentions, decisions_by_sequence(client));
}

TEST_CASE("nats worker: with --reorder, decisions that stop being stored are published again, a drain meanwhile "
          "writes no snapshot, and the decisions equal triage run --reorder per brand") {
    const std::int64_t room = 1000;
    FillingServer setup(room);
    auto& [dir, server, client] = setup;
    const std::vector<Mention> mentions = shuffled_within_90s(surges(4000));
    publish_partitioned(client, mentions, 1);
    triage::CompileResult compiled = triage::compile_file(dir.file("brands.flow"));
    REQUIRE(compiled.ok());
    triage::WorkerOptions options = one_partition(server.url());
    options.partitioning.reorder_idle = 1000ms;
    const triage::Duration horizon = std::chrono::minutes(2);
    std::unique_ptr<triage::PartitionStore> store = open_store(server.url(), "the-test");
    auto revision = [&] {
        kvStore* kv = nullptr;
        REQUIRE(js_KeyValue(&kv, client.js(), "triage_state") == NATS_OK);
        kvEntry* entry = nullptr;
        REQUIRE(kvStore_Get(&entry, kv, "triage.0") == NATS_OK);
        const std::uint64_t r = kvEntry_Revision(entry);
        kvEntry_Destroy(entry);
        kvStore_Destroy(kv);
        return r;
    };

    // Full: the holder keeps the partition and publishes what was not stored again (and fails).
    // Stopped then, with a batch unstored, it writes no snapshot.
    std::optional<std::chrono::steady_clock::time_point> filled;
    std::uint64_t revision_at_stop = 0;
    triage::WorkerSummary full = run_partitioned(*compiled.flow, options, [&] {
        if (client.messages("DECISIONS") < static_cast<std::uint64_t>(room)) return false;
        if (!filled) filled = std::chrono::steady_clock::now();
        if (std::chrono::steady_clock::now() - *filled < 3500ms) return false;
        revision_at_stop = revision();
        return true;
    }, horizon);
    CHECK(full.partitions_lost == 0);
    CHECK(full.not_acked > 0);
    CHECK(revision() == revision_at_stop);
    std::string error;
    const std::optional<triage::PartitionState> state = store->read(0, error);
    REQUIRE_MESSAGE(state, error);
    const std::map<std::uint64_t, std::string> stored = decisions_by_sequence(client);
    CHECK(stored.size() == static_cast<std::size_t>(room));
    for (std::uint64_t sequence = 1; sequence <= state->floor; ++sequence)
        CHECK_MESSAGE(stored.count(sequence) == 1, "the snapshot covers mention " << sequence << ", not stored");
    for (std::uint64_t sequence : state->decided)
        CHECK_MESSAGE(stored.count(sequence) == 1, "the snapshot covers mention " << sequence << ", not stored");

    // The next holder goes on from that snapshot, fills the stream again, and once it takes
    // everything (the holder still waiting to publish again) stores what it could not.
    const std::int64_t second_room = 2 * room;
    client.update_stream("DECISIONS", "decisions.>", second_room);
    std::optional<std::chrono::steady_clock::time_point> refilled;
    bool raised = false;
    triage::WorkerSummary rest = run_partitioned(*compiled.flow, options, [&] {
        if (raised) return client.messages("DECISIONS") >= mentions.size();
        if (client.messages("DECISIONS") < static_cast<std::uint64_t>(second_room)) return false;
        if (!refilled) refilled = std::chrono::steady_clock::now();
        if (std::chrono::steady_clock::now() - *refilled < 2500ms) return false;  // its first retry failed too
        client.update_stream("DECISIONS", "decisions.>", -1);
        raised = true;
        return false;
    }, horizon);
    CHECK(raised);
    CHECK(rest.partitions_taken == 1);
    CHECK(rest.partitions_lost == 0);
    CHECK(rest.not_acked > 0);
    check_as_runs_per_brand(dir, mentions, decisions_by_sequence(client), " --reorder 2m");
}

TEST_CASE("nats worker: a holder whose renewals go unanswered until its lease runs out gives the partition up, "
          "and takes it again once the server is back") {
    TempDir dir;
    BrandsServer deployment(dir);
    NatsServer& server = deployment.server;
    NatsClient& client = deployment.client;
    const std::vector<Mention> mentions = surges(2000);
    const std::vector<Mention> first(mentions.begin(), mentions.begin() + 1000);
    const std::vector<Mention> second(mentions.begin() + 1000, mentions.end());
    publish_partitioned(client, first, 3);
    const pid_t worker = triage::test::spawn(worker_args(dir, server.url(), {"--lease-time", "1000"}),
                                             dir.file("worker.log"));
    wait_for_decisions(client, first.size(), 60s);
    // The server goes away for 7 s: a renewal waits 5 s (nats.c keeps it for the reconnection)
    // and is unanswered, by then past the 1 s lease.
    server.stop();
    std::this_thread::sleep_for(7s);
    server.start();
    publish_partitioned(client, second, 3);
    wait_for_decisions(client, mentions.size(), 60s);
    ::kill(worker, SIGTERM);
    CHECK(triage::test::wait_exit(worker) == 0);
    // Each partition given up when its lease ran out (not later, when a renewal was refused), and
    // taken again.
    const std::string log = triage::test::read_file(dir.file("worker.log"));
    for (int p = 0; p < 3; ++p)
        CHECK_MESSAGE(log.find(fmt::format("gave partition {} up: its lease ran out", p)) != std::string::npos, log);
    CHECK_MESSAGE(log.find("6 partitions taken, 3 given up") != std::string::npos, log);
    check_as_runs_per_brand(dir, mentions, decisions_by_sequence(client));
}

TEST_CASE("nats worker: a partition whose state is not one triage wrote is given back with a warning, and the "
          "partitions after it are taken") {
    TempDir dir;
    BrandsServer deployment(dir);
    NatsClient& client = deployment.client;
    (void)open_store(deployment.server.url(), "setup");  // makes both buckets
    kvStore* kv = nullptr;
    REQUIRE(js_KeyValue(&kv, client.js(), "triage_state") == NATS_OK);
    std::uint64_t revision = 0;
    REQUIRE(kvStore_PutString(&revision, kv, "triage.0", "written by something else") == NATS_OK);
    kvStore_Destroy(kv);
    const std::vector<Mention> mentions = surges(600);
    publish_partitioned(client, mentions, 3);
    const auto others = static_cast<std::uint64_t>(std::count_if(
        mentions.begin(), mentions.end(), [](const Mention& m) { return triage::partition_of(m.brand, 3) != 0; }));
    REQUIRE(others < mentions.size());
    const pid_t worker =
        triage::test::spawn(worker_args(dir, deployment.server.url(), {"--lease-time", "1000"}), dir.file("worker.log"));
    wait_for_decisions(client, others, 60s);
    std::this_thread::sleep_for(1s);  // more rounds: partition 0 is still not taken
    ::kill(worker, SIGTERM);
    CHECK(triage::test::wait_exit(worker) == 0);
    CHECK(client.messages("DECISIONS") == others);
    const std::string log = triage::test::read_file(dir.file("worker.log"));
    CHECK_MESSAGE(log.find("gave partition 0 back: the state of partition 0 (key 'triage.0' in bucket "
                           "'triage_state') is not one triage wrote") != std::string::npos,
                  log);
    CHECK_MESSAGE(log.find("took partition 1") != std::string::npos, log);
    CHECK_MESSAGE(log.find("took partition 2") != std::string::npos, log);
}

TEST_CASE("nats worker: a lease is held by one worker, taken over when it runs out, and the stale holder's "
          "snapshot write is refused") {
    TempDir dir;
    NatsServer server(dir);
    std::unique_ptr<triage::PartitionStore> a = open_store(server.url(), "worker-a");
    std::unique_ptr<triage::PartitionStore> b = open_store(server.url(), "worker-b");
    std::string error;

    triage::KeyWrite outcome = triage::KeyWrite::unanswered;
    std::optional<triage::Lease> lease_a = a->acquire(0, outcome);
    REQUIRE(lease_a);
    CHECK(outcome == triage::KeyWrite::written);
    CHECK(!b->acquire(0, outcome));  // held
    CHECK(outcome == triage::KeyWrite::refused);
    REQUIRE(a->take_over(*lease_a, error));
    CHECK(a->write(*lease_a, 10, "state at 10", error) == triage::KeyWrite::written);
    CHECK(a->renew(*lease_a) == triage::KeyWrite::written);
    CHECK(!b->acquire(0));

    // worker-a stops renewing (a long pause): once the lease bucket's TTL has passed, b takes over.
    std::optional<triage::Lease> lease_b;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!lease_b && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
        lease_b = b->acquire(0);
    }
    REQUIRE(lease_b);
    CHECK(lease_b->token > lease_a->token);
    std::optional<triage::PartitionState> taken = b->take_over(*lease_b, error);
    REQUIRE_MESSAGE(taken, error);
    CHECK(taken->sequence == 10);
    CHECK(taken->monitor == "state at 10");

    // worker-a wakes up: its renewal and its next snapshot are refused; b's is not.
    CHECK(a->renew(*lease_a) == triage::KeyWrite::refused);
    CHECK(a->write(*lease_a, 11, "state at 11 (stale)", error) == triage::KeyWrite::refused);
    CHECK(error.find("fenced") != std::string::npos);
    CHECK(b->write(*lease_b, 12, "state at 12", error) == triage::KeyWrite::written);
    std::optional<triage::PartitionState> stored = a->read(0, error);
    REQUIRE(stored);
    CHECK(stored->sequence == 12);
    CHECK(stored->token == lease_b->token);

    // Released, the lease is free at once.
    b->release(*lease_b);
    std::optional<triage::Lease> lease_a2 = a->acquire(0);
    REQUIRE(lease_a2);

    // With the server gone, a renewal and a write are unanswered, not refused: the holder may try
    // again while its lease lasts. Taking a lease is unanswered too: a worker's round of taking
    // free partitions ends there.
    server.stop();
    CHECK(!b->acquire(1, outcome));
    CHECK(outcome == triage::KeyWrite::unanswered);
    CHECK(a->renew(*lease_a2) == triage::KeyWrite::unanswered);
    CHECK(a->write(*lease_a2, 13, "state at 13", error) == triage::KeyWrite::unanswered);
    CHECK(error.find("did not answer") != std::string::npos);
}

TEST_CASE("nats worker: a position with held mentions is stored, taken over and read back, and a state written "
          "before --reorder reads as nothing held") {
    TempDir dir;
    NatsServer server(dir);
    NatsClient client(server.url());
    std::unique_ptr<triage::PartitionStore> store = open_store(server.url(), "worker-a");
    kvStore* raw = nullptr;
    REQUIRE(js_KeyValue(&raw, client.js(), "triage_state") == NATS_OK);
    const std::unique_ptr<kvStore, void (*)(kvStore*)> states(raw, kvStore_Destroy);
    auto put = [&](const char* key, const char* value) {
        std::uint64_t revision = 0;
        REQUIRE(kvStore_PutString(&revision, states.get(), key, value) == NATS_OK);
    };
    auto stored = [&](const char* key) {
        kvEntry* entry = nullptr;
        REQUIRE(kvStore_Get(&entry, states.get(), key) == NATS_OK);
        const std::string value = kvEntry_ValueString(entry);
        kvEntry_Destroy(entry);
        return value;
    };
    std::string error;

    // Written by a triage before --reorder: every sequence up to 30 decided.
    put("triage.0", "triage-partition-state sequence=30 token=1\nthe monitor");
    std::optional<triage::PartitionState> old = store->read(0, error);
    REQUIRE_MESSAGE(old, error);
    CHECK(old->sequence == 30);
    CHECK(old->floor == 30);
    CHECK(old->decided.empty());
    CHECK(old->monitor == "the monitor");

    // Fed up to 50; 41, 43, 44 and 46-50 held; 42 and 45 decided after 41 arrived.
    std::optional<triage::Lease> lease = store->acquire(0);
    REQUIRE(lease);
    REQUIRE(store->take_over(*lease, error));
    REQUIRE(store->write(*lease, triage::PartitionPosition{50, 40, {42, 45}}, "held", error) == triage::KeyWrite::written);
    CHECK(stored("triage.0").rfind(fmt::format("triage-partition-state sequence=50 token={} floor=40 decided=42,45\n",
                                               lease->token),
                                   0) == 0);
    store->release(*lease);
    lease = store->acquire(0);
    REQUIRE(lease);
    std::optional<triage::PartitionState> taken = store->take_over(*lease, error);
    REQUIRE_MESSAGE(taken, error);
    CHECK(taken->sequence == 50);
    CHECK(taken->floor == 40);
    CHECK(taken->decided == std::vector<std::uint64_t>{42, 45});
    std::optional<triage::PartitionState> reread = store->read(0, error);
    REQUIRE(reread);
    CHECK(reread->decided == std::vector<std::uint64_t>{42, 45});  // the take-over's fence kept the position
    // Nothing held: written as before --reorder, so an older triage still reads it.
    REQUIRE(store->write(*lease, triage::PartitionPosition{60, 60, {}}, "none held", error) == triage::KeyWrite::written);
    CHECK(stored("triage.0") == fmt::format("triage-partition-state sequence=60 token={}\nnone held", lease->token));

    // Positions that cannot be: refused, not guessed at.
    for (const char* bad : {"sequence=50 token=1 floor=50 decided=", "sequence=50 token=1 floor=40 decided=45,42",
                            "sequence=50 token=1 floor=40 decided=40", "sequence=50 token=1 floor=40 decided=51",
                            "sequence=50 token=1 floor=40", "sequence=50 token=1 floor=40 decided=42,"}) {
        CAPTURE(bad);
        put("triage.1", fmt::format("triage-partition-state {}\nx", bad).c_str());
        CHECK(!store->read(1, error));
        CHECK(error.find("is not one triage wrote") != std::string::npos);
    }
}

TEST_CASE("nats worker: a partition's snapshot survives a restart of nats-server (file storage)") {
    TempDir dir;
    NatsServer server(dir);
    triage::CompileResult compiled = triage::compile_file(triage::test::source_dir() / "examples" / "crisis.flow");
    REQUIRE(compiled.ok());
    triage::Stream stream(*compiled.flow);
    triage::Decision decision;
    for (int i = 0; i < 30; ++i)
        REQUIRE(stream.decide(fmt::format(R"({{"text": "app crashed", "sentiment": -0.9, "channel": "twitter", )"
                                          R"("topic": "app", "posted_at": "2026-11-20T12:{:02}:{:02}Z"}})",
                                          i / 6, i % 6 * 10),
                              decision));
    REQUIRE(stream.monitor()->crises()[0].active);
    const std::string snapshot = stream.monitor()->snapshot();
    {
        std::unique_ptr<triage::PartitionStore> store = open_store(server.url(), "worker-a");
        std::optional<triage::Lease> lease = store->acquire(1);
        REQUIRE(lease);
        std::string error;
        REQUIRE(store->take_over(*lease, error));
        REQUIRE(store->write(*lease, 30, snapshot, error) == triage::KeyWrite::written);
    }
    server.stop();
    server.start();
    std::unique_ptr<triage::PartitionStore> store = open_store(server.url(), "worker-b");
    std::string error;
    std::optional<triage::PartitionState> state = store->read(1, error);
    REQUIRE_MESSAGE(state, error);
    CHECK(state->sequence == 30);
    triage::Stream restored(*compiled.flow);
    REQUIRE(restored.monitor()->restore(state->monitor, error));
    CHECK(restored.monitor()->crises()[0].active);
    CHECK(restored.monitor()->snapshot() == snapshot);
}

TEST_CASE("nats worker: a partition's snapshot in an R3 bucket survives a full restart of a 3-node cluster, and "
          "the next holder goes on from it") {
    TempDir dir;
    const auto lease_time = 3000ms;
    BrandsCluster deployment(dir, lease_time);
    triage::test::NatsCluster& cluster = deployment.cluster;
    NatsClient& client = deployment.client;

    // acme, 3 s apart: 40 outage posts (its crisis starts at the 21st), then 400 quiet ones (it
    // ends once fewer than 3 outage posts lie within 10 minutes).
    std::vector<Mention> mentions;
    const triage::TimePoint start = *triage::parse_time("2026-11-20T08:00:00Z");
    for (int i = 0; i < 440; ++i)
        mentions.push_back({"acme", fmt::format(R"({{"text": "{} #{}", "brand": "acme", "posted_at": "{}"}})",
                                                i < 40 ? "the app is down" : "hello", i,
                                                triage::format_time(start + std::chrono::seconds(3 * i)))});
    const std::vector<Mention> surge(mentions.begin(), mentions.begin() + 40);
    const std::vector<Mention> calm(mentions.begin() + 40, mentions.end());
    const std::uint32_t partition = triage::partition_of("acme", 3);
    const std::vector<std::string> args =
        worker_args(dir, cluster.urls(), {"--lease-time", std::to_string(lease_time.count())});
    auto decide_all = [&](const std::string& log, std::uint64_t count) {
        const pid_t worker = triage::test::spawn(args, dir.file(log));
        wait_for_decisions(client, count, 90s);
        ::kill(worker, SIGTERM);  // a drain writes the partition's snapshot
        const int status = triage::test::wait_exit(worker);
        REQUIRE_MESSAGE(status == 0, triage::test::read_file(dir.file(log)));
        REQUIRE(client.messages("DECISIONS") == count);
    };

    publish_partitioned(client, surge, 3);
    decide_all("first.log", surge.size());
    const triage::PartitionState before = state_when_ready(cluster.urls(), partition, lease_time);
    CHECK(before.sequence == surge.size());
    REQUIRE(!before.monitor.empty());

    for (std::size_t node = 0; node < cluster.size(); ++node) cluster.stop(node, SIGTERM);
    cluster.start_all();
    const triage::PartitionState after = state_when_ready(cluster.urls(), partition, lease_time);
    CHECK(after.sequence == before.sequence);
    CHECK(after.token == before.token);
    CHECK(after.monitor == before.monitor);

    // The next holder restores the crisis: the first quiet mention is still decided in it, as
    // `triage run` over all of them decides it (a fresh state would not be in crisis).
    publish_partitioned(client, calm, 3);
    decide_all("second.log", mentions.size());
    const std::map<std::uint64_t, std::string> decisions = decisions_by_sequence(client);
    REQUIRE(decisions.size() == mentions.size());
    CHECK(decisions.at(surge.size() + 1).find("\"outcome\":\"holding\"") != std::string::npos);
    std::string input;
    for (const Mention& m : mentions) input += m.line + '\n';
    triage::test::write_file(dir.file("acme.jsonl"), input);
    triage::test::CliRun run = triage::test::run_triage("run -q -j 1 --now " + now_text + " " +
                                                        triage::test::quoted(dir.file("brands.flow")) + " " +
                                                        triage::test::quoted(dir.file("acme.jsonl")));
    REQUIRE(run.status == 0);
    const std::vector<std::string> expected = lines_of(run.output);
    REQUIRE(expected.size() == mentions.size());
    std::size_t differing = 0;
    for (std::size_t k = 0; k < expected.size(); ++k) differing += decisions.at(k + 1) != expected[k];
    CHECK_MESSAGE(differing == 0, differing << " decisions differ from triage run");
    CHECK(expected.back().find("\"outcome\":\"chatter\"") != std::string::npos);  // the crisis ended
    const triage::PartitionState last = state_when_ready(cluster.urls(), partition, lease_time);
    CHECK(last.sequence == mentions.size());
    CHECK(last.token > before.token);  // written by the holder that took the partition over
}

TEST_CASE("nats worker: partitioned workers keep their partitions while a 3-node cluster elects a new leader for "
          "the output stream, and decide as triage run per brand") {
    TempDir dir;
    // The buckets may lead on the killed node too: their renewals and snapshot writes go
    // unanswered through the election, which a 20 s lease (renewed every 6.7 s) rides out.
    BrandsCluster deployment(dir, 20s);
    triage::test::NatsCluster& cluster = deployment.cluster;
    NatsClient& client = deployment.client;
    // The input stream leads on another node, so that mentions keep coming during the election.
    for (int i = 0; i < 20 && client.leader("MENTIONS") == client.leader("DECISIONS"); ++i) {
        (void)client.request("$JS.API.STREAM.LEADER.STEPDOWN.MENTIONS");
        for (int k = 0; k < 50 && client.leader("MENTIONS").empty(); ++k) std::this_thread::sleep_for(100ms);
    }
    const std::vector<Mention> mentions = surges(6000);
    const std::vector<std::string> args = worker_args(dir, cluster.urls(),
                                                      {"--max-partitions", "1", "--lease-time", "20000",
                                                       "--snapshot-every", "150", "--batch", "20"});
    std::vector<pid_t> workers;
    for (int i = 0; i < 3; ++i) workers.push_back(triage::test::spawn(args, dir.file(fmt::format("w{}.log", i))));

    // Mentions come in while the workers run (in order, each with its own Nats-Msg-Id so that a
    // retried publish stores none twice: sequence i + 1 is mention i).
    std::atomic<std::size_t> published{0};
    std::thread publisher([&] {
        NatsClient own(cluster.urls());
        for (const Mention& m : mentions) {
            const std::string subject = triage::partition_subject("mentions", triage::partition_of(m.brand, 3));
            if (!own.try_publish(subject, m.line, fmt::format("mention-{}", published + 1).c_str())) return;
            if (++published % 200 == 0) std::this_thread::sleep_for(100ms);
        }
    });
    // Once a quarter is decided, SIGKILL the node leading DECISIONS; every publish to it fails
    // until the others elect a leader (5 to 8 s). Started again 3 s later on its store.
    wait_for_decisions(client, mentions.size() / 4, 90s);
    const std::string killed = client.leader("DECISIONS");
    REQUIRE(!killed.empty());
    REQUIRE(killed != client.leader("MENTIONS"));
    const std::size_t victim = cluster.node_named(killed);
    CHECK(cluster.stop(victim, SIGKILL) == 128 + SIGKILL);
    CHECK(client.messages("DECISIONS") < mentions.size() / 2);  // killed mid-run
    std::this_thread::sleep_for(3s);
    cluster.start(victim);
    publisher.join();
    REQUIRE(published == mentions.size());

    wait_for_decisions(client, mentions.size(), 120s);
    for (pid_t pid : workers) ::kill(pid, SIGTERM);
    for (pid_t pid : workers) CHECK(triage::test::wait_exit(pid) == 0);
    // Each worker took one partition at the start and gave none up: no takeover, no replay; their
    // publishes failed during the election and were published again.
    int taken = 0;
    std::uint64_t failed = 0;
    for (int i = 0; i < 3; ++i) {
        const std::string log = triage::test::read_file(dir.file(fmt::format("w{}.log", i)));
        std::smatch count;
        if (std::regex_search(log, count, std::regex(", ([0-9]+) not acked\n"))) failed += std::stoull(count[1]);
        CHECK_MESSAGE(log.find("gave partition") == std::string::npos, log);
        CHECK_MESSAGE(log.find(" 0 given up") != std::string::npos, log);
        for (std::size_t at = log.find("took partition"); at != std::string::npos; at = log.find("took partition", at + 1))
            ++taken;
    }
    CHECK(taken == 3);
    CHECK(failed > 0);
    MESSAGE("killed and restarted " << killed << "; " << failed << " publishes failed and were tried again");
    CHECK(client.messages("MENTIONS") == mentions.size());
    check_as_runs_per_brand(dir, mentions, decisions_by_sequence(client));
}

TEST_CASE("worker: partition keys and what may be partitioned") {
    // 64-bit FNV-1a: the offset basis for "", 0xaf63dc4c8601ec8c for "a" (published test vectors).
    CHECK(triage::partition_of("", 1000) == 14695981039346656037ull % 1000);
    CHECK(triage::partition_of("a", 1u << 31) == 0xaf63dc4c8601ec8cull % (1u << 31));
    CHECK(triage::partition_of("acme", 3) == triage::partition_of("globex", 3));
    CHECK(triage::partition_subject("mentions", 7) == "mentions.7");

    TempDir dir;
    triage::test::write_file(dir.file("brands.flow"), brands_flow);
    triage::CompileResult compiled = triage::compile_file(dir.file("brands.flow"));
    REQUIRE(compiled.ok());
    CHECK(triage::partitioning_problem(*compiled.flow, "brand") == "");
    CHECK(triage::partitioning_problem(*compiled.flow, "text").find("grouped by 'brand'") != std::string::npos);
    CHECK(triage::partitioning_problem(*compiled.flow, "posted_at").find("text or one-of") != std::string::npos);
    CHECK(triage::partitioning_problem(*compiled.flow, "nope").find("no field 'nope'") != std::string::npos);

    const std::string flow = triage::test::quoted(dir.file("brands.flow"));
    const std::string common = " --nats nats://127.0.0.1:1 --stream S --subject-in in --subject-out out 2>&1";
    triage::test::CliRun unpartitioned = triage::test::run_triage("worker " + flow + common);
    CHECK(unpartitioned.status == 2);
    CHECK(unpartitioned.output.find("--partition-by") != std::string::npos);
    triage::test::CliRun wrong_field = triage::test::run_triage("worker " + flow + common + " --partition-by text");
    CHECK(wrong_field.status == 2);
    CHECK(wrong_field.output.find("crisis 'outage' is grouped by 'brand'") != std::string::npos);
    triage::test::CliRun stateless = triage::test::run_triage(
        "worker " + triage::test::quoted((triage::test::source_dir() / "examples" / "customer_care.flow").string()) +
        common + " --partition-by channel");
    CHECK(stateless.status == 2);
    CHECK(stateless.output.find("keeps no state") != std::string::npos);
    // A flow that keeps no state decides each mention on its own: --reorder would hold nothing.
    triage::test::CliRun stateless_reorder = triage::test::run_triage(
        "worker " + triage::test::quoted((triage::test::source_dir() / "examples" / "customer_care.flow").string()) +
        common + " --reorder 5m");
    CHECK(stateless_reorder.status == 2);
    CHECK(stateless_reorder.output.find("--reorder has nothing to do") != std::string::npos);
    // --reorder-idle says when a quiet partition decides what --reorder holds: nothing without it.
    const std::string partitioned = "worker " + flow + common + " --partition-by brand";
    triage::test::CliRun idle_alone = triage::test::run_triage(partitioned + " --reorder-idle 5m");
    CHECK(idle_alone.status == 2);
    CHECK(idle_alone.output.find("give --reorder DURATION too") != std::string::npos);
    triage::test::CliRun idle_wrong = triage::test::run_triage(partitioned + " --reorder 2m --reorder-idle 5");
    CHECK(idle_wrong.status == 2);
    CHECK(idle_wrong.output.find("--reorder-idle takes a duration") != std::string::npos);
}
