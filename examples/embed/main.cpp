// A host program embedding triage, in its two usual shapes:
// - its own Mention type, bound to the flow once, a loop over mentions, the decisions printed:
//       triage_embed_example examples/airforce.flow
// - a stream of JSON mentions decided with triage::Stream, each decision written as the JSON line
//   `triage run` writes (public headers only; a test compares the two byte for byte):
//       triage_embed_example examples/customer_care.flow examples/mentions.jsonl 2026-11-22T10:00:00Z
// Build: part of the triage CMake project (target triage_embed_example).
#include <triage/triage.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

// The host's own representation of a mention, as its listening tool stores it.
struct Author {
    long followers = 0;
};

struct Mention {
    std::string id;
    std::string text;
    double sentiment = 0;
    Author author;
    std::string channel;
    bool site_bashing = false;
    bool facts_wrong = false;
    std::optional<std::string> experience;  // unknown until someone reads the post
    std::chrono::sys_seconds posted_at;     // not a flow field: the reference time for deadlines
};

Mention mention(std::string id, std::string text, double sentiment, long followers, std::string channel,
                bool site_bashing, bool facts_wrong, std::optional<std::string> experience, int hour, int minute) {
    using namespace std::chrono;
    Mention m;
    m.id = std::move(id);
    m.text = std::move(text);
    m.sentiment = sentiment;
    m.author.followers = followers;
    m.channel = std::move(channel);
    m.site_bashing = site_bashing;
    m.facts_wrong = facts_wrong;
    m.experience = std::move(experience);
    m.posted_at = sys_days{2026y / November / 22} + hours(hour) + minutes(minute);
    return m;
}

std::vector<Mention> todays_mentions() {
    std::vector<Mention> out;
    out.push_back(mention("m-1", "Proud of every airman who flew the relief mission", 0.8, 210, "facebook", false, false, "positive", 8, 5));
    out.push_back(mention("m-2", "The Air Force budget doubled last year, look it up", -0.2, 5400, "forum", false, true, std::nullopt, 8, 40));
    out.push_back(mention("m-3", "lol the USAF can't even run a parade, total joke", -0.9, 35, "twitter", true, false, std::nullopt, 9, 15));
    out.push_back(mention("m-4", "My son's USAF housing request was lost for the third time", -0.6, 18000, "twitter", false, false, "negative", 9, 30));
    out.push_back(mention("m-5", "Great weather for a picnic today", 0.6, 90, "blog", false, false, std::nullopt, 10, 0));
    return out;
}

// Every line of a JSON Lines file, decided in order with a Stream and written as `triage run`
// writes it: a decision, or an error record for a line that is no mention.
int decide_file(const triage::Flow& flow, const char* mentions_path, const char* now) {
    triage::StreamOptions options;
    options.now = triage::parse_time(now);
    if (!options.now) {
        std::fprintf(stderr, "not a date-time: %s\n", now);
        return 2;
    }
    triage::Stream stream(flow, options);
    const triage::DecisionJson decision_json(flow);
    triage::Decision decision;
    triage::JsonWriter error_json;
    std::ifstream in(mentions_path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", mentions_path);
        return 1;
    }
    std::string line, out;
    for (std::uint64_t number = 1; std::getline(in, line); ++number) {
        out.clear();
        if (stream.decide(line, decision)) {
            decision_json.append(out, decision, number, stream.id());
        } else {
            error_json.clear();
            triage::write_error_json(error_json, number, stream.error());
            out = error_json.str();
        }
        std::printf("%s\n", out.c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const char* flow_path = argc > 1 ? argv[1] : "examples/airforce.flow";

    // 1. Compile once. Diagnostics are data; print them the way the CLI does.
    triage::CompileResult compiled = triage::compile_file(flow_path);
    for (const triage::Diagnostic& d : compiled.diagnostics)
        std::fputs(triage::format_text(d, *compiled.sources).c_str(), stderr);
    if (!compiled.ok()) return 1;
    const triage::Flow& flow = *compiled.flow;
    if (argc > 2) return decide_file(flow, argv[2], argc > 3 ? argv[3] : "2026-11-22T10:00:00Z");

    // 2. Describe the host type once; the binding is checked against the flow's fields.
    triage::Binding<Mention> binding(flow);
    binding.field<&Mention::text>("text")
        .field<&Mention::sentiment>("sentiment")
        .field("author.followers", [](const Mention& m) { return m.author.followers; })
        .field<&Mention::channel>("channel")
        .field<&Mention::site_bashing>("site.bashing")
        .field<&Mention::facts_wrong>("facts_wrong")
        .field<&Mention::experience>("experience");
    for (const triage::BindingError& e : binding.errors()) std::fprintf(stderr, "binding: %s\n", e.message.c_str());
    if (!binding.ok()) return 1;

    // 3. Evaluate many: one Evaluator and one reusable Decision per thread.
    triage::Evaluator evaluator(flow);
    triage::Decision decision;
    for (const Mention& m : todays_mentions()) {
        // Deadlines count from the mention's own time.
        evaluator.evaluate(binding.view(m), triage::TimePoint(m.posted_at), decision);
        if (!decision.decided()) {
            std::printf("%s: no outcome (step '%s' has no else)\n", m.id.c_str(),
                        flow.steps()[*decision.fell_through_at()].name.c_str());
            continue;
        }
        const triage::Outcome& outcome = flow.outcomes()[decision.outcome];
        std::printf("%s: %s (%s)\n", m.id.c_str(), outcome.title.c_str(), outcome.name.c_str());
        for (const triage::DecidedAction& a : decision.actions) std::printf("    %s\n", triage::describe(a).c_str());
    }
    return 0;
}
