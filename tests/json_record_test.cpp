// The record reader accepts and refuses exactly the lines a plain simdjson DOM parse does, with
// the same messages, whatever it does to read faster: every line below is checked against one.
#include "support.hpp"

#include <simdjson.h>

#include <string>
#include <utility>
#include <vector>

using namespace triage;
using triage::test::compile_text;

namespace {

Flow reader_flow() {
    CompileResult result = compile_text(
        "flow \"t\" version 1\nfields { text: text\n sentiment: number\n followers: integer\n"
        " author.name: text\n ok: bool }\nstart o\noutcome o \"O\" { monitor }\n");
    REQUIRE(result.ok());
    return *result.flow;
}

// What the DOM parser says of a line: empty when it is a valid JSON object.
std::string dom_verdict(const std::string& line, std::uint32_t max_depth) {
    simdjson::dom::parser parser;
    REQUIRE(parser.allocate(4096, max_depth) == simdjson::SUCCESS);
    simdjson::dom::element root;
    simdjson::padded_string padded(line);
    if (auto e = parser.parse(padded).get(root); e != simdjson::SUCCESS) {
        if (e == simdjson::DEPTH_ERROR)
            return "objects and arrays nested more than " + std::to_string(max_depth) + " deep (limit: json-depth)";
        return std::string("invalid JSON: ") + simdjson::error_message(e);
    }
    if (!root.is_object()) return "a mention must be a JSON object";
    return "";
}

}  // namespace

TEST_CASE("JSON records: a fault in a value no field reads still makes the line an error, as the DOM says") {
    const Flow flow = reader_flow();
    JsonOptions options;
    options.max_depth = 6;
    JsonRecordReader reader(flow, options);
    const std::vector<std::string> faulty = {
        R"({"text":"a","x":tru})",         R"({"text":"a","x":1.2.3})",     R"({"text":"a","x":"\q"})",
        R"({"text":"a","x":[1,2}})",       R"({"text":"a","x":[1 2]})",     R"({"text":"a","x":{"b" 1}})",
        R"({"text":"a","x":nul})",         R"({"text":"a","x":-})",         R"({"text":"a","x":01})",
        R"({"text":"a","x":{"a":1,}})",    R"({"text":"a","x":[1,]})",      R"({"text":"a","x":[}})",
        R"({"text":"a","x":{,}})",         R"({"text":"a","x":"\ud800"})",  R"({"text":"a","x":18446744073709551616})",
        R"({"text":"a","x":1e999})",       R"({"text":"a","x":{"\q":1}})",  R"({"text":"a"}{"b":2})",
        R"({"text":"a"} x)",               R"({"text":"a",)",               R"({"text":"a","x":[[[[[[1]]]]]]})",
        "{\"text\":\"a\",\"x\":\"\xff\"}", "{\"text\":\"a\",\"x\":\"a\tb\"}",
        // a type error in a field the flow reads, and later a fault in JSON: the fault is reported
        R"({"sentiment":"bad","x":tru})",  R"({"followers":2.5,"x":[1 2]})", R"({"id":{"a":[1,}},"text":"a"})",
        R"({"author":{"name":"a","x":tru}})", R"({"author":[1,}]})",
    };
    for (const std::string& line : faulty) {
        INFO(line);
        const std::string expected = dom_verdict(line, options.max_depth);
        REQUIRE_FALSE(expected.empty());
        CHECK_FALSE(reader.read(line));
        CHECK(reader.error() == expected);
    }
}

