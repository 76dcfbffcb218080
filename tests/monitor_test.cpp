// Windows, crisis modes and business hours, through the Monitor: replayed timestamped streams
// with spikes built in, pinned to the exact mention at which a crisis starts and ends;
// snapshot and restore mid-stream; deadlines in business time across weekends and DST.
#include "support.hpp"

#include "allocation_counter.hpp"
#include "triage/decision_format.hpp"

#include <fmt/format.h>

using namespace triage;
using triage::test::at;
using triage::test::compile_text;
using triage::test::compiled;

namespace {

constexpr std::string_view outage_flow = R"(flow "Outage" version 1
fields {
  text: text
  topic: one of app, baggage, refunds
  posted_at: time
}
clock posted_at tolerance 5m
words outage = "outage", "down"
crisis outage "Service outage" {
  when count(text has any outage) over 15m > 20
  leave when count(text has any outage) over 15m < 5
  minimum 1h
  route answer -> holding
}
start screen
step screen "Busy?" {
  if count(text has any outage) over 15m by topic > 3 -> surge
  else -> answer
}
outcome surge "Surge on one topic" { escalate to leads }
outcome answer "Answer" { respond publicly within 1h }
outcome holding "Holding reply" { respond publicly within 30m using "holding" }
)";

// One mention of a replayed stream.
struct Mention {
    std::string text;
    std::string topic;
    TimePoint posted_at;
};

struct Replayed {
    std::vector<std::uint32_t> outcomes;
    std::vector<std::size_t> entered, left;  // 0-based mention indices
    std::vector<bool> active;
};

void replay(const Flow& flow, Monitor& monitor, const std::vector<Mention>& stream, std::size_t from, std::size_t to,
            Replayed& out) {
    Evaluator evaluator(flow);
    Record record(flow);
    Decision decision;
    for (std::size_t i = from; i < to; ++i) {
        record.clear_all();
        record.set("text", stream[i].text);
        if (!stream[i].topic.empty()) record.set("topic", stream[i].topic);
        record.set("posted_at", stream[i].posted_at);
        evaluator.evaluate(record.view(), stream[i].posted_at, decision, monitor);
        out.outcomes.push_back(decision.outcome);
        bool active = false;
        for (const ActiveCrisis& c : decision.crises) {
            active = true;
            if (c.entered) out.entered.push_back(i);
        }
        if (!decision.crises_left.empty()) out.left.push_back(i);
        out.active.push_back(active);
    }
}

// A mention every 30 s from midnight; `outage` mentions where `is_outage(i)`.
std::vector<Mention> stream_of(std::size_t count, const std::function<bool(std::size_t)>& is_outage) {
    std::vector<Mention> stream;
    const TimePoint start = at("2026-11-20T00:00:00Z");
    for (std::size_t i = 0; i < count; ++i)
        stream.push_back({is_outage(i) ? "the app is down" : "hello there", i % 3 == 0 ? "app" : "refunds",
                          start + std::chrono::seconds(30 * static_cast<std::int64_t>(i))});
    return stream;
}

}  // namespace

TEST_CASE("monitor: a crisis starts at the 21st outage mention in 15 minutes and ends when they fall below 5") {
    Flow flow = compiled(outage_flow);
    // Outage mentions 1000..1199, one every 30 s. The window (15m, 60 buckets of 15 s) holds the
    // last 30 mentions, so at mention i it counts min(i - 999, 30): more than 20 first at 1020.
    // Afterwards it counts 1229 - i, below 5 first at 1225 (1h45m after the start: past the minimum).
    std::vector<Mention> stream = stream_of(1400, [](std::size_t i) { return i >= 1000 && i < 1200; });
    Monitor monitor(flow);
    Replayed r;
    replay(flow, monitor, stream, 0, stream.size(), r);
    CHECK(r.entered == std::vector<std::size_t>{1020});
    CHECK(r.left == std::vector<std::size_t>{1225});
    CHECK_FALSE(r.active[1019]);
    CHECK(r.active[1020]);
    CHECK(r.active[1224]);
    CHECK_FALSE(r.active[1225]);  // the mention that ends it is decided in normal mode
    CHECK(monitor.crises()[0].active == false);
    CHECK(monitor.stats().mentions == 1400);
    CHECK(monitor.stats().late == 0);
}

