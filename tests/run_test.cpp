// `triage run` and `triage explain` end to end: one output line per input line, in order.
#include "support.hpp"
#include "triage/flow_phrases.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <random>

namespace {

using Run = triage::test::CliRun;

Run run_cli(const std::string& arguments) { return triage::test::run_triage(arguments); }

std::string fixture(const std::string& name) {
    return "'" + (triage::test::source_dir() / "tests" / "fixtures" / "run" / name).string() + "'";
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

const std::string flow = fixture("airforce_small.flow");
const std::string now = " --now 2026-11-22T10:00:00Z";

}  // namespace

TEST_CASE("run: one line out per line in, errors included, in input order") {
    Run run = run_cli("run " + flow + " " + fixture("mixed.jsonl") + now + " --max-errors 4 2>/dev/null");
    CHECK(run.status == 0);
    std::vector<std::string> out = lines(run.output);
    REQUIRE(out.size() == 9);
    for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i].rfind("{\"line\":" + std::to_string(i + 1) + ",", 0) == 0);
    CHECK(out[0].find(R"("id":"a1","outcome":"monitor_only")") != std::string::npos);
    CHECK(out[1].find(R"("outcome":"fix_facts")") != std::string::npos);
    CHECK(out[1].find(R"({"action":"respond","channel":"publicly","template":"fix-facts","within":"4h","deadline":"2026-11-22T14:00:00Z"})") != std::string::npos);
    CHECK(out[2].find(R"("error":"invalid JSON)") != std::string::npos);
    CHECK(out[3].find(R"("outcome":"ignore")") != std::string::npos);
    CHECK(out[4] == R"({"line":5,"error":"empty line"})");
    CHECK(out[5].find(R"("outcome":"restore")") != std::string::npos);
    CHECK(out[5].find(R"({"action":"escalate","team":"customer-care","within":"30m","deadline":"2026-11-22T10:30:00Z"})") != std::string::npos);
    CHECK(out[6] == R"({"line":7,"error":"'sentiment' must be a number for field 'sentiment' (number), not a string"})");
    CHECK(out[7] == R"({"line":8,"error":"a mention must be a JSON object"})");
    CHECK(out[8].find(R"("id":9,"outcome":"let_stand")") != std::string::npos);
}

TEST_CASE("run: the summary counts outcomes and errors, and groups the errors by reason") {
    Run run = run_cli("run " + flow + " " + fixture("mixed.jsonl") + now + " 2>&1 >/dev/null");
    CHECK(run.status == 1);  // 4 lines are no mention, and --max-errors is 0 by default
    CHECK(run.output ==
          "9 mentions: monitor_only 1, fix_facts 1, restore 1, let_stand 1, ignore 1, no outcome 0, errors 4\n"
          "lines that are no mention, by reason:\n"
          "  1 line: invalid JSON: Problem while parsing an atom starting with the letter 't'; first at line 3\n"
          "  1 line: empty line; first at line 5\n"
          "  1 line: 'sentiment' must be a number for field 'sentiment' (number), not a string; first at line 7\n"
          "  1 line: a mention must be a JSON object; first at line 8\n"
          "triage: 4 of 9 lines are no mention (more than --max-errors 0); allow some with --max-errors N or "
          "--max-errors P%\n");
}

TEST_CASE("run: a stream out of time order fails past --max-late and names --reorder and sorting") {
    // 100 mentions a minute apart, newest first: each is late (outage.flow's tolerance is 5m)
    // behind the first, so the windows count almost nothing.
    triage::test::TempDir dir;
    std::string reversed, sorted;
    for (int i = 0; i < 100; ++i)
        sorted += fmt::format(R"({{"id": {}, "text": "is it down?", "posted_at": "2026-11-22T{:02}:{:02}:00Z"}})" "\n", i,
                              8 + i / 60, i % 60);
    for (int i = 99; i >= 0; --i)
        reversed += fmt::format(R"({{"id": {}, "text": "is it down?", "posted_at": "2026-11-22T{:02}:{:02}:00Z"}})" "\n", i,
                                8 + i / 60, i % 60);
    triage::test::write_file(dir.path / "reversed.jsonl", reversed);
    triage::test::write_file(dir.path / "sorted.jsonl", sorted);
    const std::string outage = fixture("outage.flow");
    Run late = run_cli("run " + outage + " " + triage::test::quoted(dir.file("reversed.jsonl")) + now + " -o /dev/null 2>&1");
    CHECK(late.status == 1);
    CHECK(late.output.find("triage: 94 of 100 mentions are late (more than 5m older than the newest before them)") !=
          std::string::npos);
    // What would put them in order: the most one was behind is 99m, so --reorder 2h, or sorting.
    CHECK(late.output.find("the mentions are not in time order (up to 1h 39m behind the newest before them). Decide them "
                           "in clock order with --reorder 2h, or sort them by time (the flow's posted_at) first, or "
                           "allow them with --max-late N or P%") != std::string::npos);
    CHECK(run_cli("run " + outage + " " + triage::test::quoted(dir.file("reversed.jsonl")) + now +
                  " -o /dev/null --max-late 100% 2>/dev/null").status == 0);
    CHECK(run_cli("run " + outage + " " + triage::test::quoted(dir.file("reversed.jsonl")) + now +
                  " -o /dev/null --max-late 94 2>/dev/null").status == 0);
    Run in_order = run_cli("run " + outage + " " + triage::test::quoted(dir.file("sorted.jsonl")) + now + " -o /dev/null 2>&1");
    CHECK(in_order.status == 0);
    CHECK(in_order.output.find("state: 0 late") != std::string::npos);
    // Late mentions of an earlier run, kept in --state, are not held against the next one.
    const std::string state = " --state " + triage::test::quoted(dir.file("state.json"));
    CHECK(run_cli("run " + outage + " " + triage::test::quoted(dir.file("reversed.jsonl")) + now + state +
                  " -o /dev/null --max-late 100% 2>/dev/null").status == 0);
    std::string later;
    for (int i = 0; i < 100; ++i)
        later += fmt::format(R"({{"id": {}, "text": "is it down?", "posted_at": "2026-11-22T{:02}:{:02}:30Z"}})" "\n", i,
                             10 + i / 60, i % 60);
    triage::test::write_file(dir.path / "later.jsonl", later);
    Run next = run_cli("run " + outage + " " + triage::test::quoted(dir.file("later.jsonl")) + now + state + " -o /dev/null 2>&1");
    CHECK(next.status == 0);
    CHECK(next.output.find("are late") == std::string::npos);
}

