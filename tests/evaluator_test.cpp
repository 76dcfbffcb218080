// Evaluation: every operator (missing fields, Unicode, word boundaries), every action,
// deadlines, the three ways to supply records, threads, and no allocation per mention.
#include "support.hpp"

#include <fmt/format.h>

#include "allocation_counter.hpp"
#include "triage/render.hpp"
#include "text_match.hpp"

#include <algorithm>
#include <thread>

using namespace triage;
using triage::test::compile_text;

namespace {

// A flow whose single step asks `condition`; outcome "yes" or "no".
Flow flow_asking(std::string_view fields, std::string_view condition, std::string_view extra = {}) {
    CompileResult result = compile_text(triage::test::with_frame(fields, condition, extra));
    INFO(triage::test::all_text(result));
    REQUIRE(result.ok());
    return *result.flow;
}

constexpr std::string_view all_fields =
    "text: text\n sentiment: number\n followers: integer\n verified: bool\n"
    " channel: one of twitter, facebook, blog\n posted_at: time\n replied_at: time";

bool holds(std::string_view condition, const std::function<void(Record&)>& fill,
           std::string_view extra = "words about_us = \"air force\", \"usaf\", \"café\"\nwords legal = \"lawyer\", \"sue\"") {
    Flow flow = flow_asking(all_fields, condition, extra);
    Record record(flow);
    fill(record);
    Evaluator evaluator(flow);
    std::uint32_t outcome = evaluator.decide(record.view());
    REQUIRE(outcome != no_outcome);
    return flow.outcomes()[outcome].name == "yes";
}

}  // namespace

TEST_CASE("comparisons on numbers") {
    auto with = [](double s) { return [s](Record& r) { r.set("sentiment", s); }; };
    CHECK(holds("sentiment < 0", with(-0.5)));
    CHECK_FALSE(holds("sentiment < 0", with(0)));
    CHECK(holds("sentiment <= 0", with(0)));
    CHECK(holds("sentiment > 0.3", with(0.31)));
    CHECK_FALSE(holds("sentiment >= 0.3", with(0.29)));
    CHECK(holds("sentiment == 0.5", with(0.5)));
    CHECK(holds("sentiment != 0.5", with(0.4)));
    CHECK(holds("sentiment in [1, 0.5]", with(0.5)));
    CHECK(holds("sentiment not in [1, 2]", with(0.5)));
    CHECK(holds("followers >= sentiment", [](Record& r) { r.set("followers", 3).set("sentiment", 2.5); }));
}

TEST_CASE("a comparison on a missing field is false, and not inverts it") {
    auto nothing = [](Record&) {};
    for (const char* condition : {"sentiment < 0", "sentiment >= 0", "sentiment == 0", "sentiment != 0",
                                  "sentiment in [0]", "sentiment not in [0]", "channel is twitter",
                                  "channel is not twitter", "channel not in [blog]", "verified", "verified is false",
                                  "verified is not true", "text has any about_us", "text contains \"x\"",
                                  "text matches /.*/", "text is \"\"", "text in [\"a\"]", "exists text",
                                  "replied_at > posted_at", "followers > sentiment"}) {
        CAPTURE(condition);
        CHECK_FALSE(holds(condition, nothing));
    }
    CHECK(holds("not sentiment < 0", nothing));
    CHECK(holds("not exists text", nothing));
}

TEST_CASE("enumerations: is, is not, in, not in, by name or by index, unknown values") {
    auto channel = [](const char* c) { return [c](Record& r) { r.set("channel", c); }; };
    CHECK(holds("channel is twitter", channel("twitter")));
    CHECK_FALSE(holds("channel is twitter", channel("blog")));
    CHECK(holds("channel is not twitter", channel("blog")));
    CHECK(holds("channel in [blog, facebook]", channel("facebook")));
    CHECK(holds("channel not in [blog, facebook]", channel("twitter")));
    CHECK(holds("channel is blog", [](Record& r) { r.set("channel", FieldValue::of_enum(2)); }));
    // A value the flow does not list is present but matches no name.
    CHECK_FALSE(holds("channel is twitter", channel("tiktok")));
    CHECK(holds("channel is not twitter", channel("tiktok")));
    CHECK(holds("exists channel", channel("tiktok")));
}

TEST_CASE("bools") {
    auto verified = [](bool v) { return [v](Record& r) { r.set("verified", v); }; };
    CHECK(holds("verified", verified(true)));
    CHECK_FALSE(holds("verified", verified(false)));
    CHECK(holds("verified is false", verified(false)));
    CHECK(holds("verified is not true", verified(false)));
    CHECK(holds("not verified", verified(false)));
}

TEST_CASE("text: is, in, contains, matches") {
    auto text = [](const char* t) { return [t](Record& r) { r.set("text", t); }; };
    CHECK(holds("text is \"Help\"", text("Help")));
    CHECK_FALSE(holds("text is \"Help\"", text("help")));  // `is` is exact
    CHECK(holds("text in [\"a\", \"b\"]", text("b")));
    CHECK(holds("text contains \"REFUND\"", text("I want my refund now")));  // contains ignores case
    CHECK(holds("text contains \"und n\"", text("my refund now")));           // and word boundaries
    CHECK(holds("text matches /order #?[0-9]{6}/", text("re: order #123456")));
    CHECK_FALSE(holds("text matches /^order/", text("re: Order 1")));
    CHECK(holds("text matches /^ORDER/i", text("order 1")));
}