TEST_CASE("monitor: the minimum duration holds a crisis after its leave condition is met") {
    Flow flow = compiled(outage_flow);
    // 40 outage mentions (20 minutes) from 2000: enters at 2020; the count falls below 5 at 2065,
    // but the crisis lasts at least 1h = 120 mentions, so it ends at 2140.
    std::vector<Mention> stream = stream_of(2300, [](std::size_t i) { return i >= 2000 && i < 2040; });
    Monitor monitor(flow);
    Replayed r;
    replay(flow, monitor, stream, 0, stream.size(), r);
    CHECK(r.entered == std::vector<std::size_t>{2020});
    CHECK(r.left == std::vector<std::size_t>{2140});
}

TEST_CASE("monitor: routes apply while the crisis is active, and grouped windows count per group") {
    Flow flow = compiled(outage_flow);
    const std::uint32_t answer = flow.find_node("answer")->index;
    const std::uint32_t holding = flow.find_node("holding")->index;
    const std::uint32_t surge = flow.find_node("surge")->index;
    std::vector<Mention> stream = stream_of(1400, [](std::size_t i) { return i >= 1000 && i < 1200; });
    // During the outage every third mention is about the app, the others about baggage.
    for (std::size_t i = 1000; i < 1200; ++i) stream[i].topic = i % 3 == 0 ? "app" : "baggage";
    Monitor monitor(flow);
    Replayed r;
    replay(flow, monitor, stream, 0, stream.size(), r);
    CHECK(r.outcomes[999] == answer);
    // By topic, more than 3 in the window: baggage at its 4th outage mention (1000, 1001, 1003,
    // 1004), the app at its 4th (1002, 1005, 1008, 1011).
    CHECK(r.outcomes[1003] == answer);
    CHECK(r.outcomes[1004] == surge);
    CHECK(r.outcomes[1008] == answer);  // the app's 3rd
    CHECK(r.outcomes[1011] == surge);
    CHECK(r.outcomes[1400 - 1] == answer);
    // A quiet mention in crisis mode goes to the holding reply instead of the answer.
    CHECK(r.active[1300 - 100]);
    std::size_t routed = 0;
    for (std::size_t i = 1020; i <= 1225; ++i) routed += r.outcomes[i] == holding ? 1 : 0;
    CHECK(routed > 0);
    for (std::size_t i = 0; i < 1020; ++i) CHECK(r.outcomes[i] != holding);
}

TEST_CASE("monitor: a spike against a 12h baseline, known only once the baseline has been seen") {
    Flow flow = compiled(R"(flow "Spike" version 1
fields { text: text
 posted_at: time }
clock posted_at
words outage = "outage"
crisis spike "Spike" {
  when spike(text has any outage) over 1h vs 12h > 4x
}
start s
step s "?" { if in crisis spike -> crisis
  else -> calm }
outcome crisis "Crisis" { escalate to "crisis team" }
outcome calm "Calm" { monitor }
)");
    // A mention a minute; one in ten mentions an outage (6 an hour) until mention 900, then all do.
    // The window is 60 one-minute buckets, the baseline the 720 before them: from mention 780 the
    // baseline is known and holds 72. At mention i >= 900 the window holds (i - 899) new outage
    // mentions and the old ones in (i - 60, 899]; the factor is recent / 60 / (72 / 720) = recent / 6,
    // above 4 first at i = 921 (22 + 3 = 25).
    std::vector<Mention> stream;
    const TimePoint start = at("2026-11-20T00:00:00Z");
    for (std::size_t i = 0; i < 1000; ++i)
        stream.push_back({i >= 900 || i % 10 == 0 ? "outage again" : "fine", "",
                          start + std::chrono::minutes(static_cast<std::int64_t>(i))});
    Monitor monitor(flow);
    Replayed r;
    replay(flow, monitor, stream, 0, stream.size(), r);
    CHECK(r.entered == std::vector<std::size_t>{921});
    // Without `leave when`, it ends once `when` no longer holds; here it does not end.
    CHECK(r.left.empty());
}

TEST_CASE("monitor: late mentions within the tolerance count, later ones are decided but not counted") {
    Flow flow = compiled(outage_flow);
    Monitor monitor(flow);
    Evaluator evaluator(flow);
    Record record(flow);
    Decision decision;
    auto observe = [&](std::string_view posted) {
        record.clear_all();
        record.set("text", "down").set("topic", "app").set("posted_at", at(posted));
        evaluator.evaluate(record.view(), at(posted), decision, monitor);
    };
    observe("2026-11-20T10:00:00Z");
    observe("2026-11-20T10:00:00Z");
    observe("2026-11-20T10:00:00Z");
    observe("2026-11-20T09:56:00Z");  // 4 minutes late: counted, and the 4th in the window
    CHECK_FALSE(decision.late);
    CHECK(flow.outcomes()[decision.outcome].name == "surge");
    observe("2026-11-20T09:50:00Z");  // 10 minutes late: past the 5m tolerance
    CHECK(decision.late);
    CHECK(monitor.stats().late == 1);
    CHECK(monitor.now() == at("2026-11-20T10:00:00Z"));
}