TEST_CASE("run, report, diff: more lines that are no mention than --max-errors allows is exit 1") {
    // Every line of an export whose times the flow cannot read: the reasons are grouped, with the
    // count and the first line, and the exit status says the run failed.
    triage::test::TempDir dir;
    std::string export_lines;
    for (int i = 0; i < 1203; ++i)
        export_lines += fmt::format(R"({{"id": {}, "text": "x", "posted_at": "2015-02-24 11:{:02}:52 -0800"}})" "\n", i, i % 60);
    export_lines += "{\"id\": 1203, \"text\": \"x\", \"sentiment\": \"bad\"}\n";
    triage::test::write_file(dir.path / "export.jsonl", export_lines);
    const std::string mentions = triage::test::quoted(dir.file("export.jsonl"));
    const std::string outage = fixture("outage.flow");
    Run all = run_cli("run " + outage + " " + mentions + now + " -o /dev/null 2>&1");
    CHECK(all.status == 1);
    CHECK(all.output.find("  1,203 lines: 'posted_at' is not a date-time such as 2026-11-22T09:30:00Z: "
                          "\"2015-02-24 11:00:52 -0800\"; RFC 3339 writes the offset as -08:00: for -0800 read it "
                          "with a pattern, e.g. --time-format 'posted_at=%Y-%m-%d %H:%M:%S %z'; first at line 1\n") !=
          std::string::npos);
    CHECK(all.output.find("triage: 1,203 of 1,204 lines are no mention (more than --max-errors 0)") != std::string::npos);
    for (const char* allowed : {"100%", "1203", "99.95%"}) {
        CAPTURE(allowed);
        CHECK(run_cli("run " + outage + " " + mentions + now + " -o /dev/null --max-errors " + allowed + " 2>/dev/null").status == 0);
    }
    CHECK(run_cli("run " + outage + " " + mentions + now + " -o /dev/null --max-errors 1202 2>/dev/null").status == 1);
    CHECK(run_cli("run " + outage + " " + mentions + now + " -o /dev/null --max-errors 99.9% 2>/dev/null").status == 1);
    for (const char* bad : {"-1", "x", "101%", "1.5", "%", "nan%", "inf", "1e30"}) {
        CAPTURE(bad);
        Run refused = run_cli("run " + outage + " " + mentions + now + " -o /dev/null --max-errors '" + bad + "' 2>&1");
        CHECK(refused.status == 2);
        CHECK(refused.output.find("--max-errors") != std::string::npos);
    }
    // The groups do not depend on how the input is cut into chunks: long messages included.
    std::string long_values;
    for (int i = 0; i < 150; ++i)
        long_values += fmt::format(R"({{"id": {}, "posted_at": "{}-{}"}})" "\n", i, std::string(400, 'x'), i);
    triage::test::write_file(dir.path / "long.jsonl", long_values);
    for (const char* chunk : {"1048576", "4096", "1"}) {
        CAPTURE(chunk);
        Run grouped = run_cli("run " + outage + " " + triage::test::quoted(dir.file("long.jsonl")) + now +
                              " -o /dev/null --chunk-size " + chunk + " 2>&1");
        CHECK(grouped.output.find("  150 lines: 'posted_at' is not a date-time") != std::string::npos);
    }
    Run report = run_cli("report " + outage + " -m " + mentions + now + " --format json 2>/dev/null");
    CHECK(report.status == 1);
    CHECK(report.output.find(R"("error_reasons":[{"count":1203,"first_line":1,"example":"'posted_at' is not a date-time)") !=
          std::string::npos);
    CHECK(run_cli("report " + outage + " -m " + mentions + now + " --format json --max-errors 100% 2>/dev/null").status == 0);
    Run diff = run_cli("diff " + outage + " " + outage + " -m " + mentions + now + " 2>&1");
    CHECK(diff.status == 1);
    CHECK(diff.output.find("  1,203 lines: 'posted_at'") != std::string::npos);
    CHECK(run_cli("diff " + outage + " " + outage + " -m " + mentions + now + " --max-errors 100% 2>/dev/null").status == 0);
}

TEST_CASE("run: the mention's own time can be the reference for deadlines") {
    Run run = run_cli("run " + flow + " " + fixture("mixed.jsonl") + now + " --time-field posted_at 2>/dev/null");
    CHECK(lines(run.output).at(1).find(R"("deadline":"2026-11-22T12:00:00Z")") != std::string::npos);
}

TEST_CASE("run: --strict stops at the first bad line with exit 1") {
    Run run = run_cli("run --strict " + flow + " " + fixture("mixed.jsonl") + now + " 2>/dev/null");
    CHECK(run.status == 1);
    CHECK(lines(run.output).size() == 2);  // the two good lines before line 3
}

TEST_CASE("run: --fields maps export keys onto flow fields") {
    Run run = triage::test::run_triage("run " + flow + " - --fields body=text --fields score=sentiment" + now + " 2>/dev/null",
                                       triage::test::CommandOptions().reading("{\"body\": \"USAF\", \"score\": 0.9}\n"));
    CHECK(run.output.find(R"("outcome":"let_stand")") != std::string::npos);
    CHECK(run_cli("run " + flow + " - --fields body=nosuchfield </dev/null 2>/dev/null").status == 2);
}

TEST_CASE("run: many threads write exactly what one thread writes") {
    const triage::test::TempDir scratch;  // its own: parallel runs must not share a file
    std::string input = (scratch.path / "triage_run_test.jsonl").string();
    Run gen = run_cli("gen " + flow + " -n 30000 --seed 7 > '" + input + "'");
    REQUIRE(gen.status == 0);
    Run one = run_cli("run -j 1 " + flow + " '" + input + "'" + now + " 2>/dev/null");
    Run two = run_cli("run -j 3 " + flow + " '" + input + "'" + now + " 2>/dev/null");
    CHECK(lines(one.output).size() == 30000);
    CHECK(one.output == two.output);
    std::filesystem::remove(input);
}