TEST_CASE("keyword lists: case-insensitive, whole words, multi-word phrases, UTF-8") {
    auto text = [](const char* t) { return [t](Record& r) { r.set("text", t); }; };
    CHECK(holds("text has any about_us", text("Go USAF!")));
    CHECK(holds("text has any about_us", text("the Air Force band")));
    CHECK_FALSE(holds("text has any about_us", text("usafe travels")));       // not a whole word
    CHECK_FALSE(holds("text has any about_us", text("the airforce band")));   // phrase needs its space
    CHECK_FALSE(holds("text has any about_us", text("misusaf")));
    CHECK(holds("text has any about_us", text("usaf")));                      // whole text
    CHECK(holds("text has any about_us", text("(USAF)")));
    CHECK(holds("text has any about_us", text("CAFÉ au lait")));             // É folds to é
    CHECK_FALSE(holds("text has any about_us", text("cafés")));              // é then a letter
    CHECK(holds("text has any about_us", text("Ich liebe das Café.")));
    CHECK(holds("text has all legal", text("my lawyer will sue")));
    CHECK_FALSE(holds("text has all legal", text("my lawyer")));
    CHECK(holds("text has any about_us and text has any legal", text("usaf, I will sue")));
}

TEST_CASE("case folding and word characters") {
    CHECK(detail::fold_phrase("ÀÉÎÕÜ ÇÑ ΣΑΣ ДОМ İ Ÿ") == "àéîõü çñ σασ дом i ÿ");
    CHECK(detail::fold_phrase("plain ASCII 123") == "plain ascii 123");
    CHECK(detail::fold_phrase("bad \xff byte") == "bad \xff byte");
    CHECK(detail::is_word_code_point(U'é'));
    CHECK(detail::is_word_code_point(U'語'));
    CHECK_FALSE(detail::is_word_code_point(U'—'));
    CHECK_FALSE(detail::is_word_code_point(U'😀'));
    CHECK_FALSE(detail::is_word_code_point(U'!'));
}

TEST_CASE("the phrase automaton finds overlapping phrases") {
    detail::PhraseMatcher m;
    std::uint32_t he = m.add_phrase("he");
    std::uint32_t she = m.add_phrase("she");
    std::uint32_t hers = m.add_phrase("hers");
    std::uint32_t sheriff = m.add_phrase("the sheriff");
    CHECK(m.add_phrase("SHE") == she);  // folded duplicates share an id
    m.build();
    std::vector<std::uint64_t> found(m.words(), 0);
    detail::WhiteSpaceRuns runs;
    m.scan("she said hers, said the sheriff", found, runs);
    auto hit = [&](std::uint32_t id) { return ((found[0] >> id) & 1) != 0; };
    CHECK(hit(she));
    CHECK(hit(hers));
    CHECK(hit(sheriff));
    CHECK_FALSE(hit(he));  // only ever inside other words here

    // ASCII text is scanned unfolded: the byte classes fold capitals themselves.
    std::fill(found.begin(), found.end(), 0);
    CHECK(detail::is_ascii("SHE said THE Sheriff"));
    m.scan("SHE said THE Sheriff", found, runs);
    CHECK(hit(she));
    CHECK(hit(sheriff));
    CHECK_FALSE(hit(hers));
    CHECK_FALSE(detail::is_ascii("caf\xc3\xa9 au lait, 8 bytes+"));
}

TEST_CASE("non-ASCII phrases and text are folded before the scan") {
    auto text = [](const char* t) { return [t](Record& r) { r.set("text", t); }; };
    constexpr std::string_view accents = "words accents = \"café\", \"σας\"";
    CHECK(holds("text has any accents", text("Le CAFÉ est fermé"), accents));
    CHECK(holds("text has any accents", text("ΣΑΣ!"), accents));
    CHECK(holds("text has any accents", text("Café"), accents));
    CHECK_FALSE(holds("text has any accents", text("cafés"), accents));
    CHECK_FALSE(holds("text has any accents", text("CAFE"), accents));
}

TEST_CASE("word lists through a flow: a phrase matches the ways text spells it") {
    auto text = [](const char* t) { return [t](Record& r) { r.set("text", t); }; };
    constexpr std::string_view lists = "words sorry = \"can't\", \"air force\", \"café\", \"東京\"";
    CHECK(holds("text has any sorry", text("I can’t even"), lists));             // a curly apostrophe
    CHECK(holds("text has any sorry", text("AIR\u00A0\u00A0FORCE"), lists));     // no-break spaces, a run
    CHECK(holds("text has any sorry", text("un CAFE\u0301"), lists));             // decomposed
    CHECK(holds("text has any sorry", text("東京タワー"), lists));                  // no spaces to bound it
    CHECK_FALSE(holds("text has any sorry", text("a cafe"), lists));             // accents are kept
    CHECK_FALSE(holds("text has any sorry", text("the airforce"), lists));
    CHECK(holds("text contains \"air force\"", text("AIR\u3000FORCE")));
    CHECK(holds("text contains \"strasse\"", text("Straßenbahn")));
}

