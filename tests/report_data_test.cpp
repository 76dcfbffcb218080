// ReportData (triage/report.hpp): time buckets, --by breakdowns that add up, deadline buckets,
// crisis periods, examples deduplicated by folded text, and the bounded, deterministic sample.
#include "support.hpp"

#include "triage/report.hpp"

#include <numeric>
#include <set>

using namespace triage;
using triage::test::at;
using triage::test::compile_text;

namespace {

constexpr std::string_view report_flow = R"(flow "Report" version 1
fields {
  text: text
  channel: one of twitter, facebook, email
  brand: text
  posted_at: time
}
clock posted_at
crisis storm "Storm" {
  when text contains "storm"
}
start ask
step ask "Is it a complaint?" {
  if text contains "bad" and channel is twitter and brand is "A" -> complaint
  else -> other
}
outcome complaint "Complaint" {
  respond publicly within 2h
}
outcome other "Anything else" {
  tag other
}
)";

Flow compiled() { return triage::test::compiled(report_flow); }

// Feeds one mention with outcome `outcome` (0 complaint, 1 other) and the given --by values.
void feed(ReportData& data, std::uint32_t outcome, TimePoint time, std::string_view text, std::vector<FieldValue> by = {},
          std::string_view id = "m") {
    Decision decision;
    decision.outcome = outcome;
    data.record(decision, ReportMention{time, id, text, by});
}

std::uint64_t sum(const std::vector<std::uint64_t>& counts) { return std::accumulate(counts.begin(), counts.end(), std::uint64_t{0}); }

}  // namespace

TEST_CASE("report buckets are hours when the span is 72 hours or less, else days") {
    const Flow flow = compiled();
    ReportData hourly(flow, {});
    feed(hourly, 0, at("2026-11-20T10:05:00Z"), "bad");
    feed(hourly, 1, at("2026-11-20T10:55:00Z"), "fine");
    feed(hourly, 0, at("2026-11-20T12:30:00Z"), "bad again");
    CHECK(hourly.bucket_length() == std::chrono::hours(1));
    const auto hours = hourly.buckets();
    REQUIRE(hours.size() == 3);  // 10:00, 11:00 (empty) and 12:00
    CHECK(hours[0].start == at("2026-11-20T10:00:00Z"));
    CHECK(hours[0].outcomes == std::vector<std::uint64_t>{1, 1, 0});
    CHECK(sum(hours[1].outcomes) == 0);
    CHECK(hours[2].outcomes == std::vector<std::uint64_t>{1, 0, 0});
    CHECK(hourly.first() == at("2026-11-20T10:05:00Z"));
    CHECK(hourly.last() == at("2026-11-20T12:30:00Z"));

    ReportData daily(flow, {});
    feed(daily, 0, at("2026-11-23T23:59:00Z"), "bad");  // out of order: the range still holds both ends
    feed(daily, 1, at("2026-11-20T00:01:00Z"), "fine");
    feed(daily, 1, at("2026-11-21T08:00:00Z"), "fine too");
    CHECK(daily.bucket_length() == std::chrono::hours(24));
    const auto days = daily.buckets();
    REQUIRE(days.size() == 4);
    CHECK(days[0].start == at("2026-11-20T00:00:00Z"));
    CHECK(days[3].start == at("2026-11-23T00:00:00Z"));
    CHECK(days[3].outcomes == std::vector<std::uint64_t>{1, 0, 0});
    std::uint64_t total = 0;
    for (const auto& d : days) total += sum(d.outcomes);
    CHECK(total == daily.mentions());
}