TEST_CASE("JSON records: valid lines read as the DOM reads them, escapes, ids and deep skipped values included") {
    const Flow flow = reader_flow();
    const std::uint32_t text = *flow.find_field("text");
    const std::uint32_t name = *flow.find_field("author.name");
    JsonOptions options;
    options.max_depth = 1000;  // past the depth the walk follows: the DOM parser checks the rest
    JsonRecordReader reader(flow, options);

    REQUIRE(reader.read(R"({"te\u0078t":"caf\u00e9 \"q\" \\ end","id":"m\"1","author":{"na\u006de":"ada"}})"));
    CHECK(reader.value(text).text == "caf\xC3\xA9 \"q\" \\ end");
    CHECK(reader.value(name).text == "ada");
    CHECK(reader.id() == R"("m\"1")");

    REQUIRE(reader.read(R"({"id":1.50,"text":"plain"} )"));
    CHECK(reader.id() == "1.5");
    CHECK(reader.value(text).text == "plain");
    REQUIRE(reader.read(R"({"id":18446744073709551615})"));
    CHECK(reader.id() == "18446744073709551615");
    REQUIRE(reader.read(R"({"id": [ true , {"a" : null} ], "text":"x"})"));
    CHECK(reader.id() == R"([true,{"a":null}])");
    REQUIRE(reader.read(R"({"id":false})"));
    CHECK(reader.id() == "false");

    std::string deep = R"({"text":"deep","x":)" + std::string(300, '[') + "1" + std::string(300, ']') + "}";
    REQUIRE(reader.read(deep));
    CHECK(reader.value(text).text == "deep");
    std::string deep_fault = R"({"text":"deep","x":)" + std::string(300, '[') + "tru" + std::string(300, ']') + "}";
    CHECK_FALSE(reader.read(deep_fault));
    CHECK(reader.error() == dom_verdict(deep_fault, options.max_depth));
    std::string too_deep = R"({"x":)" + std::string(1200, '[') + std::string(1200, ']') + "}";
    CHECK_FALSE(reader.read(too_deep));
    CHECK(reader.error() == "objects and arrays nested more than 1000 deep (limit: json-depth)");

    // A field named like the id key is read as its field, and the id is still copied.
    CompileResult with_id = compile_text("flow \"t\" version 1\nfields { id: text }\nstart o\noutcome o \"O\" { monitor }\n");
    REQUIRE(with_id.ok());
    JsonRecordReader id_reader(*with_id.flow, {});
    REQUIRE(id_reader.read(R"({"id":"a\nb"})"));
    CHECK(id_reader.value(0).text == "a\nb");
    CHECK(id_reader.id() == R"("a\u000ab")");
    REQUIRE(id_reader.read(R"({"id":"m-7"})"));
    CHECK(id_reader.value(0).text == "m-7");
    CHECK(id_reader.id() == R"("m-7")");
}

// Keys are found by length first, then compared a word at a time: keys of one length at one level,
// keys that differ only in their first, middle or last byte, keys of 1 to 3, 4 to 7, 8 and more,
// and past 31 bytes (which share one length list) each find their own field, and only it.
TEST_CASE("JSON records: keys of one length, near misses and long keys each reach their own field") {
    const std::string long_a(40, 'k');
    const std::string long_b = std::string(39, 'k') + "x";  // differs in its last byte only
    const std::string long_c(33, 'k');                      // shares the last length list
    CompileResult result = compile_text(
        "flow \"t\" version 1\nfields { a: number\n b: number\n abc: number\n abd: number\n text: text\n site: text\n"
        " sentimenta: number\n sentimentb: number\n " + long_a + ": number\n " + long_b + ": number\n " + long_c +
        ": number\n nested.text: text\n nested.site: text }\nstart o\noutcome o \"O\" { monitor }\n");
    REQUIRE(result.ok());
    const Flow& flow = *result.flow;
    JsonOptions options;
    options.renames.emplace_back("user.profile.site", "nested.site");
    JsonRecordReader reader(flow, options);
    const std::string line = "{\"b\":2,\"a\":1,\"abd\":4,\"abc\":3,\"site\":\"s\",\"text\":\"t\",\"sentimentb\":8,"
                             "\"sentimenta\":7,\"" + long_b + "\":10,\"" + long_c + "\":11,\"" + long_a + "\":9,"
                             "\"abe\":0,\"texu\":\"no\",\"sentimentc\":0,\"" + std::string(39, 'k') + "y\":0,"
                             "\"nested\":{\"site\":\"ns\",\"text\":\"nt\"},\"user\":{\"profile\":{\"sitf\":\"no\"}}}";
    REQUIRE(reader.read(line));
    auto number = [&](std::string_view name) { return reader.value(*flow.find_field(name)).number; };
    auto text = [&](std::string_view name) { return reader.value(*flow.find_field(name)).text; };
    CHECK(number("a") == 1);
    CHECK(number("b") == 2);
    CHECK(number("abc") == 3);
    CHECK(number("abd") == 4);
    CHECK(text("text") == "t");
    CHECK(text("site") == "s");
    CHECK(number("sentimenta") == 7);
    CHECK(number("sentimentb") == 8);
    CHECK(number(long_a) == 9);
    CHECK(number(long_b) == 10);
    CHECK(number(long_c) == 11);
    CHECK(text("nested.text") == "nt");
    CHECK(text("nested.site") == "ns");

    // A renamed nested key sets its field, and an error in it names the path as the record writes it.
    REQUIRE(reader.read(R"({"user":{"profile":{"site":"renamed"}}})"));
    CHECK(text("nested.site") == "renamed");
    CHECK_FALSE(reader.read(R"({"user":{"profile":{"site":3}}})"));
    CHECK(reader.error() == "'user.profile.site' must be a string for field 'nested.site' (text), not a number");
    CHECK_FALSE(reader.read(R"({"user":{"profile":[1]}})"));
    CHECK(reader.error() == "'user.profile' must be an object (the flow reads fields inside it), not an array");
    CHECK_FALSE(reader.read(R"({"nested":{"text":"x","text":"y"}})"));
    CHECK(reader.error() == "key 'nested.text' appears twice");
}