TEST_CASE("a phrase found in folded text is reported where it is in the text as written") {
    Flow flow = flow_asking(all_fields, "text has any sorry or text contains \"air force\"",
                            "words sorry = \"can't\", \"café\"");
    Evaluator evaluator(flow);
    evaluator.record_matches(true);
    Record record(flow);
    const std::string written = "Honestly I CAN’T, the AIR\u00A0 FORCE — un cafe\u0301";
    record.set("text", written);
    Decision decision;
    Trace trace;
    evaluator.explain(record.view(), TimePoint{}, decision, trace);
    REQUIRE(decision.matched.size() == 1);  // `or` stops at the first
    CHECK(decision.matched[0].text == "can't");
    CHECK(decision.matched[0].in_text == "CAN’T");
    const auto held = std::find_if(trace.entries.begin(), trace.entries.end(),
                                   [](const TraceEntry& e) { return !e.matched.empty(); });
    REQUIRE(held != trace.entries.end());
    CHECK(held->in_text == "CAN’T");
    // Borrowed from the record's own text, so that it can be shown in place.
    CHECK(held->in_text.data() >= held->value.text.data());
    CHECK(held->in_text.data() + held->in_text.size() <= held->value.text.data() + held->value.text.size());

    Flow contains = flow_asking(all_fields, "text contains \"air force\" and text has any sorry",
                                "words sorry = \"café\"");
    Evaluator both(contains);
    both.record_matches(true);
    Record r(contains);
    r.set("text", written);
    both.evaluate(r.view(), TimePoint{}, decision);
    REQUIRE(decision.matched.size() == 2);
    CHECK(decision.matched[0].in_text == "AIR\u00A0 FORCE");
    CHECK(decision.matched[1].text == "café");
    CHECK(decision.matched[1].in_text == "cafe\u0301");
}

TEST_CASE("contains and has any on one field: a substring anywhere, a word list phrase on word boundaries") {
    auto text = [](const char* t) { return [t](Record& r) { r.set("text", t); }; };
    constexpr std::string_view laughs = "words laughs = \"lol\", \"joke\"";
    constexpr std::string_view inside_only = "text contains \"lol\" and not text has any laughs";
    CHECK(holds(inside_only, text("LOLLIPOP"), laughs));
    CHECK(holds(inside_only, text("un lollipop über alles"), laughs));  // non-ASCII: folded first
    CHECK_FALSE(holds(inside_only, text("lol"), laughs));
    CHECK_FALSE(holds(inside_only, text("so LOL über"), laughs));
    CHECK_FALSE(holds(inside_only, text("nothing here"), laughs));
    CHECK(holds("text has any laughs and text contains \"ok\"", text("a joke, OK?"), laughs));
    CHECK(holds("text has any laughs and text contains \"ok\"", text("a JOKE in a book"), laughs));
    CHECK_FALSE(holds("text has any laughs and text contains \"ok\"", text("jokes in a book"), laughs));

    // What matched is reported for both kinds, from the one automaton.
    Flow flow = flow_asking(all_fields, "text contains \"lol\" and text has any laughs and text contains \"ok\"", laughs);
    Evaluator evaluator(flow);
    evaluator.record_matches(true);
    Record record(flow);
    record.set("text", "Lollipop? LOL, a BOOK über Jokes");
    Decision decision;
    evaluator.evaluate(record.view(), TimePoint{}, decision);
    REQUIRE(decision.matched.size() == 3);
    CHECK(decision.matched[0].in_text == "Lol");
    CHECK(decision.matched[1].text == "lol");
    CHECK(decision.matched[1].in_text == "LOL");
    CHECK(decision.matched[2].in_text == "OK");
}

TEST_CASE("contains any: any phrase of the list anywhere, even inside a word, where has any wants whole words") {
    auto text = [](const char* t) { return [t](Record& r) { r.set("text", t); }; };
    constexpr std::string_view brand = "words brand = \"acme\", \"@acme\", \"air force\", \"café\"";
    CHECK(holds("text contains any brand", text("ACMECORP"), brand));
    CHECK(holds("text contains any brand", text("hi @Acme!"), brand));
    CHECK(holds("text contains any brand", text("the AirForce1 vs the air\u00A0forces"), brand));  // white space as has any reads it
    CHECK(holds("text contains any brand", text("CAFÉS"), brand));                                 // non-ASCII: folded first
    CHECK_FALSE(holds("text contains any brand", text("acm e, cafe, airforce"), brand));
    CHECK_FALSE(holds("text contains any brand", [](Record&) {}, brand));  // a missing text holds nothing
    CHECK(holds("not text contains any brand", [](Record&) {}, brand));
    constexpr std::string_view inside_only = "text contains any brand and not text has any brand";
    CHECK(holds(inside_only, text("acmecorp"), brand));
    CHECK_FALSE(holds(inside_only, text("acmecorp and acme"), brand));

    // What matched: the list's phrase, and the part of the text as written.
    Flow flow = flow_asking(all_fields, "text contains any brand", brand);
    Evaluator evaluator(flow);
    evaluator.record_matches(true);
    Record record(flow);
    record.set("text", "Go AcmeCorp");
    Decision decision;
    evaluator.evaluate(record.view(), TimePoint{}, decision);
    REQUIRE(decision.matched.size() == 1);
    CHECK(decision.matched[0].text == "acme");
    CHECK(decision.matched[0].in_text == "Acme");
}

TEST_CASE("times compare with times") {
    auto times = [](const char* a, const char* b) {
        return [a, b](Record& r) { r.set("posted_at", *parse_time(a)).set("replied_at", *parse_time(b)); };
    };
    CHECK(holds("replied_at > posted_at", times("2026-11-22T10:00:00Z", "2026-11-22T10:00:01Z")));
    CHECK_FALSE(holds("replied_at < posted_at", times("2026-11-22T10:00:00Z", "2026-11-22T11:00:00+01:00")));
    CHECK(holds("replied_at == posted_at", times("2026-11-22T10:00:00Z", "2026-11-22T11:00:00+01:00")));
}

