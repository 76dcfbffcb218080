// Name, type and outcome checks: messages, notes and suggestions as an author sees them.
#include "support.hpp"

#include <fmt/format.h>

using namespace triage;
using triage::test::codes;
using triage::test::compile_text;
using triage::test::find;
using triage::test::with_frame;

TEST_CASE("a misspelt step name gets a caret, and a suggestion") {
    CompileResult result = compile_text(
        "flow \"t\" version 1\nstart assess\nstep assess \"q\" {\n  if true -> asess\n  else -> o\n}\n"
        "step other \"q\" { if true -> o\n else -> o }\noutcome o \"O\" { monitor }\n");
    const Diagnostic* d = find(result, Code::unknown_node);
    REQUIRE(d);
    CHECK(d->message == "unknown step or outcome 'asess'");
    CHECK(d->help == "did you mean 'assess'?");
    CHECK(format_text(*d, *result.sources) ==
          "test.flow:4:14: error[T012]: unknown step or outcome 'asess'\n"
          "4 |   if true -> asess\n"
          "  |              ^~~~~\n"
          "help: did you mean 'assess'?\n");
}

TEST_CASE("no suggestion when nothing is close") {
    CompileResult result = compile_text(with_frame("a: bool", "zzzzzz"));
    const Diagnostic* d = find(result, Code::unknown_value_name);
    REQUIRE(d);
    CHECK(d->help.empty());
}

TEST_CASE("unknown enum value lists the values and suggests the closest") {
    CompileResult result =
        compile_text(with_frame("experience: one of none, negative, positive", "experience is negativ"));
    const Diagnostic* d = find(result, Code::unknown_enum_value);
    REQUIRE(d);
    CHECK(d->help == "did you mean 'negative'?");
    REQUIRE(d->notes.size() == 1);
    CHECK(d->notes[0].message == "'experience' is one of: none, negative, positive");
}

TEST_CASE("type errors name the field's type and the way to write it") {
    struct Case {
        const char* fields;
        const char* condition;
        const char* message;
    };
    for (const Case& c : {
             Case{"text: text", "text > 3", "'text' is a text field and cannot be compared with '>'"},
             Case{"n: number", "n is 3", "'n' is a number field; 'is' compares text, bool and one-of fields"},
             Case{"n: number", "n has any w", "'n' is a number field; 'has any' works on text fields"},
             Case{"n: number", "n contains \"x\"", "'n' is a number field; 'contains' works on text fields"},
             Case{"n: integer", "n matches /x/", "'n' is an integer field; 'matches' works on text fields"},
             Case{"n: number", "n", "'n' is a number field, not a condition"},
             Case{"b: bool", "b is \"yes\"", "'b' is a bool field; compare it with true or false"},
             Case{"t: text", "t is yes", "'t' is a text field; compare it with a quoted string"},
             Case{"t: time\n u: number", "t > u", "cannot compare time field 't' with number field 'u'"},
             Case{"t: time", "t > 3", "'t' is a time field; compare it with another time field"},
             Case{"b: bool", "b in [true]", "'b' is a bool field; 'in' works on text, number and one-of fields"},
         }) {
        CAPTURE(c.condition);
        CompileResult result = compile_text(with_frame(c.fields, c.condition, "words w = \"x\""));
        const Diagnostic* d = find(result, Code::type_mismatch);
        REQUIRE(d);
        CHECK(d->message == c.message);
        Location at = result.sources->begin(d->span);
        CHECK(result.sources->line(d->span.file, at.line).substr(0, 5) == "  if ");
        CHECK(at.column == 6);  // the field name on the left
    }
}

TEST_CASE("a condition used as a field is a type error, not an unknown name") {
    CompileResult result = compile_text(with_frame("a: bool", "exists ok", "let ok = a"));
    const Diagnostic* d = find(result, Code::type_mismatch);
    REQUIRE(d);
    CHECK(d->message == "'ok' is a condition, not a field");
}

