// Fix-its as data: each kind of fix is applied to the flow it was made for, and the flow it makes
// must compile without that diagnostic (the proof that the fix is right); the JSON and SARIF
// shapes that carry fixes to editors and code scanning.
#include "support.hpp"

#include <fmt/format.h>

#include <simdjson.h>

using namespace triage;
using triage::test::all_text;
using triage::test::compile_text;
using triage::test::find;
using triage::test::with_frame;

namespace {

// `source` with the one fix of its diagnostic `code` applied.
std::string after_fix(std::string_view source, Code code) {
    CompileResult result = compile_text(source);
    INFO(all_text(result));
    const Diagnostic* d = find(result, code);
    REQUIRE(d != nullptr);
    REQUIRE(d->fixes.size() == 1);
    CHECK(!d->fixes[0].message.empty());
    std::optional<std::string> fixed = apply_fixes(result.sources->text(d->span.file), d->span.file, d->fixes);
    REQUIRE(fixed.has_value());
    return *fixed;
}

// The fixed flow compiles: no errors at all, and not the diagnostic that was fixed.
void compiles_clean(const std::string& fixed, Code code) {
    CompileResult after = compile_text(fixed);
    INFO(fixed);
    INFO(all_text(after));
    CHECK(after.ok());
    CHECK(find(after, code) == nullptr);
}

// Checks that fixing `broken` gives `expected`, which compiles clean.
void fixes_to(std::string_view broken, Code code, const std::string& expected) {
    std::string fixed = after_fix(broken, code);
    CHECK(fixed == expected);
    compiles_clean(fixed, code);
}

// The diagnostic `code` of `source` has a help but no fix.
void has_no_fix(std::string_view source, Code code) {
    CompileResult result = compile_text(source);
    INFO(all_text(result));
    const Diagnostic* d = find(result, code);
    REQUIRE(d != nullptr);
    CHECK(!d->help.empty());
    CHECK(d->fixes.empty());
}

std::string hours_flow(std::string_view opening, std::string_view holidays = {}) {
    std::string text = "flow \"t\" version 1\nfields { posted_at: time }\nclock posted_at\n"
                       "hours desk \"Desk\" {\n  zone \"Europe/London\"\n  ";
    text += opening;
    text += "\n";
    if (!holidays.empty()) text += "  holidays " + std::string(holidays) + "\n";
    text += "}\nstart s\nstep s \"q?\" {\n  if within hours desk -> yes\n  else -> no\n}\n"
            "outcome yes \"Yes\" { monitor }\noutcome no \"No\" { monitor }\n";
    return text;
}

}  // namespace

TEST_CASE("apply_fixes applies edits in place, inserts at an empty span, and refuses overlaps") {
    const std::string text = "if a && b -> c";
    auto edit = [](std::uint32_t begin, std::uint32_t end, std::string replacement) {
        return TextEdit{Span{0, begin, end}, std::move(replacement)};
    };
    std::vector<Fix> fixes = {{"and", {edit(5, 7, "and")}}, {"insert", {edit(0, 0, "# x\n")}}};
    CHECK(apply_fixes(text, 0, fixes) == std::optional<std::string>("# x\nif a and b -> c"));
    // Edits of another file are left out.
    fixes.push_back({"elsewhere", {TextEdit{Span{1, 0, 2}, "zz"}}});
    CHECK(apply_fixes(text, 0, fixes) == std::optional<std::string>("# x\nif a and b -> c"));
    CHECK_FALSE(apply_fixes(text, 0, std::vector<Fix>{{"a", {edit(3, 6, "x")}}, {"b", {edit(5, 7, "y")}}}));
    CHECK_FALSE(apply_fixes(text, 0, std::vector<Fix>{{"a", {edit(3, 3, "x")}}, {"b", {edit(3, 3, "y")}}}));
    CHECK_FALSE(apply_fixes(text, 0, std::vector<Fix>{{"past the end", {edit(10, 99, "x")}}}));
}