TEST_CASE("let conditions are evaluated once per mention and compose") {
    CHECK(holds("calm and not loud", [](Record& r) { r.set("sentiment", 0.1).set("text", "hello"); },
                "let calm = sentiment > 0\nlet loud = text contains \"!!\""));
}

TEST_CASE("times: parsing and formatting") {
    CHECK(format_time(*parse_time("2026-11-22T09:30:00Z")) == "2026-11-22T09:30:00Z");
    CHECK(format_time(*parse_time("2026-11-22T09:30:00.25+01:00")) == "2026-11-22T08:30:00.250Z");
    CHECK(format_time(*parse_time("2024-02-29 23:59:59z")) == "2024-02-29T23:59:59Z");
    CHECK(format_time(*parse_time("1969-12-31T23:59:59.5Z")) == "1969-12-31T23:59:59.500Z");
    CHECK(format_time(TimePoint(std::chrono::hours(24 * 3'000'000))) == "10183-09-21T00:00:00Z");  // past RFC 3339's four digits, not cut short
    CHECK_FALSE(parse_time("2026-11-22T09:30:00"));  // no zone
    CHECK_FALSE(parse_time("2026-02-30T00:00:00Z"));
    CHECK_FALSE(parse_time("yesterday"));
    // Offsets up to ±23:59; times within the years 0000-9999 once the offset is applied.
    CHECK(format_time(*parse_time("2026-11-22T09:30:00-23:59")) == "2026-11-23T09:29:00Z");
    CHECK_FALSE(parse_time("2026-11-22T09:30:00+24:00"));
    CHECK_FALSE(parse_time("2026-11-22T09:30:00+99:00"));
    CHECK_FALSE(parse_time("2026-11-22T09:30:00+01:60"));
    CHECK(format_time(*parse_time("0000-01-01T00:00:00Z")) == "0000-01-01T00:00:00Z");
    CHECK_FALSE(parse_time("0000-01-01T00:30:00+01:00"));
    CHECK(format_time(*parse_time("9999-12-31T23:59:59.999Z")) == "9999-12-31T23:59:59.999Z");
    CHECK_FALSE(parse_time("9999-12-31T23:30:00-01:00"));
    CHECK(format_duration(std::chrono::minutes(30)) == "30m");
    CHECK(format_duration(std::chrono::hours(50)) == "2d 2h");
}

TEST_CASE("durations: parsed as flows write them, and as format_duration writes them") {
    CHECK(parse_duration("10m") == Duration(600));
    CHECK(parse_duration("90s") == Duration(90));
    CHECK(parse_duration("1h") == Duration(3600));
    CHECK(parse_duration("2w") == Duration(14 * 86400));
    for (Duration d : {Duration(1), Duration(61), Duration(50 * 3600), Duration(9 * 86400 + 7), longest_duration})
        CHECK(parse_duration(format_duration(d)) == d);
    for (const char* bad : {"", "10", "m", "0m", "0s 0m", "-5m", "+5m", "5 m", "5M", "1h  5m", "1h ", " 1h", "5mm",
                            "1y", "99999999999999999999s", "522w"})  // 522 weeks: past 10 years
        CHECK_MESSAGE(!parse_duration(bad), std::string(bad));
}

namespace {

const char* const care_flow = R"(flow "care" version 1
fields {
  text: text
  followers: integer
  verified: bool
  channel: one of twitter, email
  posted_at: time
}
words legal = "lawyer", "sue"
start triage
step triage "What is it?" {
  if text has any legal -> legal
  if text contains "refund" -> refund
  if not exists text -> nothing
  else -> thanks
}
step nothing "Anything else?" {
  if verified -> thanks
}
outcome legal "Legal threat" {
  flag for legal
  escalate to "legal-team" within 30m
  priority urgent
  do not respond because "legal answers, not us"
  tag legal, "risk"
}
outcome refund "Refund request" {
  respond privately within 4h using "refund"
  follow up after 2d
  priority high if followers >= 10000
  assign to billing
  note "Apologise first."
}
outcome thanks "Thank them" {
  respond publicly within 1d
  monitor for 1w
  notify "social" if channel is twitter
}
)";

struct Mention {
    std::string text;
    std::optional<long> followers;
    bool verified = false;
    std::string channel;
    std::optional<TimePoint> posted_at;
};

std::vector<Mention> sample_mentions() {
    return {
        {"I will SUE you", 50, false, "twitter", std::nullopt},
        {"where is my refund?", 20000, true, "email", *parse_time("2026-11-20T08:00:00Z")},
        {"where is my refund?", 20, false, "email", std::nullopt},
        {"lovely flight", std::nullopt, false, "twitter", std::nullopt},
        {"", 5, true, "email", std::nullopt},
        {"Refund and a lawyer", 1, false, "tiktok", std::nullopt},
    };
}

Flow care() {
    CompileResult result = compile_text(care_flow);
    INFO(triage::test::all_text(result));
    REQUIRE(result.ok());
    return *result.flow;
}

std::string summary(const Flow& flow, const Decision& d) {
    std::string out = d.decided() ? flow.outcomes()[d.outcome].name : "-";
    for (const DecidedAction& a : d.actions) {
        out += " | " + std::string(to_string(a.kind));
        if (!a.text.empty()) out += " " + std::string(a.text);
        if (a.deadline) out += " @" + format_time(*a.deadline);
    }
    for (const PathEntry& p : d.path) out += " / " + flow.steps()[p.step].name + ":" + std::to_string(p.branch);
    for (std::uint32_t f : d.missing_fields) out += " ?" + flow.fields()[f].name;
    return out;
}

}  // namespace