TEST_CASE("monitor: snapshot and restore mid-stream give the same decisions as an uninterrupted run") {
    Flow flow = compiled(outage_flow);
    std::vector<Mention> stream = stream_of(2300, [](std::size_t i) {
        return (i >= 1000 && i < 1200) || (i >= 2000 && i < 2040) || i % 7 == 0;
    });
    Monitor whole(flow);
    Replayed uninterrupted;
    replay(flow, whole, stream, 0, stream.size(), uninterrupted);

    for (std::size_t cut : {std::size_t{1}, std::size_t{1010}, std::size_t{1100}, std::size_t{2030}}) {
        CAPTURE(cut);
        Monitor first(flow);
        Replayed resumed;
        replay(flow, first, stream, 0, cut, resumed);
        const std::string saved = first.snapshot();
        Monitor second(flow);
        std::string error;
        REQUIRE(second.restore(saved, error));
        CHECK(second.snapshot() == saved);
        replay(flow, second, stream, cut, stream.size(), resumed);
        CHECK(resumed.outcomes == uninterrupted.outcomes);
        CHECK(resumed.active == uninterrupted.active);
        CHECK(resumed.entered == uninterrupted.entered);
        CHECK(resumed.left == uninterrupted.left);
        CHECK(second.snapshot() == whole.snapshot());
    }
}

TEST_CASE("monitor: a snapshot is refused by a flow whose windows differ, and bad snapshots change nothing") {
    Flow flow = compiled(outage_flow);
    Monitor monitor(flow);
    std::vector<Mention> stream = stream_of(50, [](std::size_t i) { return i % 2 == 0; });
    Replayed r;
    replay(flow, monitor, stream, 0, stream.size(), r);
    const std::string saved = monitor.snapshot();

    std::string changed(outage_flow);
    changed.replace(changed.find("over 15m > 20"), 13, "over 30m > 20");
    Flow other = compiled(changed);
    Monitor elsewhere(other);
    std::string error;
    CHECK_FALSE(elsewhere.restore(saved, error));
    CHECK(error.find("differ") != std::string::npos);

    auto replaced = [&](std::string_view from, std::string_view to) {
        std::string text = saved;
        const std::size_t at = text.find(from);
        REQUIRE(at != std::string::npos);
        return text.replace(at, from.size(), to);
    };
    const std::string now_field = saved.substr(saved.find("\"now\":"), saved.find(",\"first\"") - saved.find("\"now\":"));
    const std::string head_field = saved.substr(saved.find("\"head\":"), saved.find(",\"counts\"") - saved.find("\"head\":"));
    for (std::string bad : {std::string("not json"), std::string("{}"), saved.substr(0, saved.size() / 2),
                            std::string(R"({"triage_state":2})"), replaced(now_field, "\"now\":9223372036854775807"),
                            replaced(head_field, "\"head\":-9223372036854775807"),
                            replaced("\"counts\":[", "\"counts\":[[100000,1],")}) {
        CAPTURE(bad);
        error.clear();
        CHECK_FALSE(monitor.restore(bad, error));
        CHECK_FALSE(error.empty());
        CHECK(monitor.snapshot() == saved);
    }
}

TEST_CASE("monitor: groups are bounded, the least recently seen group is dropped") {
    Flow flow = compiled(R"(flow "Groups" version 1
fields { author: text
 posted_at: time }
clock posted_at
start s
step s "?" { if count(true) over 1h by author > 1 -> again
  else -> first }
outcome again "Again" { monitor }
outcome first "First" { monitor }
)");
    Limits limits;
    limits.groups = 3;
    Monitor monitor(flow, limits);
    Evaluator evaluator(flow);
    Record record(flow);
    const TimePoint t = at("2026-11-20T10:00:00Z");
    auto decide = [&](std::string_view author) {
        record.set("author", author).set("posted_at", t);
        return flow.outcomes()[evaluator.decide(record.view(), monitor)].name;
    };
    CHECK(decide("a") == "first");
    CHECK(decide("b") == "first");
    CHECK(decide("c") == "first");
    CHECK(decide("a") == "again");   // a is now the most recently seen
    CHECK(decide("d") == "first");   // drops b, the least recently seen
    CHECK(monitor.stats().groups_dropped == 1);
    CHECK(monitor.stats().groups == 3);
    CHECK(decide("b") == "first");   // b starts again from nothing (and drops c)
    CHECK(decide("a") == "again");
    CHECK(monitor.stats().groups_dropped == 2);
    // Once the groups are full, a new group takes the place of the least recently seen one
    // without allocating.
    std::vector<std::string> authors;
    for (int i = 0; i < 100; ++i) authors.push_back(fmt::format("author-{}", i));
    const std::uint64_t before = triage::test::allocations();
    for (const std::string& author : authors) CHECK(decide(author) == "first");
    CHECK(triage::test::allocations() == before);
    CHECK(monitor.stats().groups_dropped == 102);
}

