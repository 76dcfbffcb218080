// Golden tests: each fixture in tests/fixtures/diagnostics/ states, in `#! expect:` lines, exactly
// which diagnostics the compiler must report (severity, code, file, line, column, and optionally
// a piece of the message, or "help: " and the whole help). Every code in the Code enum must have
// at least one fixture.
#include "support.hpp"

#include <fmt/format.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace triage;
namespace fs = std::filesystem;

namespace {

struct Expected {
    std::string severity;
    std::string code;
    std::string file;  // relative to the fixture folder; empty = the fixture itself
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string message_part;
};

fs::path fixture_dir() { return triage::test::source_dir() / "tests" / "fixtures" / "diagnostics"; }

std::vector<Expected> read_expectations(const fs::path& path) {
    std::ifstream in(path);
    static const std::regex expect_line(
        R"(^#! expect: (error|warning|note)\[(T\d{3})\] (?:([^ :]+):)?(\d+):(\d+)(?: (.*))?$)");
    std::vector<Expected> out;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("#! expect:", 0) != 0) continue;
        std::smatch m;
        REQUIRE_MESSAGE(std::regex_match(line, m, expect_line), "malformed expectation: " << line);
        out.push_back({m[1], m[2], m[3], static_cast<std::uint32_t>(std::stoul(m[4])),
                       static_cast<std::uint32_t>(std::stoul(m[5])), m[6]});
    }
    return out;
}

// What a fixture asks of the compilation: `#! needs: z3` (left out in a build without the
// solver) and `#! limit: NAME=VALUE` lines.
struct FixtureSetup {
    bool needs_solver = false;
    CompileOptions options;
};

FixtureSetup read_setup(const fs::path& path) {
    std::ifstream in(path);
    FixtureSetup setup;
    for (std::string line; std::getline(in, line);) {
        if (line == "#! needs: z3") {
            setup.needs_solver = true;
            setup.options.semantic_checks = SemanticChecks::available;
        }
        if (line.rfind("#! limit: ", 0) != 0) continue;
        const std::string setting = line.substr(10);
        const std::size_t equals = setting.find('=');
        REQUIRE_MESSAGE(!set_limit(setup.options.limits, setting.substr(0, equals), setting.substr(equals + 1)), line);
    }
    return setup;
}

std::string severity_word(Severity severity) {
    return severity == Severity::error ? "error" : severity == Severity::warning ? "warning" : "note";
}

std::vector<fs::path> fixtures() {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(fixture_dir()))
        if (entry.is_regular_file() && entry.path().extension() == ".flow") out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string describe(const Expected& e) {
    return fmt::format("{}[{}] {}{}:{}", e.severity, e.code, e.file.empty() ? "" : e.file + ":", e.line,
                       e.column);
}

}  // namespace

TEST_CASE("every diagnostic fixture reports exactly what it expects") {
    std::vector<fs::path> all = fixtures();
    REQUIRE(all.size() > 30);
    for (const fs::path& path : all) {
        CAPTURE(path.filename().string());
        std::vector<Expected> expected = read_expectations(path);
        REQUIRE_MESSAGE(!expected.empty(), "a fixture must state what it expects");
        const FixtureSetup setup = read_setup(path);
        if (setup.needs_solver && !semantic_checks_built()) continue;
        CompileResult result = compile_file(path, setup.options);
        INFO(triage::test::all_text(result));

        std::multiset<std::string> wanted, got;
        for (const Expected& e : expected) wanted.insert(describe(e));
        for (const Diagnostic& d : result.diagnostics) {
            Location at = result.sources->begin(d.span);
            fs::path file(std::string(result.sources->path(d.span.file)));
            Expected actual{severity_word(d.severity), code_name(d.code),
                            file == path ? "" : fs::relative(file, fixture_dir()).generic_string(),
                            at.line, at.column, {}};
            got.insert(describe(actual));
        }
        CHECK(got == wanted);
        for (const Expected& e : expected) {
            if (e.message_part.empty()) continue;
            bool found = std::any_of(result.diagnostics.begin(), result.diagnostics.end(), [&](const Diagnostic& d) {
                // "help: ..." in an expectation is matched against the diagnostic's help, exactly.
                if (e.message_part.starts_with("help: ")) return code_name(d.code) == e.code && "help: " + d.help == e.message_part;
                return code_name(d.code) == e.code && d.message.find(e.message_part) != std::string::npos;
            });
            CHECK_MESSAGE(found, "no " << e.code << " message contains: " << e.message_part);
        }
        // A fixture with an error must not produce a flow; one with only warnings must.
        bool expects_error = std::any_of(expected.begin(), expected.end(),
                                         [](const Expected& e) { return e.severity == "error"; });
        CHECK(result.ok() == !expects_error);
    }
}