TEST_CASE("actions, conditional actions and deadlines from the reference time") {
    Flow flow = care();
    Evaluator evaluator(flow);
    Decision d;
    TimePoint now = *parse_time("2026-11-22T10:00:00Z");
    Record r(flow);
    r.set("text", "I will sue you").set("followers", 3).set("channel", "twitter");
    evaluator.evaluate(r.view(), now, d);
    REQUIRE(d.decided());
    CHECK(flow.outcomes()[d.outcome].name == "legal");
    REQUIRE(d.actions.size() == 5);
    CHECK(d.actions[0].kind == ActionKind::flag);
    CHECK(d.actions[1].kind == ActionKind::escalate);
    CHECK(d.actions[1].text == "legal-team");
    CHECK(format_time(*d.actions[1].deadline) == "2026-11-22T10:30:00Z");
    CHECK(d.actions[2].priority == Priority::urgent);
    CHECK(d.actions[3].kind == ActionKind::do_not_respond);
    CHECK(d.actions[4].labels.size() == 2);

    r.set("text", "refund please").set("followers", 20000);
    evaluator.evaluate(r.view(), now, d);
    CHECK(summary(flow, d) ==
          "refund | respond refund @2026-11-22T14:00:00Z | follow up @2026-11-24T10:00:00Z | priority | assign "
          "billing | note Apologise first. / triage:1");
    r.set("followers", 5);
    evaluator.evaluate(r.view(), now, d);
    CHECK(d.actions.size() == 4);  // the conditional priority did not apply
    CHECK(d.missing_fields.empty());

    r.set("text", "lovely flight").set("channel", "twitter");
    evaluator.evaluate(r.view(), now, d);
    CHECK(summary(flow, d) ==
          "thanks | respond @2026-11-23T10:00:00Z | monitor @2026-11-29T10:00:00Z | notify social / triage:3");
    CHECK(describe(d.actions[0]) == "respond publicly within 1d (by 2026-11-23T10:00:00Z)");
    CHECK(describe(d.actions[1]) == "monitor for 1w (by 2026-11-29T10:00:00Z)");
    r.set("channel", "email");
    evaluator.evaluate(r.view(), now, d);
    CHECK(d.actions.size() == 2);  // notify only for twitter
}

TEST_CASE("falling through a step without else gives no outcome, with the path") {
    Flow flow = care();
    Evaluator evaluator(flow);
    Decision d;
    Record r(flow);
    r.set("verified", false);
    evaluator.evaluate(r.view(), TimePoint{}, d);
    CHECK_FALSE(d.decided());
    REQUIRE(d.fell_through_at());
    CHECK(flow.steps()[*d.fell_through_at()].name == "nothing");
    CHECK(summary(flow, d) == "- / triage:2 / nothing:1 ?text");
    CHECK(evaluator.decide(r.view()) == no_outcome);
}

namespace {

// Every field bound by member pointer (the next test shows the lambda form too).
Binding<Mention> bind_mention(const Flow& flow) {
    Binding<Mention> binding(flow);
    binding.field<&Mention::text>("text")
        .field<&Mention::followers>("followers")
        .field<&Mention::verified>("verified")
        .field<&Mention::channel>("channel")
        .field<&Mention::posted_at>("posted_at");
    return binding;
}

}  // namespace

TEST_CASE("Record, Binding and JSON give identical decisions") {
    Flow flow = care();
    Binding<Mention> binding(flow);
    binding.field<&Mention::text>("text")
        .field<&Mention::followers>("followers")
        .field<&Mention::verified>("verified")
        .field<&Mention::channel>("channel")
        .field("posted_at", [](const Mention& m) { return m.posted_at; });
    REQUIRE(binding.ok());
    Evaluator evaluator(flow);
    JsonRecordReader json(flow);
    TimePoint now = *parse_time("2026-11-22T10:00:00Z");
    for (const Mention& m : sample_mentions()) {
        CAPTURE(m.text);
        Record record(flow);
        record.set("text", m.text).set("verified", m.verified).set("channel", m.channel);
        if (m.followers) record.set("followers", *m.followers);
        if (m.posted_at) record.set("posted_at", *m.posted_at);
        std::string line = fmt::format(R"({{"text": "{}", "verified": {}, "channel": "{}")", m.text,
                                       m.verified ? "true" : "false", m.channel);
        if (m.followers) line += fmt::format(R"(, "followers": {})", *m.followers);
        if (m.posted_at) line += fmt::format(R"(, "posted_at": "{}")", format_time(*m.posted_at));
        line += "}";
        REQUIRE(json.read(line));

        Decision by_record, by_binding, by_json;
        evaluator.evaluate(record.view(), now, by_record);
        evaluator.evaluate(binding.view(m), now, by_binding);
        evaluator.evaluate(json.view(), now, by_json);
        CHECK(summary(flow, by_binding) == summary(flow, by_record));
        CHECK(summary(flow, by_json) == summary(flow, by_record));
        CHECK(evaluator.decide(binding.view(m)) == by_record.outcome);
    }
}