TEST_CASE("run: chunk boundaries, CRLF and a missing final newline change nothing") {
    // mixed.jsonl with CRLF line ends and no newline after the last line.
    std::ifstream in(triage::test::source_dir() / "tests" / "fixtures" / "run" / "mixed.jsonl", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string crlf;
    for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    while (!crlf.empty() && (crlf.back() == '\n' || crlf.back() == '\r')) crlf.pop_back();
    const triage::test::TempDir scratch;  // its own: parallel runs must not share a file
    std::string input = (scratch.path / "triage_run_chunks.jsonl").string();
    std::ofstream(input, std::ios::binary) << crlf;

    Run reference = run_cli("run -j 1 " + flow + " " + fixture("mixed.jsonl") + now + " 2>/dev/null");
    REQUIRE(lines(reference.output).size() == 9);
    for (const char* chunk : {"1", "7", "64", "150", "100000"})
        for (const char* jobs : {"1", "3"}) {
            CAPTURE(chunk);
            CAPTURE(jobs);
            Run run = run_cli(std::string("run -j ") + jobs + " --chunk-size " + chunk + " " + flow + " '" + input + "'" +
                              now + " --max-errors 100% 2>/dev/null");
            CHECK(run.status == 0);
            CHECK(run.output == reference.output);
        }
    std::filesystem::remove(input);
}

TEST_CASE("run: --strict with several jobs stops at the same line as with one") {
    Run one = run_cli("run --strict -j 1 --chunk-size 100 " + flow + " " + fixture("mixed.jsonl") + now + " 2>&1");
    Run three = run_cli("run --strict -j 3 --chunk-size 100 " + flow + " " + fixture("mixed.jsonl") + now + " 2>&1");
    CHECK(one.status == 1);
    CHECK(three.status == 1);
    CHECK(one.output == three.output);
    CHECK(one.output.find("line 3: invalid JSON") != std::string::npos);
}

TEST_CASE("gen: the same seed gives the same mentions") {
    Run a = run_cli("gen " + flow + " -n 50 --seed 3");
    Run b = run_cli("gen " + flow + " -n 50 --seed 3");
    Run c = run_cli("gen " + flow + " -n 50 --seed 4");
    CHECK(lines(a.output).size() == 50);
    CHECK(a.output == b.output);
    CHECK(a.output != c.output);
}

TEST_CASE("gen --text-length: every text has MIN to MAX characters, the lengths spread over the range") {
    const std::filesystem::path care = triage::test::source_dir() / "examples" / "customer_care.flow";
    Run run = run_cli("gen '" + care.string() + "' -n 300 --seed 5 --text-length 100-300");
    REQUIRE(run.status == 0);
    triage::CompileResult compiled = triage::compile_file(care);
    REQUIRE(compiled.ok());
    triage::JsonRecordReader reader(*compiled.flow);
    const std::uint32_t text = compiled.flow->find_field("text").value();
    std::size_t shortest = SIZE_MAX, longest = 0, texts = 0;
    for (const std::string& line : lines(run.output)) {
        REQUIRE(reader.read(line));
        const triage::FieldValue v = reader.view().get(text);
        if (v.kind != triage::ValueKind::text) continue;  // about 5% of values are left out
        ++texts;
        const auto length = static_cast<std::size_t>(
            std::count_if(v.text.begin(), v.text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
        shortest = std::min(shortest, length);
        longest = std::max(longest, length);
    }
    CHECK(texts > 250);
    CHECK(shortest >= 100);
    CHECK(shortest < 120);
    CHECK(longest <= 300);
    CHECK(longest > 280);

    CHECK(run_cli("gen '" + care.string() + "' -n 3 --text-length 7").output.find("\"text\":\"") != std::string::npos);
    for (const char* bad : {"300-100", "0-10", "ten", "5-", "1-2000000"})
        CHECK_MESSAGE(run_cli("gen '" + care.string() + "' -n 1 --text-length " + bad + " 2>&1").status != 0, bad);
}

TEST_CASE("gen: texts hold the phrases of the flow's contains tests, so a contains ladder reaches its outcomes") {
    const std::filesystem::path acme = triage::test::source_dir() / "bench" / "acme.flow";
    triage::CompileResult compiled = triage::compile_file(acme);
    REQUIRE(compiled.ok());
    const std::vector<std::string_view> phrases = triage::contains_phrases(*compiled.flow);
    CHECK(phrases == std::vector<std::string_view>{"acme", "acmecorp", "@acme", "scam", "idiots", "trash", "lol",
                                                   "joke", "satire", "lawsuit", "legal"});
    for (const char* length : {"", " --text-length 100-300"}) {
        CAPTURE(length);
        Run gen = run_cli("gen '" + acme.string() + "' -n 2000 --seed 7" + length);
        REQUIRE(gen.status == 0);
        std::map<std::string_view, int> seen;
        for (std::string_view p : phrases)
            for (std::size_t at = gen.output.find(p); at != std::string::npos; at = gen.output.find(p, at + 1)) ++seen[p];
        for (std::string_view p : phrases) CHECK_MESSAGE(seen[p] >= 5, p);

        const triage::test::TempDir dir;
        triage::test::write_file(dir.path / "m.jsonl", gen.output);
        Run run = run_cli("run -j 1 '" + acme.string() + "' '" + (dir.path / "m.jsonl").string() + "'" + now + " 2>/dev/null");
        REQUIRE(run.status == 0);
        std::map<std::string, int> outcomes;
        for (const std::string& line : lines(run.output)) {
            const std::size_t at = line.find("\"outcome\":\"");
            REQUIRE(at != std::string::npos);
            ++outcomes[line.substr(at + 11, line.find('"', at + 11) - at - 11)];
        }
        CAPTURE(fmt::format("{}", outcomes));
        // Every outcome of the ladder (before, no text mentioned acme: every decision was ignore).
        CHECK(outcomes.size() == 8);
        CHECK(outcomes["ignore"] > 0);
        CHECK(outcomes["ignore"] < 2000 * 3 / 4);
    }
}

TEST_CASE("run --matches: each decision names what matched its text conditions") {
    const std::string care = std::string(TRIAGE_SOURCE_DIR) + "/examples/customer_care.flow";
    triage::test::TempDir dir;
    triage::test::write_file(dir.path / "m.jsonl",
                             R"({"id": 1, "text": "Thank you, the crew was great", "sentiment": 0.8})" "\n"
                             R"({"id": 2, "text": "lost bag, booking ref: AB12CD \"help\"", "sentiment": -0.4})" "\n");
    const std::string mentions = triage::test::quoted(dir.file("m.jsonl"));
    Run with = run_cli("run '" + care + "' " + mentions + now + " --matches 2>/dev/null");
    CHECK(with.status == 0);
    std::vector<std::string> out = lines(with.output);
    REQUIRE(out.size() == 2);
    CHECK(out[0].find(R"("matched":{"praise":"thank you","text contains \"crew\"":"crew"})") != std::string::npos);
    CHECK(out[1].find(R"("matched":{"lost_bag":)") != std::string::npos);
    CHECK(out[1].find(R"(:"ref: AB12CD"})") != std::string::npos);  // the regex's own span
    // Without the option the decision lines are what they were.
    Run without = run_cli("run '" + care + "' " + mentions + now + " 2>/dev/null");
    CHECK(without.output.find("\"matched\"") == std::string::npos);
}

TEST_CASE("explain: names the phrase or the part of the text that matched, with the text around it") {
    // The matching words come after the first 80 characters, which is all of a text explain showed.
    const std::string padding(120, '.');
    const std::string airforce = std::string(TRIAGE_SOURCE_DIR) + "/examples/airforce.flow";
    Run phrase = run_cli("explain '" + airforce + "'" + now + R"( --record '{"text": "Air Force )" + padding +
                         R"( they were clowns LOL, a joke", "sentiment": -0.7}')");
    CHECK(phrase.status == 0);
    CHECK(phrase.output.find(R"(yes text has any about_us   [text: matched "air force" in "Air Force ...)") != std::string::npos);
    CHECK(phrase.output.find(R"(yes text has any raging   [text: matched "lol" in "…)" + std::string(12, '.') +
                             R"( they were clowns LOL, a joke"])") != std::string::npos);
    // A regular expression: the part of the text it matched, exactly.
    const std::string care = std::string(TRIAGE_SOURCE_DIR) + "/examples/customer_care.flow";
    Run regex = run_cli("explain '" + care + "'" + now +
                        R"( --record '{"text": "lost bag, booking ref: AB12CD please help", "sentiment": -0.4}')");
    CHECK(regex.status == 0);
    CHECK(regex.output.find(R"(matched "ref: AB12CD" in "lost bag, booking ref: AB12CD please help")") !=
          std::string::npos);
    // The phrase is shown where it matched on word boundaries, not inside another word.
    Run bounded = run_cli("explain '" + airforce + "'" + now + R"( --record '{"text": "USAF lollipops )" +
                          std::string(40, '.') + R"( lol end", "sentiment": -0.7}')");
    CHECK(bounded.output.find(R"(matched "lol" in "…)" + std::string(29, '.') + " lol end\"") != std::string::npos);
}