TEST_CASE("fix: a misspelt name becomes the suggestion, wherever the checker suggests one") {
    // A field (T011), a step or outcome (T012), a word list (T013).
    fixes_to(with_frame("sentiment: number", "sentimnt < 0"), Code::unknown_value_name,
             with_frame("sentiment: number", "sentiment < 0"));
    fixes_to(with_frame("urgent: bool", "urgent").replace(with_frame("urgent: bool", "urgent").find("-> yes"), 6, "-> yse"),
             Code::unknown_node, with_frame("urgent: bool", "urgent"));
    fixes_to(with_frame("t: text", "t has any legl", "words legal = \"lawyer\""), Code::unknown_word_list,
             with_frame("t: text", "t has any legal", "words legal = \"lawyer\""));
    // A one-of value, bare or quoted as written (T021).
    fixes_to(with_frame("r: one of late_flight, rude", "r is late_flght"), Code::unknown_enum_value,
             with_frame("r: one of late_flight, rude", "r is late_flight"));
    fixes_to(with_frame("r: one of late_flight, rude", "r is \"late_flght\""), Code::unknown_enum_value,
             with_frame("r: one of late_flight, rude", "r is \"late_flight\""));
    // A field type (T023), a day (T044), business hours (T027), a named time format (T049).
    fixes_to(with_frame("n: numbr", "n > 1"), Code::unknown_type, with_frame("n: number", "n > 1"));
    fixes_to(hours_flow("mon-fir 09:00-17:00"), Code::invalid_hours, hours_flow("mon-fri 09:00-17:00"));
    std::string hours = hours_flow("mon-fri 09:00-17:00");
    std::string misspelt = hours;
    misspelt.replace(misspelt.find("within hours desk"), 17, "within hours dsk");
    fixes_to(misspelt, Code::unknown_hours_or_crisis, hours);
    fixes_to(with_frame("at: time \"rfc3393\" \n n: number", "n > 1"), Code::invalid_time_format,
             with_frame("at: time \"rfc3339\" \n n: number", "n > 1"));
}

TEST_CASE("fix: a field misspelt in a test's given values") {
    std::string good = with_frame("sentiment: number", "sentiment < 0") +
                       "test \"negative\" {\n  given { sentiment: -1 }\n  expect yes\n}\n";
    std::string bad = good;
    bad.replace(bad.find("given { sentiment"), 17, "given { sentimnt");
    fixes_to(bad, Code::unknown_value_name, good);
}

