// One owner for deciding a stream: the library's Stream and run_stream, and the commands built on
// them (run, report, diff, explain), decide the same lines alike — outcomes, deadlines, error
// counts and crisis transitions — whatever the limits, faults and flow.
#include "support.hpp"

#include "triage/decision_format.hpp"
#include "triage/stream.hpp"

#include "allocation_counter.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include <random>

namespace {

using triage::test::CliRun;
using triage::test::read_file;
using triage::test::run_triage;
using triage::test::quoted;
using triage::test::TempDir;
using triage::test::write_file;

std::string fixture(const std::string& name) {
    return (triage::test::source_dir() / "tests" / "fixtures" / "run" / name).string();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        out.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

triage::Flow compile(const std::string& path) {
    triage::CompileResult result = triage::compile_file(path);
    REQUIRE(result.ok());
    return *result.flow;
}

// A stateless stream with every kind of fault, and a line nested three deep.
std::string faulty_stream() {
    std::string text = read_file(fixture("mixed.jsonl"));
    text += R"({"id":"deep","text":"usaf news","sentiment":0.5,"site":{"bashing":{"really":true}}})" "\n";
    text += "\n";
    text += R"({"id":"late","text":"Air Force facts are wrong","sentiment":-0.1,"facts_wrong":true,"posted_at":"2026-11-22T07:00:00Z"})" "\n";
    text += R"({"id":"type","text":"usaf","sentiment":"very"})" "\n";
    return text;
}

// Mentions every 30 s from midnight; 100-199 report an outage; line 51 is dated 2099 (a scraped
// date that must not stall the windows), line 80 is broken, line 90 is blank.
std::string outage_stream() {
    std::string text;
    for (int i = 0; i < 300; ++i) {
        const int line = i + 1;
        if (line == 51) text += R"({"id":"future","text":"hello","posted_at":"2099-01-01T00:00:00Z"})";
        else if (line == 80) text += R"({"id":"broken","text":)";
        else if (line == 90) text += "  ";
        else
            text += fmt::format(R"({{"id":{},"text":"{}","posted_at":"2026-11-20T{:02}:{:02}:{:02}Z"}})", i,
                                i >= 100 && i < 200 ? "the app is down" : "hello", i * 30 / 3600, i * 30 / 60 % 60, i * 30 % 60);
        text += '\n';
    }
    return text;
}

struct Case {
    std::string name;
    std::string flow;
    std::string mentions;
    std::uint32_t json_depth;  // --limit json-depth, for the commands and the library alike
};

triage::StreamOptions library_options(const Case& c) {
    triage::StreamOptions options;
    options.now = triage::parse_time("2026-11-22T10:00:00Z");
    options.json.max_depth = c.json_depth;
    return options;
}

}  // namespace

TEST_CASE("stream: the library, run, report, diff and explain decide the same stream alike") {
    TempDir dir;
    const Case cases[] = {
        {"stateless, faulty, json-depth=2", fixture("airforce_small.flow"), faulty_stream(), 2},
        {"windows and a crisis, a date in 2099", fixture("outage.flow"), outage_stream(), 64},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        const std::string mentions = dir.file("mentions.jsonl");
        write_file(mentions, c.mentions);
        const std::string common =
            fmt::format(" --now 2026-11-22T10:00:00Z --limit json-depth={} --max-errors 100%", c.json_depth);
        const triage::Flow flow = compile(c.flow);

        // triage run
        CliRun run = run_triage("run " + quoted(c.flow) + " " + quoted(mentions) + common + " 2>/dev/null");
        REQUIRE(run.status == 0);
        const std::vector<std::string> decided = lines_of(run.output);
        REQUIRE(decided.size() == lines_of(c.mentions).size());
        std::uint64_t run_errors = 0;
        std::map<std::string, std::uint64_t> run_outcomes;
        simdjson::dom::parser parser;
        for (const std::string& line : decided) {
            simdjson::dom::element e = parser.parse(line);
            if (e["error"].error() == simdjson::SUCCESS) ++run_errors;
            else if (std::string_view o; e["outcome"].get(o) == simdjson::SUCCESS) ++run_outcomes[std::string(o)];
        }
        CHECK(run_errors >= 2);

        // The library: run_stream writes what run writes; Stream::decide line by line agrees.
        triage::Stream stream(flow, library_options(c));
        std::string written;
        triage::RunStreamOptions run_options;
        run_options.sink = [&](std::string_view lines) {
            written += lines;
            return true;
        };
        triage::StreamSummary summary = triage::run_stream(stream, triage::text_source(c.mentions), run_options);
        CHECK(written == run.output);
        CHECK(summary.errors == run_errors);
        triage::Stream by_line(flow, library_options(c));
        const triage::DecisionJson decision_json(flow);
        triage::Decision decision;
        std::vector<std::string> input = lines_of(c.mentions);
        for (std::size_t i = 0; i < input.size(); ++i) {
            CAPTURE(i);
            std::string expected = decided[i];
            if (by_line.decide(input[i], decision)) {
                std::string line;
                decision_json.append(line, decision, i + 1, by_line.id());
                CHECK(line == expected);
            } else {
                CHECK(expected.find(R"("error":)") != std::string::npos);
            }
        }

        // report --format json: the same counts.
        CliRun report = run_triage("report " + quoted(c.flow) + " -m " + quoted(mentions) + common + " --format json 2>/dev/null");
        REQUIRE(report.status == 0);
        simdjson::dom::element r = parser.parse(report.output);
        CHECK(std::uint64_t(r["errors"]) == run_errors);
        std::uint64_t by_reason = 0;
        for (simdjson::dom::element reason : r["error_reasons"]) by_reason += std::uint64_t(reason["count"]);
        CHECK(by_reason == run_errors);
        CHECK(summary.error_reasons.total() == run_errors);
        for (const triage::Outcome& o : flow.outcomes()) {
            CAPTURE(o.name);
            CHECK(std::uint64_t(r["outcomes"][o.name]) == run_outcomes[o.name]);
        }

        // diff of the flow with itself: nothing changes, the same lines are errors.
        CliRun diff = run_triage("diff " + quoted(c.flow) + " " + quoted(c.flow) + " -m " + quoted(mentions) + common +
                                 " --format json 2>/dev/null");
        REQUIRE(diff.status == 0);
        simdjson::dom::element d = parser.parse(diff.output);
        CHECK(std::uint64_t(d["mentions"]) == decided.size());
        CHECK(std::uint64_t(d["errors"]) == run_errors);
        CHECK(std::uint64_t(d["changed"]) == 0);
    }
}

TEST_CASE("stream: --limit json-depth reaches report and diff as it reaches run") {
    TempDir dir;
    write_file(dir.path / "m.jsonl", R"({"id":"deep","text":"usaf","site":{"bashing":{"really":true}}})" "\n");
    const std::string flow = quoted(fixture("airforce_small.flow"));
    const std::string m = quoted(dir.file("m.jsonl"));
    CliRun run = run_triage("run " + flow + " " + m + " --limit json-depth=2 2>/dev/null");
    CHECK(run.output.find(R"("error":)") != std::string::npos);
    CliRun report = run_triage("report " + flow + " -m " + m + " --limit json-depth=2 --format json 2>/dev/null");
    CHECK(report.output.find(R"("mentions":0,"errors":1,)") != std::string::npos);
    CliRun diff = run_triage("diff " + flow + " " + flow + " -m " + m + " --limit json-depth=2 2>/dev/null");
    CHECK(diff.output.find("0 of 1 mentions change outcome (0.0%); 1 lines could not be read") == 0);
}

TEST_CASE("stream: a date in 2099 does not stall report's and diff's windows") {
    TempDir dir;
    write_file(dir.path / "m.jsonl", outage_stream());
    const std::string flow = quoted(fixture("outage.flow"));
    const std::string m = quoted(dir.file("m.jsonl"));
    CliRun report = run_triage("report " + flow + " -m " + m + " --now 2026-11-20T03:00:00Z --format json 2>/dev/null");
    simdjson::dom::parser parser;
    simdjson::dom::element r = parser.parse(report.output);
    // The outage is recognised: the 21st outage mention in 15 minutes (0-based 120) starts the
    // crisis, and the 80 outage mentions from it to 199 get the status page.
    CHECK(std::uint64_t(r["outcomes"]["status_page"]) == 80);
    CliRun run = run_triage("run " + flow + " " + m + " --now 2026-11-20T03:00:00Z 2>/dev/null");
    CHECK(lines_of(run.output)[120].find(R"("entered":true)") != std::string::npos);
}

TEST_CASE("stream: explain dates deadlines and crises by the mention's clock, as run does") {
    const std::string flow = quoted(fixture("outage.flow"));
    const std::string record = R"('{"id":1,"text":"the app is down","posted_at":"2026-11-20T00:05:00Z"}')";
    CliRun run = run_triage("run " + flow + " - --now 2026-11-22T00:00:00Z 2>/dev/null",
                         triage::test::CommandOptions().reading(record.substr(1, record.size() - 2) + "\n"));
    CHECK(run.output.find(R"("deadline":"2026-11-20T01:05:00Z")") != std::string::npos);
    CliRun explain = run_triage("explain " + flow + " --record " + record + " --now 2026-11-22T00:00:00Z");
    CHECK(explain.output.find("respond publicly within 1h (by 2026-11-20T01:05:00Z)") != std::string::npos);
    CliRun crisis = run_triage("explain " + flow + " --record " + record + " --crisis outage");
    CHECK(crisis.output.find("in crisis outage — Service outage: since 2026-11-20T00:05:00Z") == 0);
    CHECK(crisis.output.find("respond publicly within 15m using \"status-page\" (by 2026-11-20T00:20:00Z)") !=
          std::string::npos);
}

TEST_CASE("stream: run_stream on several threads writes what one writes, for any chunk size") {
    const triage::Flow flow = compile(fixture("airforce_small.flow"));
    std::string input;
    for (int i = 0; i < 2000; ++i) input += faulty_stream();
    triage::StreamOptions options;
    options.now = triage::parse_time("2026-11-22T10:00:00Z");
    std::string one;
    {
        triage::Stream stream(flow, options);
        triage::RunStreamOptions run_options;
        run_options.sink = [&](std::string_view lines) { return one += lines, true; };
        triage::run_stream(stream, triage::text_source(input), run_options);
    }
    for (unsigned jobs : {2u, 3u}) {
        for (std::size_t chunk : {std::size_t{1}, std::size_t{777}, std::size_t{1} << 16}) {
            CAPTURE(jobs);
            CAPTURE(chunk);
            triage::Stream stream(flow, options);
            std::string many;
            triage::RunStreamOptions run_options;
            run_options.jobs = jobs;
            run_options.chunk_size = chunk;
            run_options.sink = [&](std::string_view lines) { return many += lines, true; };
            triage::StreamSummary summary = triage::run_stream(stream, triage::text_source(input), run_options);
            CHECK(many == one);
            CHECK(summary.lines == lines_of(input).size());
        }
    }
}

TEST_CASE("stream: a sink that refuses output stops the run, strict stops before the first bad line") {
    const triage::Flow flow = compile(fixture("airforce_small.flow"));
    triage::StreamOptions options;
    options.now = triage::parse_time("2026-11-22T10:00:00Z");
    triage::Stream stream(flow, options);
    int calls = 0;
    triage::RunStreamOptions refusing;
    refusing.chunk_size = 1;
    refusing.sink = [&](std::string_view) { return ++calls < 2; };
    triage::StreamSummary refused = triage::run_stream(stream, triage::text_source(faulty_stream()), refusing);
    CHECK(refused.sink_failed);
    CHECK(calls == 2);

    triage::Stream strict_stream(flow, options);
    std::string written;
    triage::RunStreamOptions strict;
    strict.strict = true;
    strict.sink = [&](std::string_view lines) { return written += lines, true; };
    triage::StreamSummary stopped = triage::run_stream(strict_stream, triage::text_source(faulty_stream()), strict);
    CHECK(stopped.strict_line == 3);  // "this is not json"
    CHECK(lines_of(written).size() == 2);
}

TEST_CASE("stream: LineReader numbers lines and keeps no line past the limit") {
    std::string text = "a\r\n\nbb\n" + std::string(100, 'x') + "\nlast";
    triage::LineReader reader(triage::text_source(text), 10, 4);
    std::vector<std::string> seen;
    while (auto line = reader.next())
        seen.push_back(fmt::format("{}:{}:{}", line->number, line->text, line->overlong));
    CHECK(seen == std::vector<std::string>{"1:a:0", "2::0", "3:bb:0", "4::100", "5:last:0"});
    CHECK(reader.lines() == 5);
    CHECK(reader.error() == 0);
    triage::LineReader failing([](char*, std::size_t) -> std::int64_t { return -EIO; }, 10);
    CHECK_FALSE(failing.next());
    CHECK(failing.error() == EIO);
}

TEST_CASE("explain: a record's control characters never reach the terminal, long text is cut between code points") {
    const std::string flow = quoted(fixture("airforce_small.flow"));
    CliRun escaped = run_triage("explain " + flow + " --record '{\"text\": \"usaf \\u001b]0;pwned\\u0007\", \"sentiment\": 0.9}'");
    CHECK(escaped.status == 0);
    CHECK(escaped.output.find('\x1b') == std::string::npos);
    CHECK(escaped.output.find('\x07') == std::string::npos);
    CHECK(escaped.output.find("usaf \xEF\xBF\xBD]0;pwned\xEF\xBF\xBD") != std::string::npos);
    // A text no phrase matched: 80 code points are shown; the 80th is "é", two bytes, kept whole.
    const std::string text = std::string(79, 'a') + "\xC3\xA9 and more";
    CliRun cut = run_triage("explain " + flow + " --record '{\"text\": \"" + text + "\", \"sentiment\": 0.9}'");
    CHECK(cut.output.find("[text = \"" + std::string(79, 'a') + "\xC3\xA9…\"]") != std::string::npos);
    // A phrase matched: the 30 bytes after it end inside "é", which is left out whole.
    const std::string matched = "usaf " + std::string(28, 'a') + "\xC3\xA9 and more";
    CliRun around = run_triage("explain " + flow + " --record '{\"text\": \"" + matched + "\", \"sentiment\": 0.9}'");
    CHECK(around.output.find("[text: matched \"usaf\" in \"usaf " + std::string(28, 'a') + "…\"]") != std::string::npos);
}

TEST_CASE("report: example texts are cut between code points, so the page and the JSON stay valid UTF-8") {
    TempDir dir;
    const std::string text = "usaf " + std::string(194, 'a') + "\xC3\xA9 and more";  // "é" at bytes 199-200
    write_file(dir.path / "m.jsonl", R"({"id":"long","text":")" + text + R"(","sentiment":0.9})" "\n");
    CliRun report = run_triage("report " + quoted(fixture("airforce_small.flow")) + " -m " + quoted(dir.file("m.jsonl")) +
                               " --format json 2>/dev/null");
    REQUIRE(report.status == 0);
    simdjson::dom::parser parser;
    simdjson::dom::element r;
    REQUIRE(parser.parse(report.output).get(r) == simdjson::SUCCESS);  // simdjson validates UTF-8
    std::string_view shown = r["examples"]["let_stand"].at(0)["text"];
    CHECK(shown == "usaf " + std::string(194, 'a'));
}

// ---- StreamOptions::reorder: a stream out of time order, decided in clock order ----------------

namespace {

// outage.flow's mentions in time order: one every 30 s from midnight; of each 1400, 1000-1199
// (0-based) are about an outage, so a crisis starts at mention 1020 and ends at 1225.
std::vector<std::string> sorted_outage_mentions(int count = 1400) {
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) {
        const int s = 30 * i;
        out.push_back(fmt::format(R"({{"id":{},"text":"{}","posted_at":"2026-11-20T{:02}:{:02}:{:02}Z"}})", i,
                                  i % 1400 >= 1000 && i % 1400 < 1200 ? "the app is down" : "hello", s / 3600,
                                  s / 60 % 60, s % 60));
    }
    return out;
}

// The same, shuffled within each block of 10 minutes (20 mentions) with a fixed seed: each
// mention arrives at most 9m 30s behind the newest one before it. Fisher-Yates by hand, so that
// every standard library shuffles alike.
std::vector<std::string> shuffled_within_10m(std::vector<std::string> mentions) {
    std::mt19937 random(14);
    for (std::size_t block = 0; block < mentions.size(); block += 20) {
        const std::size_t end = std::min(block + 20, mentions.size());
        for (std::size_t i = end - 1; i > block; --i) std::swap(mentions[i], mentions[block + random() % (i - block + 1)]);
    }
    return mentions;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines) text += line + '\n';
    return text;
}

