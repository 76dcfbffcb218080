// Grouped crisis modes (`crisis outage "..." by brand`, issue 15): one crisis state per brand,
// windows counted per brand, groups in crisis never dropped for room, snapshots, and the record
// of which part of `when` fired.
#include "support.hpp"

#include "triage/decision_format.hpp"

#include <fmt/format.h>

using namespace triage;
using triage::test::at;
using triage::test::compile_text;
using triage::test::compiled;

namespace {

// Outage complaints are routed to a holding reply while their brand is in crisis.
constexpr std::string_view airlines_flow = R"(flow "Airlines" version 1
fields {
  text: text
  brand: text
  posted_at: time
}
clock posted_at tolerance 5m
words outage = "outage", "down"
crisis outage "Service outage" by brand {
  when count(text has any outage) over 15m > 20
  leave when count(text has any outage) over 15m < 5
  minimum 30m
  route complaint -> holding
}
start screen
step screen "Complaint?" {
  if text has any outage -> complaint
  else -> answer
}
outcome complaint "Complaint" { respond publicly within 1h using "sorry" }
outcome holding "Holding reply" { respond publicly within 30m using "holding" }
outcome answer "Answer" { respond publicly within 4h }
)";

// The same flow without the crisis block.
std::string without_crisis() {
    std::string text(airlines_flow);
    const std::size_t from = text.find("crisis outage");
    return text.erase(from, text.find("start screen") - from);
}

struct Mention {
    std::string text;
    std::string brand;  // empty: no brand
    TimePoint posted_at;
};

// A mention every 10 s from midnight, the brands in turn: United (i % 3 == 0), Delta, Alaska.
// United complains of an outage from mention 1000 to 1299; Delta now and then throughout.
std::vector<Mention> three_brands(std::size_t count) {
    static const char* brands[] = {"United", "Delta", "Alaska"};
    std::vector<Mention> stream;
    const TimePoint start = at("2026-11-20T00:00:00Z");
    for (std::size_t i = 0; i < count; ++i) {
        const bool outage = (i % 3 == 0 && i >= 1000 && i < 1300) || i % 21 == 1;
        stream.push_back({outage ? "the app is down" : "hello there", brands[i % 3],
                          start + std::chrono::seconds(10 * static_cast<std::int64_t>(i))});
    }
    return stream;
}

struct Replayed {
    std::vector<std::uint32_t> outcomes;
    std::vector<std::string> entered, left;  // "index group"
    std::vector<std::string> in_crisis;      // per mention: the group it was decided in crisis for, or ""
    std::vector<std::string> json;           // per mention, the JSON line
};

void replay(const Flow& flow, Monitor* monitor, const std::vector<Mention>& stream, std::size_t from, std::size_t to,
            Replayed& out) {
    Evaluator evaluator(flow);
    DecisionJson json(flow);
    Record record(flow);
    Decision decision;
    for (std::size_t i = from; i < to; ++i) {
        record.clear_all();
        record.set("text", stream[i].text);
        if (!stream[i].brand.empty()) record.set("brand", stream[i].brand);
        record.set("posted_at", stream[i].posted_at);
        if (monitor != nullptr) evaluator.evaluate(record.view(), stream[i].posted_at, decision, *monitor);
        else evaluator.evaluate(record.view(), stream[i].posted_at, decision);
        out.outcomes.push_back(decision.outcome);
        std::string group;
        for (const ActiveCrisis& c : decision.crises) {
            group = std::string(c.group);
            if (c.entered) out.entered.push_back(fmt::format("{} {}", i, c.group));
        }
        for (const ActiveCrisis& c : decision.crises_left) out.left.push_back(fmt::format("{} {}", i, c.group));
        out.in_crisis.push_back(group);
        std::string line;
        json.append(line, decision, i + 1, {});
        out.json.push_back(std::move(line));
    }
}

}  // namespace