TEST_CASE("explain --record -: an export piped in is told what explain reads, and one object over lines is read") {
    const std::string airforce = std::string(TRIAGE_SOURCE_DIR) + "/examples/airforce.flow";
    const triage::test::CommandOptions two_lines =
        triage::test::CommandOptions().reading("{\"text\": \"usaf\"}\r\n{\"text\": \"usaf\"}\r\n");
    Run several = triage::test::run_triage("explain '" + airforce + "'" + now + " --record - 2>&1", two_lines);
    INFO(several.output);
    CHECK(several.status == 1);
    CHECK(several.output.find("help: explain reads one mention (one JSON object, which may span lines); for line 3 "
                              "of a file, `sed -n 3p FILE | triage explain FLOW --record -`") != std::string::npos);
    const triage::test::CommandOptions pretty =
        triage::test::CommandOptions().reading("{\n  \"text\": \"usaf\",\n  \"sentiment\": 0.9\n}\n");
    Run one = triage::test::run_triage("explain '" + airforce + "'" + now + " --record - 2>&1", pretty);
    INFO(one.output);
    CHECK(one.status == 0);
    CHECK(one.output.find("yes sentiment >= 0.3   [sentiment = 0.9]") != std::string::npos);
}

TEST_CASE("run: a field every mention lacked where the flow asked is named, with --fields to read it") {
    const std::string airforce = std::string(TRIAGE_SOURCE_DIR) + "/examples/airforce.flow";
    triage::test::TempDir dir;
    // Mastodon writes the post as `content`: each mention is decided without a text.
    triage::test::write_file(dir.path / "statuses.jsonl", R"({"id": "1", "content": "usaf", "sentiment": 0.5})" "\n"
                                                          R"({"id": "2", "content": "usaf", "sentiment": -0.5})" "\n");
    const std::string note = "triage: note: all 2 mentions lacked the field 'text' where the flow asked about it; if "
                             "the export names it otherwise, read it with --fields KEY=text\n";
    for (const char* jobs : {" -j 1", " -j 2"}) {
        Run run = run_cli("run '" + airforce + "' " + triage::test::quoted(dir.file("statuses.jsonl")) + now + jobs +
                          " -o /dev/null 2>&1");
        INFO(run.output);
        CHECK(run.status == 0);
        CHECK(run.output.find(note) != std::string::npos);
        CHECK(run.output.find("'sentiment'") == std::string::npos);  // asked of neither
    }
    Run mapped = run_cli("run '" + airforce + "' " + triage::test::quoted(dir.file("statuses.jsonl")) + now +
                         " --fields content=text -o /dev/null 2>&1");
    INFO(mapped.output);
    CHECK(mapped.status == 0);
    CHECK(mapped.output.find("note:") == std::string::npos);
}

TEST_CASE("run: an input whose first line is no JSON object is told mentions are JSON Lines, and how to convert") {
    const std::string airforce = std::string(TRIAGE_SOURCE_DIR) + "/examples/airforce.flow";
    const std::string help = "help: line 1 is not a JSON object: mentions are read as JSON Lines, one object per line.";
    const std::array<std::string, 3> other_shapes = {
        "\xEF\xBB\xBF" "Date,Author,Full Text\r\n2026-11-30 09:00,ann,\"usaf, again\"\r\n",  // a CSV export
        "[\n  {\"text\": \"usaf\"},\n  {\"text\": \"usaf\"}\n]\n",                         // an array, printed
        "[{\"text\": \"usaf\"}, {\"text\": \"usaf\"}]\n"};                                     // an array, one line
    for (const std::string& input : other_shapes) {
        Run run = triage::test::run_triage("run '" + airforce + "' -" + now + " -o /dev/null 2>&1",
                                           triage::test::CommandOptions().reading(input));
        INFO(run.output);
        CHECK(run.status == 1);
        CHECK(run.output.find(help) != std::string::npos);
    }
    // A document printed over lines that lists the posts under a key (a Discord export): jq with the key.
    const std::string discord = "{\n  \"guild\": {\"id\": \"1\"},\n  \"messages\": [\n    {\"content\": \"usaf\"}\n  ]\n}\n";
    Run document = triage::test::run_triage("run '" + airforce + "' -" + now + " -o /dev/null 2>&1",
                                            triage::test::CommandOptions().reading(discord));
    INFO(document.output);
    CHECK(document.output.find(help) != std::string::npos);
    CHECK(document.output.find("a document that lists the posts under a key with `jq -c '.KEY[]'`") != std::string::npos);
    CHECK(document.output.find("`.messages[]` a Discord export") != std::string::npos);
    // A broken line further down is that line's problem, not the input's shape.
    Run later = triage::test::run_triage("run '" + airforce + "' -" + now + " -o /dev/null 2>&1",
                                         triage::test::CommandOptions().reading("{\"text\": \"usaf\"}\n{\"text\":\n"));
    INFO(later.output);
    CHECK(later.status == 1);
    CHECK(later.output.find("invalid JSON") != std::string::npos);
    CHECK(later.output.find("help:") == std::string::npos);
}

TEST_CASE("a flow file that is not there: the error, with no empty excerpt and no 'run check for details'") {
    triage::test::TempDir dir;
    Run run = run_cli("run " + triage::test::quoted(dir.file("gone.flow")) + " - 2>&1");
    INFO(run.output);
    CHECK(run.status == 1);
    CHECK(run.output == dir.file("gone.flow") + ":1:1: error[T018]: cannot read flow file '" + dir.file("gone.flow") +
                            "': No such file or directory\n");
}

TEST_CASE("explain and run --matches name a phrase of a word list file") {
    const std::string care = std::string(TRIAGE_SOURCE_DIR) + "/examples/customer_care.flow";
    Run explain = run_cli("explain '" + care + "'" + now +
                          R"( --record '{"text": "I will take legal action", "sentiment": -0.6}')");
    CHECK(explain.status == 0);
    CHECK(explain.output.find(R"(yes text has any legal   [text: matched "legal action" in "I will take legal action"])") !=
          std::string::npos);
    triage::test::TempDir dir;
    triage::test::write_file(dir.path / "m.jsonl", R"({"id": 1, "text": "my SOLICITOR says", "sentiment": -0.6})" "\n");
    Run run = run_cli("run '" + care + "' " + triage::test::quoted(dir.file("m.jsonl")) + now + " --matches 2>/dev/null");
    CHECK(run.status == 0);
    CHECK(run.output.find(R"("matched":{"legal":"solicitor"})") != std::string::npos);
}

