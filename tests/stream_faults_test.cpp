// Broken record streams: 100,000 lines with 1% corrupted in every way an export goes wrong.
// Each bad line must give exactly one error record with its line number (or, for CRLF and a
// byte-order mark, a documented coercion to a normal decision); no line is lost or duplicated,
// whatever the number of jobs or the chunk size.
#include "support.hpp"

#include <fmt/format.h>

#include <fstream>
#include <random>
#include <sstream>

namespace {

using triage::test::CliRun;

struct Fault {
    const char* name;
    bool is_error;  // false: coerced, still decided
    std::string (*apply)(const std::string& line);
};

// The line with `key` set to `value` (JSON text); generated text values hold no ',' or '}'.
std::string replace_value(const std::string& line, const std::string& key, const std::string& value) {
    std::string pattern = "\"" + key + "\":";
    std::size_t at = line.find(pattern);
    if (at == std::string::npos) {
        if (key == "followers") return "{\"author\":{\"followers\":" + value + "}," + line.substr(1);
        return "{" + pattern + value + "," + line.substr(1);
    }
    std::size_t start = at + pattern.size();
    std::size_t end = line.find_first_of(",}", start);
    return line.substr(0, start) + value + line.substr(end);
}

const Fault faults[] = {
    {"invalid UTF-8", true, [](const std::string& l) { return replace_value(l, "text", "\"caf\xC3\x28 \xFF\""); }},
    {"truncated", true, [](const std::string& l) { return l.substr(0, l.size() / 2); }},
    {"NUL byte", true, [](const std::string& l) { return l.substr(0, 10) + std::string(1, '\0') + l.substr(10); }},
    {"wrong type", true, [](const std::string& l) { return replace_value(l, "sentiment", "\"very bad\""); }},
    {"duplicate key", true,
     [](const std::string& l) { return "{\"sentiment\":0.5," + replace_value(l, "sentiment", "0.25").substr(1); }},
    {"enormous number", true, [](const std::string& l) { return replace_value(l, "sentiment", "1e999"); }},
    {"enormous integer", true,
     [](const std::string& l) { return replace_value(l, "followers", "123456789012345678901234567890"); }},
    {"deep nesting", true,
     [](const std::string& l) { return "{\"deep\":" + std::string(100, '[') + std::string(100, ']') + "," + l.substr(1); }},
    {"time out of range", true, [](const std::string& l) { return replace_value(l, "posted_at", "-1e300"); }},
    {"not an object", true, [](const std::string&) { return std::string("[1, 2, 3]"); }},
    {"empty line", true, [](const std::string&) { return std::string(); }},
    {"blank line", true, [](const std::string&) { return std::string(" \t "); }},
    {"overlong line", true, [](const std::string& l) { return replace_value(l, "text", "\"" + std::string(5000, 'x') + "\""); }},
    {"CRLF", false, [](const std::string& l) { return l + "\r"; }},
    {"byte-order mark", false, [](const std::string& l) { return "\xEF\xBB\xBF" + l; }},
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("run: 100k lines with 1% corrupted in every way give exact counts of decisions and errors") {
    namespace fs = std::filesystem;
    const std::string flow = "'" + (triage::test::source_dir() / "examples" / "customer_care.flow").string() + "'";
    const triage::test::TempDir scratch;  // its own: parallel runs must not share a file
    const fs::path input = scratch.path / "triage_stream_faults.jsonl";
    CliRun gen = triage::test::run_triage("gen " + flow + " -n 100000 --seed 11");
    REQUIRE(gen.status == 0);
    std::vector<std::string> lines = lines_of(gen.output);
    REQUIRE(lines.size() == 100'000);

    // Every hundredth line, the faults in turn; remember which line got which.
    std::map<std::size_t, const Fault*> corrupted;
    for (std::size_t i = 50, k = 0; i < lines.size(); i += 100, ++k) {
        const Fault& fault = faults[k % std::size(faults)];
        lines[i] = fault.apply(lines[i]);
        corrupted[i + 1] = &fault;  // 1-based line numbers
    }
    std::size_t expected_errors = 0;
    for (const auto& [line, fault] : corrupted) expected_errors += fault->is_error ? 1 : 0;
    {
        std::ofstream out(input, std::ios::binary);
        for (const std::string& line : lines) out << line << '\n';
    }
    REQUIRE(corrupted.size() == 1000);

    const std::string common =
        " --now 2026-11-22T10:00:00Z --limit line-length=4K --max-errors 1% " + flow + " '" + input.string() + "'";
    std::string first_output;
    for (const char* options : {"-j 1", "-j 2", "-j 3 --chunk-size 70000"}) {
        CAPTURE(options);
        CliRun run = triage::test::run_triage(std::string("run ") + options + common + " 2>/dev/null");
        CHECK(run.status == 0);
        std::vector<std::string> out = lines_of(run.output);
        REQUIRE(out.size() == lines.size());
        std::size_t errors = 0, decisions = 0, misplaced = 0;
        for (std::size_t i = 0; i < out.size(); ++i) {
            const std::size_t number = i + 1;
            const bool is_error = out[i].find("\"error\":") != std::string::npos;
            errors += is_error ? 1 : 0;
            decisions += out[i].find("\"outcome\":") != std::string::npos ? 1 : 0;
            if (out[i].rfind(fmt::format("{{\"line\":{},", number), 0) != 0) ++misplaced;
            auto it = corrupted.find(number);
            const bool should_fail = it != corrupted.end() && it->second->is_error;
            if (is_error != should_fail) {
                FAIL_CHECK("line " << number << " (" << std::string(it != corrupted.end() ? it->second->name : "intact")
                                   << "): " << out[i].substr(0, 200));
            }
        }
        CHECK(misplaced == 0);
        CHECK(errors == expected_errors);
        CHECK(decisions == lines.size() - expected_errors);
        if (first_output.empty()) first_output = run.output;
        else CHECK(run.output == first_output);

        CliRun summary = triage::test::run_triage(std::string("run ") + options + common + " 2>&1 >/dev/null");
        CHECK(summary.output.find(fmt::format("errors {}\n", expected_errors)) != std::string::npos);
    }
    // Each kind of fault is reported in words that say what is wrong.
    std::vector<std::string> out = lines_of(first_output);
    auto message_of = [&](const char* fault_name) {
        for (const auto& [line, fault] : corrupted)
            if (std::string_view(fault->name) == fault_name) return out[line - 1];
        return std::string();
    };
    CHECK(message_of("invalid UTF-8").find("UTF-8") != std::string::npos);
    CHECK(message_of("wrong type").find("'sentiment' must be a number") != std::string::npos);
    CHECK(message_of("duplicate key").find("key 'sentiment' appears twice") != std::string::npos);
    CHECK(message_of("deep nesting").find("nested more than 64 deep") != std::string::npos);
    CHECK(message_of("not an object").find("must be a JSON object") != std::string::npos);
    CHECK(message_of("empty line").find("empty line") != std::string::npos);
    CHECK(message_of("overlong line").find("limit: line-length") != std::string::npos);

    // --strict stops at the first bad line (line 51) with exit status 1.
    CliRun strict = triage::test::run_triage("run --strict -j 2" + common + " 2>&1 >/dev/null");
    CHECK(strict.status == 1);
    CHECK(strict.output.find("triage: line 51:") != std::string::npos);
    fs::remove(input);
}