TEST_CASE("fix: each syntax hint that is a certain edit") {
    // && || ! as and, or, not (with the blanks a word needs).
    fixes_to(with_frame("a: bool\n b: bool", "a && b"), Code::syntax, with_frame("a: bool\n b: bool", "a and b"));
    fixes_to(with_frame("a: bool\n b: bool", "a||b"), Code::syntax, with_frame("a: bool\n b: bool", "a or b"));
    fixes_to(with_frame("a: bool", "!a"), Code::syntax, with_frame("a: bool", "not a"));
    // Curly quotes, double and single (an apostrophe inside stays).
    fixes_to(with_frame("t: text", "t has any legal", "words legal = \xE2\x80\x9Clawyer\xE2\x80\x9D"), Code::syntax,
             with_frame("t: text", "t has any legal", "words legal = \"lawyer\""));
    fixes_to(with_frame("t: text", "t has any legal", "words legal = \xE2\x80\x98" "don\xE2\x80\x99t\xE2\x80\x99"),
             Code::syntax, with_frame("t: text", "t has any legal", "words legal = \"don\xE2\x80\x99t\""));
    // Unquoted phrases and values of several words.
    fixes_to(with_frame("t: text", "t has any legal", "words legal = \"lawyer\", legal action"), Code::syntax,
             with_frame("t: text", "t has any legal", "words legal = \"lawyer\", \"legal action\""));
    fixes_to(with_frame("t: text", "t has any legal", "words legal = legal action, \"lawyer\""), Code::syntax,
             with_frame("t: text", "t has any legal", "words legal = \"legal action\", \"lawyer\""));
    fixes_to(with_frame("t: text", "t contains legal action"), Code::syntax,
             with_frame("t: text", "t contains \"legal action\""));
    fixes_to(with_frame("r: text", "r is Late Flight"), Code::syntax, with_frame("r: text", "r is \"Late Flight\""));
    // Opening times on a 24-hour clock.
    fixes_to(hours_flow("mon-fri 9am-5pm"), Code::syntax, hours_flow("mon-fri 09:00-17:00"));
    fixes_to(hours_flow("mon-fri 9:30am - 12pm"), Code::syntax, hours_flow("mon-fri 09:30-12:00"));
    fixes_to(hours_flow("mon-fri 09.00-17.30"), Code::syntax, hours_flow("mon-fri 09:00-17:30"));
    // Dates as YYYY-MM-DD.
    fixes_to(hours_flow("mon-fri 09:00-17:00", "12/25/2015"), Code::syntax, hours_flow("mon-fri 09:00-17:00", "2015-12-25"));
    fixes_to(hours_flow("mon-fri 09:00-17:00", "25.12.2015"), Code::syntax, hours_flow("mon-fri 09:00-17:00", "2015-12-25"));
    fixes_to(hours_flow("mon-fri 09:00-17:00", "2015-2-16"), Code::syntax, hours_flow("mon-fri 09:00-17:00", "2015-02-16"));
    fixes_to(hours_flow("mon-fri 09:00-17:00", "\"2016-02-29\""), Code::syntax, hours_flow("mon-fri 09:00-17:00", "2016-02-29"));
    // Arrows as other languages (`=>`) and word processors (`→`) write them.
    std::string arrow = with_frame("a: bool", "a");
    fixes_to(std::string(arrow).replace(arrow.find("-> yes"), 2, "=>"), Code::syntax, arrow);
    fixes_to(std::string(arrow).replace(arrow.find("-> no"), 2, "\xE2\x86\x92"), Code::syntax, arrow);
    // A declaration's keyword mistyped, or not in lower case.
    fixes_to(std::string(arrow).replace(arrow.find("step s"), 4, "stpe"), Code::syntax, arrow);
    fixes_to(std::string(arrow).replace(arrow.find("outcome no"), 7, "Outcome"), Code::syntax, arrow);
    // A name with hyphens, as teams are often named.
    const std::string notify = "outcome yes \"Yes\" { monitor }";
    for (const auto& [broken_name, name] : {std::pair{"press-office", "press_office"}, {"help-desk-2", "help_desk_2"}}) {
        std::string named = arrow;
        named.replace(named.find(notify), notify.size(), fmt::format("outcome yes \"Yes\" {{ notify {} }}", name));
        std::string hyphened = arrow;
        hyphened.replace(hyphened.find(notify), notify.size(),
                         fmt::format("outcome yes \"Yes\" {{ notify {} }}", broken_name));
        fixes_to(hyphened, Code::syntax, named);
    }
    // `True` as `true`.
    fixes_to(with_frame("a: bool", "a or True"), Code::unknown_value_name, with_frame("a: bool", "a or true"));
    // `expect outcome X` as `expect X`.
    std::string good = with_frame("a: bool", "a") + "test \"a\" {\n  given { a: true }\n  expect yes\n}\n";
    std::string bad = good;
    bad.replace(bad.find("expect yes"), 10, "expect outcome yes");
    fixes_to(bad, Code::syntax, good);
}

TEST_CASE("fix: an action's typo or synonym becomes the action, its words after it not doubled") {
    auto outcome = [](std::string_view action) {
        return "flow \"t\" version 1\nstart done\noutcome done \"Done\" {\n  " + std::string(action) + "\n}\n";
    };
    fixes_to(outcome("forward to legal"), Code::syntax, outcome("assign to legal"));
    fixes_to(outcome("forward legal"), Code::syntax, outcome("assign to legal"));
    fixes_to(outcome("followup after 2d"), Code::syntax, outcome("follow up after 2d"));
    fixes_to(outcome("escalte press"), Code::syntax, outcome("escalate to press"));
    fixes_to(outcome("Escalate to press"), Code::syntax, outcome("escalate to press"));
    fixes_to(outcome("montor for 2d"), Code::syntax, outcome("monitor for 2d"));
}