TEST_CASE("explain and run --matches: a phrase matched in folded text is shown as the text writes it") {
    // A no-break space and a run of spaces, and a phrase whose case folds beyond ASCII.
    const std::string airforce = std::string(TRIAGE_SOURCE_DIR) + "/examples/airforce.flow";
    Run explain = run_cli("explain '" + airforce + "'" + now +
                          " --record '{\"text\": \"Die AIR\u00A0  FORCE \u2014 Witz, LOL\", \"sentiment\": -0.9}'");
    CHECK(explain.status == 0);
    CHECK(explain.output.find("yes text has any about_us   [text: matched \"air force\" in \"Die AIR\u00A0  FORCE \u2014 Witz, LOL\"]") !=
          std::string::npos);
    const std::string care = std::string(TRIAGE_SOURCE_DIR) + "/examples/customer_care.flow";
    triage::test::TempDir dir;
    triage::test::write_file(dir.path / "m.jsonl",
                             R"({"id": 1, "text": "THANK\u00a0YOU, the GREAT  CREW", "sentiment": 0.8})" "\n");
    Run run = run_cli("run '" + care + "' " + triage::test::quoted(dir.file("m.jsonl")) + now + " --matches 2>/dev/null");
    CHECK(run.status == 0);
    CHECK(run.output.find(R"("matched":{"praise":"thank you")") != std::string::npos);
}

TEST_CASE("explain: the path in words, with the values that decided it") {
    Run run = run_cli("explain " + flow + now +
                      R"( --record '{"text": "The USAF is a joke lol", "sentiment": -0.9, "site": {"bashing": false}}')");
    CHECK(run.status == 0);
    CHECK(run.output ==
          "discovery — Has someone discovered a post about us?\n"
          "  yes text has any about_us   [text: matched \"usaf\" in \"The USAF is a joke lol\"]\n"
          "    -> assess\n"
          "assess — Is it positive or balanced?\n"
          "  no  sentiment >= 0.3   [sentiment = -0.9]\n"
          "  yes troll\n"
          "    yes site.bashing or (sentiment < -0.8 and text has any mocking)\n"
          "      no  site.bashing   [site.bashing = false]\n"
          "      yes sentiment < -0.8 and text has any mocking\n"
          "        yes sentiment < -0.8   [sentiment = -0.9]\n"
          "        yes text has any mocking   [text: matched \"lol\" in \"The USAF is a joke lol\"]\n"
          "    -> monitor_only\n"
          "outcome monitor_only — Monitor only\n"
          "actions:\n"
          "    do not respond because \"trolls and ragers feed on replies\"\n"
          "    tag troll\n"
          "    notify hq\n");
    Run bad = run_cli("explain " + flow + " --record '{\"sentiment\": \"x\"}' 2>&1");
    CHECK(bad.status == 1);
}

TEST_CASE("run: the README's example decides every bundled mention") {
    std::string examples = "'" + (triage::test::source_dir() / "examples").string() + "/";
    Run run = run_cli("run " + examples + "customer_care.flow' " + examples + "mentions.jsonl'" + now + " 2>/dev/null");
    CHECK(run.status == 0);
    std::vector<std::string> out = lines(run.output);
    CHECK(out.size() == 300);
    for (const std::string& line : out) {
        CHECK(line.find("\"error\"") == std::string::npos);
        CHECK(line.find("\"outcome\":null") == std::string::npos);
    }
}

namespace {

std::string outcome_of(const std::string& decision_line) {
    std::size_t at = decision_line.find("\"outcome\":");
    REQUIRE(at != std::string::npos);
    at += 10;
    return decision_line.substr(at, decision_line.find(',', at) - at);
}

}  // namespace

TEST_CASE("diff: the changed count equals what two separate runs disagree on") {
    std::string examples = "'" + (triage::test::source_dir() / "examples").string() + "/";
    std::string old_flow = examples + "customer_care.flow'";
    std::string new_flow = "'" + (triage::test::source_dir() / "tests" / "fixtures" / "diff" / "customer_care_v4.flow").string() + "'";
    std::string mentions = examples + "mentions.jsonl'";
    // Independently: decide every mention with each version and count the lines that differ.
    std::vector<std::string> before = lines(run_cli("run -j 1 " + old_flow + " " + mentions + now + " 2>/dev/null").output);
    std::vector<std::string> after = lines(run_cli("run -j 1 " + new_flow + " " + mentions + now + " 2>/dev/null").output);
    REQUIRE(before.size() == 300);
    REQUIRE(after.size() == 300);
    std::size_t expected = 0;
    for (std::size_t i = 0; i < before.size(); ++i) expected += outcome_of(before[i]) != outcome_of(after[i]);
    REQUIRE(expected > 0);

    Run json = run_cli("diff " + old_flow + " " + new_flow + " -m " + mentions + " --format json" + now);
    CHECK(json.status == 0);
    CHECK(json.output.find("{\"mentions\":300,\"changed\":" + std::to_string(expected) + ",\"errors\":0,") == 0);
    Run gate = run_cli("diff --fail-on-change " + old_flow + " " + new_flow + " -m " + mentions + now + " --show 1");
    CHECK(gate.status == 3);
    CHECK(gate.output.find(std::to_string(expected) + " of 300 mentions change outcome") == 0);
    CHECK(gate.output.find("  before: ") != std::string::npos);
    Run same = run_cli("diff --fail-on-change " + old_flow + " " + old_flow + " -m " + mentions + now);
    CHECK(same.status == 0);
    CHECK(same.output.find("0 of 300 mentions change outcome") == 0);
}

// ---- flows that keep state: windows and crisis modes -----------------------------------------

namespace {

// A mention every 30 s from midnight; mentions 1000-1199 (0-based) are about an outage.
std::string outage_stream(const std::filesystem::path& path) {
    std::ofstream out(path);
    for (int i = 0; i < 1400; ++i) {
        const int seconds = 30 * i;
        out << fmt::format(R"({{"id":{},"text":"{}","posted_at":"2026-11-20T{:02}:{:02}:{:02}Z"}})", i,
                           i >= 1000 && i < 1200 ? "the app is down" : "hello", seconds / 3600, seconds / 60 % 60,
                           seconds % 60)
            << '\n';
    }
    return "'" + path.string() + "'";
}

// The decisions without their line numbers, which restart in a second run.
std::vector<std::string> without_line_numbers(const std::string& text) {
    std::vector<std::string> out;
    for (std::string line : lines(text)) out.push_back(line.substr(line.find(',') + 1));
    return out;
}

using triage::test::TempDir;

}  // namespace