TEST_CASE("regular expressions are checked with RE2") {
    CompileResult bad = compile_text(with_frame("t: text", "t matches /(unclosed/"));
    const Diagnostic* d = find(bad, Code::invalid_regex);
    REQUIRE(d);
    CHECK(d->message.find("invalid regular expression") == 0);
    // RE2 has no backreferences: the linear-time guarantee is why flows may be untrusted.
    CHECK(find(compile_text(with_frame("t: text", "t matches /(a)\\1/")), Code::invalid_regex));
    CHECK(find(compile_text(with_frame("t: text", "t matches /a/x")), Code::invalid_regex)->message ==
          "unknown regular expression flag 'x'");
    CHECK(compile_text(with_frame("t: text", "t matches /\\/path\\/[a-z]+/i")).ok());
}

TEST_CASE("duplicate definitions point at both places") {
    CompileResult result = compile_text(with_frame("a: bool\n a: text", "a"));
    const Diagnostic* d = find(result, Code::duplicate_definition);
    REQUIRE(d);
    CHECK(result.sources->begin(d->span).line == 4);
    REQUIRE(d->notes.size() == 1);
    REQUIRE(d->notes[0].span);
    CHECK(result.sources->begin(*d->notes[0].span).line == 3);
}

TEST_CASE("recursive conditions are reported once per loop") {
    CompileResult result = compile_text(with_frame("x: bool", "a", "let a = b or x\nlet b = not a"));
    CHECK(codes(result) == std::vector<std::string>{"T025"});
    CHECK(find(result, Code::recursive_condition)->message == "condition 'a' refers to itself");
}

TEST_CASE("a value and a group with the same name conflict") {
    CompileResult result = compile_text(with_frame("author: text\n author.followers: integer",
                                                   "author contains \"x\" and author.followers > 1"));
    const Diagnostic* d = find(result, Code::field_group_conflict);
    REQUIRE(d);
    CHECK(result.sources->begin(d->span).line == 4);
    CHECK(codes(result) == std::vector<std::string>{"T026"});
}

TEST_CASE("outcome checks: conflicts and repeats") {
    auto outcome = [](std::string_view actions) {
        return compile_text("flow \"t\" version 1\nstart o\noutcome o \"O\" {\n" + std::string(actions) + "\n}\n");
    };
    CHECK(codes(outcome("respond publicly\ndo not respond because \"x\"")) ==
          std::vector<std::string>{"T040"});
    CHECK(codes(outcome("priority low\npriority high")) == std::vector<std::string>{"T041"});
    CHECK(codes(outcome("respond publicly\nrespond privately")) == std::vector<std::string>{"T041"});
    // Conditional actions of one kind may coexist: only one applies per mention.
    CompileResult conditional = compile_text(
        "flow \"t\" version 1\nfields { v: bool }\nstart o\noutcome o \"O\" {\n priority low\n priority urgent if v\n"
        " respond publicly if v\n respond privately if not v\n}\n");
    INFO(triage::test::all_text(conditional));
    CHECK(conditional.ok());
    CHECK(conditional.diagnostics.empty());
    CHECK(codes(outcome("")) == std::vector<std::string>{"T042"});
}

TEST_CASE("durations must be positive and at most ten years") {
    auto with_duration = [](std::string_view d) {
        return compile_text("flow \"t\" version 1\nstart o\noutcome o \"O\" { monitor for " + std::string(d) + " }\n");
    };
    CHECK(codes(with_duration("0h")) == std::vector<std::string>{"T003"});
    CHECK(codes(with_duration("522w")) == std::vector<std::string>{"T003"});
    CHECK(codes(with_duration("99999999999999999w")) == std::vector<std::string>{"T003"});
    CHECK(with_duration("521w").ok());
    CHECK(with_duration("3650d").ok());
    CHECK(codes(with_duration("3651d")) == std::vector<std::string>{"T003"});
}

TEST_CASE("missing header and start are reported at the top of the main file") {
    CompileResult result = compile_text("outcome o \"O\" { monitor }\n");
    CHECK(codes(result) == std::vector<std::string>{"T015", "T016"});
    for (const Diagnostic& d : result.diagnostics) {
        CHECK(result.sources->begin(d.span).line == 1);
        CHECK(result.sources->begin(d.span).column == 1);
    }
}