TEST_CASE("JSON records: a time in milliseconds or with an offset written +0000 is told how to read it") {
    CompileResult result = compile_text("flow \"t\" version 1\nfields { text: text\n created_at: time\n"
                                        " seen: time \"unix\" }\nstart o\noutcome o \"O\" { monitor }\n");
    REQUIRE(result.ok());
    JsonRecordReader reader(*result.flow, JsonOptions{});
    CHECK_FALSE(reader.read(R"({"created_at":1764493200000})"));
    CHECK(reader.error() == "'created_at' is out of range for a date-time: 1764493200000 seconds since 1970; if it "
                            "counts milliseconds, read it with --time-format created_at=unix_ms or `time \"unix_ms\"` "
                            "in the flow");
    CHECK_FALSE(reader.read(R"({"seen":1764493200000})"));
    CHECK(reader.error().find("--time-format seen=unix_ms") != std::string::npos);
    // Out of range as milliseconds too: no hint.
    CHECK_FALSE(reader.read(R"({"created_at":1e300})"));
    CHECK(reader.error().find("milliseconds") == std::string::npos);
    CHECK_FALSE(reader.read(R"({"created_at":"2026-11-30T09:00:00+0000"})"));
    CHECK(reader.error() == "'created_at' is not a date-time such as 2026-11-22T09:30:00Z: \"2026-11-30T09:00:00+0000\"; "
                            "RFC 3339 writes the offset as +00:00: for +0000 read it with a pattern, e.g. "
                            "--time-format 'created_at=%Y-%m-%dT%H:%M:%S%z'");
    CHECK_FALSE(reader.read(R"({"created_at":"2026-11-30 09:00:00.5-0130"})"));
    CHECK(reader.error().find("as -01:30: for -0130 read it with a pattern, e.g. --time-format "
                              "'created_at=%Y-%m-%d %H:%M:%S%z'") != std::string::npos);
    // Not an offset without a colon: no hint.
    CHECK_FALSE(reader.read(R"({"created_at":"yesterday at 10:00"})"));
    CHECK(reader.error().find("RFC 3339 writes") == std::string::npos);
}

namespace {

// A reader for a flow of `fields` and one outcome, reading each export key of `renames` as its field.
JsonRecordReader reader_of(const std::string& fields, std::vector<std::pair<std::string, std::string>> renames) {
    CompileResult result = compile_text("flow \"t\" version 1\nfields { " + fields + " }\nstart o\noutcome o \"O\" { monitor }\n");
    REQUIRE(result.ok());
    JsonOptions options;
    options.renames = std::move(renames);
    return JsonRecordReader(*result.flow, options);
}

}  // namespace