// A fix is right when the flow it makes no longer has what it fixed: every fix of every fixture
// is applied to the fixture's text, which is compiled again. The diagnostic's code must be
// reported fewer times, and no error of a code the fixture did not have may appear; a fixture
// whose one error is fixed must compile.
TEST_CASE("every fix of every fixture removes its diagnostic and adds no new kind of error") {
    std::set<std::string> fixed_codes;
    for (const fs::path& path : fixtures()) {
        CompileResult result = compile_file(path);
        const std::size_t errors = static_cast<std::size_t>(std::count_if(
            result.diagnostics.begin(), result.diagnostics.end(), [](const Diagnostic& d) { return d.severity == Severity::error; }));
        std::set<Code> codes_before;
        for (const Diagnostic& d : result.diagnostics) codes_before.insert(d.code);
        for (const Diagnostic& d : result.diagnostics) {
            if (d.fixes.empty() || fs::path(std::string(result.sources->path(d.span.file))) != path) continue;
            CAPTURE(path.filename().string());
            CAPTURE(d.message);
            std::optional<std::string> text = apply_fixes(result.sources->text(d.span.file), d.span.file, d.fixes);
            REQUIRE(text.has_value());
            CompileResult after = compile(*text, path.string());
            INFO(triage::test::all_text(after));
            auto count = [&](const CompileResult& r) {
                return std::count_if(r.diagnostics.begin(), r.diagnostics.end(), [&](const Diagnostic& x) { return x.code == d.code; });
            };
            CHECK(count(after) < count(result));
            for (const Diagnostic& x : after.diagnostics)
                CHECK_MESSAGE((x.severity != Severity::error || codes_before.contains(x.code)), "new error " << code_name(x.code));
            if (errors == 1 && d.severity == Severity::error) CHECK(after.ok());
            fixed_codes.insert(code_name(d.code));
        }
    }
    // The fixtures exercise the fixes of the syntax hints and of the checker's suggestions.
    for (std::string code : {"T001", "T011", "T013", "T021", "T023", "T027", "T044"}) {
        CAPTURE(code);
        CHECK(fixed_codes.contains(code));
    }
}

TEST_CASE("every diagnostic code has a fixture and a section in docs/diagnostics.md") {
    std::set<std::string> covered;
    for (const fs::path& path : fixtures())
        for (const Expected& e : read_expectations(path)) covered.insert(e.code);
    std::ifstream docs_file(triage::test::source_dir() / "docs" / "diagnostics.md");
    std::stringstream docs;
    docs << docs_file.rdbuf();
    for (Code code : all_codes()) {
        std::string name = code_name(code);
        CAPTURE(name);
        CHECK(covered.contains(name));
        // The section's heading gives the code's title, as code_title() does.
        CHECK(docs.str().find("## " + name + " — " + std::string(code_title(code)) + "\n") != std::string::npos);
    }
}

TEST_CASE("a flow with five planted mistakes reports all five in one run") {
    CompileResult result = compile_file(fixture_dir() / "multi-five-mistakes.flow");
    std::size_t errors = std::count_if(result.diagnostics.begin(), result.diagnostics.end(),
                                       [](const Diagnostic& d) { return d.severity == Severity::error; });
    CHECK(errors == 5);
}

TEST_CASE("diagnostics: a long line is shown as a window around the span, a long message cut") {
    std::string conditions;
    for (int i = 0; i < 40; ++i) conditions += "x > 1 and ";
    std::string text = "flow \"t\" version 1\nfields {\n  x: number\n}\nstart s\nstep s \"q?\" {\n  if " + conditions +
                       std::string(500, 'c') + " -> a\n  else -> b\n}\noutcome a \"A\" { monitor }\noutcome b \"B\" { monitor }\n";
    triage::CompileResult r = triage::compile(text, "long.flow");
    const triage::Diagnostic* unknown = triage::test::find(r, triage::Code::unknown_value_name);
    REQUIRE(unknown != nullptr);
    const std::string shown = triage::format_text(*unknown, *r.sources);
    std::vector<std::string> lines;
    for (std::size_t at = 0; at < shown.size();) {
        std::size_t end = shown.find('\n', at);
        lines.push_back(shown.substr(at, end - at));
        at = end + 1;
    }
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].size() < 400);  // the message names the 500-character name, cut after 300
    CHECK(lines[0].ends_with("…"));
    CHECK(lines[1].starts_with("7 | …"));  // the window starts inside the line
    CHECK(lines[1].ends_with("…"));
    // The caret stands under the name's first letter, counted in code points ("…" is one).
    auto column = [](const std::string& line, std::size_t byte) {
        std::size_t n = 0;
        for (std::size_t i = 0; i < byte; ++i) n += (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
        return n;
    };
    const std::size_t caret = lines[2].find('^');
    REQUIRE(caret != std::string::npos);
    CHECK(column(lines[2], caret) == column(lines[1], lines[1].find('c')));
    CHECK(column(lines[1], lines[1].size()) <= 200);
}

TEST_CASE("diagnostics: control characters from a flow never reach the terminal") {
    triage::CompileResult r = triage::compile(
        "flow \"t\" version 1\nstart o\noutcome o \"O\" { monitor }\noutcome o \"\x1b]0;x\x07\xc2\x9b\" { monitor }\n", "esc.flow");
    const std::string text = triage::test::all_text(r);
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find('\x07') == std::string::npos);
    CHECK(text.find("\xc2\x9b") == std::string::npos);
    CHECK(text.find("\"\xEF\xBF\xBD]0;x\xEF\xBF\xBD\xEF\xBF\xBD\"") != std::string::npos);
}
