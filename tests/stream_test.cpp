// One owner for deciding a stream: the library's Stream and run_stream, and the commands built on
// them (run, report, diff, explain), decide the same lines alike — outcomes, deadlines, error
// counts and crisis transitions — whatever the limits, faults and flow.
#include "support.hpp"

#include "triage/decision_format.hpp"
#include "triage/stream.hpp"

#include <fmt/format.h>
#include <simdjson.h>

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
    CliRun run = triage::test::run_shell("printf '%s\\n' " + record + " | " + triage::test::triage_cli() + " run " + flow +
                                         " - --now 2026-11-22T00:00:00Z 2>/dev/null");
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