TEST_CASE("includes: relative paths, each file once, cycles and unreadable files") {
    std::map<std::string, std::string> files = {
        {"lib/a.flow", "include \"b.flow\"\nwords wa = \"a\"\n"},
        {"lib/b.flow", "words wb = \"b\"\n"},
        {"lib/loop.flow", "include \"../test.flow\"\n"},
    };
    std::string frame = with_frame("t: text", "t has any wa or t has any wb",
                                   "include \"lib/a.flow\"\ninclude \"lib/b.flow\"");
    CompileResult ok = compile_text(frame, files);
    INFO(triage::test::all_text(ok));
    CHECK(ok.ok());
    CHECK(ok.diagnostics.empty());  // b.flow is included twice but read once: no duplicates

    CompileResult missing = compile_text(with_frame("t: text", "t", "include \"nowhere.flow\""), files);
    CHECK(find(missing, Code::unreadable_file));

    CompileResult cycle = compile_text(with_frame("t: bool", "t", "include \"lib/loop.flow\""), files);
    const Diagnostic* d = find(cycle, Code::include_cycle);
    REQUIRE(d);
    CHECK(cycle.sources->path(d->span.file) == "lib/loop.flow");
    CHECK(d->message == "include cycle: test.flow -> loop.flow -> test.flow");
}

TEST_CASE("diagnostics come out as JSON with positions and codes") {
    CompileResult result = compile_text(with_frame("a: bool", "b"));
    std::string json = format_json(result.diagnostics, *result.sources);
    CHECK(json.find(R"("file":"test.flow","line":8,"column":6,"end_line":8,"end_column":7,)"
                    R"("severity":"error","code":"T011","message":"unknown field or condition 'b'")") !=
          std::string::npos);
}

TEST_CASE("compile_file reports an unreadable file as a diagnostic") {
    CompileResult result = compile_file("/nonexistent/dir/x.flow");
    CHECK_FALSE(result.ok());
    CHECK(codes(result) == std::vector<std::string>{"T018"});
}

TEST_CASE("an else after an always-true branch is flagged at the 'else' keyword") {
    CompileResult result = compile_text(
        "flow \"t\" version 1\nstart s\nstep s \"q\" {\n  if true -> o\n  else -> o\n}\noutcome o \"O\" { monitor }\n");
    const Diagnostic* d = find(result, Code::shadowed_branch);
    REQUIRE(d);
    CHECK(result.sources->text(d->span) == "else");
    CHECK(result.sources->begin(d->span).line == 5);
    CHECK(result.sources->begin(d->span).column == 3);
}

TEST_CASE("warnings can be allowed on their line or for the declaration that follows") {
    CompileResult result = compile_text(
        "flow \"x\" version 1\n"
        "fields {\n"
        "  a: bool\n"
        "  quiet: text  # triage: allow(T034)\n"
        "  loud: text\n"
        "}\n"
        "start s\n"
        "# triage: allow(T032, T031)\n"
        "step s \"q\" {\n"
        "  if a -> o\n"
        "}\n"
        "# triage: allow(T031) -- kept for next quarter\n"
        "outcome spare \"Spare\" { monitor }\n"
        "outcome other \"Other\" { monitor }\n"
        "outcome o \"O\" { monitor }\n");
    std::vector<std::string> left;
    for (const Diagnostic& d : result.diagnostics)
        left.push_back(code_name(d.code) + "@" + std::to_string(result.sources->begin(d.span).line));
    CHECK(left == std::vector<std::string>{"T034@5", "T031@14"});
    // Errors cannot be allowed away.
    CompileResult error = compile_text("flow \"x\" version 1\nstart nowhere  # triage: allow(T012)\n");
    CHECK(find(error, Code::unknown_node));
}

// ---- time and state ---------------------------------------------------------------------------