// run_stream's output for `input`.
std::string run_all(triage::Stream& stream, const std::string& input, std::size_t chunk_size = std::size_t{1} << 20,
                    triage::StreamSummary* summary = nullptr) {
    std::string written;
    triage::RunStreamOptions run_options;
    run_options.chunk_size = chunk_size;
    run_options.sink = [&](std::string_view lines) { return written += lines, true; };
    triage::StreamSummary s = triage::run_stream(stream, triage::text_source(input), run_options);
    if (summary != nullptr) *summary = s;
    return written;
}

// A decision line without its line number, and the value of its "id".
std::string without_line(const std::string& line) { return line.substr(line.find(',') + 1); }
std::string id_of(const std::string& json) {
    const std::size_t at = json.find(R"("id":)") + 5;
    return json.substr(at, json.find_first_of(",}", at) - at);
}

// The ids of the mentions that started and ended a crisis, in the order written.
std::vector<std::string> crisis_changes(const std::string& output) {
    std::vector<std::string> out;
    for (const std::string& line : lines_of(output)) {
        if (line.find(R"("entered":true)") != std::string::npos) out.push_back("enter " + id_of(line));
        if (line.find(R"("crisis_left":)") != std::string::npos) out.push_back("leave " + id_of(line));
    }
    return out;
}

