// Decisions per second: triage on bound structs, on generic Records and on JSON lines, against
// the same policy hand-written as an if-chain, and against parsing the JSON alone.
//
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTRIAGE_BUILD_BENCH=ON
//   cmake --build build-bench --target triage_bench && build-bench/bench/triage_bench
#include <triage/triage.hpp>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <cctype>
#include <random>

namespace {

const char* const flow_text = R"(flow "Air Force web posting response" version 2
fields {
  text: text
  sentiment: number
  author.followers: integer
  channel: one of twitter, facebook, blog, forum, news
  site.bashing: bool
  facts_wrong: bool
  experience: one of none, negative, positive
}
words about_us = "air force", "usaf", "airman"
words mocking  = "lol", "satire", "joke"
let troll = site.bashing or (sentiment < -0.8 and text has any mocking)
start discovery
step discovery "Has someone discovered a post about us?" {
  if text has any about_us -> assess
  else -> ignore
}
step assess "Is it positive or balanced?" {
  if sentiment >= 0.3 -> let_stand
  if troll -> monitor_only
  if text has any mocking -> monitor_only
  if facts_wrong -> fix_facts
  if experience is negative and channel in [twitter, facebook] -> restore
  else -> ignore
}
outcome monitor_only "Monitor only" { do not respond because "trolls feed on replies"  tag troll  notify "hq" }
outcome fix_facts "Fix the facts" { respond publicly within 4h using "fix-facts"  follow up after 2d }
outcome restore "Restoration" {
  respond privately within 1h
  escalate to "customer-care" within 30m if author.followers >= 10000
}
outcome let_stand "Let stand" { monitor }
outcome ignore "Ignore" { monitor }
)";

enum class Channel { twitter, facebook, blog, forum, news };
enum class Experience { none, negative, positive };
constexpr const char* channel_names[] = {"twitter", "facebook", "blog", "forum", "news"};
constexpr const char* experience_names[] = {"none", "negative", "positive"};

struct Mention {
    std::string text;
    double sentiment;
    long followers;
    Channel channel;
    bool site_bashing;
    bool facts_wrong;
    Experience experience;
};