TEST_CASE("run: the decisions that start and end a crisis, and --state across two runs equals one run") {
    TempDir dir;
    const std::string mentions = outage_stream(dir.path / "all.jsonl");
    const std::string outage = fixture("outage.flow");
    Run whole = run_cli("run " + outage + " " + mentions + now + " 2>/dev/null");
    REQUIRE(whole.status == 0);
    std::vector<std::string> out = lines(whole.output);
    REQUIRE(out.size() == 1400);
    // 21 outage mentions within 15 minutes at mention 1020 (line 1021); fewer than 5 at 1225.
    for (std::size_t i = 0; i < out.size(); ++i) {
        CAPTURE(i);
        CHECK((out[i].find(R"("entered":true)") != std::string::npos) == (i == 1020));
        CHECK((out[i].find(R"("crisis_left":["outage"])") != std::string::npos) == (i == 1225));
        CHECK((out[i].find(R"("crisis":[{"name":"outage","since":"2026-11-20T08:30:00Z")") != std::string::npos) ==
              (i >= 1020 && i < 1225));
    }
    CHECK(out[1100].find(R"("outcome":"status_page")") != std::string::npos);
    CHECK(out[1210].find(R"("rerouted":{"crisis":"outage","next":"holding"})") != std::string::npos);
    CHECK(out[1300].find(R"("outcome":"answer")") != std::string::npos);

    // The same stream in two runs, the state kept in a file between them.
    std::vector<std::string> all = lines(std::string(std::istreambuf_iterator<char>(std::ifstream(dir.path / "all.jsonl").rdbuf()), {}));
    std::ofstream(dir.path / "first.jsonl") << fmt::format("{}\n", fmt::join(all.begin(), all.begin() + 1100, "\n"));
    std::ofstream(dir.path / "second.jsonl") << fmt::format("{}\n", fmt::join(all.begin() + 1100, all.end(), "\n"));
    const std::string state = "'" + (dir.path / "state.json").string() + "'";
    Run first = run_cli("run " + outage + " '" + (dir.path / "first.jsonl").string() + "' --state " + state + now + " 2>&1 >/dev/null");
    CHECK(first.status == 0);
    CHECK(first.output.find("crisis outage active since 2026-11-20T08:30:00Z") != std::string::npos);
    Run second = run_cli("run " + outage + " '" + (dir.path / "second.jsonl").string() + "' --state " + state + now + " 2>/dev/null");
    CHECK(second.status == 0);
    Run first_again = run_cli("run " + outage + " '" + (dir.path / "first.jsonl").string() + "'" + now + " 2>/dev/null");
    std::vector<std::string> resumed = without_line_numbers(first_again.output);
    for (const std::string& line : without_line_numbers(second.output)) resumed.push_back(line);
    CHECK(resumed == without_line_numbers(whole.output));
    CHECK_FALSE(std::filesystem::exists(dir.path / "state.json.tmp"));

    // A state saved by another flow's windows is refused; a flow without state has none to keep.
    Run other = run_cli("run " + (" '" + (triage::test::source_dir() / "examples" / "crisis.flow").string() + "' ") +
                        mentions + " --state " + state + " 2>&1 >/dev/null");
    CHECK(other.status == 1);
    CHECK(other.output.find("differ") != std::string::npos);
    Run stateless = run_cli("run " + flow + " " + fixture("mixed.jsonl") + " --state " + state + " 2>&1 >/dev/null");
    CHECK(stateless.status == 2);
    CHECK(stateless.output.find("no state to keep") != std::string::npos);
}

TEST_CASE("run: a flow that keeps state is decided in order on one thread, whatever -j says") {
    TempDir dir;
    const std::string mentions = outage_stream(dir.path / "all.jsonl");
    Run one = run_cli("run -j 1 " + fixture("outage.flow") + " " + mentions + now + " 2>/dev/null");
    Run three = run_cli("run -j 3 --chunk-size 4096 " + fixture("outage.flow") + " " + mentions + now + " 2>&1");
    CHECK(three.output.find("triage: note: the flow keeps state") != std::string::npos);
    std::vector<std::string> decided;
    for (const std::string& line : lines(three.output))
        if (line.rfind("{", 0) == 0) decided.push_back(line);
    CHECK(decided == lines(one.output));
}

TEST_CASE("explain: --crisis decides as if the crisis were active, --state reads a saved situation") {
    const std::string record = R"( --record '{"text": "is the app down?", "posted_at": "2026-11-20T10:00:00Z"}')";
    Run calm = run_cli("explain " + fixture("outage.flow") + now + record);
    CHECK(calm.output.find("outcome answer") != std::string::npos);
    Run crisis = run_cli("explain " + fixture("outage.flow") + now + " --crisis outage" + record);
    CHECK(crisis.status == 0);
    // Active since the mention's own time (the flow has a clock), as a run would date it.
    CHECK(crisis.output.rfind("in crisis outage — Service outage: since 2026-11-20T10:00:00Z\n", 0) == 0);
    CHECK(crisis.output.find("outcome status_page") != std::string::npos);
    Run unknown = run_cli("explain " + fixture("outage.flow") + now + " --crisis outge" + record + " 2>&1");
    CHECK(unknown.status == 2);
    Run missing = run_cli("explain " + fixture("outage.flow") + now + " --state /nonexistent/state.json" + record + " 2>&1");
    CHECK(missing.status == 1);
    CHECK(missing.output.find("cannot be read") != std::string::npos);
}

TEST_CASE("explain: --crisis NAME=GROUP puts one group of a grouped crisis in crisis") {
    const std::string flow = fixture("outage_by_brand.flow");
    const std::string united = R"( --record '{"text": "is the app down?", "brand": "United", "posted_at": "2026-11-20T10:00:00Z"}')";
    const std::string delta = R"( --record '{"text": "is the app down?", "brand": "Delta", "posted_at": "2026-11-20T10:00:00Z"}')";
    Run in_crisis = run_cli("explain " + flow + now + " --crisis outage=United" + united);
    CHECK(in_crisis.status == 0);
    CHECK(in_crisis.output.rfind("in crisis outage for brand United — Service outage: since 2026-11-20T10:00:00Z\n", 0) == 0);
    CHECK(in_crisis.output.find("outcome status_page") != std::string::npos);
    Run other = run_cli("explain " + flow + now + " --crisis outage=United" + delta);
    CHECK(other.status == 0);
    CHECK(other.output.find("in crisis outage for") == std::string::npos);
    CHECK(other.output.find("outcome answer") != std::string::npos);
    Run no_group = run_cli("explain " + flow + now + " --crisis outage" + united + " 2>&1");
    CHECK(no_group.status == 2);
    CHECK(no_group.output.find("name the group: --crisis outage=VALUE") != std::string::npos);
    Run tests = run_cli("test " + flow + " 2>&1");
    CHECK(tests.status == 0);
}