namespace {

// A flow with a clock and one crisis; `extra` adds declarations, `branch` the screen's first branch.
std::string stateful(std::string_view branch, std::string_view extra = {}) {
    return fmt::format(R"(flow "t" version 1
fields {{
  text: text
  topic: one of a, b
  followers: integer
  posted_at: time
}}
clock posted_at
crisis outage "Outage" {{
  when count(text contains "down") over 15m > 20
  route answer -> holding
}}
{}
start screen
step screen "?" {{
  if {} -> answer
  if followers > 1000 -> holding
  else -> answer
}}
outcome answer "Answer" {{ monitor }}
outcome holding "Holding" {{ monitor }}
)",
                       extra, branch);
}

}  // namespace

TEST_CASE("windows: the same window written twice is kept once, a different grouping is another window") {
    CompileResult result = compile_text(stateful(
        R"(count(text contains "down") over 15m > 3 and count(text contains  "down") over 15m < 9 or count(text contains "down") over 15m by topic > 2)"));
    INFO(triage::test::all_text(result));
    REQUIRE(result.ok());
    // The crisis's window, written once more in the step, plus the grouped one.
    CHECK(result.flow->windows().size() == 2);
    CHECK(result.flow->windows()[0].bucket == Duration(15));
    CHECK(result.flow->windows()[1].group == result.flow->find_field("topic"));
}

TEST_CASE("windows: grouping by a number is a type error, the state bound is a limit") {
    CompileResult by_number = compile_text(stateful("count(true) over 1h by followers > 2"));
    const Diagnostic* d = find(by_number, Code::type_mismatch);
    REQUIRE(d);
    CHECK(d->message == "'followers' is an integer field; windows are grouped by text or one-of fields");

    CompileOptions options;
    options.limits.state_bytes = 1 << 20;  // 10,000 groups of a 1h-vs-12h spike need ~31 MB
    CompileResult big = compile(stateful("spike(true) over 1h vs 12h by topic > 3x"), "test.flow", options);
    const Diagnostic* limit = find(big, Code::limit_exceeded);
    REQUIRE(limit);
    CHECK(limit->message.find("the limit is 1048576") != std::string::npos);
    options.limits.groups = 100;
    CHECK(compile(stateful("spike(true) over 1h vs 12h by topic > 3x"), "test.flow", options).ok());
}

TEST_CASE("crisis routes: a route that leads back is a cycle, an outcome reached only by a route is reachable") {
    CompileResult fine = compile_text(stateful("true"));
    INFO(triage::test::all_text(fine));
    CHECK(fine.ok());
    CHECK(find(fine, Code::unreachable) == nullptr);

    std::string looping = stateful("true");
    looping.replace(looping.find("route answer -> holding"), 23, "route holding -> screen");
    CompileResult cycle = compile_text(looping);
    const Diagnostic* d = find(cycle, Code::cycle);
    REQUIRE(d);
    CHECK(d->message == "in crisis 'outage' this route makes the flow go round in a cycle through 'screen'");
}

TEST_CASE("a window, 'within hours' or a crisis needs a clock (T028)") {
    std::string text = stateful("true");
    text.replace(text.find("clock posted_at\n"), 16, "");
    CompileResult result = compile_text(text);
    const Diagnostic* d = find(result, Code::clock_needed);
    REQUIRE(d);
    CHECK(result.sources->begin(d->span).line == 9);  // the crisis's window
    CHECK(d->help == "name the time field that says when a mention was posted: 'clock posted_at'");
}

TEST_CASE("a window counted by a field cannot start or end a crisis (T045)") {
    std::string text = stateful("true");
    text.replace(text.find("when count(text contains \"down\") over 15m > 20"), 46,
                 "when count(text contains \"down\") over 15m by topic > 20");
    CompileResult result = compile_text(text);
    const Diagnostic* d = find(result, Code::state_not_allowed);
    REQUIRE(d);
    CHECK(d->message == "a window counted 'by' a field cannot start or end a crisis");
}