std::vector<Mention> make_mentions(std::size_t n) {
    static const char* filler[] = {"just", "saw", "the", "new", "post", "about", "flight", "today", "really",
                                   "this", "is", "not", "what", "we", "expected", "thanks", "team", "why"};
    static const char* phrases[] = {"Air Force", "USAF", "airman", "lol", "satire", "joke"};
    std::mt19937_64 rng(42);
    std::vector<Mention> out;
    for (std::size_t i = 0; i < n; ++i) {
        Mention m;
        std::size_t words = 8 + rng() % 24;
        for (std::size_t w = 0; w < words; ++w) {
            if (!m.text.empty()) m.text += ' ';
            m.text += rng() % 10 == 0 ? phrases[rng() % 6] : filler[rng() % 18];
        }
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

triage::Flow compiled_flow() {
    static const triage::Flow flow = *triage::compile(flow_text, "bench.flow").flow;
    return flow;
}

const triage::Binding<Mention>& binding() {
    static const triage::Binding<Mention> b = [] {
        triage::Binding<Mention> bound(compiled_flow());
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

// ---- the same policy, hand-written ----------------------------------------------------------

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Case-insensitive whole-word search, the way a careful host programmer would write it.
bool has_phrase(const std::string& lowered, std::string_view phrase) {
    for (std::size_t at = lowered.find(phrase); at != std::string::npos; at = lowered.find(phrase, at + 1)) {
        bool start_ok = at == 0 || !word_char(lowered[at - 1]);
        std::size_t end = at + phrase.size();
        bool end_ok = end == lowered.size() || !word_char(lowered[end]);
        if (start_ok && end_ok) return true;
    }
    return false;
}

enum HandOutcome { monitor_only, fix_facts, restore, let_stand, ignore };

HandOutcome decide_by_hand(const Mention& m, std::string& lowered) {
    lowered.assign(m.text);
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!(has_phrase(lowered, "air force") || has_phrase(lowered, "usaf") || has_phrase(lowered, "airman")))
        return ignore;
    if (m.sentiment >= 0.3) return let_stand;
    bool mocking = has_phrase(lowered, "lol") || has_phrase(lowered, "satire") || has_phrase(lowered, "joke");
    if (m.site_bashing || (m.sentiment < -0.8 && mocking)) return monitor_only;
    if (mocking) return monitor_only;
    if (m.facts_wrong) return fix_facts;
    if (m.experience == Experience::negative && (m.channel == Channel::twitter || m.channel == Channel::facebook))
        return restore;
    return ignore;
}

// ---- benchmarks ------------------------------------------------------------------------------

void BM_HandWritten(benchmark::State& state) {
    std::string lowered;
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(decide_by_hand(mentions()[i++ % mentions().size()], lowered));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_HandWritten);

void BM_BoundDecide(benchmark::State& state) {
    triage::Evaluator evaluator(compiled_flow());
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(evaluator.decide(binding().view(mentions()[i++ % mentions().size()])));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_BoundDecide);

void BM_BoundEvaluate(benchmark::State& state) {
    triage::Evaluator evaluator(compiled_flow());
    triage::Decision decision;
    const triage::TimePoint now{};
    std::size_t i = 0;
    for (auto _ : state) {
        evaluator.evaluate(binding().view(mentions()[i++ % mentions().size()]), now, decision);
        benchmark::DoNotOptimize(decision.outcome);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_BoundEvaluate);

void BM_RecordEvaluate(benchmark::State& state) {
    triage::Flow flow = compiled_flow();
    std::vector<triage::Record> records;
    for (const Mention& m : mentions()) {
        triage::Record r(flow);
        r.set("text", m.text).set("sentiment", m.sentiment).set("author.followers", m.followers);
        r.set("channel", channel_names[static_cast<int>(m.channel)]).set("site.bashing", m.site_bashing);
        r.set("facts_wrong", m.facts_wrong).set("experience", experience_names[static_cast<int>(m.experience)]);
        records.push_back(std::move(r));
    }
    triage::Evaluator evaluator(flow);
    triage::Decision decision;
    std::size_t i = 0;
    for (auto _ : state) {
        evaluator.evaluate(records[i++ % records.size()].view(), triage::TimePoint{}, decision);
        benchmark::DoNotOptimize(decision.outcome);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RecordEvaluate);

std::vector<std::string> json_lines() {
    std::vector<std::string> lines;
    for (const Mention& m : mentions())
        lines.push_back(fmt::format(
            R"({{"id":"m","text":"{}","sentiment":{},"author":{{"followers":{}}},"channel":"{}","site":{{"bashing":{}}},"facts_wrong":{},"experience":"{}"}})",
            m.text, m.sentiment, m.followers, channel_names[static_cast<int>(m.channel)], m.site_bashing,
            m.facts_wrong, experience_names[static_cast<int>(m.experience)]));
    return lines;
}

void BM_JsonParseOnly(benchmark::State& state) {
    std::vector<std::string> lines = json_lines();
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
BENCHMARK(BM_JsonParseOnly);

void BM_JsonEvaluate(benchmark::State& state) {
    std::vector<std::string> lines = json_lines();
    triage::Flow flow = compiled_flow();
    triage::JsonRecordReader reader(flow);
    triage::Evaluator evaluator(flow);
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
BENCHMARK(BM_JsonEvaluate);

// The evaluator and the hand-written code must agree, or the comparison means nothing.
void BM_CheckAgreement(benchmark::State& state) {
    triage::Evaluator evaluator(compiled_flow());
    std::string lowered;
    std::size_t disagreements = 0;
    for (auto _ : state)
        for (const Mention& m : mentions())
            disagreements += evaluator.decide(binding().view(m)) != static_cast<std::uint32_t>(decide_by_hand(m, lowered));
    state.counters["disagreements"] = static_cast<double>(disagreements);
    if (disagreements != 0) state.SkipWithError("triage and the hand-written policy disagree");
}
BENCHMARK(BM_CheckAgreement)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