TEST_CASE("diff: flows that keep state see the mentions as one stream") {
    TempDir dir;
    const std::string mentions = outage_stream(dir.path / "all.jsonl");
    const std::string before_flow = fixture("outage.flow"), after_flow = fixture("outage_sooner.flow");
    std::vector<std::string> before = lines(run_cli("run " + before_flow + " " + mentions + now + " 2>/dev/null").output);
    std::vector<std::string> after = lines(run_cli("run " + after_flow + " " + mentions + now + " 2>/dev/null").output);
    REQUIRE(before.size() == 1400);
    REQUIRE(after.size() == 1400);
    std::size_t expected = 0;
    for (std::size_t i = 0; i < before.size(); ++i) expected += outcome_of(before[i]) != outcome_of(after[i]);
    // The crisis starts 10 mentions sooner (at 1010): those mentions get the status page.
    CHECK(expected == 10);
    Run json = run_cli("diff " + before_flow + " " + after_flow + " -m " + mentions + " --format json" + now);
    CHECK(json.status == 0);
    CHECK(json.output.find("{\"mentions\":1400,\"changed\":10,\"errors\":0,") == 0);
}

// ---- run --reorder: a stream out of time order, decided in clock order -----------------------

namespace {

// The lines of `sorted`, shuffled within each block of 10 minutes (20 mentions of outage_stream)
// with a fixed seed. Fisher-Yates by hand, so that every standard library shuffles alike.
std::string shuffle_within_10m(const std::filesystem::path& sorted, const std::filesystem::path& shuffled) {
    std::vector<std::string> all = lines(triage::test::read_file(sorted));
    std::mt19937 random(14);
    for (std::size_t block = 0; block < all.size(); block += 20) {
        const std::size_t end = std::min(block + 20, all.size());
        for (std::size_t i = end - 1; i > block; --i) std::swap(all[i], all[block + random() % (i - block + 1)]);
    }
    triage::test::write_file(shuffled, fmt::format("{}\n", fmt::join(all, "\n")));
    return "'" + shuffled.string() + "'";
}

std::string id_of(const std::string& json) {
    const std::size_t at = json.find(R"("id":)") + 5;
    return json.substr(at, json.find_first_of(",}", at) - at);
}

// The ids of the mentions whose decisions start or end the crisis, in the order written.
std::vector<std::string> crisis_changes(const std::string& output) {
    std::vector<std::string> out;
    for (const std::string& line : lines(output)) {
        if (line.find(R"("entered":true)") != std::string::npos) out.push_back("enter " + id_of(line));
        if (line.find(R"("crisis_left":)") != std::string::npos) out.push_back("leave " + id_of(line));
    }
    return out;
}

}  // namespace

TEST_CASE("run --reorder: a stream shuffled within 10m enters and leaves its crisis where the sorted one does") {
    TempDir dir;
    const std::string sorted = outage_stream(dir.path / "sorted.jsonl");
    const std::string shuffled = shuffle_within_10m(dir.path / "sorted.jsonl", dir.path / "shuffled.jsonl");
    const std::string outage = fixture("outage.flow");
    Run in_order = run_cli("run " + outage + " " + sorted + now + " 2>/dev/null");
    REQUIRE(in_order.status == 0);
    const std::vector<std::string> expected_changes{"enter 1020", "leave 1225"};
    REQUIRE(crisis_changes(in_order.output) == expected_changes);
    std::map<std::string, std::string> sorted_decision;  // by id, without the line number
    for (const std::string& line : lines(in_order.output)) sorted_decision[id_of(line)] = line.substr(line.find(',') + 1);

    // With --reorder 10m: the same decisions, for the same mentions, written in input order.
    Run reordered = run_cli("run " + outage + " " + shuffled + now + " --reorder 10m 2>/dev/null");
    CHECK(reordered.status == 0);
    const std::vector<std::string> input = lines(triage::test::read_file(dir.path / "shuffled.jsonl"));
    const std::vector<std::string> out = lines(reordered.output);
    REQUIRE(out.size() == input.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        CAPTURE(i);
        CHECK(out[i].rfind("{\"line\":" + std::to_string(i + 1) + ",", 0) == 0);
        CHECK(id_of(out[i]) == id_of(input[i]));
        CHECK(out[i].substr(out[i].find(',') + 1) == sorted_decision[id_of(out[i])]);
    }
    std::vector<std::string> changes = crisis_changes(reordered.output);
    std::sort(changes.begin(), changes.end());  // written where those mentions arrived
    CHECK(changes == expected_changes);
    Run summary = run_cli("run " + outage + " " + shuffled + now + " --reorder 10m -o /dev/null 2>&1");
    CHECK(summary.output.find("state: 0 late") != std::string::npos);
    CHECK(summary.output.find("mentions arrived out of time order; up to 4") != std::string::npos);  // 40 or 41 held
    CHECK(summary.output.find(" lines held at once (--reorder 10m, --limit reorder-buffer=1000000), 0 decided early\n") !=
          std::string::npos);
    CHECK(summary.output.find("triage: note:") == std::string::npos);

    // Without it: late mentions, a crisis not where it was, exit 1 and a summary naming --reorder and sort.
    Run unordered = run_cli("run " + outage + " " + shuffled + now + " 2>/dev/null");
    CHECK(unordered.status == 1);
    CHECK(crisis_changes(unordered.output) != expected_changes);
    Run warned = run_cli("run " + outage + " " + shuffled + now + " -o /dev/null 2>&1");
    CHECK(warned.status == 1);
    CHECK(warned.output.find("mentions are late (more than 5m older than the newest before them)") != std::string::npos);
    CHECK(warned.output.find("Decide them in clock order with --reorder 10m, or sort them by time (the flow's "
                             "posted_at) first") != std::string::npos);

    // report and diff decide in the same clock order with --reorder.
    Run report = run_cli("report " + outage + " -m " + shuffled + now + " --reorder 10m --format json 2>/dev/null");
    Run sorted_report = run_cli("report " + outage + " -m " + sorted + now + " --format json 2>/dev/null");
    CHECK(report.status == 0);
    CHECK(report.output.substr(0, report.output.find("\"examples\"")) ==
          sorted_report.output.substr(0, sorted_report.output.find("\"examples\"")));
    Run diff = run_cli("diff " + outage + " " + fixture("outage_sooner.flow") + " -m " + shuffled + now +
                       " --reorder 10m --format json 2>/dev/null");
    CHECK(diff.output.find("{\"mentions\":1400,\"changed\":10,\"errors\":0,") == 0);
    Run unordered_report = run_cli("report " + outage + " -m " + shuffled + now + " --format json 2>&1 >/dev/null");
    CHECK(unordered_report.status == 0);  // report and diff only note it
    CHECK(unordered_report.output.find("and not counted in the windows: the mentions are not in time order (up to 9m 30s "
                                       "behind the newest before them). Decide them in clock order with --reorder 10m")
          != std::string::npos);
}