triage::StreamOptions reorder_options(triage::Duration horizon) {
    triage::StreamOptions options;
    options.now = triage::parse_time("2026-11-22T10:00:00Z");
    options.reorder = horizon;
    return options;
}

}  // namespace

TEST_CASE("stream: with StreamOptions::reorder a stream shuffled within 10m is decided as the sorted one, in input order") {
    const triage::Flow flow = compile(fixture("outage.flow"));
    const std::vector<std::string> sorted = sorted_outage_mentions();
    const std::vector<std::string> shuffled = shuffled_within_10m(sorted);
    REQUIRE(shuffled != sorted);

    triage::Stream in_order(flow, reorder_options(triage::Duration(0)));
    const std::string expected = run_all(in_order, joined(sorted));
    CHECK(crisis_changes(expected) == std::vector<std::string>{"enter 1020", "leave 1225"});
    std::map<std::string, std::string> by_id;
    for (const std::string& line : lines_of(expected)) by_id[id_of(line)] = without_line(line);

    for (std::size_t chunk : {std::size_t{1} << 20, std::size_t{1000}}) {
        CAPTURE(chunk);
        triage::Stream reordering(flow, reorder_options(std::chrono::minutes(10)));
        REQUIRE(reordering.reorders());
        const std::string output = run_all(reordering, joined(shuffled), chunk);
        const std::vector<std::string> out = lines_of(output);
        REQUIRE(out.size() == shuffled.size());
        for (std::size_t i = 0; i < out.size(); ++i) {
            CAPTURE(i);
            CHECK(out[i].rfind(fmt::format(R"({{"line":{},)", i + 1), 0) == 0);  // input order
            CHECK(id_of(out[i]) == id_of(shuffled[i]));
            CHECK(without_line(out[i]) == by_id[id_of(out[i])]);  // decided as in the sorted stream
        }
        // The crisis starts and ends at the same mentions (written where they arrived).
        std::vector<std::string> changes = crisis_changes(output);
        std::sort(changes.begin(), changes.end());
        CHECK(changes == std::vector<std::string>{"enter 1020", "leave 1225"});
        CHECK(reordering.monitor()->stats().late == 0);
        const triage::StreamOrder order = reordering.order();
        CHECK(order.behind > 0);
        CHECK(order.most_behind <= std::chrono::seconds(570));
        CHECK(order.most_held <= 41);  // 10 minutes of mentions and one more
        CHECK(order.released_early == 0);
    }

    // Without it, most shuffled mentions are late and the crisis is not seen as it was.
    triage::Stream plain(flow, reorder_options(triage::Duration(0)));
    CHECK_FALSE(plain.reorders());
    const std::string unordered = run_all(plain, joined(shuffled));
    CHECK(plain.monitor()->stats().late > 14);
    CHECK(crisis_changes(unordered) != std::vector<std::string>{"enter 1020", "leave 1225"});
    CHECK(plain.reorder_needed(14) == triage::Duration(600));  // what --reorder to suggest, within 1%
    CHECK(plain.order().most_behind == std::chrono::seconds(570));
}