TEST_CASE("bindings are checked against the flow's fields") {
    Flow flow = care();
    Binding<Mention> binding(flow);
    binding.field<&Mention::followers>("text")  // a number for a text field
        .field<&Mention::text>("nickname");      // not in the flow
    std::vector<BindingError> errors = binding.errors();
    std::vector<std::string> messages;
    for (const BindingError& e : errors) messages.push_back(e.message);
    CHECK(messages == std::vector<std::string>{
                          "field 'text' is declared as text but the binding gives a number",
                          "the flow has no field 'nickname'",
                          "the flow declares 'text' but the binding does not provide it",
                          "the flow declares 'followers' but the binding does not provide it",
                          "the flow declares 'verified' but the binding does not provide it",
                          "the flow declares 'channel' but the binding does not provide it",
                          "the flow declares 'posted_at' but the binding does not provide it"});
}

TEST_CASE("Record rejects unknown fields and wrong types") {
    Flow flow = care();
    Record r(flow);
    CHECK_THROWS_AS(r.set("nope", 1), std::invalid_argument);
    CHECK_THROWS_AS(r.set("followers", "many"), std::invalid_argument);
    CHECK_THROWS_AS(r.set("verified", 1.5), std::invalid_argument);
    r.set("text", "refund");
    Record copy = r;
    r.set("text", "I will sue");
    Evaluator evaluator(flow);
    CHECK(flow.outcomes()[evaluator.decide(copy.view())].name == "refund");  // the copy owns its text
    CHECK(flow.outcomes()[evaluator.decide(r.view())].name == "legal");
}

TEST_CASE("JSON records: nesting, renames, ids, nulls, and type errors") {
    CompileResult result = compile_text(
        "flow \"t\" version 1\nfields { author.followers: integer\n author.name: text\n at: time\n ok: bool }\n"
        "start o\noutcome o \"O\" { monitor if ok and author.followers > 1 and author.name contains \"a\" and exists at }\n");
    REQUIRE(result.ok());
    const Flow& flow = *result.flow;
    JsonOptions options;
    options.renames.emplace_back("user.name", "author.name");
    JsonRecordReader reader(flow, options);
    REQUIRE(reader.read(R"({"id": {"n": 1}, "author": {"followers": 12, "x": [1]}, "user": {"name": "ada"}, "at": 1700000000.5, "ok": null, "extra": {"deep": [true]}})"));
    CHECK(reader.id() == R"({"n":1})");
    CHECK(reader.value(0).number == 12);
    CHECK(reader.value(1).text == "ada");
    CHECK(format_time(reader.value(2).time) == "2023-11-14T22:13:20.500Z");
    CHECK(reader.value(3).kind == ValueKind::missing);

    CHECK_FALSE(reader.read(R"({"author": {"followers": "12"}})"));
    CHECK(reader.error() == "'author.followers' must be a whole number for field 'author.followers' (integer), not a string "
                            "(\"12\"); the export writes it as text: convert it first, e.g. "
                            "jq -c '.author.followers |= (if type == \"string\" then gsub(\",\";\"\") | tonumber else . end)'");
    CHECK_FALSE(reader.read(R"({"ok": 1})"));
    CHECK(reader.error() == "'ok' must be true or false for field 'ok' (bool), not a number");
    CHECK_FALSE(reader.read(R"({"at": "last tuesday"})"));
    CHECK(reader.error().find("not a date-time") != std::string::npos);
    CHECK_FALSE(reader.read(R"([1, 2])"));
    CHECK(reader.error() == "a mention must be a JSON object");
    CHECK_FALSE(reader.read(R"({"ok": tru)"));
    CHECK(reader.error().rfind("invalid JSON", 0) == 0);
    CHECK(reader.read(R"({})"));  // every field missing is fine
    CHECK(reader.id().empty());
}

