// `triage diff OLD.flow NEW.flow --mentions FILE.jsonl`: what a change to a flow does to real
// mentions — the pull-request impact report; with `--prove`, to every possible mention.
#include "commands.hpp"
#include "error_allowance.hpp"
#include "files.hpp"
#include "flow_loading.hpp"
#include "late_mentions.hpp"

#include "triage/decision_format.hpp"
#include "triage/json_writer.hpp"
#include "triage/prove.hpp"
#include "triage/stream.hpp"

#include <fmt/format.h>

#include <cstring>
#include <map>

namespace triage::cli {

namespace {

struct DiffOptions {
    std::string old_flow;
    std::string new_flow;
    std::string mentions;
    std::string format = "text";
    std::size_t show = 10;
    bool fail_on_change = false;
    bool prove = false;
    StreamFlags stream;
    std::string color = "auto";
    ErrorAllowance max_errors;
};

constexpr int exit_changed = 3;
constexpr int exit_unknown = 4;  // --prove: neither a proof nor a mention decided differently

// What one side decided for one line, kept until the other side has decided it too (with
// --reorder each side decides in its own clock's order).
struct Result {
    bool ok = false;
    std::uint32_t outcome = no_outcome;
    std::vector<PathEntry> path;
    std::string id;     // as JSON text
    std::string error;  // when not ok
};

struct Both {
    Result old_result, new_result;
    bool old_done = false, new_done = false;
};

// One side of the comparison: a flow decided as `triage run` decides it.
struct Side {
    Side(const Flow& flow, const StreamOptions& options) : stream(flow, options) {}
    Stream stream;
    Decision decision;

    [[nodiscard]] const Flow& flow() const { return stream.flow(); }
    [[nodiscard]] std::string_view outcome(const Result& r) const {
        return r.outcome != no_outcome ? std::string_view(flow().outcomes()[r.outcome].name) : "(no outcome)";
    }
    [[nodiscard]] std::string path(const Result& r) const {
        std::string out;
        for (const PathEntry& p : r.path) {
            const Step& step = flow().steps()[p.step];
            std::string_view branch = p.branch < step.branches.size()
                                          ? flow().condition_text(step.branches[p.branch].condition)
                                          : std::string_view("else");
            out += fmt::format("{} [{}] -> ", step.name, branch);
        }
        return out + std::string(outcome(r));
    }
    // What the Stream says of a line, as it decides it, into `r`.
    void keep(bool ok, Result& r) const {
        r.ok = ok;
        if (!ok) {
            r.error = stream.error();
            return;
        }
        r.outcome = decision.outcome;
        r.path.assign(decision.path.begin(), decision.path.end());
        r.id = stream.id();
    }
};

struct Changed {
    std::uint64_t line;
    std::string id;
    std::string old_outcome, new_outcome, old_path, new_path;
};

// What the comparison found, line by line as both sides decide.
struct Comparison {
    std::map<std::pair<std::string, std::string>, std::uint64_t> moves;  // old → new outcome, changed only
    std::vector<Changed> shown;  // the first --show changed lines
    std::uint64_t total = 0, changed = 0;
    ErrorTally errors;