TEST_CASE("stream: reorder releases mentions oldest first, ties in input order, each once its horizon has passed") {
    const triage::Flow flow = compile(fixture("outage.flow"));
    triage::Stream stream(flow, reorder_options(std::chrono::minutes(10)));
    triage::Decision decision;
    std::vector<std::string> released;
    const triage::Stream::Decided decided = [&](std::uint64_t line, bool ok) {
        released.push_back(fmt::format("{}:{}", line, ok ? stream.id() : "error"));
    };
    auto mention = [](const char* id, const char* time) {
        return fmt::format(R"({{"id":"{}","text":"hello","posted_at":"2026-11-20T{}Z"}})", id, time);
    };
    stream.feed(1, mention("a", "10:00:00"), decision, decided);
    stream.feed(2, mention("b", "10:00:00"), decision, decided);
    stream.feed(3, mention("c", "09:59:59"), decision, decided);
    stream.feed(4, "not json", decision, decided);  // no mention: handed back at once
    stream.feed(5, mention("d", "10:00:00"), decision, decided);
    stream.feed(6, R"({"id":"e","text":"hello"})", decision, decided);  // no time: waits where it arrived
    CHECK(released == std::vector<std::string>{"4:error"});
    stream.feed(7, mention("f", "10:10:00"), decision, decided);  // more than 10 minutes past c; exactly past a
    CHECK(released == std::vector<std::string>{"4:error", R"(3:"c")"});
    stream.feed(8, mention("g", "10:10:01"), decision, decided);  // more than 10 minutes past a, b, d and e
    CHECK(released == std::vector<std::string>{"4:error", R"(3:"c")", R"(1:"a")", R"(2:"b")", R"(5:"d")", R"(6:"e")"});
    stream.feed(9, mention("h", "09:00:00"), decision, decided);  // further behind than the horizon: at once, late
    CHECK(released.back() == R"(9:"h")");
    CHECK(decision.late);
    stream.finish(decision, decided);
    CHECK(released == std::vector<std::string>{"4:error", R"(3:"c")", R"(1:"a")", R"(2:"b")", R"(5:"d")", R"(6:"e")",
                                               R"(9:"h")", R"(7:"f")", R"(8:"g")"});
    CHECK(stream.monitor()->stats().mentions == 8);
    CHECK(stream.monitor()->stats().late == 1);
    CHECK(stream.order().behind == 2);  // c and h
    CHECK(stream.order().most_behind == std::chrono::seconds(70 * 60 + 1));
}

