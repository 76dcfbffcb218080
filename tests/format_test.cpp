// `triage fmt`: one canonical layout, idempotent, comments kept, the same compiled flow.
#include "support.hpp"
#include "flow_data.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

using namespace triage;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<fs::path> formattable_files() {
    std::vector<fs::path> out;
    for (const char* dir : {"examples", "tests/fixtures"})
        for (const auto& entry : fs::recursive_directory_iterator(triage::test::source_dir() / dir))
            if (entry.path().extension() == ".flow") out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

// The parts of a compiled flow that formatting must not change, as text.
std::string shape(const CompileResult& r) {
    if (!r.ok()) {
        std::string codes;
        for (const Diagnostic& d : r.diagnostics) codes += code_name(d.code) + " ";
        return "errors: " + codes;
    }
    const Flow& f = *r.flow;
    std::string out = fmt::format("{} v{} start {}\n", f.name(), f.version(), f.node_name(f.start()));
    for (const Field& field : f.fields()) out += fmt::format("field {} {} {}\n", field.name, to_string(field.type), fmt::join(field.values, ","));
    for (const WordList& w : f.word_lists()) out += fmt::format("words {} {}\n", w.name, fmt::join(w.phrases, "|"));
    auto condition = [&](ConditionId id) {
        std::string text(f.condition_text(id));
        std::string squeezed;
        for (char c : text)
            if (c != ' ' && c != '\n' && c != '(' && c != ')') squeezed += c;
        return squeezed;
    };
    for (const Let& l : triage::detail::data_of(f).lets) out += fmt::format("let {} {}\n", l.name, condition(l.condition));
    for (const Step& s : f.steps()) {
        out += fmt::format("step {} {}\n", s.name, s.question);
        for (const Branch& b : s.branches) out += fmt::format("  if {} -> {}\n", condition(b.condition), f.node_name(b.target));
        if (s.otherwise) out += fmt::format("  else -> {}\n", f.node_name(s.otherwise->target));
    }
    for (const Outcome& o : f.outcomes()) {
        out += fmt::format("outcome {} {}\n", o.name, o.title);
        for (const Action& a : o.actions)
            out += fmt::format("  {} {} {} {} {}\n", to_string(a.kind), a.text, fmt::join(a.labels, ","),
                               a.duration ? a.duration->count() : -1, a.condition == no_condition ? "" : condition(a.condition));
    }
    out += fmt::format("{} tests\n", triage::detail::data_of(f).tests.size());
    return out;
}

}  // namespace

TEST_CASE("fmt is idempotent, keeps every comment, and compiles to the same flow") {
    std::size_t formatted = 0;
    for (const fs::path& path : formattable_files()) {
        CAPTURE(path.string());
        std::string original = read(path);
        FormatResult once = format_source(original, path.string());
        if (!once.text) continue;  // fixtures with syntax errors cannot be formatted
        ++formatted;
        FormatResult twice = format_source(*once.text, path.string());
        REQUIRE(twice.text);
        CHECK(*twice.text == *once.text);
        // Every comment survives (trailing comments may move, their text may not change).
        std::istringstream lines(original);
        for (std::string line; std::getline(lines, line);) {
            std::size_t hash = line.find('#');
            if (hash == std::string::npos || line.find('"') < hash || line.find("matches /") < hash) continue;
            std::string comment = line.substr(hash);
            while (!comment.empty() && (comment.back() == ' ' || comment.back() == '\r')) comment.pop_back();
            CHECK_MESSAGE(once.text->find(comment) != std::string::npos, "lost comment: " << comment);
        }
        // Same flow: compile both as the same file so includes resolve alike.
        CompileResult before = compile(original, path.string());
        CompileResult after = compile(*once.text, path.string());
        CHECK(shape(after) == shape(before));
    }
    CHECK(formatted > 40);
}

TEST_CASE("fmt lays a messy flow out the canonical way") {
    const char* messy =
        "# header comment\n\n"
        "flow   \"Messy\"   version 3\n"
        "fields { text : text   # what they wrote\n"
        "  n: number\n"
        " kind: one   of  a,b }\n"
        "words w=\"x\" ,\"y\\\"z\"\n"
        "let hot=n>1 and(kind is a or kind is b)\n"
        "start s step s \"Q?\" { if not(hot or text has any w) -> o # first\n"
        "if text matches /a#b/i and hot->o else->o }\n"
        "outcome o \"O\" { respond publicly within 4h using \"t\" if n >= 2 tag a, \"b c\" notify hq }\n"
        "test \"t\" { given { n: 2, kind: a, text: \"hi\" } expect o expect path s }\n";
    FormatResult result = format_source(messy, "messy.flow");
    INFO(triage::test::all_text(compile(messy, "messy.flow")));
    REQUIRE(result.text);
    CHECK(*result.text ==
          "# header comment\n"
          "\n"
          "flow \"Messy\" version 3\n"
          "\n"
          "fields {\n"
          "  text: text  # what they wrote\n"
          "  n: number\n"
          "  kind: one of a, b\n"
          "}\n"
          "\n"
          "words w = \"x\", \"y\\\"z\"\n"
          "\n"
          "let hot = n > 1 and (kind is a or kind is b)\n"
          "\n"
          "start s\n"
          "\n"
          "step s \"Q?\" {\n"
          "  if not (hot or text has any w) -> o  # first\n"
          "  if text matches /a#b/i and hot -> o\n"
          "  else -> o\n"
          "}\n"
          "\n"
          "outcome o \"O\" {\n"
          "  respond publicly within 4h using \"t\" if n >= 2\n"
          "  tag a, \"b c\"\n"
          "  notify hq\n"
          "}\n"
          "\n"
          "test \"t\" {\n"
          "  given { n: 2, kind: a, text: \"hi\" }\n"
          "  expect o\n"
          "  expect path s\n"
          "}\n");
}

