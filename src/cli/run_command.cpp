// `triage run FLOW [MENTIONS.jsonl|-]`: one JSON decision per input line, in input order.
// The deciding is the library's (triage::run_stream); this command picks the files, keeps
// --state, shows progress and prints the summary.
#include "commands.hpp"
#include "error_allowance.hpp"
#include "flow_loading.hpp"
#include "files.hpp"
#include "late_mentions.hpp"

#include "triage/decision_format.hpp"
#include "triage/json_writer.hpp"
#include "triage/stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <unistd.h>

namespace triage::cli {

namespace {

struct RunOptions {
    std::string flow;
    std::string input = "-";
    std::string output = "-";
    unsigned jobs = 0;
    bool strict = false;
    StreamFlags stream;
    std::string color = "auto";
    std::string traffic;
    std::string state;
    std::size_t chunk_size = 1 << 20;
    bool matches = false;
    ErrorAllowance max_errors;
    ErrorAllowance max_late;
    bool quiet = false;        // -q: no progress, no summary; problems only
    bool no_progress = false;
};

class Progress {
public:
    Progress(std::uintmax_t input_size, bool wanted)
        : enabled_(wanted && isatty(STDERR_FILENO) != 0), input_size_(input_size) {}
    void update(std::uint64_t lines, std::uint64_t bytes) {
        if (!enabled_) return;
        auto now = std::chrono::steady_clock::now();
        if (now - shown_ < std::chrono::milliseconds(100)) return;
        shown_ = now;
        double seconds = std::chrono::duration<double>(now - started_).count();
        double rate = seconds > 0 ? static_cast<double>(lines) / seconds : 0.0;
        if (input_size_ > 0) {
            double done = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(input_size_));
            auto filled = static_cast<std::size_t>(done * 30);
            fmt::print(stderr, "\r[{}{}] {:3.0f}%  {} mentions, {:.0f}/s", std::string(filled, '#'),
                       std::string(30 - filled, '.'), done * 100, lines, rate);
        } else {
            fmt::print(stderr, "\r{} mentions, {:.0f}/s", lines, rate);
        }
    }
    ~Progress() {
        if (enabled_) fmt::print(stderr, "\r\x1b[K");
    }

private:
    bool enabled_;
    std::uintmax_t input_size_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point shown_{};
};

void print_state_summary(const Monitor& monitor) {
    const MonitorStats stats = monitor.stats();
    fmt::print(stderr, "state: {} late and {} dated in the future (not counted), {} without a time, {} group{} held, {} dropped",
               stats.late, stats.future, stats.without_time, stats.groups, stats.groups == 1 ? "" : "s",
               stats.groups_dropped);
    for (std::size_t i = 0; i < monitor.crises().size(); ++i) {
        const CrisisState& c = monitor.crises()[i];
        if (c.active && !monitor.flow().crises()[i].group)
            fmt::print(stderr, "; crisis {} active since {}", monitor.flow().crises()[i].name, format_time(c.since));
    }
    for (const CrisisGroup& g : stats.crisis_groups)
        fmt::print(stderr, "; crisis {} for {} active since {}", monitor.flow().crises()[g.crisis].name, g.group,
                   format_time(g.state.since));
    if (stats.crisis_groups_dropped > 0)
        fmt::print(stderr, "; {} group{} could not enter a crisis (--limit groups)", stats.crisis_groups_dropped,
                   stats.crisis_groups_dropped == 1 ? "" : "s");
    fmt::print(stderr, "\n");
}

// Before anything is read or written: an output that is an input would destroy it.
bool run_outputs_spare_inputs(const Flow& flow, const RunOptions& options) {
    std::vector<NamedPath> inputs = flow_inputs(flow);
    inputs.push_back({"the mentions", options.input});
    std::vector<NamedPath> outputs{{"-o", options.output}};
    if (!options.traffic.empty()) outputs.push_back({"--traffic", options.traffic});
    if (!options.state.empty()) outputs.push_back({"--state", options.state});
    return outputs_spare_inputs(inputs, outputs);
}

// Decides every line of `in` into `out` on --jobs threads (all cores by default), showing progress.
StreamSummary decide_all(Stream& stream, const InputFile& in, OutputFile& out, const RunOptions& options) {
    unsigned jobs = options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    if (stream.monitor() != nullptr && options.jobs > 1 && !options.quiet)
        fmt::print(stderr, "triage: note: the flow keeps state (windows, crises), so mentions are decided in "
                           "order on one thread; -j {} is not used\n", options.jobs);
    note_reorder_without_effect(stream.flow(), options.stream);
    Progress progress(in.size(), !options.quiet && !options.no_progress);
    RunStreamOptions run_options;
    run_options.jobs = jobs;
    run_options.chunk_size = options.chunk_size;
    run_options.strict = options.strict;
    run_options.sink = [&out](std::string_view lines) { return out.write(lines); };
    run_options.progress = [&progress](std::uint64_t lines, std::uint64_t bytes) { progress.update(lines, bytes); };
    return run_stream(stream, file_source(in.get()), run_options);
}

// Why the stream stopped early, if it did: --strict met a bad line, or the input failed.
bool stopped_early(const StreamSummary& summary, const RunOptions& options) {
    bool stopped = false;
    if (summary.strict_line != 0) {
        fmt::print(stderr, "triage: line {}: {} (--strict stops here)\n", summary.strict_line,
                   terminal_text(summary.strict_error));
        stopped = true;
    }
    if (summary.read_error != 0) {
        fmt::print(stderr, "triage: reading '{}' failed after line {}: {}\n", options.input, summary.lines,
                   std::strerror(summary.read_error));
        stopped = true;
    }
    return stopped;
}

// "N mentions: outcome count, ..., no outcome N, errors N" on stderr.
void print_outcome_counts(const Flow& flow, const StreamSummary& summary) {
    const Traffic& traffic = summary.traffic;
    const std::uint64_t total = traffic.mentions + summary.errors;
    fmt::print(stderr, "{} mention{}:", total, total == 1 ? "" : "s");
    for (std::size_t i = 0; i < traffic.outcome_counts.size(); ++i)
        if (traffic.outcome_counts[i] > 0) fmt::print(stderr, " {} {},", flow.outcomes()[i].name, traffic.outcome_counts[i]);
    fmt::print(stderr, " no outcome {}, errors {}\n", traffic.fell_through, summary.errors);
}

// A field that every mention lacked where a question read it is most likely named otherwise in
// the export (Mastodon's `content`, Reddit's `body`, an API's envelope around its posts): each
// was decided as if it had no text, silently but for the decisions' "missing".
void print_fields_never_present(const Flow& flow, const Traffic& traffic) {
    if (traffic.mentions == 0) return;
    for (std::size_t i = 0; i < traffic.missing_counts.size(); ++i)
        if (traffic.missing_counts[i] == traffic.mentions)
            fmt::print(stderr,
                       "triage: note: {} lacked the field '{}' where the flow asked about it; if the export names "
                       "it otherwise, read it with --fields KEY={}\n",
                       traffic.mentions == 1 ? "the mention" : fmt::format("all {} mentions", traffic.mentions),
                       flow.fields()[i].name, flow.fields()[i].name);
}

// Whether the flow could list `spelling` as a one-of value: a name (letters, digits, '_').
bool is_value_name(std::string_view spelling) {
    const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    return !spelling.empty() && letter(spelling[0]) &&
           std::all_of(spelling.begin(), spelling.end(), [&](char c) { return letter(c) || (c >= '0' && c <= '9'); });
}

// One-of values match exactly, so an export's "Twitter" or "review-site" is none of twitter and
// review_site and those mentions take another branch, silently: one note per value so spelt.
// Triage maps keys (--fields) but not values, so the fix is in the export or the flow.
void print_near_misses(const Flow& flow, const Traffic& traffic) {
    for (std::size_t f = 0; f < traffic.near_misses.size(); ++f)
        for (std::size_t v = 0; v < traffic.near_misses[f].size(); ++v) {
            const NearMissCount& n = traffic.near_misses[f][v];
            if (n.mentions == 0) continue;
            std::string spelling;
            append_json_string(spelling, n.spellings.front());
            const std::size_t others = n.spellings.size() - 1;
            std::string where;
            if (n.more_spellings) where = fmt::format("and more than {} other spellings; ", others);
            else if (others > 0) where = fmt::format("and {} other spelling{}; ", others, others == 1 ? "" : "s");
            if (n.first_line != 0) where += fmt::format("{}line {}", n.mentions == 1 ? "" : "first on ", n.first_line);
            else if (!where.empty()) where.resize(where.size() - 2);
            fmt::print(stderr,
                       "triage: note: {} mention{} had {} {} where the flow asked about it{}, none of its values: "
                       "one-of values match exactly; did you mean {}? Fix the export{}\n",
                       n.mentions, n.mentions == 1 ? "" : "s", flow.fields()[f].name, spelling,
                       where.empty() ? "" : " (" + where + ")", flow.fields()[f].values[v],
                       is_value_name(n.spellings.front()) ? ", or list the spelling in the flow" : "");
        }
}

int run(const RunOptions& options) {
    std::optional<Flow> loaded = load_flow(options.flow, options.color);
    if (!loaded) return exit_failure;
    const Flow& flow = *loaded;
    if (!run_outputs_spare_inputs(flow, options)) return exit_usage;

    std::optional<StreamOptions> stream_opts = stream_options(flow, options.stream);
    if (!stream_opts) return exit_usage;
    stream_opts->matches = options.matches;
    Stream stream(flow, *stream_opts);
    Monitor* monitor = stream.monitor();
    std::uint64_t late_before = 0;  // counted by the runs before this one, in a restored --state
    bool resumed = false;           // from a state that had seen mentions
    if (monitor != nullptr) {
        if (!options.state.empty() && !restore_state(options.state, *monitor, true)) return exit_failure;
        late_before = monitor->stats().late;
        resumed = monitor->now().has_value();
    } else if (!options.state.empty()) {
        fmt::print(stderr, "triage: --state {}: the flow has no windows or crises, so there is no state to keep\n",
                   options.state);
        return exit_usage;
    }

    std::optional<InputFile> in = InputFile::open(options.input);
    if (!in) return exit_failure;
    std::optional<OutputFile> out = OutputFile::open(options.output);
    if (!out) return exit_failure;
    const StreamSummary summary = decide_all(stream, *in, *out, options);
    int status = stopped_early(summary, options) ? exit_failure : exit_ok;
    // Decisions first, then what counts them: a saved state or traffic file never counts a
    // mention whose decision was not written.
    if (!out->commit()) {
        if (!options.state.empty()) fmt::print(stderr, "triage: --state {} was not saved\n", options.state);
        return exit_failure;
    }
    if (monitor != nullptr && !options.state.empty() && !write_output(options.state, monitor->snapshot() + '\n'))
        status = exit_failure;

    const Traffic& traffic = summary.traffic;
    if (!options.traffic.empty() && !write_output(options.traffic, traffic.to_json(flow) + '\n')) status = exit_failure;
    if (!options.quiet) {
        print_outcome_counts(flow, summary);
        print_fields_never_present(flow, traffic);
        print_near_misses(flow, traffic);
        if (monitor != nullptr) print_state_summary(*monitor);
        print_reorder_summary(stream);
    }
    print_error_reasons(summary.error_reasons);
    if (summary.strict_line == 0 && !errors_allowed(options.max_errors, summary.errors, summary.lines)) status = exit_failure;
    if (monitor != nullptr && flow.clock() &&
        !late_allowed(stream, monitor->stats().late - late_before, traffic.mentions, options.max_late, resumed))
        status = exit_failure;
    return status;
}

}  // namespace