TEST_CASE("stream: a snapshot taken while mentions are held goes on as if uninterrupted: the held fed again, "
          "the decided after them skipped (Stream::pending)") {
    const triage::Flow flow = compile(fixture("outage.flow"));
    const triage::DecisionJson json(flow);
    const std::vector<std::string> shuffled = shuffled_within_10m(sorted_outage_mentions());
    // Numbered as a stream's sequences with gaps (other partitions'): 2i + 1.
    auto number = [](std::size_t i) { return std::uint64_t{2 * i + 1}; };
    std::map<std::uint64_t, std::string> expected, got;
    auto decider = [&](triage::Stream& stream, triage::Decision& decision, std::map<std::uint64_t, std::string>& out) {
        return [&](std::uint64_t line, bool ok) {
            REQUIRE(ok);
            CHECK_MESSAGE(out.count(line) == 0, "line " << line << " decided twice");
            json.append(out[line], decision, line, stream.id());
        };
    };
    triage::Decision decision;
    triage::Stream whole(flow, reorder_options(std::chrono::minutes(10)));
    const triage::Stream::Decided into_expected = decider(whole, decision, expected);
    for (std::size_t i = 0; i < shuffled.size(); ++i) whole.feed(number(i), shuffled[i], decision, into_expected);
    whole.finish(decision, into_expected);
    REQUIRE(expected.size() == shuffled.size());

    for (std::size_t cut : {std::size_t{1030}, std::size_t{1217}}) {  // in the crisis, and as it ends
        CAPTURE(cut);
        got.clear();
        triage::Stream before(flow, reorder_options(std::chrono::minutes(10)));
        const triage::Stream::Decided into_before = decider(before, decision, got);
        for (std::size_t i = 0; i < cut; ++i) before.feed(number(i), shuffled[i], decision, into_before);
        std::vector<std::uint64_t> held, decided;
        before.pending(held, decided);
        REQUIRE(!held.empty());
        REQUIRE(!decided.empty());
        CHECK(decided.front() > held.front());
        const std::uint64_t floor = held.front() - 1;

        triage::Stream after(flow, reorder_options(std::chrono::minutes(10)));
        std::string error;
        REQUIRE_MESSAGE(after.monitor()->restore(before.monitor()->snapshot(), error), error);
        const triage::Stream::Decided into_after = decider(after, decision, got);
        for (std::size_t i = 0; i < shuffled.size(); ++i)
            if (number(i) > floor && !std::binary_search(decided.begin(), decided.end(), number(i)))
                after.feed(number(i), shuffled[i], decision, into_after);
        after.finish(decision, into_after);
        CHECK(got == expected);
        CHECK(after.monitor()->stats().mentions == shuffled.size());
    }
}