TEST_CASE("monitor: deciding allocates nothing once the groups exist") {
    Flow flow = compiled(outage_flow);
    Monitor monitor(flow);
    Evaluator evaluator(flow);
    Record record(flow);
    Decision decision;
    const TimePoint start = at("2026-11-20T00:00:00Z");
    auto run = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) {
            record.set("text", i % 2 ? "down" : "fine").set("topic", i % 3 ? "app" : "refunds");
            const TimePoint t = start + std::chrono::seconds(static_cast<std::int64_t>(i) * 20);
            record.set("posted_at", t);
            evaluator.evaluate(record.view(), t, decision, monitor);
        }
    };
    run(0, 200);  // groups created, crisis entered and left, vectors at capacity
    const std::uint64_t before = triage::test::allocations();
    run(200, 2000);
    CHECK(triage::test::allocations() == before);
}

TEST_CASE("monitor: set_crisis starts a crisis by hand until it is ended by hand") {
    Flow flow = compiled(outage_flow);
    Monitor monitor(flow);
    Evaluator evaluator(flow);
    Record record(flow);
    record.set("text", "hello").set("topic", "app").set("posted_at", at("2026-11-20T10:00:00Z"));
    const std::uint32_t holding = flow.find_node("holding")->index;
    CHECK(evaluator.decide(record.view(), monitor) != holding);
    monitor.set_crisis(0, true, at("2026-11-20T09:00:00Z"));
    CHECK(evaluator.decide(record.view(), monitor) == holding);  // its leave condition holds, but it was set by hand
    CHECK(monitor.crises()[0].manual);
    monitor.set_crisis(0, false, at("2026-11-20T10:00:00Z"));
    CHECK(evaluator.decide(record.view(), monitor) != holding);
    CHECK_THROWS_AS(monitor.set_crisis(5, true, at("2026-11-20T10:00:00Z")), std::out_of_range);
    Monitor foreign(compiled(outage_flow));
    CHECK_THROWS_AS(static_cast<void>(evaluator.decide(record.view(), foreign)), std::invalid_argument);
}

TEST_CASE("business hours: a deadline in business time skips the weekend and the change to summer time") {
    Flow flow = compiled(R"(flow "Desk" version 1
fields { text: text
 posted_at: time }
clock posted_at
hours desk "Care desk" {
  zone "Europe/London"
  mon-fri 09:00-18:00
  holidays 2026-12-25
}
start s
step s "?" { if within hours desk -> open
  else -> closed }
outcome open "Open" { respond privately within 4h during desk  follow up after 1d }
outcome closed "Closed" { respond privately within 2h during desk }
)");
    Evaluator evaluator(flow);
    Record record(flow);
    Decision decision;
    auto decide = [&](std::string_view posted) {
        record.set("text", "hi").set("posted_at", at(posted));
        evaluator.evaluate(record.view(), at(posted), decision);
        REQUIRE(decision.decided());
        return std::string(flow.outcomes()[decision.outcome].name);
    };
    // Friday 2026-11-20 16:00 GMT: two hours left on Friday, two more on Monday from 09:00.
    CHECK(decide("2026-11-20T16:00:00Z") == "open");
    REQUIRE(decision.actions[0].deadline);
    CHECK(*decision.actions[0].deadline == at("2026-11-23T11:00:00Z"));
    CHECK(describe(decision.actions[0]) == "respond privately within 4h during desk (by 2026-11-23T11:00:00Z)");
    // `follow up after 1d` names no hours: calendar time.
    CHECK(*decision.actions[1].deadline == at("2026-11-21T16:00:00Z"));
    // Friday 2026-03-27 17:00 GMT: one hour on Friday, then Monday 09:00 BST (08:00Z) plus one hour.
    CHECK(decide("2026-03-27T17:00:00Z") == "open");
    CHECK(*decision.actions[0].deadline == at("2026-03-30T11:00:00Z"));
    // Saturday after the clocks change: closed; the 2h count from Monday 09:00 BST = 08:00Z.
    CHECK(decide("2026-03-28T12:00:00Z") == "closed");
    CHECK(*decision.actions[0].deadline == at("2026-03-30T10:00:00Z"));
    // 08:30 BST on a Monday in summer is 07:30Z: closed; 09:30 BST is open.
    CHECK(decide("2026-06-01T07:30:00Z") == "closed");
    CHECK(decide("2026-06-01T08:30:00Z") == "open");
    // Christmas Day (a Friday) is a holiday: closed, and the deadline is on Monday 28th.
    CHECK(decide("2026-12-25T12:00:00Z") == "closed");
    CHECK(*decision.actions[0].deadline == at("2026-12-28T11:00:00Z"));
    // The week the clocks go back (Sunday 2026-10-25): Friday 17:00 BST = 16:00Z, 4h: one on
    // Friday, three from Monday 09:00 GMT = 09:00Z.
    CHECK(decide("2026-10-23T16:00:00Z") == "open");
    CHECK(*decision.actions[0].deadline == at("2026-10-26T12:00:00Z"));
}