    // One line both sides have decided: `was` by `before`, `is` by `after`.
    void add(std::uint64_t line, const Side& before, const Result& was, const Side& after, const Result& is,
             std::size_t show) {
        if (!was.ok || !is.ok) {
            // The new flow's reason, or the old one's when only it could not read the line.
            errors.add(line, !is.ok ? is.error : "old flow: " + was.error);
            return;
        }
        const std::string_view from = before.outcome(was), to = after.outcome(is);
        if (from == to) return;
        ++changed;
        ++moves[{std::string(from), std::string(to)}];
        if (shown.size() < show)
            shown.push_back({line, is.id, std::string(from), std::string(to), before.path(was), after.path(is)});
    }
};

// The impact report for scripts: {"mentions", "changed", "errors", the error reasons, "moves":
// [{"from", "to", "count"}], "examples": [{"line", "id", "from", "to", "old_path", "new_path"}],
// "files": {"old", "new", "mentions"}}.
void print_json(const Comparison& c, const DiffOptions& options) {
    JsonWriter json;
    json.begin_object();
    json.key("mentions").number(static_cast<std::int64_t>(c.total));
    json.key("changed").number(static_cast<std::int64_t>(c.changed));
    json.key("errors").number(static_cast<std::int64_t>(c.errors.total()));
    write_error_reasons(json, c.errors);
    json.key("moves").begin_array();
    for (const auto& [move, count] : c.moves)
        json.begin_object().key("from").string(move.first).key("to").string(move.second)
            .key("count").number(static_cast<std::int64_t>(count)).end_object();
    json.end_array();
    json.key("examples").begin_array();
    for (const Changed& ch : c.shown) {
        json.begin_object().key("line").number(static_cast<std::int64_t>(ch.line));
        if (!ch.id.empty()) json.key("id").raw(ch.id);
        json.key("from").string(ch.old_outcome).key("to").string(ch.new_outcome);
        json.key("old_path").string(ch.old_path).key("new_path").string(ch.new_path).end_object();
    }
    json.end_array();
    json.key("files").begin_object().key("old").string(options.old_flow).key("new").string(options.new_flow);
    json.key("mentions").string(options.mentions == "-" ? "<stdin>" : options.mentions).end_object();
    json.end_object();
    fmt::print("{}\n", json.str());
}

// The impact report for people: how many changed, the files compared, the moves between outcomes, the changed lines
// with both paths.
void print_text(const Comparison& c, const DiffOptions& options) {
    fmt::print("{} of {} mentions change outcome ({:.1f}%){}\n", c.changed, c.total,
               c.total == 0 ? 0.0 : 100.0 * static_cast<double>(c.changed) / static_cast<double>(c.total),
               c.errors.total() > 0 ? fmt::format("; {} lines could not be read", c.errors.total()) : "");
    fmt::print("  old flow: {}\n  new flow: {}\n  mentions: {}\n", terminal_text(options.old_flow),
               terminal_text(options.new_flow), options.mentions == "-" ? "<stdin>" : terminal_text(options.mentions));
    if (!c.moves.empty()) {
        std::size_t width = 3;
        for (const auto& [move, count] : c.moves) width = std::max(width, move.first.size());
        fmt::print("\n  {:<{}}  ->  {}\n", "old", width, "new (mentions)");
        for (const auto& [move, count] : c.moves) fmt::print("  {:<{}}  ->  {} ({})\n", move.first, width, move.second, count);
    }
    for (const Changed& ch : c.shown) {
        fmt::print("\nline {}{}: {} -> {}\n", ch.line, ch.id.empty() ? "" : " id " + ch.id, ch.old_outcome, ch.new_outcome);
        fmt::print("  before: {}\n  after:  {}\n", ch.old_path, ch.new_path);
    }
}

// A decision's path and outcome as print_text shows them: each step and the branch it took.
std::string path_text(const Flow& flow, const Decision& d) {
    std::string out;
    for (const PathEntry& p : d.path) {
        const Step& step = flow.steps()[p.step];
        if (p.branch >= step.branches.size() && !step.otherwise) return out + fmt::format("{} [no branch matched] -> (no outcome)", step.name);
        const std::string_view branch = p.branch < step.branches.size() ? flow.condition_text(step.branches[p.branch].condition)
                                                                        : std::string_view("else");
        out += fmt::format("{} [{}] -> ", step.name, branch);
    }
    return out + (d.decided() ? flow.outcomes()[d.outcome].name : "(no outcome)");
}

std::string actions_text(const Decision& d) {
    std::vector<std::string> out;
    for (const DecidedAction& a : d.actions) out.push_back(describe(a));
    return out.empty() ? "none" : fmt::format("{}", fmt::join(out, "; "));
}

// `--prove`: exit 0 with a proof, 3 with a mention decided differently, 4 when neither was found.
int prove(const Flow& old_flow, const Flow& new_flow, const DiffOptions& options) {
    const DecisionProof proof = prove_same_decisions(old_flow, new_flow, compile_options().limits);
    const std::string_view verdict = proof.verdict == ProofVerdict::same ? "same" : proof.verdict == ProofVerdict::differs ? "differs" : "unknown";
    if (options.format == "json") {
        JsonWriter json;
        json.begin_object().key("verdict").string(verdict);
        if (proof.verdict == ProofVerdict::unknown) json.key("reason").string(proof.reason);
        if (proof.verdict == ProofVerdict::differs) {
            json.key("mention").raw(proof.mention);
            for (const auto& [name, flow, d] : {std::tuple{"old", &old_flow, &proof.old_decision}, std::tuple{"new", &new_flow, &proof.new_decision}}) {
                json.key(name).begin_object();
                if (d->decided()) json.key("outcome").string(flow->outcomes()[d->outcome].name);
                else json.key("outcome").null();
                json.key("path").string(path_text(*flow, *d));
                json.key("actions").begin_array();
                for (const DecidedAction& a : d->actions) json.string(describe(a));
                json.end_array().end_object();
            }
        }
        json.key("files").begin_object().key("old").string(options.old_flow).key("new").string(options.new_flow).end_object();
        fmt::print("{}\n", json.end_object().str());
    } else if (proof.verdict == ProofVerdict::same) {
        fmt::print("no mention is decided differently (proved by the solver: same outcome, path and actions)\n");
    } else if (proof.verdict == ProofVerdict::differs) {
        fmt::print("a mention decided differently (found by the solver, decided by both flows):\n  {}\n", proof.mention);
        fmt::print("  before: {}\n          actions: {}\n", path_text(old_flow, proof.old_decision), actions_text(proof.old_decision));
        fmt::print("  after:  {}\n          actions: {}\n", path_text(new_flow, proof.new_decision), actions_text(proof.new_decision));
    } else {
        fmt::print("unknown: {}\n", proof.reason);
    }
    if (options.format == "text" && proof.verdict != ProofVerdict::unknown)
        fmt::print("  old flow: {}\n  new flow: {}\n", terminal_text(options.old_flow), terminal_text(options.new_flow));
    return proof.verdict == ProofVerdict::same ? exit_ok : proof.verdict == ProofVerdict::differs ? exit_changed : exit_unknown;
}

int diff(const DiffOptions& options) {
    std::optional<Flow> old_flow = load_flow(options.old_flow, options.color);
    std::optional<Flow> new_flow = load_flow(options.new_flow, options.color);
    if (!old_flow || !new_flow) return exit_failure;
    if (options.prove) return prove(*old_flow, *new_flow, options);
    std::optional<StreamOptions> old_options = stream_options(*old_flow, options.stream);
    std::optional<StreamOptions> new_options = stream_options(*new_flow, options.stream);
    if (!old_options || !new_options) return exit_usage;
    std::optional<InputFile> in = InputFile::open(options.mentions);
    if (!in) return exit_failure;
    // Both sides see every line, so that each one's windows count what a run of its flow counts.
    if (!old_flow->keeps_state()) note_reorder_without_effect(*new_flow, options.stream);
    Side before(*old_flow, *old_options), after(*new_flow, *new_options);
    LineReader lines(file_source(in->get()), new_options->json.max_line_bytes);
    Comparison comparison;
    InputOrder<Both> both;
    const Stream::Decided old_decided = [&](std::uint64_t line, bool ok) {
        Both& b = both.at(line);
        before.keep(ok, b.old_result);
        b.old_done = true;
        if (b.new_done) both.done(line);
    };
    const Stream::Decided new_decided = [&](std::uint64_t line, bool ok) {
        Both& b = both.at(line);
        after.keep(ok, b.new_result);
        b.new_done = true;
        if (b.old_done) both.done(line);
    };
    // The lines both sides have decided, in input order.
    auto compare = [&] {
        for (; both.ready(); both.pop()) {
            Both& b = both.front();
            b.old_done = b.new_done = false;
            comparison.add(both.front_line(), before, b.old_result, after, b.new_result, options.show);
        }
    };
    while (std::optional<LineReader::Line> line = lines.next()) {
        ++comparison.total;
        before.stream.feed(*line, before.decision, old_decided);
        after.stream.feed(*line, after.decision, new_decided);
        compare();
    }
    before.stream.finish(before.decision, old_decided);
    after.stream.finish(after.decision, new_decided);
    compare();
    if (lines.error() != 0) {
        fmt::print(stderr, "triage: reading '{}' failed after line {}: {}\n", options.mentions, lines.lines(),
                   std::strerror(lines.error()));
        return exit_failure;
    }

    if (options.format == "json") print_json(comparison, options);
    else print_text(comparison, options);
    for (const auto& [side, name] : {std::pair<const Side*, std::string_view>{&before, "old flow"}, {&after, "new flow"}}) {
        print_reorder_summary(side->stream, name);
        if (const Monitor* monitor = side->stream.monitor())
            note_late(side->stream, monitor->stats().late, monitor->stats().mentions, name);
    }
    print_error_reasons(comparison.errors);
    if (!errors_allowed(options.max_errors, comparison.errors.total(), comparison.total)) return exit_failure;
    return comparison.changed > 0 && options.fail_on_change ? exit_changed : exit_ok;
}

}  // namespace

std::function<int()> add_diff_command(CLI::App& app) {
    auto options = std::make_shared<DiffOptions>();
    CLI::App* cmd = app.add_subcommand("diff", "Compare two versions of a flow on the same mentions");
    cmd->add_option("old", options->old_flow, "The flow before the change")->required();
    cmd->add_option("new", options->new_flow, "The flow after the change")->required();
    CLI::Option* mentions = cmd->add_option("-m,--mentions", options->mentions, "JSON Lines mentions to decide with both (- for standard input)");
    cmd->add_flag("--prove", options->prove, "Without mentions: prove with the solver that no mention is decided differently, or find one that is")
        ->excludes(mentions);
    cmd->add_option("--format", options->format, "Report format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
    cmd->add_option("--show", options->show, "How many changed mentions to show with both paths")->capture_default_str();
    cmd->add_flag("--fail-on-change", options->fail_on_change, "Exit with status 3 when any outcome changed");
    add_stream_flags(*cmd, options->stream);
    add_reorder_option(*cmd, options->stream);
    add_max_errors_option(*cmd, options->max_errors);
    cmd->add_option("--color", options->color, "Colour diagnostics")->check(CLI::IsMember({"auto", "always", "never"}));
    cmd->footer("Lines that either flow cannot read are counted as errors, not as changes; more of them than "
                "--max-errors allows (default 0) is exit status 1. With --prove: exit status 0 when no mention is "
                "decided differently, 3 with a mention that is, 4 when the solver could tell neither.");
    return [options] {
        if (!options->prove && options->mentions.empty()) {
            fmt::print(stderr, "triage: error: diff needs --mentions FILE.jsonl (or --prove)\n");
            return static_cast<int>(exit_usage);
        }
        return diff(*options);
    };
}

}  // namespace triage::cli