TEST_CASE("grouped crisis: only the surging brand enters and leaves, at pinned mentions") {
    Flow flow = compiled(airlines_flow);
    const std::vector<Mention> stream = three_brands(1800);
    Monitor monitor(flow);
    Replayed r;
    replay(flow, &monitor, stream, 0, stream.size(), r);
    // United mentions come every 30 s; the 15-minute window holds its last 30. Its outage
    // mentions start at 1002: the 21st (more than 20) is 1002 + 3 * 20 = 1062. The last is 1299;
    // at United's mention i the window holds those after i - 90, fewer than 5 first at 1377, past
    // the 30 minutes' minimum. Delta's few complaints (4 in 15 minutes) never start a crisis.
    CHECK(r.entered == std::vector<std::string>{"1062 United"});
    CHECK(r.left == std::vector<std::string>{"1377 United"});
    for (std::size_t i = 0; i < stream.size(); ++i) {
        CAPTURE(i);
        const bool united_in_crisis = i % 3 == 0 && i >= 1062 && i < 1377;
        CHECK(r.in_crisis[i] == (united_in_crisis ? "United" : ""));
    }
    const std::uint32_t holding = flow.find_node("holding")->index;
    CHECK(r.outcomes[1062] == holding);
    CHECK(r.outcomes[1299] == holding);
    CHECK(r.outcomes[1377] != holding);  // the mention that ends it is decided in normal mode
    CHECK(monitor.crisis_group(0, "United").active == false);
    CHECK(monitor.stats().crisis_groups.empty());

    // The other brands are decided exactly as by the flow without the crisis.
    Flow plain = compiled(without_crisis());
    Replayed p;
    replay(plain, nullptr, stream, 0, stream.size(), p);
    for (std::size_t i = 0; i < stream.size(); ++i)
        if (i % 3 != 0) {
            CAPTURE(i);
            CHECK(flow.outcomes()[r.outcomes[i]].name == plain.outcomes()[p.outcomes[i]].name);
            CHECK(r.json[i] == p.json[i]);
        }
}

TEST_CASE("grouped crisis: decisions name the group and the part of `when` that fired") {
    Flow flow = compiled(airlines_flow);
    const std::vector<Mention> stream = three_brands(1400);
    Monitor monitor(flow);
    Replayed r;
    replay(flow, &monitor, stream, 0, stream.size(), r);
    INFO(r.json[1062]);
    CHECK(r.json[1062].find(R"("crisis":[{"name":"outage","group":"United","since":"2026-11-20T02:57:00Z","entered":true,)"
                            R"("when":"count(text has any outage) over 15m > 20",)"
                            R"("fired":["count(text has any outage) over 15m = 21 > 20"]}])") != std::string::npos);
    CHECK(r.json[1065].find(R"("crisis":[{"name":"outage","group":"United","since":"2026-11-20T02:57:00Z"}])") !=
          std::string::npos);
    CHECK(r.json[1377].find(R"("crisis_left":[{"name":"outage","group":"United"}],)"
                            R"("crisis_left_when":{"outage":["count(text has any outage) over 15m = 4 < 5"]})") !=
          std::string::npos);
    // While United is in crisis, stats() lists it.
    Monitor halfway(flow);
    Replayed h;
    replay(flow, &halfway, stream, 0, 1100, h);
    const MonitorStats stats = halfway.stats();
    REQUIRE(stats.crisis_groups.size() == 1);
    CHECK(stats.crisis_groups[0].group == "United");
    CHECK(stats.crisis_groups[0].state.since == at("2026-11-20T02:57:00Z"));
    CHECK(stats.crisis_groups[0].state.entered_by == 1063);
    CHECK(halfway.crises()[0].active);
    CHECK(halfway.crisis_group(0, "United").active);
    CHECK_FALSE(halfway.crisis_group(0, "Delta").active);
}

TEST_CASE("grouped crisis: snapshot and restore mid-stream give the same decisions") {
    Flow flow = compiled(airlines_flow);
    const std::vector<Mention> stream = three_brands(1500);
    Monitor whole(flow);
    Replayed uninterrupted;
    replay(flow, &whole, stream, 0, stream.size(), uninterrupted);
    for (std::size_t cut : {std::size_t{1}, std::size_t{1062}, std::size_t{1063}, std::size_t{1200}, std::size_t{1377}}) {
        CAPTURE(cut);
        Monitor first(flow);
        Replayed resumed;
        replay(flow, &first, stream, 0, cut, resumed);
        const std::string saved = first.snapshot();
        Monitor second(flow);
        std::string error;
        REQUIRE_MESSAGE(second.restore(saved, error), error);
        CHECK(second.snapshot() == saved);
        replay(flow, &second, stream, cut, stream.size(), resumed);
        CHECK(resumed.json == uninterrupted.json);
        CHECK(second.snapshot() == whole.snapshot());
    }
}

TEST_CASE("grouped crisis: a state saved before grouped crises (version 1) is refused with a reason") {
    Flow flow = compiled(airlines_flow);
    Monitor monitor(flow);
    std::string saved = monitor.snapshot();
    const std::string version = R"("triage_state":2)";
    REQUIRE(saved.find(version) != std::string::npos);
    saved.replace(saved.find(version), version.size(), R"("triage_state":1)");
    std::string error;
    CHECK_FALSE(monitor.restore(saved, error));
    CHECK(error.find("state version 1") != std::string::npos);
}