TEST_CASE("JSON records: numbers, true/false and times an export writes as text are told how to read them") {
    const std::string fields = "author.followers: integer\n author.verified: bool\n sentiment: number\n posted_at: time";
    JsonRecordReader reader =
        reader_of(fields, {{"Followers", "author.followers"}, {"Verified", "author.verified"}, {"Date", "posted_at"}});
    // A spreadsheet's number, with its thousands separators: the jq line that converts it.
    CHECK_FALSE(reader.read(R"({"Followers":"12,345"})"));
    CHECK(reader.error() == "'Followers' must be a whole number for field 'author.followers' (integer), not a string "
                            "(\"12,345\"); the export writes it as text: convert it first, e.g. jq -c '.Followers |= "
                            "(if type == \"string\" then gsub(\",\";\"\") | tonumber else . end)'");
    CHECK_FALSE(reader.read(R"({"sentiment":"-0.5"})"));
    CHECK(reader.error().find("jq -c '.sentiment |= (if type == \"string\" then gsub(") != std::string::npos);
    CHECK_FALSE(reader.read(R"({"Verified":"TRUE"})"));
    CHECK(reader.error().find("jq -c '.Verified |= (if type == \"string\" then ascii_downcase == \"true\" else . end)'") !=
          std::string::npos);
    // A key that is no jq name is quoted.
    JsonRecordReader spaced_reader = reader_of(fields, {{"User Stats.follower count", "author.followers"}});
    CHECK_FALSE(spaced_reader.read(R"({"User Stats":{"follower count":"87"}})"));
    CHECK(spaced_reader.error().find("jq -c '.\"User Stats\".\"follower count\" |= ") != std::string::npos);
    // Text that is no number or true/false: no hint.
    CHECK_FALSE(reader.read(R"({"Followers":"many"})"));
    CHECK(reader.error() == "'Followers' must be a whole number for field 'author.followers' (integer), not a string");
    CHECK_FALSE(reader.read(R"({"sentiment":"1.2K"})"));
    CHECK(reader.error().find("jq") == std::string::npos);
    // A decimal comma, or what jq cannot read as a number: no line that would convert it wrongly
    // (dropping the commas of "0,75" would give 75).
    for (const char* line : {R"({"sentiment":"0,75"})", R"({"sentiment":"1.234,5"})", R"({"sentiment":"nan"})",
                             R"({"sentiment":"inf"})", R"({"Followers":"12,34"})"}) {
        CAPTURE(line);
        CHECK_FALSE(reader.read(line));
        CHECK(reader.error().find("jq") == std::string::npos);
    }
    // A key with a ' stays inside the shell's single quotes.
    JsonRecordReader apostrophe_reader = reader_of(fields, {{"Author's followers", "author.followers"}});
    CHECK_FALSE(apostrophe_reader.read(R"({"Author's followers":"1,200"})"));
    CHECK(apostrophe_reader.error().find(R"(jq -c '."Author'\''s followers" |= )") != std::string::npos);
    // A time read under the export's key is told the flow's field, which --time-format takes.
    CHECK_FALSE(reader.read(R"({"Date":"11/20/2024 9:03 am"})"));
    CHECK(reader.error() == "'Date' is not a date-time such as 2026-11-22T09:30:00Z: \"11/20/2024 9:03 am\"; read another "
                            "format with --time-format 'posted_at=PATTERN' (patterns: docs/language.md, \"Time formats\")");
}

TEST_CASE("JSON records: a list where the flow reads one text or one-of value is told how to make it one") {
    JsonRecordReader reader = reader_of("text: text\n lang: one of en, fr\n n: number", {{"record.langs", "lang"}});
    CHECK_FALSE(reader.read(R"({"record":{"langs":["fr","en"]}})"));
    CHECK(reader.error() == "'record.langs' must be a string for field 'lang' (one of), not an array; the flow reads one "
                            "value: make the list one first, e.g. jq -c '.record.langs |= (if type == \"array\" then "
                            ".[0] else . end)'");
    CHECK_FALSE(reader.read(R"({"text":["lost","bag"]})"));
    CHECK(reader.error().find("jq -c '.text |= (if type == \"array\" then join(\" \") else . end)'") != std::string::npos);
    CHECK_FALSE(reader.read(R"({"n":[1]})"));
    CHECK(reader.error() == "'n' must be a number for field 'n' (number), not an array");
}
