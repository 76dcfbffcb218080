// `triage gen FLOW --count N --seed S`: deterministic synthetic mentions for a flow's fields,
// for benchmarks and load tests. Text mixes filler words with phrases from the flow's own word
// lists, so keyword branches are exercised; about 5% of values are left out.
#include "commands.hpp"
#include "flow_loading.hpp"

#include "triage/json_writer.hpp"
#include "triage/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>

namespace triage::cli {

namespace {

struct GenOptions {
    std::string flow;
    std::uint64_t count = 1000;
    std::uint64_t seed = 1;
};

// splitmix64: tiny, fast, and the same sequence on every platform.
struct Random {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

constexpr const char* filler[] = {
    "just",  "saw",   "the",    "new",   "post",   "about",  "flight", "today", "really", "this",
    "is",    "not",   "what",   "we",    "expected", "thanks", "team",  "why",   "again",  "still",
    "waiting", "great", "service", "delay", "support", "update", "please", "help", "our",   "story"};

// Field names grouped by their dotted prefix, to write nested objects.
struct Node {
    std::map<std::string, Node> children;
    const Field* field = nullptr;
};

// A flow with a clock reads a stream: its clock field advances 0-39 s per mention from here.
struct StreamClock {
    std::optional<std::uint32_t> field;
    TimePoint now = *parse_time("2026-11-01T00:00:00Z");
};

void write_value(JsonWriter& json, const Field& f, const Flow& flow, Random& rng, StreamClock& clock) {
    switch (f.type) {
    case FieldType::text: {
        std::string text;
        std::size_t words = 4 + rng.below(16);
        for (std::size_t i = 0; i < words; ++i) {
            if (!text.empty()) text += ' ';
            if (!flow.word_lists().empty() && rng.below(8) == 0) {
                const WordList& list = flow.word_lists()[rng.below(flow.word_lists().size())];
                text += list.phrases[rng.below(list.phrases.size())];
            } else {
                text += filler[rng.below(std::size(filler))];
            }
        }
        json.string(text);
        break;
    }
    case FieldType::number: json.number(std::round((rng.unit() * 2 - 1) * 100) / 100); break;
    case FieldType::integer: json.number(static_cast<std::int64_t>(std::pow(10.0, rng.unit() * 6))); break;
    case FieldType::boolean: json.boolean(rng.below(5) == 0); break;
    case FieldType::enumeration: json.string(f.values[rng.below(f.values.size())]); break;
    case FieldType::time: {
        if (clock.field && &flow.fields()[*clock.field] == &f) {
            clock.now += std::chrono::seconds(rng.below(40));
            json.string(format_time(clock.now));
            break;
        }
        TimePoint base = *parse_time("2026-11-01T00:00:00Z");
        json.string(format_time(base + std::chrono::seconds(rng.below(30 * 86400))));
        break;
    }
    }
}

void write_object(JsonWriter& json, const Node& node, const Flow& flow, Random& rng, StreamClock& clock) {
    for (const auto& [name, child] : node.children) {
        if (child.field != nullptr) {
            if (rng.below(20) == 0) continue;  // a missing field
            json.key(name);
            write_value(json, *child.field, flow, rng, clock);
        } else {
            json.key(name).begin_object();
            write_object(json, child, flow, rng, clock);
            json.end_object();
        }
    }
}

int gen(const GenOptions& options) {
    std::optional<Flow> flow = load_flow(options.flow, "auto");
    if (!flow) return exit_failure;
    Node root;
    for (const Field& f : flow->fields()) {
        Node* node = &root;
        std::string_view name = f.name;
        for (std::size_t dot; (dot = name.find('.')) != std::string_view::npos; name.remove_prefix(dot + 1))
            node = &node->children[std::string(name.substr(0, dot))];
        node->children[std::string(name)].field = &f;
    }
    Random rng{options.seed};
    StreamClock clock;
    if (flow->clock()) clock.field = flow->clock()->field;
    JsonWriter json;
    std::string buffer;
    for (std::uint64_t i = 1; i <= options.count; ++i) {
        json.clear();
        json.begin_object();
        json.key("id").string(fmt::format("g-{}", i));
        write_object(json, root, *flow, rng, clock);
        json.end_object();
        buffer += json.str();
        buffer += '\n';
        if (buffer.size() > (1u << 20)) {
            std::fwrite(buffer.data(), 1, buffer.size(), stdout);
            buffer.clear();
        }
    }
    std::fwrite(buffer.data(), 1, buffer.size(), stdout);
    return exit_ok;
}

}  // namespace

std::function<int()> add_gen_command(CLI::App& app) {
    auto options = std::make_shared<GenOptions>();
    CLI::App* cmd = app.add_subcommand("gen", "Write deterministic synthetic mentions for a flow (JSON Lines)");
    cmd->add_option("flow", options->flow, "The flow whose fields to fill")->required();
    cmd->add_option("-n,--count", options->count, "How many mentions (at most 10^12)")
        ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1'000'000'000'000}))
        ->capture_default_str();
    cmd->add_option("--seed", options->seed, "Seed: the same seed gives the same mentions")->capture_default_str();
    return [options] { return gen(*options); };
}

}  // namespace triage::cli