TEST_CASE("report breakdowns keep the busiest values, count the rest as other and add up to the total") {
    const Flow flow = compiled();
    const std::uint32_t brand = *flow.find_field("brand");
    const std::uint32_t channel = *flow.find_field("channel");
    ReportSettings settings;
    settings.by = {brand, channel};
    settings.top_values = 2;
    ReportData data(flow, settings);
    const std::vector<std::string> brands = {"A", "A", "A", "B", "B", "C", "D", "A"};
    for (std::size_t i = 0; i < brands.size(); ++i)
        feed(data, static_cast<std::uint32_t>(i % 2), at("2026-11-20T10:00:00Z") + std::chrono::minutes(i),
             "text " + std::to_string(i), {FieldValue::of_text(brands[i]), FieldValue::of_enum(static_cast<std::uint32_t>(i % 3))});
    feed(data, 1, at("2026-11-20T11:00:00Z"), "no brand", {FieldValue::missing(), FieldValue::of_enum(0)});

    const auto breakdowns = data.breakdowns();
    REQUIRE(breakdowns.size() == 2);
    CHECK(breakdowns[0].values == std::vector<std::string>{"A", "B", "other"});
    CHECK(sum(breakdowns[0].counts[0]) == 4);
    CHECK(sum(breakdowns[0].counts[2]) == 3);  // C, D and the mention without a brand
    // Top two of the one-of field too: email's two mentions are "other".
    CHECK(breakdowns[1].values == std::vector<std::string>{"twitter", "facebook", "other"});
    CHECK(sum(breakdowns[1].counts[2]) == 2);
    for (const auto& b : breakdowns) {
        std::uint64_t total = 0;
        for (const auto& counts : b.counts) total += sum(counts);
        CHECK(total == data.mentions());
    }
    // The filter's cells: per field, they add up to the total too, in the shown values' positions.
    std::vector<std::uint64_t> per_field(2, 0);
    for (const ReportData::Cell& c : data.cells()) {
        per_field[c.field] += c.count;
        CHECK(c.value < breakdowns[c.field].values.size());
    }
    CHECK(per_field == std::vector<std::uint64_t>{9, 9});
}