TEST_CASE("stream: a full reorder buffer decides the oldest mention early, and counts it") {
    const triage::Flow flow = compile(fixture("outage.flow"));
    triage::StreamOptions options = reorder_options(std::chrono::hours(1));
    options.limits.reorder_buffer = 3;
    triage::Stream stream(flow, options);
    triage::Decision decision;
    std::vector<std::uint64_t> released;
    const triage::Stream::Decided decided = [&](std::uint64_t line, bool) { released.push_back(line); };
    for (std::uint64_t i = 1; i <= 10; ++i)  // a minute apart: none is an hour past another
        stream.feed(i, fmt::format(R"({{"id":{},"text":"hello","posted_at":"2026-11-20T10:{:02}:00Z"}})", i, i), decision,
                    decided);
    CHECK(fmt::format("{}", fmt::join(released, ",")) == "1,2,3,4,5,6,7");
    CHECK(stream.order().released_early == 7);
    CHECK(stream.order().most_held == 3);
    stream.finish(decision, decided);
    CHECK(released.size() == 10);
    CHECK(stream.order().released_early == 7);  // the end of the input is no early release

    // Lines that are no mention count towards the limit too: their output waits like any other.
    triage::Stream with_errors(flow, options);
    released.clear();
    with_errors.feed(1, R"({"id":1,"text":"hello","posted_at":"2026-11-20T10:00:00Z"})", decision, decided);
    with_errors.feed(2, "", decision, decided);
    with_errors.feed(3, "", decision, decided);
    CHECK(released == std::vector<std::uint64_t>{2, 3});
    with_errors.feed(4, "", decision, decided);  // 1 to 4 would be four lines held
    CHECK(released == std::vector<std::uint64_t>{2, 3, 1, 4});
    CHECK(with_errors.order().released_early == 1);
}