TEST_CASE("grouped crisis: a mention without the group field belongs to no group") {
    Flow flow = compiled(airlines_flow);
    std::vector<Mention> stream = three_brands(1400);
    // Mentions with no brand, complaining, while United is in crisis.
    for (std::size_t i = 1100; i < 1200; ++i)
        if (i % 3 == 2) stream[i] = {"the app is down", "", stream[i].posted_at};
    Monitor monitor(flow);
    Replayed r;
    replay(flow, &monitor, stream, 0, stream.size(), r);
    CHECK(r.entered == std::vector<std::string>{"1062 United"});  // 33 brandless complaints start nothing
    for (std::size_t i = 1100; i < 1200; ++i)
        if (i % 3 == 2) {
            CAPTURE(i);
            CHECK(r.in_crisis[i].empty());
            CHECK(flow.outcomes()[r.outcomes[i]].name == "complaint");
        }
    CHECK(monitor.stats().crisis_groups_dropped == 0);
}

namespace {

// Every brand whose second complaint comes within an hour is in crisis, for at least a day.
constexpr std::string_view eager_flow = R"(flow "Eager" version 1
fields {
  text: text
  brand: text
  posted_at: time
}
clock posted_at
crisis outage "Outage" by brand {
  when count(text contains "down") over 1h > 1
  minimum 1d
}
start s
step s "?" {
  if in crisis outage -> crisis
  else -> calm
}
outcome crisis "Crisis" { escalate to "crisis-team" }
outcome calm "Calm" { monitor }
)";

}  // namespace

TEST_CASE("grouped crisis: only idle groups are dropped for room, and a full house of crises drops new groups") {
    Flow flow = compiled(eager_flow);
    Limits limits;
    limits.groups = 3;
    Monitor monitor(flow, limits);
    Evaluator evaluator(flow);
    Record record(flow);
    TimePoint t = at("2026-11-20T10:00:00Z");
    auto decide = [&](std::string_view brand) {
        t += std::chrono::seconds(1);
        record.set("text", "down").set("brand", brand).set("posted_at", t);
        return flow.outcomes()[evaluator.decide(record.view(), monitor)].name;
    };
    CHECK(decide("a") == "calm");
    CHECK(decide("a") == "crisis");  // a enters
    CHECK(decide("b") == "calm");
    CHECK(decide("c") == "calm");
    CHECK(decide("d") == "calm");    // drops b, the least recently seen idle group, not a
    CHECK(monitor.stats().groups_dropped == 1);
    CHECK(decide("a") == "crisis");  // a kept its crisis and its counts
    CHECK(decide("c") == "crisis");
    CHECK(decide("d") == "crisis");
    // Every group held is in crisis: new groups are dropped (and counted), and cannot end a crisis.
    for (int i = 0; i < 50; ++i) CHECK(decide(fmt::format("new-{}", i)) == "calm");
    CHECK(monitor.stats().groups_dropped == 51);
    CHECK(decide("a") == "crisis");
    const MonitorStats stats = monitor.stats();
    REQUIRE(stats.crisis_groups.size() == 3);
    CHECK(stats.crisis_groups[0].group == "a");
    CHECK(stats.crisis_groups[1].group == "c");
    CHECK(stats.crisis_groups[2].group == "d");
    CHECK(stats.groups == 3);
}

TEST_CASE("grouped crisis: the state stays within its bound with 10,000 groups") {
    Flow flow = compiled(eager_flow);
    Monitor monitor(flow);  // Limits::groups = 10,000 by default
    Evaluator evaluator(flow);
    Record record(flow);
    const TimePoint start = at("2026-11-20T10:00:00Z");
    // 12,000 brands, each complaining twice in a row: the first 10,000 enter a crisis, the rest
    // find every group held in crisis.
    for (int i = 0; i < 12000; ++i)
        for (int twice = 0; twice < 2; ++twice) {
            record.set("text", "down").set("brand", fmt::format("brand-{}", i)).set("posted_at", start + std::chrono::seconds(i));
            static_cast<void>(evaluator.decide(record.view(), monitor));
        }
    const MonitorStats stats = monitor.stats();
    CHECK(stats.groups == 10000);
    CHECK(stats.crisis_groups.size() == 10000);
    CHECK(stats.groups_dropped == 4000);  // two per brand past the 10,000th
    CHECK(stats.crisis_groups_dropped == 0);
    const Duration tolerance = flow.clock()->tolerance;
    CHECK(stats.bytes == 10000 * (std::uint64_t{60 + 0 + 0 + 1} * 4 + 96));
    CHECK(stats.bytes <= Limits{}.state_bytes);
    CHECK(tolerance == Duration(0));
    // A snapshot of 10,000 groups in crisis restores.
    Monitor restored(flow);
    std::string error;
    REQUIRE_MESSAGE(restored.restore(monitor.snapshot(), error), error);
    CHECK(restored.stats().crisis_groups.size() == 10000);
}

