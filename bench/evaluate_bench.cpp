// Time per mention: the bundled example flows and bench/acme.flow evaluated by triage on bound
// structs (outcome only and full Decision), on generic Records and on JSON lines, against the
// same policies written by hand as if-chains (bench/hand_written.cpp), against parsing the JSON
// alone; acme.flow and customer care on non-ASCII text too; and the compile time of generated flows.
//
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTRIAGE_BUILD_BENCH=ON
//   cmake --build build-bench && build-bench/bench/triage_bench
//
// bench/ratios.sh runs this and the end-to-end `triage run` measurements and prints the ratios.
#include "hand_written.hpp"

#include <triage/triage.hpp>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace {

std::string example_path(std::string_view name) { return std::string(TRIAGE_SOURCE_DIR "/examples/") + std::string(name); }

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

triage::Flow load_flow(const std::string& path) {
    triage::CompileResult result = triage::compile_file(path);
    if (!result.ok()) {
        std::fprintf(stderr, "cannot compile %s\n", path.c_str());
        std::exit(1);
    }
    return *result.flow;
}

triage::Flow load_example(std::string_view name) { return load_flow(example_path(name)); }

// ---- examples/airforce.flow -----------------------------------------------------------------

// A post of 6 to 25 words: filler, with one of `phrases` in about one word of `one_in`.
template <std::size_t Fillers, std::size_t Phrases>
std::string random_post(std::mt19937_64& rng, const char* const (&filler)[Fillers], const char* const (&phrases)[Phrases],
                        unsigned one_in) {
    std::string text;
    const std::size_t words = 6 + rng() % 20;
    for (std::size_t w = 0; w < words; ++w) {
        if (!text.empty()) text += ' ';
        text += rng() % one_in == 0 ? phrases[rng() % Phrases] : filler[rng() % Fillers];
    }
    return text;
}

namespace airforce {

using namespace by_hand::airforce;

constexpr const char* channel_names[] = {"twitter", "facebook", "blog", "forum", "news"};
constexpr const char* experience_names[] = {"none", "negative", "positive"};

std::vector<Mention> make_mentions(std::size_t n) {
    static const char* filler[] = {"just", "saw", "the", "new", "post", "about", "flight", "today", "really",
                                   "this", "is", "not", "what", "we", "expected", "team", "why", "base"};
    static const char* phrases[] = {"Air Force", "USAF", "airman", "lol", "satire", "joke",
                                    "thank you", "Proud", "heroes", "WTF", "air base", "rant"};
    std::mt19937_64 rng(42);
    std::vector<Mention> out;
    for (std::size_t i = 0; i < n; ++i) {
        Mention m;
        m.text = random_post(rng, filler, phrases, 8);
        m.sentiment = static_cast<double>(rng() % 2001) / 1000.0 - 1.0;
        m.followers = static_cast<long>(rng() % 100000);
        m.channel = static_cast<Channel>(rng() % 5);
        m.site_bashing = rng() % 10 == 0;
        m.facts_wrong = rng() % 8 == 0;
        m.experience = static_cast<Experience>(rng() % 3);
        out.push_back(std::move(m));
    }
    return out;
}

const std::vector<Mention>& mentions() {
    static const std::vector<Mention> all = make_mentions(4096);
    return all;
}

const triage::Flow& flow() {
    static const triage::Flow f = load_example("airforce.flow");
    return f;
}

const triage::Binding<Mention>& binding() {
    static const triage::Binding<Mention> b = [] {
        triage::Binding<Mention> bound(flow());
        bound.field<&Mention::text>("text")
            .field<&Mention::sentiment>("sentiment")
            .field<&Mention::followers>("author.followers")
            .field("channel", [](const Mention& m) { return triage::FieldValue::of_enum(static_cast<std::uint32_t>(m.channel)); })
            .field<&Mention::site_bashing>("site.bashing")
            .field<&Mention::facts_wrong>("facts_wrong")
            .field("experience", [](const Mention& m) { return triage::FieldValue::of_enum(static_cast<std::uint32_t>(m.experience)); });
        return bound;
    }();
    return b;
}

triage::Record to_record(const Mention& m) {
    triage::Record r(flow());
    r.set("text", m.text).set("sentiment", m.sentiment).set("author.followers", m.followers);
    r.set("channel", channel_names[static_cast<int>(m.channel)]).set("site.bashing", m.site_bashing);
    r.set("facts_wrong", m.facts_wrong).set("experience", experience_names[static_cast<int>(m.experience)]);
    return r;
}

}  // namespace airforce