TEST_CASE("fix: the header's name quoted up to 'version', and 'version' put before a bare number") {
    const std::string good = "flow \"Care desk\" version 1\nstart done\noutcome done \"Done\" { monitor }\n";
    fixes_to("flow Care desk version 1\nstart done\noutcome done \"Done\" { monitor }\n", Code::syntax, good);
    fixes_to("flow \"Care desk\" 1\nstart done\noutcome done \"Done\" { monitor }\n", Code::syntax, good);
}

TEST_CASE("fix: none where the edit is not certain") {
    // Day and month could be either way round; a date that does not exist; 9 to 5 on which clock?
    has_no_fix(hours_flow("mon-fri 09:00-17:00", "03/04/2015"), Code::syntax);
    has_no_fix(hours_flow("mon-fri 09:00-17:00", "2/29/2015"), Code::syntax);
    has_no_fix(hours_flow("mon-fri 9-5"), Code::syntax);
    has_no_fix(hours_flow("mon-fri 5pm-9am"), Code::syntax);
    // A value followed by `and`: where does the value end?
    has_no_fix(with_frame("r: text\n a: bool", "r is Late Flight and a"), Code::syntax);
    // A hyphen that does not join two words of one name (`1 -1`) is no name's.
    {
        CompileResult result = compile_text(with_frame("n: number", "n > 1 -1"));
        const Diagnostic* d = find(result, Code::syntax);
        REQUIRE(d != nullptr);
        CHECK(d->help.find("a name is") == std::string::npos);
        CHECK(d->fixes.empty());
    }
    // A flow's name that runs to no `version`: where does it end?
    has_no_fix("flow Fixture\nstart s\n", Code::syntax);
    // ... or whose words stop before it: the comma, a comment that holds the `version`.
    has_no_fix("flow Support, EMEA version 3\nstart s\n", Code::syntax);
    has_no_fix("flow Care #1 desk version 2\nstart s\n", Code::syntax);
    // A number where a branch's target goes is no step or outcome: no arrow to put before it.
    {
        CompileResult result = compile_text("flow \"t\" version 1\nfields { n: number }\nstart s\nstep s \"q?\" {\n"
                                            "  if n 3\n  else -> o\n}\noutcome o \"O\" { monitor }\n");
        const Diagnostic* d = find(result, Code::syntax);
        REQUIRE(d != nullptr);
        CHECK(d->fixes.empty());
    }
    // A step without else: which outcome the others get is the author's choice.
    has_no_fix("flow \"t\" version 1\nfields { a: bool }\nstart s\nstep s \"q?\" {\n  if a -> o\n}\n"
               "outcome o \"O\" { monitor }\n",
               Code::missing_else);
}

TEST_CASE("fixes in JSON: message and edits with positions, only when there are any") {
    CompileResult result = compile_text(with_frame("sentiment: number\n b: bool", "sentimnt < 0 and c"));
    std::string json = format_json(result.diagnostics, *result.sources);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
    simdjson::dom::array diagnostics = doc;
    REQUIRE(diagnostics.size() >= 2);  // sentimnt, c, and the fields never used
    std::size_t with_fixes = 0;
    for (simdjson::dom::element d : diagnostics) {
        simdjson::dom::array fixes;
        if (d["fixes"].get(fixes) != simdjson::SUCCESS) continue;
        ++with_fixes;
        CHECK(std::string_view(d["help"]) == "did you mean 'sentiment'?");
        REQUIRE(fixes.size() == 1);
        CHECK(std::string_view(fixes.at(0)["message"]) == "replace 'sentimnt' with 'sentiment'");
        simdjson::dom::array edits = fixes.at(0)["edits"];
        REQUIRE(edits.size() == 1);
        simdjson::dom::element edit = edits.at(0);
        CHECK(std::string_view(edit["file"]) == "test.flow");
        CHECK(std::int64_t(edit["line"]) == 9);
        CHECK(std::int64_t(edit["column"]) == 6);
        CHECK(std::int64_t(edit["end_line"]) == 9);
        CHECK(std::int64_t(edit["end_column"]) == 14);
        CHECK(std::string_view(edit["text"]) == "sentiment");
    }
    CHECK(with_fixes == 1);
}

