// `triage gen FLOW --count N --seed S [--text-length MIN-MAX]`: deterministic synthetic mentions
// for a flow's fields, for benchmarks and load tests. Text mixes filler words with phrases from the
// flow's own word lists and `contains` tests, so text branches are exercised; about 5% of values
// are left out.
#include "commands.hpp"
#include "flow_loading.hpp"
#include "path_cover.hpp"

#include "triage/flow_phrases.hpp"
#include "triage/json_writer.hpp"
#include "triage/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace triage::cli {

namespace {

// How long texts are, in characters (code points); both ends count.
struct LengthRange {
    std::size_t min = 0;
    std::size_t max = 0;
};

constexpr std::size_t longest_text = 1'000'000;

// "MIN-MAX" (or "N", for exactly N), 1 <= MIN <= MAX <= longest_text.
std::optional<LengthRange> parse_length_range(std::string_view spec) {
    auto number = [](std::string_view s) -> std::optional<std::size_t> {
        std::size_t n = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
        return n;
    };
    const std::size_t dash = spec.find('-');
    std::optional<std::size_t> min = number(spec.substr(0, dash));
    std::optional<std::size_t> max = dash == std::string_view::npos ? min : number(spec.substr(dash + 1));
    if (!min || !max || *min < 1 || *min > *max || *max > longest_text) return std::nullopt;
    return LengthRange{*min, *max};
}

struct GenOptions {
    std::string flow;
    std::uint64_t count = 1000;
    std::uint64_t seed = 1;
    std::optional<LengthRange> text_length;  // else 4-19 words
    bool cover = false;                      // one mention per path instead (--cover)
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

// What texts are made of besides filler: the phrases the flow's text tests look for.
struct Vocabulary {
    std::span<const WordList> lists;
    std::vector<std::string_view> contained;  // of `contains` tests, drawn as if one more list
};

// A filler word, or one time in eight a phrase of one of the flow's word lists or `contains`
// tests. (A flow without `contains` draws the same numbers as before they were drawn from.)
std::string_view next_word(const Vocabulary& words, Random& rng) {
    const std::size_t groups = words.lists.size() + (words.contained.empty() ? 0 : 1);
    if (groups != 0 && rng.below(8) == 0) {
        const std::size_t group = rng.below(groups);
        if (group == words.lists.size()) return words.contained[rng.below(words.contained.size())];
        const WordList& list = words.lists[group];
        return list.phrases[rng.below(list.phrases.size())];
    }
    return filler[rng.below(std::size(filler))];
}

std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Words up to a length drawn from `range`, in code points. A word that does not fit is replaced
// by a filler word (ASCII, so that cutting it cuts no character in two), cut if it does not fit either.
std::string text_of_length(const Vocabulary& words, Random& rng, LengthRange range) {
    const std::size_t length = range.min + rng.below(range.max - range.min + 1);
    std::string text;
    for (std::size_t have = 0; have < length;) {
        std::string_view separator = text.empty() ? "" : " ";
        const std::size_t room = length - have;
        std::string_view word = next_word(words, rng);
        if (separator.size() + code_points(word) > room) {
            word = filler[rng.below(std::size(filler))];
            if (room == separator.size()) {  // one character left after a word
                separator = "";
                word = ".";
            } else if (separator.size() + word.size() > room) {
                word = word.substr(0, room - separator.size());
            }
        }
        text.append(separator).append(word);
        have += separator.size() + code_points(word);
    }
    return text;
}

// What writing a mention reads and advances.
struct Generator {
    const Flow& flow;
    Vocabulary words;
    Random rng;
    StreamClock clock;
};

void write_value(JsonWriter& json, const Field& f, Generator& gen, const GenOptions& options) {
    Random& rng = gen.rng;
    switch (f.type) {
    case FieldType::text: {
        if (options.text_length) {
            json.string(text_of_length(gen.words, rng, *options.text_length));
            break;
        }
        std::string text;
        std::size_t words = 4 + rng.below(16);
        for (std::size_t i = 0; i < words; ++i) {
            if (!text.empty()) text += ' ';
            text += next_word(gen.words, rng);
        }
        json.string(text);
        break;
    }
    case FieldType::number: json.number(std::round((rng.unit() * 2 - 1) * 100) / 100); break;
    case FieldType::integer: json.number(static_cast<std::int64_t>(std::pow(10.0, rng.unit() * 6))); break;
    case FieldType::boolean: json.boolean(rng.below(5) == 0); break;
    case FieldType::enumeration: json.string(f.values[rng.below(f.values.size())]); break;
    case FieldType::time: {
        if (gen.clock.field && &gen.flow.fields()[*gen.clock.field] == &f) {
            gen.clock.now += std::chrono::seconds(rng.below(40));
            json.string(format_time(gen.clock.now));
            break;
        }
        TimePoint base = *parse_time("2026-11-01T00:00:00Z");
        json.string(format_time(base + std::chrono::seconds(rng.below(30 * 86400))));
        break;
    }
    }
}

void write_object(JsonWriter& json, const Node& node, Generator& gen, const GenOptions& options) {
    for (const auto& [name, child] : node.children) {
        if (child.field != nullptr) {
            if (gen.rng.below(20) == 0) continue;  // a missing field
            json.key(name);
            write_value(json, *child.field, gen, options);
        } else {
            json.key(name).begin_object();
            write_object(json, child, gen, options);
            json.end_object();
        }
    }
}

int gen(const GenOptions& options) {
    std::optional<Flow> flow = load_flow(options.flow, "auto");
    if (!flow) return exit_failure;
    if (options.cover) {
        const std::optional<CoverReport> report = cover_for_cli(*flow);
        if (!report) return exit_failure;
        const std::string lines = cover_jsonl(*flow, report->covered);
        std::fwrite(lines.data(), 1, lines.size(), stdout);
        return exit_ok;
    }
    Node root;
    for (const Field& f : flow->fields()) {
        Node* node = &root;
        std::string_view name = f.name;
        for (std::size_t dot; (dot = name.find('.')) != std::string_view::npos; name.remove_prefix(dot + 1))
            node = &node->children[std::string(name.substr(0, dot))];
        node->children[std::string(name)].field = &f;
    }
    Generator gen{*flow, {flow->word_lists(), contains_phrases(*flow)}, Random{options.seed}, {}};
    if (flow->clock()) gen.clock.field = flow->clock()->field;
    JsonWriter json;
    std::string buffer;
    for (std::uint64_t i = 1; i <= options.count; ++i) {
        json.clear();
        json.begin_object();
        json.key("id").string(fmt::format("g-{}", i));
        write_object(json, root, gen, options);
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
    cmd->add_option_function<std::string>(
           "--text-length",
           [options](const std::string& spec) { options->text_length = parse_length_range(spec); },
           "Texts of MIN to MAX characters (default: 4 to 19 words)")
        ->type_name("MIN-MAX")
        ->check([](const std::string& spec) {
            return parse_length_range(spec) ? std::string()
                                            : fmt::format("expected MIN-MAX with 1 <= MIN <= MAX <= {}, not '{}'",
                                                          longest_text, spec);
        });
    cmd->add_flag("--cover", options->cover,
                  "Instead: one mention per path through the flow, found by the solver and decided by the evaluator, "
                  "with its path, outcome and the crisis modes it needs (paths without one are said on stderr)");
    return [options] { return gen(*options); };
}

}  // namespace triage::cli