// ---- examples/customer_care.flow, on the bundled mentions -----------------------------------

namespace care {

using namespace by_hand::care;

const triage::Flow& flow() {
    static const triage::Flow f = load_example("customer_care.flow");
    return f;
}

std::uint32_t slot(std::string_view name) { return *flow().find_field(name); }

std::vector<std::string> json_lines() {
    std::vector<std::string> lines;
    std::istringstream in(read_file(example_path("mentions.jsonl")));
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

// The bundled mentions, read once through triage's JSON reader into host structs.
const std::vector<Mention>& mentions() {
    static const std::vector<Mention> all = [] {
        triage::JsonRecordReader reader(flow());
        std::vector<Mention> out;
        for (const std::string& line : json_lines()) {
            if (!reader.read(line)) continue;
            auto get = [&](std::string_view name) { return reader.value(slot(name)); };
            Mention m;
            if (auto v = get("text"); v.kind == triage::ValueKind::text) m.text = v.text;
            if (auto v = get("channel"); v.kind == triage::ValueKind::text)
                m.channel = static_cast<std::uint32_t>(
                    std::find(flow().fields()[slot("channel")].values.begin(), flow().fields()[slot("channel")].values.end(), v.text) -
                    flow().fields()[slot("channel")].values.begin());
            if (auto v = get("sentiment"); v.kind == triage::ValueKind::number) m.sentiment = v.number;
            if (auto v = get("author.followers"); v.kind == triage::ValueKind::number) m.followers = v.number;
            if (auto v = get("author.verified"); v.kind == triage::ValueKind::boolean) m.verified = v.boolean;
            if (auto v = get("customer.tier"); v.kind == triage::ValueKind::text)
                m.tier = static_cast<std::uint32_t>(
                    std::find(flow().fields()[slot("customer.tier")].values.begin(),
                              flow().fields()[slot("customer.tier")].values.end(), v.text) -
                    flow().fields()[slot("customer.tier")].values.begin());
            if (auto v = get("posted_at"); v.kind == triage::ValueKind::time) m.posted_at = v.time;
            if (auto v = get("last_reply_at"); v.kind == triage::ValueKind::time) m.last_reply_at = v.time;
            out.push_back(std::move(m));
        }
        return out;
    }();
    return all;
}

// The bundled mentions with non-ASCII text: a greeting before and a sign-off after, each set
// apart by a space (accented words, emoji with a skin tone and with a ZWJ), curly apostrophes,
// and "the" as "thé" (a non-ASCII letter a space away from "refund", "great crew"). Whole-word
// phrases keep their boundaries, so the same phrases are found as in the ASCII text, by triage
// and by the hand-written code (main() checks both).
const std::vector<Mention>& non_ascii_mentions() {
    static const std::vector<Mention> all = [] {
        static const char* greetings[] = {"Écoute: ", "Señor, ", "Ça alors 😳 ", "Grüße aus München. "};
        static const char* sign_offs[] = {" 😡", " 🙏🏽", " — merci", " #déçu", " 👩\u200D✈️"};
        std::vector<Mention> out = mentions();
        for (std::size_t i = 0; i < out.size(); ++i) {
            std::string text = greetings[i % std::size(greetings)];
            for (char c : out[i].text) text += c == '\'' ? std::string("’") : std::string(1, c);
            for (std::size_t at = text.find(" the "); at != std::string::npos; at = text.find(" the ", at + 1))
                text.replace(at + 1, 3, "thé");
            out[i].text = text + sign_offs[i % std::size(sign_offs)];
        }
        return out;
    }();
    return all;
}

triage::FieldValue enum_value(const std::optional<std::uint32_t>& v) {
    return v ? triage::FieldValue::of_enum(*v) : triage::FieldValue::missing();
}

const triage::Binding<Mention>& binding() {
    static const triage::Binding<Mention> b = [] {
        triage::Binding<Mention> bound(flow());
        bound.field<&Mention::text>("text")
            .field("channel", [](const Mention& m) { return enum_value(m.channel); })
            .field<&Mention::sentiment>("sentiment")
            .field<&Mention::followers>("author.followers")
            .field<&Mention::verified>("author.verified")
            .field("customer.tier", [](const Mention& m) { return enum_value(m.tier); })
            .field<&Mention::posted_at>("posted_at")
            .field<&Mention::last_reply_at>("last_reply_at");
        return bound;
    }();
    return b;
}

triage::Record to_record(const Mention& m) {
    triage::Record r(flow());
    const auto& channels = flow().fields()[slot("channel")].values;
    const auto& tiers = flow().fields()[slot("customer.tier")].values;
    r.set("text", m.text);
    if (m.channel) r.set("channel", channels[*m.channel]);
    if (m.sentiment) r.set("sentiment", *m.sentiment);
    if (m.followers) r.set("author.followers", *m.followers);
    if (m.verified) r.set("author.verified", *m.verified);
    if (m.tier) r.set("customer.tier", tiers[*m.tier]);
    if (m.posted_at) r.set("posted_at", *m.posted_at);
    if (m.last_reply_at) r.set("last_reply_at", *m.last_reply_at);
    return r;
}

}  // namespace care

// ---- bench/acme.flow: a ladder whose text tests are all `contains` --------------------------

namespace acme {

using namespace by_hand::acme;
constexpr const char* experience_names[] = {"none", "negative", "positive"};

enum class Script { ascii, non_ascii };

// Words of every `contains`, in any case, on their own and inside longer words (a substring
// matches there too), among filler; 6 to 25 words, about 40 to 160 characters.
//
// Script::non_ascii: the same mentions, word for word, each word replaced by its twin (the same
// random numbers pick them), so that every text is folded before it is scanned: accented words,
// a decomposed é (e and U+0301), curly quotes, emoji (with a skin tone, with a ZWJ); each phrase
// with a non-ASCII neighbour that leaves it found ("l’Acme", "ACME™", "ïllegal", "Legalé") and
// the near miss "acne" as "acné". Nothing folds into a phrase or out of one, so each twin holds
// the phrases of its ASCII text: main() checks that triage decides it the same, and so does the
// hand-written code, which lower-cases ASCII only.
std::vector<Mention> make_mentions(std::size_t n, Script script) {
    static const char* filler[] = {"just", "saw", "the", "new", "post", "about", "delivery", "today", "really",
                                   "this", "is", "not", "what", "we", "expected", "team", "why", "store"};
    static const char* phrases[] = {"Acme", "ACME", "acmecorp", "@acme", "AcmeVille", "scam", "idiots", "Trashy", "lol",
                                    "lollipop", "joke", "satire", "lawsuit", "illegal", "Legal", "acne"};
    static const char* filler_twins[] = {"déjà", "vérifié", "thé", "nouvelle", "réservation", "über",
                                         "livraison", "aujourd’hui", "vraiment", "ça", "où", "naïve",
                                         "😀", "👩\u200D💻", "cafe\u0301", "équipe", "¿por qué?", "Zürich"};
    static const char* phrase_twins[] = {"l’Acme", "ACME™", "«acmecorp»", "@acme😀", "AcmeVillé", "scam‼",
                                         "idiots…", "Trashy🗑️", "lol😂", "lollipop🍭", "joke’s", "“satire”",
                                         "lawsuit—", "ïllegal", "Legalé", "acné"};
    std::mt19937_64 rng(43);
    std::vector<Mention> out;
    for (std::size_t i = 0; i < n; ++i) {
        Mention m;
        m.text = script == Script::ascii ? random_post(rng, filler, phrases, 6)
                                         : random_post(rng, filler_twins, phrase_twins, 6);
        m.sentiment = static_cast<double>(rng() % 2001) / 1000.0 - 1.0;
        m.followers = static_cast<long>(rng() % 100000);
        m.site_bashing = rng() % 10 == 0;
        m.facts_wrong = rng() % 8 == 0;
        m.experience = static_cast<Experience>(rng() % 3);
        out.push_back(std::move(m));
    }
    return out;
}

const std::vector<Mention>& mentions() {
    static const std::vector<Mention> all = make_mentions(4096, Script::ascii);
    return all;
}

const std::vector<Mention>& non_ascii_mentions() {
    static const std::vector<Mention> all = make_mentions(4096, Script::non_ascii);
    return all;
}

const triage::Flow& flow() {
    static const triage::Flow f = load_flow(TRIAGE_SOURCE_DIR "/bench/acme.flow");
    return f;
}

const triage::Binding<Mention>& binding() {
    static const triage::Binding<Mention> b = [] {
        triage::Binding<Mention> bound(flow());
        bound.field<&Mention::text>("text")
            .field<&Mention::sentiment>("sentiment")
            .field<&Mention::followers>("author.followers")
            .field<&Mention::site_bashing>("site.bashing")
            .field<&Mention::facts_wrong>("facts_wrong")
            .field("experience", [](const Mention& m) { return triage::FieldValue::of_enum(static_cast<std::uint32_t>(m.experience)); });
        return bound;
    }();
    return b;
}

triage::Record to_record(const Mention& m) {
    triage::Record r(flow());
    r.set("text", m.text).set("sentiment", m.sentiment).set("author.followers", m.followers);
    r.set("site.bashing", m.site_bashing).set("facts_wrong", m.facts_wrong);
    r.set("experience", experience_names[static_cast<int>(m.experience)]);
    return r;
}

}  // namespace acme

// ---- benchmarks ------------------------------------------------------------------------------

template <typename M, typename Decide>
void hand_written(benchmark::State& state, const std::vector<M>& mentions, Decide decide) {
    std::string lowered;
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(decide(mentions[i++ % mentions.size()], lowered));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

template <typename M>
void bound_decide(benchmark::State& state, const triage::Flow& flow, const triage::Binding<M>& binding,
                  const std::vector<M>& mentions) {
    triage::Evaluator evaluator(flow);
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(evaluator.decide(binding.view(mentions[i++ % mentions.size()])));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

template <typename M>
void bound_evaluate(benchmark::State& state, const triage::Flow& flow, const triage::Binding<M>& binding,
                    const std::vector<M>& mentions) {
    triage::Evaluator evaluator(flow);
    triage::Decision decision;
    std::size_t i = 0;
    for (auto _ : state) {
        evaluator.evaluate(binding.view(mentions[i++ % mentions.size()]), triage::TimePoint{}, decision);
        benchmark::DoNotOptimize(decision.outcome);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void record_evaluate(benchmark::State& state, const triage::Flow& flow, const std::vector<triage::Record>& records) {
    triage::Evaluator evaluator(flow);
    triage::Decision decision;
    std::size_t i = 0;
    for (auto _ : state) {
        evaluator.evaluate(records[i++ % records.size()].view(), triage::TimePoint{}, decision);
        benchmark::DoNotOptimize(decision.outcome);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

template <typename M, typename ToRecord>
std::vector<triage::Record> records_of(const std::vector<M>& mentions, ToRecord to_record) {
    std::vector<triage::Record> out;
    for (const M& m : mentions) out.push_back(to_record(m));
    return out;
}

void BM_Airforce_HandWritten(benchmark::State& s) { hand_written(s, airforce::mentions(), airforce::decide); }
void BM_Airforce_BoundDecide(benchmark::State& s) { bound_decide(s, airforce::flow(), airforce::binding(), airforce::mentions()); }
void BM_Airforce_BoundEvaluate(benchmark::State& s) { bound_evaluate(s, airforce::flow(), airforce::binding(), airforce::mentions()); }
void BM_Airforce_RecordEvaluate(benchmark::State& s) {
    record_evaluate(s, airforce::flow(), records_of(airforce::mentions(), airforce::to_record));
}
BENCHMARK(BM_Airforce_HandWritten);
BENCHMARK(BM_Airforce_BoundDecide);
BENCHMARK(BM_Airforce_BoundEvaluate);
BENCHMARK(BM_Airforce_RecordEvaluate);

void BM_Care_HandWritten(benchmark::State& s) { hand_written(s, care::mentions(), care::decide); }
void BM_Care_BoundDecide(benchmark::State& s) { bound_decide(s, care::flow(), care::binding(), care::mentions()); }
void BM_Care_BoundEvaluate(benchmark::State& s) { bound_evaluate(s, care::flow(), care::binding(), care::mentions()); }
void BM_Care_RecordEvaluate(benchmark::State& s) { record_evaluate(s, care::flow(), records_of(care::mentions(), care::to_record)); }
BENCHMARK(BM_Care_HandWritten);
BENCHMARK(BM_Care_BoundDecide);
BENCHMARK(BM_Care_BoundEvaluate);
BENCHMARK(BM_Care_RecordEvaluate);

void BM_Acme_HandWritten(benchmark::State& s) { hand_written(s, acme::mentions(), acme::decide); }
void BM_Acme_BoundDecide(benchmark::State& s) { bound_decide(s, acme::flow(), acme::binding(), acme::mentions()); }
void BM_Acme_BoundEvaluate(benchmark::State& s) { bound_evaluate(s, acme::flow(), acme::binding(), acme::mentions()); }
void BM_Acme_RecordEvaluate(benchmark::State& s) { record_evaluate(s, acme::flow(), records_of(acme::mentions(), acme::to_record)); }
BENCHMARK(BM_Acme_HandWritten);
BENCHMARK(BM_Acme_BoundDecide);
BENCHMARK(BM_Acme_BoundEvaluate);
BENCHMARK(BM_Acme_RecordEvaluate);

// Non-ASCII text: triage folds it (utf8proc) before the scan; the hand-written code lower-cases
// its ASCII letters as before.
void BM_Acme_NonAscii_HandWritten(benchmark::State& s) { hand_written(s, acme::non_ascii_mentions(), acme::decide); }
void BM_Acme_NonAscii_BoundDecide(benchmark::State& s) {
    bound_decide(s, acme::flow(), acme::binding(), acme::non_ascii_mentions());
}
void BM_Care_NonAscii_HandWritten(benchmark::State& s) { hand_written(s, care::non_ascii_mentions(), care::decide); }
void BM_Care_NonAscii_BoundDecide(benchmark::State& s) {
    bound_decide(s, care::flow(), care::binding(), care::non_ascii_mentions());
}
BENCHMARK(BM_Acme_NonAscii_HandWritten);
BENCHMARK(BM_Acme_NonAscii_BoundDecide);
BENCHMARK(BM_Care_NonAscii_HandWritten);
BENCHMARK(BM_Care_NonAscii_BoundDecide);

// One JSON line to a full Decision, against simdjson parsing the same line and nothing else.
void BM_Care_JsonParseOnly(benchmark::State& state) {
    std::vector<std::string> lines = care::json_lines();
    simdjson::dom::parser parser;
    std::int64_t bytes = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        const std::string& line = lines[i++ % lines.size()];
        simdjson::dom::element doc;
        benchmark::DoNotOptimize(parser.parse(line).get(doc));
        bytes += static_cast<std::int64_t>(line.size());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Care_JsonParseOnly);

void BM_Care_JsonEvaluate(benchmark::State& state) {
    std::vector<std::string> lines = care::json_lines();
    triage::JsonRecordReader reader(care::flow());
    triage::Evaluator evaluator(care::flow());
    triage::Decision decision;
    std::int64_t bytes = 0;
    std::size_t i = 0;
    for (auto _ : state) {
        const std::string& line = lines[i++ % lines.size()];
        if (reader.read(line)) evaluator.evaluate(reader.view(), triage::TimePoint{}, decision);
        benchmark::DoNotOptimize(decision.outcome);
        bytes += static_cast<std::int64_t>(line.size());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Care_JsonEvaluate);

// ---- examples/crisis.flow: the per-mention cost of windows and crisis modes ------------------

namespace crisis {

const triage::Flow& flow() {
    static const triage::Flow f = load_example("crisis.flow");
    return f;
}

struct Mention {
    std::string text;
    std::uint32_t channel = 0;
    double sentiment = 0;
    std::uint32_t topic = 0;
    std::int64_t followers = 0;
    triage::TimePoint posted_at{};
};

// 10,000 mentions; about one in twelve mentions an outage, one in four is negative.
std::vector<Mention>& mentions() {
    static std::vector<Mention> all = [] {
        std::mt19937_64 rng(7);
        const std::vector<std::string> texts = {"the app is down again", "my bag is lost", "thanks for the great service",
                                                "when do you open on sunday", "flight delayed three hours", "love the crew",
                                                "website broken, can't log in", "refund still not here"};
        std::vector<Mention> out;
        for (int i = 0; i < 10000; ++i) {
            Mention m;
            m.text = texts[rng() % texts.size()];
            m.channel = static_cast<std::uint32_t>(rng() % 4);
            m.sentiment = static_cast<double>(rng() % 200) / 100.0 - 1.0;
            m.topic = static_cast<std::uint32_t>(rng() % 5);
            m.followers = static_cast<std::int64_t>(rng() % 100000);
            out.push_back(std::move(m));
        }
        return out;
    }();
    return all;
}

const triage::Binding<Mention>& binding() {
    static const triage::Binding<Mention> b = [] {
        triage::Binding<Mention> bound(flow());
        bound.field<&Mention::text>("text")
            .field("channel", [](const Mention& m) { return triage::FieldValue::of_enum(m.channel); })
            .field<&Mention::sentiment>("sentiment")
            .field("topic", [](const Mention& m) { return triage::FieldValue::of_enum(m.topic); })
            .field<&Mention::followers>("author.followers")
            .field<&Mention::posted_at>("posted_at");
        return bound;
    }();
    return b;
}

// A stream: mention i of the loop is posted 10 s after mention i - 1, whichever record it reuses.
template <typename Evaluate>
void stream(benchmark::State& state, Evaluate evaluate) {
    std::vector<Mention>& all = mentions();
    const triage::TimePoint start = *triage::parse_time("2026-11-20T00:00:00Z");
    std::int64_t i = 0;
    for (auto _ : state) {
        Mention& m = all[static_cast<std::size_t>(i) % all.size()];
        m.posted_at = start + std::chrono::seconds(10 * i++);
        evaluate(binding().view(m), m.posted_at);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

}  // namespace crisis

// Without a monitor each window sees only its own mention (what a window condition costs to
// evaluate); with one, the mention is counted in every window and the crisis modes are updated.
void BM_Crisis_WithoutMonitor(benchmark::State& state) {
    triage::Evaluator evaluator(crisis::flow());
    triage::Decision decision;
    crisis::stream(state, [&](const triage::RecordView& view, triage::TimePoint t) {
        evaluator.evaluate(view, t, decision);
        benchmark::DoNotOptimize(decision.outcome);
    });
}
BENCHMARK(BM_Crisis_WithoutMonitor);

void BM_Crisis_WithMonitor(benchmark::State& state) {
    triage::Evaluator evaluator(crisis::flow());
    triage::Monitor monitor(crisis::flow());
    triage::Decision decision;
    crisis::stream(state, [&](const triage::RecordView& view, triage::TimePoint t) {
        evaluator.evaluate(view, t, decision, monitor);
        benchmark::DoNotOptimize(decision.outcome);
    });
}
BENCHMARK(BM_Crisis_WithMonitor);

// A chain of `steps` questions, each with a keyword test, a comparison and an else.
std::string generated_flow(std::size_t steps) {
    std::string text = "flow \"generated\" version 1\nfields {\n  text: text\n  sentiment: number\n"
                       "  followers: integer\n  channel: one of twitter, facebook, blog\n}\n";
    for (int w = 0; w < 10; ++w) text += fmt::format("words list{0} = \"alpha{0}\", \"beta {0}\", \"gamma{0}\"\n", w);
    text += "start s0\n";
    for (std::size_t i = 0; i < steps; ++i) {
        std::string next = i + 1 < steps ? fmt::format("s{}", i + 1) : "done";
        text += fmt::format("step s{} \"Question {}?\" {{\n  if sentiment < -0.{} and text has any list{} -> o{}\n"
                            "  if channel is twitter and followers > {} -> o{}\n  else -> {}\n}}\n",
                            i, i, i % 9 + 1, i % 10, i % 7, i, (i + 3) % 7, next);
    }
    for (int o = 0; o < 7; ++o) text += fmt::format("outcome o{0} \"Outcome {0}\" {{ respond publicly within 1h\n tag t{0} }}\n", o);
    text += "outcome done \"Done\" { monitor }\n";
    return text;
}

void BM_Compile(benchmark::State& state) {
    const std::string text = generated_flow(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        triage::CompileResult result = triage::compile(text, "generated.flow");
        if (!result.ok()) state.SkipWithError("the generated flow does not compile");
        benchmark::DoNotOptimize(result.flow);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * state.range(0)));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Compile)->Arg(10)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// triage and the hand-written code must agree on every mention, or the comparison means nothing.
template <typename M, typename Decide>
std::size_t disagreements(const triage::Flow& flow, const triage::Binding<M>& binding, const std::vector<M>& mentions,
                          Decide decide) {
    triage::Evaluator evaluator(flow);
    std::string lowered;
    std::size_t count = 0;
    for (const M& m : mentions) {
        std::uint32_t by_triage = evaluator.decide(binding.view(m));
        auto by_hand = static_cast<std::uint32_t>(decide(m, lowered));
        if (by_triage != by_hand) {
            if (count < 5)
                std::fprintf(stderr, "disagree on \"%s\": triage %s, by hand %s\n", m.text.c_str(),
                             flow.outcomes()[by_triage].name.c_str(), flow.outcomes()[by_hand].name.c_str());
            ++count;
        }
    }
    return count;
}

// A non-ASCII twin must be decided as its ASCII text (so that the two timings compare the same
// decisions) and must be non-ASCII (so that its timing is the folded path's).
template <typename M>
std::size_t unlike_twins(const triage::Flow& flow, const triage::Binding<M>& binding, const std::vector<M>& ascii,
                         const std::vector<M>& twins) {
    triage::Evaluator evaluator(flow);
    std::size_t count = 0;
    for (std::size_t i = 0; i < twins.size(); ++i) {
        const std::string& text = twins[i].text;
        const bool folded = std::any_of(text.begin(), text.end(), [](char c) { return (c & 0x80) != 0; });
        const std::uint32_t twin = evaluator.decide(binding.view(twins[i]));
        const std::uint32_t original = evaluator.decide(binding.view(ascii[i]));
        if (!folded || twin != original) {
            if (count < 5)
                std::fprintf(stderr, "non-ASCII twin \"%s\": %s, its ASCII text \"%s\": %s\n", twins[i].text.c_str(),
                             folded ? flow.outcomes()[twin].name.c_str() : "(all ASCII)", ascii[i].text.c_str(),
                             flow.outcomes()[original].name.c_str());
            ++count;
        }
    }
    return count;
}

}  // namespace

int main(int argc, char** argv) {
    if (!airforce::binding().ok() || !care::binding().ok() || !acme::binding().ok()) {
        std::fprintf(stderr, "a benchmark binding does not cover its flow\n");
        return 1;
    }
    std::size_t bad = disagreements(airforce::flow(), airforce::binding(), airforce::mentions(), airforce::decide) +
                      disagreements(care::flow(), care::binding(), care::mentions(), care::decide) +
                      disagreements(acme::flow(), acme::binding(), acme::mentions(), acme::decide) +
                      disagreements(acme::flow(), acme::binding(), acme::non_ascii_mentions(), acme::decide) +
                      disagreements(care::flow(), care::binding(), care::non_ascii_mentions(), care::decide) +
                      unlike_twins(acme::flow(), acme::binding(), acme::mentions(), acme::non_ascii_mentions()) +
                      unlike_twins(care::flow(), care::binding(), care::mentions(), care::non_ascii_mentions());
    if (bad != 0) {
        std::fprintf(stderr,
                     "%zu mentions decided differently by triage and the hand-written baseline, or non-ASCII twins "
                     "decided unlike their ASCII texts\n",
                     bad);
        return 1;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
