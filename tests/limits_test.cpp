// Hostile flow files and records: every limit of triage/limits.hpp and JsonOptions is reported
// as T060 (or an error record) at the right place — never a crash, a hang or a huge allocation.
#include "support.hpp"
#include "flow_data.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

using namespace triage;
using triage::test::compile_text;

namespace {

CompileResult compile_with(std::string_view text, const Limits& limits, std::map<std::string, std::string> files = {}) {
    CompileOptions options;
    options.limits = limits;
    options.read_file = [files](const std::filesystem::path& path, std::uint64_t max) -> FileRead {
        auto it = files.find(path.filename().string());
        if (it == files.end() && triage::test::is_zone_file(path)) return read_file_from_disk(path, max);
        if (it == files.end()) return {std::nullopt, "No such file or directory"};
        return {it->second, {}};
    };
    return compile(text, "limits.flow", options);
}

// The only errors are T060s; returns the first one's line:column and message.
std::string only_limit_error(const CompileResult& result) {
    REQUIRE_FALSE(result.ok());
    std::vector<Diagnostic> errors;
    for (const Diagnostic& d : result.diagnostics) {
        if (d.severity != Severity::error) continue;
        INFO(format_text(d, *result.sources));
        CHECK(d.code == Code::limit_exceeded);
        errors.push_back(d);
    }
    REQUIRE_FALSE(errors.empty());
    const Diagnostic& d = errors.front();
    Location at = result.sources->location(d.span.file, d.span.begin);
    return fmt::format("{}:{} {}", at.line, at.column, d.message);
}

std::string condition_flow(std::string_view condition, std::string_view extra = {}) {
    return fmt::format("flow \"Limits\" version 1\nfields {{\n  text: text\n  sentiment: number\n}}\n{}\nstart s\n"
                       "step s \"Q\" {{\n  if {} -> yes\n  else -> no\n}}\noutcome yes \"Yes\" {{ monitor }}\n"
                       "outcome no \"No\" {{ monitor }}\n",
                       extra, condition);
}

std::string repeat(std::string_view s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

}  // namespace

TEST_CASE("limits: a file over file-size is reported at its start and not parsed") {
    Limits limits;
    limits.file_bytes = 100;
    std::string text = condition_flow("sentiment < 0");
    CHECK(only_limit_error(compile_with(text, limits)) ==
          fmt::format("1:1 the file is {} bytes; the limit is 100", text.size()));
    limits.file_bytes = text.size();
    CHECK(compile_with(text, limits).ok());
}

TEST_CASE("limits: nesting of parentheses and not") {
    Limits limits;  // 64
    std::string deep = repeat("(", 65) + "sentiment < 0" + repeat(")", 65);
    CHECK(only_limit_error(compile_with(condition_flow(deep), limits)) ==
          "9:70 condition nested more than 64 levels deep");
    std::string nots = repeat("not ", 65) + "sentiment < 0";
    CHECK(only_limit_error(compile_with(condition_flow(nots), limits)).starts_with("9:"));
    std::string fine = repeat("(", 64) + "sentiment < 0" + repeat(")", 64);
    CHECK(compile_with(condition_flow(fine), limits).ok());
    limits.nesting = 200;
    CHECK(compile_with(condition_flow(deep), limits).ok());
    CHECK(compile_with(condition_flow(nots), limits).ok());
    // Parentheses inside strings, regular expressions and comments do not count.
    limits.nesting = 2;
    CHECK(compile_with(condition_flow("text contains \"(((((\" or text matches /\\({3}/", "# (((((((((("), limits).ok());
}

TEST_CASE("limits: a million nested parentheses are rejected quickly, without recursion") {
    std::string deep = repeat("(", 1'000'000) + "sentiment < 0" + repeat(")", 1'000'000);
    CHECK(only_limit_error(compile_with(condition_flow(deep), Limits{})) ==
          "9:70 condition nested more than 64 levels deep");
    FormatResult formatted = format_source(condition_flow(deep));
    CHECK_FALSE(formatted.text);
    REQUIRE(formatted.diagnostics.size() == 1);
    CHECK(formatted.diagnostics[0].code == Code::limit_exceeded);
}

TEST_CASE("limits: long flat conditions are not nesting") {
    std::string wide;
    for (int i = 0; i < 20'000; ++i) wide += fmt::format("{}sentiment < {}", i == 0 ? "" : i % 2 ? " and " : " or ", i);
    CompileResult result = compile_with(condition_flow(wide), Limits{});
    CHECK(result.ok());
}

TEST_CASE("limits: conditions referring to conditions count as nesting") {
    std::string lets = "let c0 = sentiment < 0\n";
    for (int i = 1; i <= 100; ++i) lets += fmt::format("let c{} = c{}\n", i, i - 1);
    Limits limits;
    std::string error = only_limit_error(compile_with(condition_flow("c100", lets), limits));
    CHECK(error.find("conditions refer to conditions more than 64 levels deep here") != std::string::npos);
    limits.nesting = 128;
    CHECK(compile_with(condition_flow("c100", lets), limits).ok());

    // The same chain declared in the reverse order, a hundred thousand long.
    std::string reversed;
    for (int i = 0; i < 100'000; ++i) reversed += fmt::format("let d{} = d{}\n", i, i + 1);
    reversed += "let d100000 = sentiment < 0\n";
    error = only_limit_error(compile_with(condition_flow("d0", reversed), Limits{}));
    CHECK(error.find("conditions refer to conditions more than 64 levels deep here") != std::string::npos);
}

TEST_CASE("limits: steps") {
    std::string text = "flow \"Limits\" version 1\nfields { sentiment: number }\nstart s0\n";
    for (int i = 0; i < 6; ++i)
        text += fmt::format("step s{} \"Q\" {{\n  if sentiment < {} -> done\n  else -> {}\n}}\n", i, i,
                            i == 5 ? "done" : fmt::format("s{}", i + 1));
    text += "outcome done \"Done\" { monitor }\n";
    Limits limits;
    limits.steps = 5;
    CHECK(only_limit_error(compile_with(text, limits)) == "24:6 the flow has more than 5 steps");
    limits.steps = 6;
    CHECK(compile_with(text, limits).ok());
}

TEST_CASE("limits: words per list, written or read from a file") {
    Limits limits;
    limits.words = 3;
    CHECK(only_limit_error(compile_with(condition_flow("text has any w", "words w = \"a\", \"b\", \"c\", \"d\""), limits)) ==
          "6:7 word list 'w' has 4 phrases; the limit is 3");
    CHECK(only_limit_error(compile_with(condition_flow("text has any w", "words w = file \"w.txt\""), limits,
                                        {{"w.txt", "a\nb\nc\nd\n"}})) == "6:7 word list 'w' has 4 phrases; the limit is 3");
    CHECK(compile_with(condition_flow("text has any w", "words w = file \"w.txt\""), limits, {{"w.txt", "a\nb\nc\n"}}).ok());
    limits.file_bytes = 5;
    std::string error = only_limit_error(compile_with(condition_flow("text has any w", "words w = file \"w.txt\""),
                                                      Limits{.file_bytes = 1000}, {{"w.txt", std::string(2000, 'a')}}));
    CHECK(error.find("word list file 'w.txt' is 2000 bytes; the limit is 1000") != std::string::npos);
}

TEST_CASE("limits: the keyword automaton of a field") {
    std::string phrases;
    for (int i = 0; i < 200; ++i) phrases += fmt::format("{}\"phrase number {}\"", i ? ", " : "", i);
    Limits limits;
    limits.automaton_bytes = 10'000;
    std::string error = only_limit_error(compile_with(condition_flow("text has any w", "words w = " + phrases), limits));
    CHECK(error.starts_with("3:3 the keyword automaton for 'text' would take"));
    CHECK(compile_with(condition_flow("text has any w", "words w = " + phrases), Limits{}).ok());

    // `contains` phrases are in the same automaton, and count towards the same limit.
    std::string contains = "text contains \"a\"";
    for (int i = 0; i < 200; ++i) contains += fmt::format(" or text contains \"phrase number {}\"", i);
    error = only_limit_error(compile_with(condition_flow(contains), limits));
    CHECK(error.starts_with("3:3 the keyword automaton for 'text' would take"));
    CHECK(compile_with(condition_flow(contains), Limits{}).ok());
}

TEST_CASE("limits: regular expressions that need too much memory") {
    Limits limits;
    limits.regex_bytes = 64 << 10;
    std::string error = only_limit_error(compile_with(condition_flow("text matches /\\pL{100}/"), limits));
    CHECK(error == "9:19 regular expression needs more than 64 KiB to compile");
    CHECK(compile_with(condition_flow("text matches /\\pL{100}/"), Limits{}).ok());
}

TEST_CASE("limits: regex-memory is one budget for all of a flow's regular expressions") {
    // \pL{20} needs between 256 KiB and 512 KiB: alone it has all of 1 MiB, beside three
    // others it has a quarter.
    Limits limits;
    limits.regex_bytes = 1 << 20;
    CHECK(compile_with(condition_flow("text matches /\\pL{20}/"), limits).ok());
    const std::string four = "text matches /\\pL{20}/ or text matches /a/ or text matches /b/ or text matches /c/";
    CHECK(only_limit_error(compile_with(condition_flow(four), limits)) ==
          "9:19 regular expression needs more than 256 KiB to compile (its share of the regex-memory limit of "
          "1 MiB, divided among 4 expressions)");
    // The same expression written again is compiled once and takes no second share.
    const std::string again = "text matches /\\pL{20}/ or text matches /\\pL{20}/ or text matches /a/";
    CHECK(compile_with(condition_flow(again), limits).ok());
    CHECK(triage::detail::data_of(*compile_with(condition_flow(again), limits).flow).regexes.size() == 2);
    // Case-insensitive is another expression.
    CHECK(triage::detail::data_of(*compile_with(condition_flow("text matches /a/ or text matches /a/i"), limits).flow).regexes.size() == 2);
}

TEST_CASE("limits: a regex-memory of 0 (set by a host) refuses every regular expression, without a crash") {
    Limits none;
    none.regex_bytes = 0;
    CHECK(only_limit_error(compile_with(condition_flow("text matches /a/"), none)).find("regex-memory") != std::string::npos);
}

TEST_CASE("limits: more regular expressions than regex-memory holds are refused before any is compiled") {
    // 1,500 expressions like the hostile shape (each of which grows a large DFA while matching)
    // would each get 174 KiB of the default 256 MiB: under the 256 KiB floor.
    std::string any;
    for (int i = 0; i < 1500; ++i) any += fmt::format("{}text matches /[ab]*a[ab]{{20}}c|q{}/", i ? " or " : "", i);
    CHECK(only_limit_error(compile_with(condition_flow(any), Limits{})) ==
          fmt::format("9:{} this flow has 1500 distinct regular expressions; the regex-memory limit of 256 MiB holds "
                      "1024 (each needs at least 256 KiB)",
                      any.find("/[ab]*a[ab]{20}c|q1024/") + 6));
    Limits raised;
    raised.regex_bytes = 512u << 20;
    CHECK(compile_with(condition_flow(any), raised).ok());
    // A budget below the floor serves one expression, not two.
    Limits tiny;
    tiny.regex_bytes = 64 << 10;
    CHECK(compile_with(condition_flow("text matches /a/"), tiny).ok());
    CHECK(only_limit_error(compile_with(condition_flow("text matches /a/ or text matches /b/"), tiny)) ==
          "9:39 this flow has 2 distinct regular expressions; the regex-memory limit of 64 KiB holds 1 (each needs "
          "at least 64 KiB)");
}

TEST_CASE("limits: include depth") {
    std::map<std::string, std::string> files = {
        {"a.flow", "include \"b.flow\"\n"}, {"b.flow", "include \"c.flow\"\n"}, {"c.flow", "words w = \"x\"\n"}};
    Limits limits;
    limits.include_depth = 2;
    std::string main = condition_flow("text has any w", "include \"a.flow\"");
    CompileResult result = compile_with(main, limits, files);
    REQUIRE_FALSE(result.ok());
    REQUIRE(result.diagnostics.size() == 1);
    CHECK(result.diagnostics[0].code == Code::limit_exceeded);
    CHECK(result.diagnostics[0].message == "includes nested more than 2 files deep");
    CHECK(result.sources->path(result.diagnostics[0].span.file).ends_with("b.flow"));
    limits.include_depth = 3;
    CHECK(compile_with(main, limits, files).ok());
}

TEST_CASE("limits: names and values") {
    Limits limits;
    CHECK_FALSE(set_limit(limits, "file-size", "32M"));
    CHECK(limits.file_bytes == 32u << 20);
    CHECK_FALSE(set_limit(limits, "nesting", "128"));
    CHECK(limits.nesting == 128);
    CHECK(set_limit(limits, "nesting", "0").value() == "limit nesting takes a positive whole number, not '0'");
    CHECK(set_limit(limits, "nesting", "12K").has_value());  // suffixes are for sizes
    CHECK(set_limit(limits, "steps", "99999999999").value() == "limit steps is at most 4294967295");
    CHECK_FALSE(set_limit(limits, "reorder-buffer", "5000"));
    CHECK(limits.reorder_buffer == 5000);
    CHECK(set_limit(limits, "depth", "3").value().starts_with("unknown limit 'depth'; the limits are file-size, total-size, nesting"));
}

TEST_CASE("limits: records — line length, keys, depth, duplicate keys, byte-order mark") {
    CompileResult compiled = compile_text(condition_flow("sentiment < 0"));
    REQUIRE(compiled.ok());
    JsonOptions options;
    options.max_line_bytes = 40;
    options.max_keys = 3;
    options.max_depth = 3;
    JsonRecordReader reader(*compiled.flow, options);
    CHECK(reader.read(R"({"sentiment": -1})"));
    CHECK_FALSE(reader.read(R"({"text": "a long line that goes past forty bytes"})"));
    CHECK(reader.error() == "the line is 50 bytes; the limit is 40 (limit: line-length)");
    CHECK_FALSE(reader.read(R"({"a":1,"b":2,"c":3,"d":4})"));
    CHECK(reader.error() == "more than 3 keys (limit: fields)");
    CHECK_FALSE(reader.read(R"({"a":[[[[1]]]]})"));
    CHECK(reader.error() == "objects and arrays nested more than 3 deep (limit: json-depth)");
    CHECK_FALSE(reader.read(R"({"sentiment":1,"sentiment":2})"));
    CHECK(reader.error() == "key 'sentiment' appears twice");
    CHECK(reader.read("\xEF\xBB\xBF{\"sentiment\": -1}"));
    CHECK(reader.value(*compiled.flow->find_field("sentiment")).number == -1);
    CHECK(reader.read(R"({"other":1,"other":2,"sentiment":3})"));  // keys the flow does not read are not checked
}

TEST_CASE("limits: --limit on the command line") {
    std::string fixture = "'" + (test::source_dir() / "tests" / "fixtures" / "diagnostics" / "T060-nesting.flow").string() + "'";
    CHECK(test::run_triage("check " + fixture + " 2>&1").status == 1);
    CHECK(test::run_triage("check --limit nesting=100 " + fixture + " 2>&1").status == 0);
    test::CliRun bad = test::run_triage("check --limit nesting=many " + fixture + " 2>&1");
    CHECK(bad.status == 2);
    CHECK(bad.output.find("limit nesting takes a positive whole number, not 'many'") != std::string::npos);
    test::CliRun unknown = test::run_triage("fmt --check --limit depth=3 " + fixture + " 2>&1");
    CHECK(unknown.status == 2);
    CHECK(unknown.output.find("line-length, fields, json-depth") != std::string::npos);
}

TEST_CASE("limits: --now takes any time of the years 0000-9999, and nothing else") {
    const std::string run = "run " + triage::test::quoted(std::string(TRIAGE_SOURCE_DIR) + "/examples/crisis.flow") + " " +
                            triage::test::quoted(std::string(TRIAGE_SOURCE_DIR) + "/examples/mentions.jsonl") +
                            " -o /dev/null --max-late 100% --now ";  // the sample mentions are not in time order
    // The last instant: the monitor's horizon (now plus the future margin) stops at year 9999.
    CHECK(triage::test::run_triage(run + "9999-12-31T23:59:59Z 2>&1").status == 0);
    CHECK(triage::test::run_triage(run + "0000-01-01T00:00:00Z 2>&1").status == 0);
    for (const char* bad : {"2026-11-22T10:00:00+99:00", "0000-01-01T00:30:00+01:00", "10000-01-01T00:00:00Z", "-1"}) {
        INFO(bad);
        triage::test::CliRun refused = triage::test::run_triage(run + "'" + bad + "' 2>&1");
        CHECK(refused.status == 2);
        CHECK(refused.output.find("--now takes a date-time") != std::string::npos);
    }
}

TEST_CASE("limits: every accepted value can be handled: nesting up to 4096, counts not negative") {
    triage::Limits limits;
    CHECK(triage::set_limit(limits, "nesting", "4097") == std::optional<std::string>("limit nesting is at most 4096"));
    CHECK_FALSE(triage::set_limit(limits, "nesting", "4096").has_value());
    // The deepest accepted nesting compiles, tests and decides (the CLI runs on a large stack).
    const int depth = 4096;
    std::string text = "flow \"t\" version 1\nfields {\n  x: number\n}\nstart s\nstep s \"q?\" {\n  if " +
                       std::string(depth, '(') + "x > 1" + std::string(depth, ')') + " and ";
    for (int i = 0; i < depth; ++i) text += "not ";
    text += "x > 2 -> a\n  else -> b\n}\noutcome a \"A\" { monitor }\noutcome b \"B\" { monitor }\n"
            "test \"deep\" {\n  given { x: 3 }\n  expect a\n}\n";
    triage::test::TempDir dir;
    triage::test::write_file(dir.path / "deep.flow", text);
    triage::test::write_file(dir.path / "m.jsonl", "{\"x\": 3}\n");  // 4096 nots cancel out: a
    const std::string flow = "'" + dir.file("deep.flow") + "'";
    triage::test::CliRun check = triage::test::run_triage("check --limit nesting=4096 " + flow);
    CHECK(check.status == 0);
    triage::test::CliRun run =
        triage::test::run_triage("run -j 1 --limit nesting=4096 " + flow + " '" + dir.file("m.jsonl") + "' 2>/dev/null");
    CHECK(run.status == 0);
    CHECK(run.output.find(R"("outcome":"a")") != std::string::npos);
    // triage test compiles files on worker threads: theirs are large stacks too.
    triage::test::write_file(dir.path / "copy.flow", text);
    triage::test::CliRun tested = triage::test::run_triage("test --limit nesting=4096 " + triage::test::quoted(dir.path.string()));
    CHECK(tested.status == 0);
    CHECK(tested.output.find("2 passed, 0 failed") != std::string::npos);
    triage::test::CliRun over = triage::test::run_triage("check --limit nesting=100000 " + flow + " 2>&1");
    CHECK(over.status == 2);
    CHECK(over.output.find("limit nesting is at most 4096") != std::string::npos);
    triage::test::CliRun gen = triage::test::run_triage("gen " + flow + " -n -1 2>&1");
    CHECK(gen.status == 2);
    CHECK(gen.output.find("--count: Value -1 not in range") != std::string::npos);
}

TEST_CASE("limits: unreadable includes say why, a flow past file-size is refused before it is read") {
    triage::test::TempDir dir;
    triage::test::write_file(dir.path / "main.flow",
                             "flow \"t\" version 1\ninclude \"/proc/self/mem\"\ninclude \"missing.flow\"\ninclude \"sub\"\n"
                             "start o\noutcome o \"O\" { monitor }\n");
    std::filesystem::create_directory(dir.path / "sub");
    CompileOptions options;
    options.include_roots = {"/proc"};  // else /proc/self/mem is refused as outside the flow's directory
    CompileResult r = compile_file(dir.path / "main.flow", options);
    std::vector<std::string> messages;
    for (const Diagnostic& d : r.diagnostics) messages.push_back(code_name(d.code) + " " + d.message);
    CHECK(messages == std::vector<std::string>{
                          "T018 cannot read included file '/proc/self/mem': Input/output error",
                          "T018 cannot read included file '" + dir.file("missing.flow") + "': No such file or directory",
                          "T018 cannot read included file '" + dir.file("sub") + "': it is a directory"});
    // A file larger than the limit: refused from its size, not read (its bytes are never seen).
    const FileRead big = read_file_from_disk("/proc/self/exe", 1024);
    CHECK_FALSE(big.bytes.has_value());
    CHECK(big.error.empty());
    CHECK(big.size > 1024);
    Limits small;
    small.file_bytes = 100;
    options.limits = small;
    CompileResult refused = compile_file(dir.path / "main.flow", options);
    REQUIRE(refused.diagnostics.size() == 1);
    CHECK(refused.diagnostics[0].code == Code::limit_exceeded);
    CHECK(refused.diagnostics[0].message.ends_with("bytes; the limit is 100"));
}