TEST_CASE("grouped crisis: a crisis without windows is bounded by the groups limit too") {
    Flow flow = compiled(R"(flow "Angry" version 1
fields {
  sentiment: number
  brand: one of united, delta, alaska, other
  posted_at: time
}
clock posted_at
crisis fury "Fury" by brand {
  when sentiment < -0.9
  leave when sentiment > 0
}
start s
step s "?" {
  if in crisis fury -> crisis
  else -> calm
}
outcome crisis "Crisis" { escalate to "crisis-team" }
outcome calm "Calm" { monitor }
)");
    Limits limits;
    limits.groups = 2;
    Monitor monitor(flow, limits);
    Evaluator evaluator(flow);
    Record record(flow);
    TimePoint t = at("2026-11-20T10:00:00Z");
    auto decide = [&](std::string_view brand, double sentiment) {
        t += std::chrono::seconds(1);
        record.set("sentiment", sentiment).set("brand", brand).set("posted_at", t);
        return flow.outcomes()[evaluator.decide(record.view(), monitor)].name;
    };
    CHECK(decide("united", -1) == "crisis");
    CHECK(decide("delta", -1) == "crisis");
    CHECK(decide("alaska", -1) == "calm");  // two groups in crisis already
    CHECK(monitor.stats().crisis_groups_dropped == 1);
    CHECK(decide("united", 0.5) == "calm");  // united leaves
    CHECK(decide("alaska", -1) == "crisis");
    CHECK(monitor.crisis_group(0, "alaska").active);
    CHECK_FALSE(monitor.crisis_group(0, "united").active);
}

TEST_CASE("grouped crisis: set_crisis by group, and explain text names the group and what fired") {
    Flow flow = compiled(airlines_flow);
    Monitor monitor(flow);
    CHECK_THROWS_AS(monitor.set_crisis(0, true, at("2026-11-20T09:00:00Z")), std::invalid_argument);
    monitor.set_crisis(0, "United", true, at("2026-11-20T09:00:00Z"));
    Evaluator evaluator(flow);
    Record record(flow);
    Decision decision;
    Trace trace;
    record.set("text", "down again").set("brand", "United").set("posted_at", at("2026-11-20T10:00:00Z"));
    evaluator.explain(record.view(), at("2026-11-20T10:00:00Z"), decision, trace, monitor);
    CHECK(flow.outcomes()[decision.outcome].name == "holding");
    CHECK(explain_text(flow, decision, trace).find("in crisis outage for brand United — Service outage: since") !=
          std::string::npos);
    record.set("brand", "Delta");
    evaluator.explain(record.view(), at("2026-11-20T10:00:01Z"), decision, trace, monitor);
    CHECK(flow.outcomes()[decision.outcome].name == "complaint");
    monitor.set_crisis(0, "United", false, at("2026-11-20T10:00:00Z"));
    CHECK(monitor.stats().crisis_groups.empty());

    // A crisis entered by its window says so in words.
    Monitor fresh(flow);
    const std::vector<Mention> stream = three_brands(1063);
    Replayed r;
    replay(flow, &fresh, stream, 0, 1062, r);
    record.clear_all();
    record.set("text", stream[1062].text).set("brand", "United").set("posted_at", stream[1062].posted_at);
    evaluator.explain(record.view(), stream[1062].posted_at, decision, trace, fresh);
    const std::string text = explain_text(flow, decision, trace);
    CHECK(text.find("    because count(text has any outage) over 15m = 21 > 20\n") != std::string::npos);
}

TEST_CASE("grouped crisis: a flow test `during crisis` puts the mention's group in crisis") {
    std::string text(airlines_flow);
    text += R"(
test "United in its outage gets the holding reply" {
  given { text: "app down", brand: "United", posted_at: "2026-11-20T10:00:00Z" }
  during crisis outage
  expect holding
}
)";
    Flow flow = compiled(text);
    TestRun run = run_tests(flow);
    REQUIRE(run.results.size() == 1);
    CHECK(run.results[0].passed);

    std::string without_group(airlines_flow);
    without_group += R"(
test "no brand" {
  given { text: "app down", posted_at: "2026-11-20T10:00:00Z" }
  during crisis outage
  expect holding
}
)";
    CompileResult result = compile_text(without_group);
    CHECK_FALSE(result.ok());
    CHECK(triage::test::all_text(result).find("crisis 'outage' is kept per brand, and the test gives no brand") !=
          std::string::npos);
}