TEST_CASE("stream: with reorder, lines that are no mention keep their place, and strict stops before the first") {
    const triage::Flow flow = compile(fixture("outage.flow"));
    std::vector<std::string> input = shuffled_within_10m(sorted_outage_mentions());
    input.resize(200);
    input[10] = "{broken";
    input[50] = "";
    input[51] = R"({"id":"x","text":"hello","posted_at":"yesterday"})";
    input[120] = std::string(300, 'x');  // past --limit line-length=200: not kept
    triage::StreamOptions options = reorder_options(std::chrono::minutes(10));
    options.json.max_line_bytes = 200;
    for (std::size_t chunk : {std::size_t{1}, std::size_t{333}, std::size_t{1} << 20}) {
        CAPTURE(chunk);
        triage::Stream stream(flow, options);
        triage::StreamSummary summary;
        const std::vector<std::string> out = lines_of(run_all(stream, joined(input), chunk, &summary));
        REQUIRE(out.size() == 200);
        for (std::size_t i = 0; i < out.size(); ++i) {
            CAPTURE(i);
            CHECK(out[i].rfind(fmt::format(R"({{"line":{},)", i + 1), 0) == 0);
            CHECK((out[i].find(R"("error":)") != std::string::npos) == (i == 10 || i == 50 || i == 51 || i == 120));
        }
        CHECK(summary.errors == 4);
        CHECK(summary.traffic.mentions == 196);
        CHECK(summary.error_reasons.reasons().front().first_line == 11);

        triage::Stream strict_stream(flow, options);
        std::string written;
        triage::RunStreamOptions strict;
        strict.strict = true;
        strict.chunk_size = chunk;
        strict.sink = [&](std::string_view lines) { return written += lines, true; };
        triage::StreamSummary stopped = triage::run_stream(strict_stream, triage::text_source(joined(input)), strict);
        CHECK(stopped.strict_line == 11);
        const std::vector<std::string> before = lines_of(written);
        REQUIRE(before.size() == 10);  // every mention held before the bad line is decided and written
        for (std::size_t i = 0; i < before.size(); ++i) CHECK(id_of(before[i]) == id_of(input[i]));
        CHECK(stopped.traffic.mentions == 10);
    }
}