TEST_CASE("monitor: a mention dated in the future is decided but neither counted nor moves the clock") {
    Flow flow = compiled(outage_flow);
    Monitor monitor(flow);
    monitor.set_latest(at("2026-11-21T00:00:00Z"));
    Evaluator evaluator(flow);
    Record record(flow);
    Decision decision;
    record.set("text", "down").set("topic", "app").set("posted_at", at("2099-01-01T00:00:00Z"));
    evaluator.evaluate(record.view(), at("2026-11-20T10:00:00Z"), decision, monitor);
    CHECK(decision.future);
    CHECK_FALSE(monitor.now());
    // The real stream after it still counts: 21 outage mentions within a minute start the crisis.
    std::vector<Mention> stream = stream_of(40, [](std::size_t) { return true; });
    Replayed r;
    replay(flow, monitor, stream, 0, stream.size(), r);
    CHECK(r.entered == std::vector<std::size_t>{20});
    CHECK(monitor.stats().future == 1);
    CHECK(monitor.stats().late == 0);
}

TEST_CASE("monitor: after a quiet baseline one mention is no spike, five are a factor of five") {
    Flow flow = compiled(R"(flow "Spike" version 1
fields { text: text
 posted_at: time }
clock posted_at
start s
step s "?" { if spike(text contains "outage") over 1h vs 12h > 4x -> spike
  else -> calm }
outcome spike "Spike" { escalate to "crisis team" }
outcome calm "Calm" { monitor }
)");
    Monitor monitor(flow);
    Evaluator evaluator(flow);
    Record record(flow);
    Trace trace;
    Decision decision;
    TimePoint t = at("2026-11-20T00:00:00Z");
    for (int i = 0; i < 14 * 6; ++i, t += std::chrono::minutes(10)) {  // 14 quiet hours
        record.set("text", "fine").set("posted_at", t);
        CHECK(evaluator.decide(record.view(), monitor) == flow.find_node("calm")->index);
    }
    for (int i = 1; i <= 5; ++i, t += std::chrono::minutes(1)) {
        record.set("text", "outage!").set("posted_at", t);
        evaluator.explain(record.view(), t, decision, trace, monitor);
        CAPTURE(i);
        REQUIRE(trace.entries.size() >= 1);
        CHECK(trace.entries[0].value.number == doctest::Approx(i));  // expected at least 1: the factor is the count
        CHECK(flow.outcomes()[decision.outcome].name == (i == 5 ? "spike" : "calm"));
    }
}

TEST_CASE("monitor: a let used by a window and by the path still reports its missing fields") {
    Flow flow = compiled(R"(flow "Let" version 1
fields { score: number
 posted_at: time }
clock posted_at
let bad = score < 0
start s
step s "?" { if count(bad) over 1h > 5 -> many
  if bad -> one
  else -> none }
outcome many "Many" { monitor }
outcome one "One" { monitor }
outcome none "None" { monitor }
)");
    Monitor monitor(flow);
    Evaluator evaluator(flow);
    Record record(flow);
    Decision decision;
    Trace trace;
    record.set("posted_at", at("2026-11-20T10:00:00Z"));
    evaluator.explain(record.view(), at("2026-11-20T10:00:00Z"), decision, trace, monitor);
    CHECK(decision.missing_fields == std::vector<std::uint32_t>{*flow.find_field("score")});
    CHECK(explain_text(flow, decision, trace).find("score = missing") != std::string::npos);
}