TEST_CASE("the version is a whole number from 0 to 4294967295") {
    for (const char* version : {"1.5", "4294967296", "13333333333333333333333333333333333333333"}) {
        CAPTURE(version);
        CompileResult result = compile_text(fmt::format("flow \"t\" version {}\nstart s\nstep s \"?\" {{ else -> o }}\noutcome o \"O\" {{ monitor }}\n", version));
        const Diagnostic* d = find(result, Code::syntax);
        REQUIRE(d);
        CHECK(d->message == "the version must be a whole number from 0 to 4294967295");
    }
    CompileResult largest = compile_text("flow \"t\" version 4294967295\nstart s\nstep s \"?\" { else -> o }\noutcome o \"O\" { monitor }\n");
    REQUIRE(largest.ok());
    CHECK(largest.flow->version() == 4294967295u);
}

namespace {

std::string word_list_flow(std::string_view source) {
    return fmt::format("flow \"t\" version 1\nfields {{ text: text }}\nwords w = {}\nstart s\n"
                       "step s \"q\" {{\n  if text has any w -> a\n  else -> a\n}}\noutcome a \"A\" {{ monitor }}\n",
                       source);
}

}  // namespace

TEST_CASE("a word list file with no phrases: the error at the file literal, a note in the file") {
    CompileResult result = compile_text(word_list_flow("file \"w.txt\""), {{"w.txt", "# only a comment\n\n"}});
    const Diagnostic* d = find(result, Code::empty_phrase);
    REQUIRE(d);
    CHECK(format_text(*d, *result.sources) ==
          "test.flow:3:16: error[T017]: word list file 'w.txt' has no phrases\n"
          "3 | words w = file \"w.txt\"\n"
          "  |                ^~~~~~~\n"
          "w.txt:1:1: note: the file holds only blank lines and comments ('#')\n"
          "1 | # only a comment\n"
          "  | ^\n");
    CompileResult empty = compile_text(word_list_flow("file \"w.txt\""), {{"w.txt", ""}});
    d = find(empty, Code::empty_phrase);
    REQUIRE(d);
    REQUIRE(d->notes.size() == 1);
    CHECK(d->notes[0].message == "the file is empty");
    REQUIRE(d->notes[0].span.has_value());
    CHECK(empty.sources->path(d->notes[0].span->file) == "w.txt");
}

TEST_CASE("a word list file that is not UTF-8 is T004 at its first bad byte, in the file") {
    CompileResult result = compile_text(word_list_flow("file \"w.txt\""), {{"w.txt", "refund\ncaf\xE9 staff\n"}});
    REQUIRE(codes(result) == std::vector<std::string>{"T004"});
    const Diagnostic& d = result.diagnostics[0];
    CHECK(format_text(d, *result.sources) ==
          "w.txt:2:4: error[T004]: invalid UTF-8: byte 0xE9 does not belong to a UTF-8 character\n"
          "2 | caf\xEF\xBF\xBD staff\n"
          "  |    ^\n"
          "help: word list files are UTF-8 text: save the file as UTF-8 (in most editors, 'Save with encoding' or "
          "'Reopen with encoding')\n");
}

TEST_CASE("a word list past the words limit names the first phrase too many, in the file or the flow") {
    CompileOptions options;
    options.limits.words = 2;
    options.read_file = [](const std::filesystem::path&, std::uint64_t) -> FileRead {
        return {std::string("one\n# two\ntwo\n\nthree\nfour\n"), {}};
    };
    CompileResult result = compile(word_list_flow("file \"w.txt\""), "test.flow", options);
    const Diagnostic* d = find(result, Code::limit_exceeded);
    REQUIRE(d);
    CHECK(d->message == "word list 'w' has 4 phrases; the limit is 2");
    REQUIRE(d->notes.size() == 1);
    CHECK(d->notes[0].message == "phrase 3 of the list");
    REQUIRE(d->notes[0].span.has_value());
    CHECK(result.sources->path(d->notes[0].span->file) == "w.txt");
    CHECK(result.sources->begin(*d->notes[0].span).line == 5);
    CHECK(result.sources->text(*d->notes[0].span) == "three");

    CompileResult inline_list = compile(word_list_flow("\"one\", \"two\", \"three\""), "test.flow", options);
    d = find(inline_list, Code::limit_exceeded);
    REQUIRE(d);
    REQUIRE(d->notes.size() == 1);
    CHECK(inline_list.sources->text(*d->notes[0].span) == "\"three\"");
}
