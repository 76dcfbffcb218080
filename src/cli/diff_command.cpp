// `triage diff OLD.flow NEW.flow --mentions FILE.jsonl`: what a change to a flow does to real
// mentions — the pull-request impact report.
#include "commands.hpp"
#include "error_allowance.hpp"
#include "files.hpp"
#include "flow_loading.hpp"

#include "triage/decision_format.hpp"
#include "triage/json_writer.hpp"
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
    StreamFlags stream;
    std::string color = "auto";
    ErrorAllowance max_errors;
};

constexpr int exit_changed = 3;

// One side of the comparison: a flow decided as `triage run` decides it.
struct Side {
    Side(const Flow& flow, const StreamOptions& options) : stream(flow, options) {}
    Stream stream;
    Decision decision;

    [[nodiscard]] const Flow& flow() const { return stream.flow(); }
    std::string outcome() const {
        return decision.decided() ? flow().outcomes()[decision.outcome].name : std::string("(no outcome)");
    }
    std::string path() const {
        std::string out;
        for (const PathEntry& p : decision.path) {
            const Step& step = flow().steps()[p.step];
            std::string_view branch = p.branch < step.branches.size()
                                          ? flow().source_text(flow().conditions()[step.branches[p.branch].condition].span)
                                          : std::string_view("else");
            out += fmt::format("{} [{}] -> ", step.name, branch);
        }
        return out + outcome();
    }
};

struct Changed {
    std::uint64_t line;
    std::string id;
    std::string old_outcome, new_outcome, old_path, new_path;
};

int diff(const DiffOptions& options) {
    std::optional<Flow> old_flow = load_flow(options.old_flow, options.color);
    std::optional<Flow> new_flow = load_flow(options.new_flow, options.color);
    if (!old_flow || !new_flow) return exit_failure;
    std::optional<StreamOptions> old_options = stream_options(*old_flow, options.stream);
    std::optional<StreamOptions> new_options = stream_options(*new_flow, options.stream);
    if (!old_options || !new_options) return exit_usage;
    std::optional<InputFile> in = InputFile::open(options.mentions);
    if (!in) return exit_failure;
    // Both sides see every line, so that each one's windows count what a run of its flow counts.
    Side before(*old_flow, *old_options), after(*new_flow, *new_options);
    LineReader lines(file_source(in->get()), new_options->json.max_line_bytes);
    std::map<std::pair<std::string, std::string>, std::uint64_t> moves;  // old → new outcome, changed only
    std::vector<Changed> shown;
    std::uint64_t total = 0, changed = 0;
    ErrorTally errors;
    while (std::optional<LineReader::Line> line = lines.next()) {
        ++total;
        const bool old_decided = before.stream.decide(*line, before.decision);
        const bool new_decided = after.stream.decide(*line, after.decision);
        if (!old_decided || !new_decided) {
            // The new flow's reason, or the old one's when only it could not read the line.
            errors.add(line->number, !new_decided ? after.stream.error() : "old flow: " + before.stream.error());
            continue;
        }
        std::string from = before.outcome(), to = after.outcome();
        if (from == to) continue;
        ++changed;
        ++moves[{from, to}];
        if (shown.size() < options.show)
            shown.push_back({line->number, std::string(after.stream.id()), from, to, before.path(), after.path()});
    }
    if (lines.error() != 0) {
        fmt::print(stderr, "triage: reading '{}' failed after line {}: {}\n", options.mentions, lines.lines(),
                   std::strerror(lines.error()));
        return exit_failure;
    }

    if (options.format == "json") {
        JsonWriter json;
        json.begin_object();
        json.key("mentions").number(static_cast<std::int64_t>(total));
        json.key("changed").number(static_cast<std::int64_t>(changed));
        json.key("errors").number(static_cast<std::int64_t>(errors.total()));
        write_error_reasons(json, errors);
        json.key("moves").begin_array();
        for (const auto& [move, count] : moves)
            json.begin_object().key("from").string(move.first).key("to").string(move.second)
                .key("count").number(static_cast<std::int64_t>(count)).end_object();
        json.end_array();
        json.key("examples").begin_array();
        for (const Changed& c : shown) {
            json.begin_object().key("line").number(static_cast<std::int64_t>(c.line));
            if (!c.id.empty()) json.key("id").raw(c.id);
            json.key("from").string(c.old_outcome).key("to").string(c.new_outcome);
            json.key("old_path").string(c.old_path).key("new_path").string(c.new_path).end_object();
        }
        json.end_array().end_object();
        fmt::print("{}\n", json.str());
    } else {
        fmt::print("{} of {} mentions change outcome ({:.1f}%){}\n", changed, total,
                   total == 0 ? 0.0 : 100.0 * static_cast<double>(changed) / static_cast<double>(total),
                   errors.total() > 0 ? fmt::format("; {} lines could not be read", errors.total()) : "");
        if (!moves.empty()) {
            std::size_t width = 3;
            for (const auto& [move, count] : moves) width = std::max(width, move.first.size());
            fmt::print("\n  {:<{}}  ->  {}\n", "old", width, "new (mentions)");
            for (const auto& [move, count] : moves) fmt::print("  {:<{}}  ->  {} ({})\n", move.first, width, move.second, count);
        }
        for (const Changed& c : shown) {
            fmt::print("\nline {}{}: {} -> {}\n", c.line, c.id.empty() ? "" : " id " + c.id, c.old_outcome, c.new_outcome);
            fmt::print("  before: {}\n  after:  {}\n", c.old_path, c.new_path);
        }
    }
    print_error_reasons(errors);
    if (!errors_allowed(options.max_errors, errors.total(), total)) return exit_failure;
    return changed > 0 && options.fail_on_change ? exit_changed : exit_ok;
}

}  // namespace

std::function<int()> add_diff_command(CLI::App& app) {
    auto options = std::make_shared<DiffOptions>();
    CLI::App* cmd = app.add_subcommand("diff", "Compare two versions of a flow on the same mentions");
    cmd->add_option("old", options->old_flow, "The flow before the change")->required();
    cmd->add_option("new", options->new_flow, "The flow after the change")->required();
    cmd->add_option("-m,--mentions", options->mentions, "JSON Lines mentions to decide with both")->required();
    cmd->add_option("--format", options->format, "Report format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
    cmd->add_option("--show", options->show, "How many changed mentions to show with both paths")->capture_default_str();
    cmd->add_flag("--fail-on-change", options->fail_on_change, "Exit with status 3 when any outcome changed");
    add_stream_flags(*cmd, options->stream);
    add_max_errors_option(*cmd, options->max_errors);
    cmd->add_option("--color", options->color, "Colour diagnostics")->check(CLI::IsMember({"auto", "always", "never"}));
    cmd->footer("Lines that either flow cannot read are counted as errors, not as changes; more of them than "
                "--max-errors allows (default 0) is exit status 1.");
    return [options] { return diff(*options); };
}

}  // namespace triage::cli