TEST_CASE("report examples are deduplicated by folded text and the sample stays bounded and deterministic") {
    const Flow flow = compiled();
    ReportSettings settings;
    settings.examples = 3;
    settings.sample = 50;
    settings.seed = 7;
    auto fill = [&](ReportData& data) {
        for (int i = 0; i < 10; ++i) feed(data, 0, at("2026-11-20T10:00:00Z") + std::chrono::minutes(i), i % 2 ? "BAD  service" : "bad service");
        feed(data, 0, at("2026-11-20T10:30:00Z"), "Bad Service ");
        feed(data, 0, at("2026-11-20T10:40:00Z"), "a bad day");
        for (int i = 0; i < 10'000; ++i)
            feed(data, 1, at("2026-11-21T00:00:00Z") + std::chrono::seconds(30 * i), "post " + std::to_string(i));
    };
    ReportData data(flow, settings), again(flow, settings);
    fill(data);
    fill(again);
    const auto examples = data.examples();
    REQUIRE(examples[0].size() == 2);  // "bad service" in any case and spacing, and "a bad day"
    CHECK(examples[0][0].text == "bad service");
    CHECK(examples[0][1].text == "a bad day");
    CHECK(examples[1].size() == 3);

    const auto sample = data.sample();
    CHECK(sample.size() == 50);
    std::vector<std::string> ids, again_ids;
    for (const auto& e : sample) ids.push_back(e.text);
    for (const auto& e : again.sample()) again_ids.push_back(e.text);
    CHECK(ids == again_ids);
    // Drawn across the span, not the first 50 lines: both halves of the 10,000 posts are there.
    const TimePoint middle = at("2026-11-21T00:00:00Z") + std::chrono::seconds(30 * 5'000);
    CHECK(std::any_of(sample.begin(), sample.end(), [&](const auto& e) { return e.time < middle; }));
    CHECK(std::any_of(sample.begin(), sample.end(), [&](const auto& e) { return e.time > middle; }));
    CHECK(std::is_sorted(sample.begin(), sample.end(), [](const auto& a, const auto& b) { return a.time < b.time; }));
}

TEST_CASE("report deadline buckets count after the mention time and note deadlines that wait for an opening") {
    const Flow flow = compiled();
    ReportData data(flow, {});
    const TimePoint t = at("2026-11-20T10:00:00Z");
    auto with_deadline = [&](Duration after, Duration written, std::string_view hours) {
        Decision decision;
        decision.outcome = 0;
        DecidedAction action;
        action.kind = ActionKind::respond;
        action.duration = written;
        action.deadline = t + after;
        action.hours = hours;
        decision.actions.push_back(action);
        data.record(decision, ReportMention{t, "m", "bad", {}});
    };
    with_deadline(std::chrono::minutes(60), std::chrono::minutes(60), "");
    with_deadline(std::chrono::hours(2), std::chrono::hours(2), "");
    with_deadline(std::chrono::hours(20), std::chrono::hours(2), "office");  // waited overnight
    with_deadline(std::chrono::hours(2), std::chrono::hours(2), "office");   // within open hours
    with_deadline(std::chrono::hours(50), std::chrono::hours(50), "");
    const DeadlineCounts& respond = data.deadlines().at(ActionKind::respond);
    CHECK(respond.within == std::array<std::uint64_t, deadline_buckets>{1, 2, 1, 1});
    CHECK(respond.next_opening == 1);
    CHECK(data.deadlines().size() == 1);
}

TEST_CASE("report crisis periods have their enter and leave times, the part that fired and their mentions") {
    const Flow flow = compiled();
    ReportData data(flow, {});
    Decision decision;
    decision.outcome = 0;
    decision.crises.push_back({0, at("2026-11-20T10:00:00Z"), true, {}});
    decision.fired.push_back({0, false, flow.crises()[0].enter, true, std::numeric_limits<double>::quiet_NaN()});
    data.record(decision, ReportMention{at("2026-11-20T10:00:00Z"), "a", "storm", {}});
    decision.clear();
    decision.outcome = 1;
    decision.crises.push_back({0, at("2026-11-20T10:00:00Z"), false, {}});
    data.record(decision, ReportMention{at("2026-11-20T10:20:00Z"), "b", "storm still", {}});
    decision.clear();
    decision.outcome = 1;
    decision.crises_left.push_back({0, at("2026-11-20T10:00:00Z"), false, {}});
    data.record(decision, ReportMention{at("2026-11-20T11:00:00Z"), "c", "calm", {}});

    REQUIRE(data.crisis_periods().size() == 1);
    const CrisisPeriod& p = data.crisis_periods()[0];
    CHECK(p.entered == at("2026-11-20T10:00:00Z"));
    REQUIRE(p.left);
    CHECK(*p.left == at("2026-11-20T11:00:00Z"));
    CHECK(p.entered_because.find("storm") != std::string::npos);
    CHECK(p.mentions == 2);
    CHECK(data.decided_in_crisis() == 2);

    JsonWriter json;
    json.begin_object();
    data.write_json(json);
    json.end_object();
    const std::string text = json.take();
    CHECK(text.find(R"("entered":"2026-11-20T10:00:00Z","left":"2026-11-20T11:00:00Z")") != std::string::npos);
    CHECK(text.find(R"("in_crisis":2)") != std::string::npos);
    CHECK(text.find(R"("bucket":"1h")") != std::string::npos);
}

TEST_CASE("report filter cells stay within their bound: hours roll up to days, then new values count as other") {
    const Flow flow = compiled();
    const std::uint32_t brand = *flow.find_field("brand");
    ReportSettings settings;
    settings.by = {brand};
    settings.cells = 40;
    ReportData data(flow, settings);
    // 30 brands over 24 hours of one day: 30 hour × brand cells before the bound, then more.
    std::uint64_t fed = 0;
    for (int h = 0; h < 24; ++h)
        for (int b = 0; b < 3; ++b, ++fed)
            feed(data, static_cast<std::uint32_t>(b % 2), at("2026-11-20T00:10:00Z") + std::chrono::hours(h),
                 "post " + std::to_string(fed), {FieldValue::of_text("brand" + std::to_string((h * 3 + b) % 30))});
    CHECK(data.held_cells() <= 40);
    CHECK(data.cells_by_day());
    CHECK(data.bucket_length() == std::chrono::hours(24));  // a one-day span, yet daily buckets
    REQUIRE(data.buckets().size() == 1);
    std::uint64_t total = 0;
    for (const ReportData::Cell& c : data.cells()) {
        CHECK(c.bucket == 0);
        total += c.count;
    }
    CHECK(total == fed);  // rolled up, not lost

    // A second day of 40 new brands: the day has no room for them all, the rest is "other".
    for (int b = 0; b < 40; ++b, ++fed)
        feed(data, 0, at("2026-11-21T09:00:00Z"), "next " + std::to_string(b), {FieldValue::of_text("new" + std::to_string(b))});
    CHECK(data.held_cells() <= 41);  // at the bound, plus the day's "other" cell
    total = 0;
    std::uint64_t day_two = 0;
    for (const ReportData::Cell& c : data.cells()) {
        total += c.count;
        if (c.bucket == 1) day_two += c.count;
    }
    CHECK(total == fed);
    CHECK(day_two == 40);
    // The --by table counts every brand it tracks, whatever the cells held.
    std::uint64_t table = 0;
    const auto breakdowns = data.breakdowns();
    for (const auto& counts : breakdowns[0].counts) table += sum(counts);
    CHECK(table == fed);

    // Under the bound nothing rolls up: a short span keeps its hours.
    ReportSettings roomy = settings;
    roomy.cells = 1000;
    ReportData hourly(flow, roomy);
    for (int h = 0; h < 5; ++h) feed(hourly, 0, at("2026-11-20T00:10:00Z") + std::chrono::hours(h), "p", {FieldValue::of_text("A")});
    CHECK_FALSE(hourly.cells_by_day());
    CHECK(hourly.held_cells() == 5);
    CHECK(hourly.bucket_length() == std::chrono::hours(1));
}