// The table of docs/language.md ("Values in a JSON record"), row by row: each JSON value for each
// field type gives a value, a missing field, or an error record.
TEST_CASE("JSON records: every JSON value against every field type, as docs/language.md's table says") {
    CompileResult result = compile_text(
        "flow \"t\" version 1\nfields { t: text\n n: number\n i: integer\n b: bool\n at: time\n"
        " c: one of twitter, facebook\n g.x: number }\nstart o\noutcome o \"O\" { monitor }\n");
    REQUIRE(result.ok());
    const Flow& flow = *result.flow;
    JsonRecordReader reader(flow, {});
    struct Row {
        const char* key;
        const char* json;
        const char* gives;  // "value", "missing" or "error"
    };
    const Row rows[] = {
        {"t", R"("hello")", "value"},   {"t", "3", "error"},       {"t", "true", "error"},
        {"t", "[\"a\"]", "error"},      {"t", "{}", "error"},        {"t", "null", "missing"},
        {"n", "3", "value"},            {"n", "2.5", "value"},     {"n", "-1e300", "value"},
        {"n", R"("3")", "error"},       {"n", "true", "error"},    {"n", "null", "missing"},
        {"i", "3", "value"},            {"i", "3.0", "value"},     {"i", "-7", "value"},
        {"i", "2.5", "error"},          {"i", R"("3")", "error"},  {"i", "null", "missing"},
        {"b", "true", "value"},         {"b", "false", "value"},   {"b", R"("true")", "error"},
        {"b", "1", "error"},            {"b", "null", "missing"},
        {"at", R"("2026-11-22T09:30:00Z")", "value"}, {"at", R"("2026-11-22T09:30:00+01:00")", "value"},
        {"at", "1764000000", "value"},  {"at", "1764000000.25", "value"}, {"at", R"("2026-11-22 09:30:00")", "error"},
        {"at", R"("yesterday")", "error"}, {"at", "1e300", "error"}, {"at", "true", "error"}, {"at", "null", "missing"},
        {"c", R"("twitter")", "value"}, {"c", R"("myspace")", "value"},  // an unlisted value is "none of them"
        {"c", "1", "error"},            {"c", "null", "missing"},
        {"g", R"({"x": 3})", "value"},  {"g", R"({})", "missing"}, {"g", R"("bob")", "error"},
        {"g", "[1]", "error"},          {"g", "5", "error"},       {"g", "null", "missing"},
    };
    for (const Row& row : rows) {
        const std::string line = fmt::format(R"({{"{}": {}}})", row.key, row.json);
        CAPTURE(line);
        const bool read = reader.read(line);
        CAPTURE(reader.error());
        if (std::string_view(row.gives) == "error") {
            CHECK_FALSE(read);
            continue;
        }
        REQUIRE(read);
        const std::string field = std::string_view(row.key) == "g" ? "g.x" : row.key;
        const FieldValue v = reader.value(*flow.find_field(field));
        CHECK((v.kind == ValueKind::missing) == (std::string_view(row.gives) == "missing"));
    }
    // A key the flow does not read is never looked at, whatever it holds.
    CHECK(reader.read(R"({"other": [1, {"x": null}], "t": "fine"})"));
    // Errors name what was expected.
    CHECK_FALSE(reader.read(R"({"i": 2.5})"));
    CHECK(reader.error() == "'i' must be a whole number for field 'i' (integer), not 2.5");
    CHECK_FALSE(reader.read(R"({"g": "bob"})"));
    CHECK(reader.error() == "'g' must be an object (the flow reads fields inside it), not a string");

    // Numbers keep their value whichever of simdjson's three number types holds them.
    const std::uint32_t n = *flow.find_field("n"), i = *flow.find_field("i");
    auto number = [&](std::uint32_t slot) { return reader.value(slot).number; };
    REQUIRE(reader.read(R"({"n": -42, "i": 12.0})"));
    CHECK(number(n) == -42.0);
    CHECK(number(i) == 12.0);
    REQUIRE(reader.read(R"({"n": 18446744073709551615, "i": 9223372036854775807})"));
    CHECK(number(n) == 18446744073709551615.0);
    CHECK(number(i) == 9223372036854775807.0);
    REQUIRE(reader.read(R"({"n": 2.5e-3, "i": -7})"));
    CHECK(number(n) == 0.0025);
    CHECK(number(i) == -7.0);
}

TEST_CASE("two threads sharing one flow decide exactly as one thread does") {
    Flow flow = care();
    std::vector<Mention> mentions;
    for (int i = 0; i < 2000; ++i)
        for (const Mention& m : sample_mentions()) mentions.push_back(m);
    Binding<Mention> binding = bind_mention(flow);
    REQUIRE(binding.ok());
    auto decide_all = [&](std::vector<std::string>& out) {
        Evaluator evaluator(flow);
        Decision d;
        for (const Mention& m : mentions) {
            evaluator.evaluate(binding.view(m), TimePoint{}, d);
            out.push_back(summary(flow, d));
        }
    };
    std::vector<std::string> reference, a, b;
    decide_all(reference);
    std::thread ta([&] { decide_all(a); });
    std::thread tb([&] { decide_all(b); });
    ta.join();
    tb.join();
    CHECK(a == reference);
    CHECK(b == reference);
}

TEST_CASE("steady-state evaluation allocates nothing") {
    Flow flow = care();
    Binding<Mention> binding = bind_mention(flow);
    std::vector<Mention> mentions = sample_mentions();
    Evaluator evaluator(flow);
    Decision d;
    for (const Mention& m : mentions) evaluator.evaluate(binding.view(m), TimePoint{}, d);  // warm up
    std::uint64_t before = triage::test::allocations();
    std::uint32_t outcomes = 0;
    for (int round = 0; round < 100; ++round)
        for (const Mention& m : mentions) {
            evaluator.evaluate(binding.view(m), TimePoint{}, d);
            outcomes += evaluator.decide(binding.view(m)) != no_outcome;
        }
    CHECK(triage::test::allocations() == before);
    CHECK(outcomes == 600);  // every sample mention reaches an outcome
}

TEST_CASE("near-miss counts name the earliest line and its spelling first, in whatever order mentions are recorded") {
    // --reorder records mentions in clock order, not line order; -j merges chunks.
    triage::NearMissCount count;
    count.add("TWITTER", 3);
    count.add("Twitter", 2);
    count.add("TWITTER", 4);
    CHECK(count.mentions == 3);
    CHECK(count.first_line == 2);
    CHECK(count.spellings == std::vector<std::string>{"Twitter", "TWITTER"});
    triage::NearMissCount later;
    later.add(" twitter", 1);
    count.merge(later);
    CHECK(count.first_line == 1);
    CHECK(count.spellings.front() == " twitter");
    CHECK(count.mentions == 4);
    triage::NearMissCount after;
    after.add("Twitter ", 9);
    count.merge(after);
    CHECK(count.first_line == 1);
    CHECK(count.spellings.front() == " twitter");
    CHECK(count.spellings.size() == 4);  // "Twitter " is a spelling of its own
}