TEST_CASE("fixes in SARIF: artifactChanges of replacements, an insertion as an empty region") {
    CompileResult result = compile_text(with_frame("sentiment: number", "sentimnt < 0"));
    REQUIRE(!result.diagnostics.empty());
    std::vector<Diagnostic> diagnostics = result.diagnostics;
    Diagnostic& d = *std::find_if(diagnostics.begin(), diagnostics.end(),
                                  [](const Diagnostic& x) { return x.code == Code::unknown_value_name; });
    // An insertion, as a fix may have: an empty region at line 1, column 1.
    d.fixes.push_back({"add a comment", {TextEdit{Span{d.span.file, 0, 0}, "# note\n"}}});
    DiagnosticSet set{diagnostics, result.sources.get()};
    std::string sarif = format_sarif(std::span<const DiagnosticSet>(&set, 1));
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(sarif).get(doc) == simdjson::SUCCESS);
    std::size_t with_fixes = 0;
    for (simdjson::dom::element r : simdjson::dom::array(doc["runs"].at(0)["results"])) {
        simdjson::dom::array fixes;
        if (r["fixes"].get(fixes) != simdjson::SUCCESS) continue;
        ++with_fixes;
        CHECK(std::string_view(r["ruleId"]) == "T011");
        REQUIRE(fixes.size() == 2);
        CHECK(std::string_view(fixes.at(0)["description"]["text"]) == "replace 'sentimnt' with 'sentiment'");
        simdjson::dom::array changes = fixes.at(0)["artifactChanges"];
        REQUIRE(changes.size() == 1);
        CHECK(std::string_view(changes.at(0)["artifactLocation"]["uri"]) == "test.flow");
        simdjson::dom::element replacement = simdjson::dom::array(changes.at(0)["replacements"]).at(0);
        simdjson::dom::element region = replacement["deletedRegion"];
        CHECK(std::int64_t(region["startLine"]) == 8);
        CHECK(std::int64_t(region["startColumn"]) == 6);
        CHECK(std::int64_t(region["endLine"]) == 8);
        CHECK(std::int64_t(region["endColumn"]) == 14);
        CHECK(std::string_view(replacement["insertedContent"]["text"]) == "sentiment");
        simdjson::dom::element insertion =
            simdjson::dom::array(simdjson::dom::array(fixes.at(1)["artifactChanges"]).at(0)["replacements"]).at(0);
        CHECK(std::int64_t(insertion["deletedRegion"]["startColumn"]) == 1);
        CHECK(std::int64_t(insertion["deletedRegion"]["endColumn"]) == 1);
        CHECK(std::string_view(insertion["insertedContent"]["text"]) == "# note\n");
    }
    CHECK(with_fixes == 1);
}

TEST_CASE("fix: business hours or a crisis used as a condition is tested as one") {
    const std::string crisis = "crisis storm \"Storm\" {\n  when count(t contains \"storm\") over 1h > 50\n}\nclock at";
    fixes_to(with_frame("t: text\n at: time", "storm", crisis), Code::unknown_value_name,
             with_frame("t: text\n at: time", "in crisis storm", crisis));
    std::string hours = hours_flow("mon-fri 09:00-17:00");
    std::string bare = hours;
    bare.replace(bare.find("within hours desk"), 17, "desk");
    fixes_to(bare, Code::unknown_value_name, hours);
}

TEST_CASE("fix: where a field is expected, only fields are suggested (a condition there is T020)") {
    const std::string lets = "let retweet = true";
    CompileResult result = compile_text(with_frame("retweets: integer", "retweat > 1", lets));
    const Diagnostic* d = find(result, Code::unknown_value_name);
    REQUIRE(d != nullptr);
    CHECK(d->help == "did you mean 'retweets'?");
    fixes_to(with_frame("retweets: integer", "retweat > 1", lets), Code::unknown_value_name,
             with_frame("retweets: integer", "retweets > 1", lets));
}