TEST_CASE("run --reorder: no effect on a flow without state, a duration as flows write it, a full buffer is counted") {
    TempDir dir;
    const std::string sorted = outage_stream(dir.path / "sorted.jsonl");
    const std::string shuffled = shuffle_within_10m(dir.path / "sorted.jsonl", dir.path / "shuffled.jsonl");
    Run stateless = run_cli("run " + flow + " " + fixture("mixed.jsonl") + now + " --max-errors 4 --reorder 10m 2>&1");
    CHECK(stateless.status == 0);
    CHECK(stateless.output.find("triage: note: the flow keeps no state (no windows or crisis modes): each mention is "
                                "decided on its own, so --reorder has no effect") != std::string::npos);
    for (const char* bad : {"10", "ten minutes", "0m", "-5m", "11y"}) {
        CAPTURE(bad);
        Run usage = run_cli("run " + fixture("outage.flow") + " " + sorted + now + " --reorder '" + bad + "' 2>&1");
        CHECK(usage.status == 2);
        CHECK(usage.output.find("--reorder takes a duration such as 10m, 90s or 1h") != std::string::npos);
    }
    Run small = run_cli("run " + fixture("outage.flow") + " " + shuffled + now +
                        " --reorder 10m --limit reorder-buffer=5 -o /dev/null 2>&1");
    CHECK(small.status == 1);  // decided early, many were late
    CHECK(small.output.find("up to 5 lines held at once (--reorder 10m, --limit reorder-buffer=5)") != std::string::npos);
    CHECK(small.output.find("mentions were decided before their --reorder 10m was up, the reorder buffer being full "
                            "(--limit reorder-buffer=5), and may have been late: raise the limit") != std::string::npos);
    CHECK(small.output.find("the reorder buffer being full: raise --limit reorder-buffer (it is 5), or allow them") !=
          std::string::npos);

    // A straggler within --max-late: exit 0, and a note naming the --reorder that would have counted it.
    std::vector<std::string> one_late = lines(triage::test::read_file(dir.path / "sorted.jsonl"));
    std::rotate(one_late.begin() + 100, one_late.begin() + 101, one_late.begin() + 115);  // 100 after 114: 7m late
    triage::test::write_file(dir.path / "one_late.jsonl", fmt::format("{}\n", fmt::join(one_late, "\n")));
    Run noted = run_cli("run " + fixture("outage.flow") + " '" + dir.file("one_late.jsonl") + "'" + now + " -o /dev/null 2>&1");
    CHECK(noted.status == 0);
    CHECK(noted.output.find("triage: note: 1 of 1,400 mentions were late (more than 5m older than the newest before "
                            "them) and not counted in the windows: the mentions are not in time order (up to 7m behind "
                            "the newest before them). Decide them in clock order with --reorder 10m, or sort them by "
                            "time (the flow's posted_at) first\n") != std::string::npos);
}

namespace {

// The field of an export that writes its channels otherwise than the flow lists them.
constexpr std::string_view channel_flow = R"(flow "r" version 1
fields {
  text: text
  channel: one of twitter, facebook, review_site
}
start s
step s "x" {
  if channel in [twitter] -> tw
  else -> other
}
outcome tw "tw" { monitor }
outcome other "o" { monitor }
)";

std::string channel_lines(std::initializer_list<std::string_view> channels) {
    std::string out;
    int id = 0;
    for (std::string_view c : channels) out += fmt::format(R"({{"id":"{}","text":"hi","channel":"{}"}})" "\n", ++id, c);
    return out;
}

}  // namespace

TEST_CASE("run: one-of values spelt otherwise get a note with their count and the value meant, -j 2 the same") {
    triage::test::TempDir dir;
    triage::test::write_file(dir.path / "r.flow", std::string(channel_flow));
    triage::test::write_file(dir.path / "m.jsonl", channel_lines({"blog", "Twitter", "TWITTER", " twitter", "Twitter",
                                                                  "twitter", "review-site", "facebook", "Tw itter"}));
    const std::string twitter =
        "triage: note: 4 mentions had channel \"Twitter\" where the flow asked about it (and 2 other spellings; "
        "first on line 2), none of its values: one-of values match exactly; did you mean twitter? Fix the export, "
        "or list the spelling in the flow\n";
    const std::string review_site =
        "triage: note: 1 mention had channel \"review-site\" where the flow asked about it (line 7), none of its "
        "values: one-of values match exactly; did you mean review_site? Fix the export\n";
    // Chunks of about two lines: the spellings are counted on both threads and merged.
    for (const char* jobs : {" -j 1", " -j 2 --chunk-size 100"}) {
        Run run = run_cli("run " + triage::test::quoted(dir.file("r.flow")) + " " +
                          triage::test::quoted(dir.file("m.jsonl")) + now + jobs + " -o /dev/null 2>&1");
        INFO(run.output);
        CHECK(run.status == 0);
        CHECK(run.output.find("9 mentions: tw 1, other 8,") != std::string::npos);
        CHECK(run.output.find(twitter) != std::string::npos);
        CHECK(run.output.find(review_site) != std::string::npos);
        // blog and "Tw itter" resemble no value: legitimately none of them.
        std::size_t notes = 0;
        for (std::size_t at = run.output.find("note:"); at != std::string::npos; at = run.output.find("note:", at + 1))
            ++notes;
        CHECK(notes == 2);
        CHECK(run.output.find("blog") == std::string::npos);
        CHECK(run.output.find("Tw itter") == std::string::npos);
    }
    // Listed values, and unlisted ones unlike any, never get the note.
    triage::test::write_file(dir.path / "listed.jsonl", channel_lines({"twitter", "facebook", "review_site", "blog"}));
    Run listed = run_cli("run " + triage::test::quoted(dir.file("r.flow")) + " " +
                         triage::test::quoted(dir.file("listed.jsonl")) + now + " -o /dev/null 2>&1");
    INFO(listed.output);
    CHECK(listed.status == 0);
    CHECK(listed.output.find("note:") == std::string::npos);
}

TEST_CASE("explain: a one-of value spelt otherwise is named with the value meant") {
    triage::test::TempDir dir;
    triage::test::write_file(dir.path / "r.flow", std::string(channel_flow));
    Run near = run_cli("explain " + triage::test::quoted(dir.file("r.flow")) + now +
                       R"( --record '{"text": "hi", "channel": "Review Site"}')");
    INFO(near.output);
    CHECK(near.status == 0);
    CHECK(near.output.find("channel \"Review Site\" is none of its values: one-of values match exactly; did you mean "
                           "review_site?\n") != std::string::npos);
    Run unlike = run_cli("explain " + triage::test::quoted(dir.file("r.flow")) + now +
                         R"( --record '{"text": "hi", "channel": "blog"}')");
    INFO(unlike.output);
    CHECK(unlike.status == 0);
    CHECK(unlike.output.find("did you mean") == std::string::npos);
}