TEST_CASE("a one-of text that spells a value otherwise is a near miss, found and counted without allocating") {
    Flow flow = flow_asking("channel: one of twitter, review_site", "channel in [twitter]");
    const std::uint32_t channel = *flow.find_field("channel");
    Evaluator evaluator(flow);
    Decision d;
    auto near_misses = [&](const char* text) {
        Record record(flow);
        record.set("channel", text);
        evaluator.evaluate(record.view(), TimePoint{}, d);
        std::string out;
        for (const NearMiss& n : d.near_misses)
            out += flow.fields()[n.field].values[n.value] + "=" + std::string(n.text) + ";";
        return out;
    };
    CHECK(near_misses("Twitter") == "twitter=Twitter;");
    CHECK(near_misses(" TWITTER\t") == "twitter= TWITTER\t;");
    CHECK(near_misses("review-site") == "review_site=review-site;");
    CHECK(near_misses("Review Site") == "review_site=Review Site;");
    for (const char* unlike :
         {"twitter", "review_site", "blog", "twiter", "reviewsite", "review--site", "Twitter!", ""})
        CHECK(near_misses(unlike).empty());
    // Deciding such mentions and counting them: each spelling is copied once, at its first mention.
    std::vector<Record> records;
    for (const char* text : {"Twitter", "review-site", "blog", "twitter", "TWITTER"})
        records.emplace_back(flow).set("channel", text);
    Traffic traffic = Traffic::for_flow(flow);
    std::uint64_t line = 0;
    for (const Record& r : records) {  // warm up
        evaluator.evaluate(r.view(), TimePoint{}, d);
        traffic.record(d, ++line);
    }
    const std::uint64_t before = triage::test::allocations();
    for (int round = 0; round < 100; ++round)
        for (const Record& r : records) {
            evaluator.evaluate(r.view(), TimePoint{}, d);
            traffic.record(d, ++line);
        }
    CHECK(triage::test::allocations() == before);
    const NearMissCount& twitter = traffic.near_misses[channel][0];
    CHECK(twitter.mentions == 202);
    CHECK(twitter.first_line == 1);
    CHECK(twitter.spellings == std::vector<std::string>{"Twitter", "TWITTER"});
    CHECK(traffic.near_misses[channel][1].mentions == 101);
    CHECK(traffic.near_misses[channel][1].first_line == 2);
}

TEST_CASE("steady-state evaluation of non-ASCII text allocates nothing, matches and explanations included") {
    Flow flow = care();
    std::vector<Record> records;
    for (const char* text : {"I’ll SUE you — ĐIỆN", "où est mon REFUND\u00A0?", "東京 LAWYER\u3000now", "cafe\u0301 ❤\uFE0F",
                             "Straße ẞ ǅ İ ς", ""}) {
        records.emplace_back(flow).set("text", text).set("channel", "twitter");
    }
    Evaluator evaluator(flow);
    evaluator.record_matches(true);
    Decision d;
    Trace trace;
    for (const Record& r : records) evaluator.explain(r.view(), TimePoint{}, d, trace);  // warm up
    std::uint64_t before = triage::test::allocations();
    std::size_t matched = 0;
    for (int round = 0; round < 100; ++round)
        for (const Record& r : records) {
            evaluator.evaluate(r.view(), TimePoint{}, d);
            matched += d.matched.size();
            evaluator.explain(r.view(), TimePoint{}, d, trace);
            (void)evaluator.decide(r.view());
        }
    CHECK(triage::test::allocations() == before);
    CHECK(matched == 300);  // SUE, REFUND, LAWYER
}

TEST_CASE("steady-state evaluation of contains any, has any and lets through jump code allocates nothing") {
    CompileResult compiled = compile_file(triage::test::source_dir() / "tests/fixtures/reference/contains_any.flow");
    REQUIRE(compiled.ok());
    const Flow& flow = *compiled.flow;
    std::vector<Record> records;
    for (const char* text : {"ACMECORP scams", "acme idiots", "@acme lol haha", "ÁCMÉ lawsuit", "acme", "nothing", "ácmé rip  off"})
        records.emplace_back(flow).set("text", text).set("sentiment", 0.5);
    Evaluator evaluator(flow);
    Decision d;
    for (const Record& r : records) evaluator.evaluate(r.view(), TimePoint{}, d);  // warm up
    std::vector<int> reached(flow.outcomes().size(), 0);  // allocated before counting
    bool same = true;                                     // decide() agrees with evaluate()
    std::uint64_t before = triage::test::allocations();
    for (int round = 0; round < 100; ++round)
        for (const Record& r : records) {
            evaluator.evaluate(r.view(), TimePoint{}, d);
            same = same && d.outcome == evaluator.decide(r.view());
            ++reached.at(d.outcome);
        }
    CHECK(triage::test::allocations() == before);
    CHECK(same);
    CHECK(std::count_if(reached.begin(), reached.end(), [](int n) { return n > 0; }) >= 5);  // different branches
}

TEST_CASE("when several priorities apply, the highest is the mention's priority") {
    CompileResult result = compile_text(
        "flow \"t\" version 1\nfields { vip: bool }\nstart o\n"
        "outcome o \"O\" { priority high if vip\n priority low\n priority urgent if not vip }\n");
    REQUIRE(result.ok());
    Evaluator evaluator(*result.flow);
    Decision d;
    Record r(*result.flow);
    r.set("vip", true);
    evaluator.evaluate(r.view(), TimePoint{}, d);
    CHECK(decided_priority(d) == Priority::high);  // high and low apply
    r.set("vip", false);
    evaluator.evaluate(r.view(), TimePoint{}, d);
    CHECK(decided_priority(d) == Priority::urgent);  // low and urgent apply
}