std::function<int()> add_run_command(CLI::App& app) {
    auto options = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand("run", "Decide every mention of a JSON Lines stream");
    cmd->add_option("flow", options->flow, "The flow file")->required();
    cmd->add_option("mentions", options->input, "JSON Lines input, one mention per line ('-' = stdin)")
        ->capture_default_str();
    cmd->add_option("-o,--output", options->output, "Where to write decisions ('-' = stdout)")->capture_default_str();
    cmd->add_option("-j,--jobs", options->jobs, "Worker threads, at most 256 (default: all cores)")
        ->check(CLI::Range(0u, 256u));
    cmd->add_flag("--strict", options->strict, "Stop with exit status 1 at the first line that cannot be read");
    add_max_errors_option(*cmd, options->max_errors);
    cmd->add_flag("--matches", options->matches,
                  "Add to each decision what matched its text conditions: \"matched\": {\"LIST\": \"phrase\", ...}");
    add_max_late_option(*cmd, options->max_late);
    add_stream_flags(*cmd, options->stream);
    add_reorder_option(*cmd, options->stream);
    cmd->add_option("--state", options->state,
                    "Keep the state of windows and crisis modes in this file: read at the start if it exists, "
                    "written at the end");
    cmd->add_option("--color", options->color, "Colour diagnostics")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    cmd->add_option("--chunk-size", options->chunk_size,
                    "Bytes of input read and decided as one unit of work (whole lines; default 1 MiB)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
    cmd->add_flag("-q,--quiet", options->quiet,
                  "Write no progress and no summary to stderr, only problems (bad lines, late mentions, errors)");
    cmd->add_flag("--no-progress", options->no_progress, "Do not show progress on a terminal (the summary stays)");
    cmd->add_option("--traffic", options->traffic,
                    "Also write per-step, per-branch and per-outcome counts (JSON) for 'triage graph --traffic'");
    cmd->footer(
        "Every input line gives exactly one output line: a decision, or {\"line\": N, \"error\": ...}. "
        "A summary goes to stderr, with the lines that are no mention grouped by reason. Exit status: 0, or 1 if "
        "the flow has errors, more lines are no mention than --max-errors allows (default 0), more mentions are late "
        "than --max-late allows (default 1%), or --strict met a bad line.");
    return [options] { return run(*options); };
}

}  // namespace triage::cli