TEST_CASE("stream: reorder is for flows that keep state, others decide each mention as it comes, on every core") {
    const triage::Flow flow = compile(fixture("airforce_small.flow"));
    triage::StreamOptions options = reorder_options(std::chrono::minutes(10));
    triage::Stream stream(flow, options);
    CHECK_FALSE(stream.reorders());
    triage::Stream plain(flow, reorder_options(triage::Duration(0)));
    std::string input;
    for (int i = 0; i < 50; ++i) input += faulty_stream();
    CHECK(run_all(stream, input) == run_all(plain, input));
    CHECK_THROWS_AS(triage::Stream(flow, reorder_options(triage::Duration(-1))), std::invalid_argument);
}

TEST_CASE("stream: deciding a stateful flow allocates nothing per mention, with reorder or without") {
    const triage::Flow flow = compile(fixture("outage.flow"));
    const std::vector<std::string> input = shuffled_within_10m(sorted_outage_mentions(2800));
    for (triage::Duration horizon : {triage::Duration(0), triage::Duration(600)}) {
        CAPTURE(horizon.count());
        triage::Stream stream(flow, reorder_options(horizon));
        triage::Decision decision;
        std::uint64_t decided_count = 0;
        const triage::Stream::Decided decided = [&](std::uint64_t, bool ok) { decided_count += ok; };
        // Warmed up by one crisis, entered and left; measured over the second.
        for (std::size_t i = 0; i < 1400; ++i) stream.feed(i + 1, input[i], decision, decided);
        const std::uint64_t before = triage::test::allocations();
        for (std::size_t i = 1400; i < input.size(); ++i) stream.feed(i + 1, input[i], decision, decided);
        stream.finish(decision, decided);
        CHECK(triage::test::allocations() == before);
        CHECK(decided_count == input.size());
    }
}

TEST_CASE("stream: InputOrder hands results back in input order, whatever order they were made in") {
    triage::InputOrder<std::string> order;
    std::vector<std::string> taken;
    auto take = [&] {
        for (; order.ready(); order.pop()) taken.push_back(fmt::format("{}={}", order.front_line(), order.front()));
    };
    for (std::uint64_t line : {3, 1, 40, 2}) {  // 40: a ring of 16 grows, keeping what it holds
        order.at(line) = fmt::format("v{}", line);
        order.done(line);
        take();
    }
    CHECK(taken == std::vector<std::string>{"1=v1", "2=v2", "3=v3"});
    CHECK(order.size() == 37);
    for (std::uint64_t line = 4; line < 40; ++line) {
        order.at(line) = "w";
        order.done(line);
    }
    take();
    CHECK(taken.size() == 40);
    CHECK(taken.back() == "40=v40");
    CHECK(order.size() == 0);
    CHECK_FALSE(order.ready());
}

TEST_CASE("a decision line is whole when its parts are longer than the writer's buffer") {
    // DecisionJson::append copies the line's pieces through a buffer of 512 bytes: a piece longer
    // than that (a long note, a long id), and a line that fills the buffer several times, must
    // come out as they are, after what `out` already held.
    const std::string note(1500, 'n');
    const std::string id(700, 'i');
    const triage::Flow flow = triage::test::compiled(fmt::format(R"(flow "long" version 1
fields {{
  text: text
}}
start s
step s "Long?" {{
  if text contains "a" -> long
  else -> short
}}
outcome long "Long" {{
  note "{0}"
  tag t1
  note "{0}"
}}
outcome short "Short" {{
  tag t2
}}
)",
                                                                   note));
    triage::Stream stream(flow);
    triage::Decision decision;
    const triage::DecisionJson json(flow);
    const std::string head = fmt::format(R"({{"line":12345,"id":"{}",)", id);
    const std::string long_line =
        head + fmt::format(R"("outcome":"long","title":"Long","actions":[{{"action":"note","text":"{0}"}},)"
                           R"({{"action":"tag","labels":["t1"]}},{{"action":"note","text":"{0}"}}],"tags":["t1"],)"
                           R"("path":[{{"step":"s","branch":"text contains \"a\"","next":"long"}}],"missing":[]}})",
                           note);
    const std::string short_line = head + R"("outcome":"short","title":"Short","actions":[{"action":"tag","labels":["t2"]}],)"
                                          R"("tags":["t2"],"path":[{"step":"s","branch":"else","next":"short"}],"missing":[]})";
    for (const auto& [text, expected] : {std::pair{"a", long_line}, std::pair{"b", short_line}}) {
        CAPTURE(text);
        std::string out = "before\n";
        REQUIRE(stream.decide(fmt::format(R"({{"id":"{}","text":"{}"}})", id, text), decision));
        json.append(out, decision, 12345, stream.id());
        CHECK(out == "before\n" + expected);
    }
}