TEST_CASE("a flow saved with a byte-order mark (Windows Notepad) compiles, and fmt keeps the mark") {
    const std::string flow = "flow \"x\" version 1\r\nfields { t: bool }\r\nstart s\r\n"
                             "step s \"Q?\" {\r\n  if t -> o\r\n  else -> o\r\n}\r\noutcome o \"O\" { monitor }\r\n";
    const std::string marked = "\xEF\xBB\xBF" + flow;
    CompileResult compiled = triage::test::compile_text(marked);
    INFO(triage::test::all_text(compiled));
    CHECK(compiled.ok());
    CHECK(compiled.diagnostics.empty());
    FormatResult once = format_source(marked, "notepad.flow");
    REQUIRE(once.text);
    CHECK(once.text->starts_with("\xEF\xBB\xBF" "flow \"x\" version 1\r\n"));  // its line ends kept too
    FormatResult twice = format_source(*once.text, "notepad.flow");
    REQUIRE(twice.text);
    CHECK(*twice.text == *once.text);
}

TEST_CASE("fmt keeps a file's CR LF line ends (a flow saved on Windows), so --check shows no invisible change") {
    const std::string lf = "# a desk\nflow \"x\" version 1\n\nfields {\n  t: bool  # ticked\n}\n\nstart s\n\n"
                           "step s \"Q?\" {\n  if t -> o\n  else -> o\n}\n\noutcome o \"O\" {\n  monitor\n}\n";
    std::string crlf;
    for (char c : lf) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    FormatResult formatted_lf = format_source(lf, "lf.flow");
    REQUIRE(formatted_lf.text);
    CHECK(*formatted_lf.text == lf);  // canonical already
    FormatResult formatted_crlf = format_source(crlf, "crlf.flow");
    REQUIRE(formatted_crlf.text);
    CHECK(*formatted_crlf.text == crlf);
    // Laid out anew, the new lines end as the file's do.
    FormatResult messy = format_source("flow \"x\" version 1\r\nfields { t: bool }\r\nstart s step s \"Q?\" "
                                       "{ if t -> o else -> o }\r\noutcome o \"O\" { monitor }\r\n", "messy.flow");
    REQUIRE(messy.text);
    CHECK(messy.text->find("\r\n  if t -> o\r\n  else -> o\r\n}\r\n") != std::string::npos);
    CHECK(messy.text->find("\r\r") == std::string::npos);
    // Mostly LF: LF throughout.
    FormatResult mixed = format_source("flow \"x\" version 1\r\nfields { t: bool }\nstart s\n"
                                       "step s \"Q?\" { if t -> o else -> o }\noutcome o \"O\" { monitor }\n", "mixed.flow");
    REQUIRE(mixed.text);
    CHECK(mixed.text->find('\r') == std::string::npos);
}

TEST_CASE("fmt refuses a file with syntax errors and says why") {
    FormatResult result = format_source("flow \"x\" version 1\nstart\n", "bad.flow");
    CHECK_FALSE(result.text);
    REQUIRE(result.diagnostics.size() == 1);
    CHECK(result.diagnostics[0].code == Code::syntax);
}

TEST_CASE("fmt: any byte in comments and strings, even the ones fmt once used as markers") {
    // A format_fuzzer finding: a comment holding \x01 moved on every run of fmt.
    const std::string source = "flow \"X\" version 1\nfields { t: bool }\nstart s\n"
                               "step s \"Q\x01\" {  # a\x01 b\n  if t -> o  # \x01\n  else -> o\n}\n"
                               "outcome o \"O\" { monitor }\n# Included by a.flow.\x01\x01\ninclude \"a.flow\"\n";
    FormatResult once = format_source(source, "bytes.flow");
    REQUIRE(once.text);
    FormatResult twice = format_source(*once.text, "bytes.flow");
    REQUIRE(twice.text);
    CHECK(*twice.text == *once.text);
    CHECK(once.text->find("step s \"Q\x01\" {  # a\x01 b\n") != std::string::npos);
    CHECK(once.text->find("# Included by a.flow.\x01\x01\ninclude \"a.flow\"\n") != std::string::npos);
}
