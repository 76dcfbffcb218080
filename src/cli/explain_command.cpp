// `triage explain FLOW --record JSON`: the path of one mention, in words.
#include "commands.hpp"
#include "flow_loading.hpp"

#include "triage/decision_format.hpp"
#include "triage/stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace triage::cli {

namespace {

struct ExplainOptions {
    std::string flow;
    std::string record;
    StreamFlags stream;
    std::string color = "auto";
    std::string state;
    std::vector<std::string> crises;
};

// A file of mentions piped in (a line that starts another object) reads as one object of
// "improper structure", or one too large: say what explain takes.
bool several_objects(std::string_view json) {
    for (std::size_t at = json.find('\n'); at != std::string_view::npos; at = json.find('\n', at + 1))
        if (json.substr(at + 1).starts_with('{')) return true;
    return false;
}

void print_one_mention_help() {
    fmt::print(stderr, "help: explain reads one mention (one JSON object, which may span lines); for line 3 of a "
                       "file, `sed -n 3p FILE | triage explain FLOW --record -`; for every line, `triage run`\n");
}

int explain(const ExplainOptions& options) {
    std::optional<Flow> flow = load_flow(options.flow, options.color);
    if (!flow) return exit_failure;
    std::optional<StreamOptions> stream_opts = stream_options(*flow, options.stream);
    if (!stream_opts) return exit_usage;
    std::string json = options.record;
    if (json == "-") {
        // One record: no more than a line may hold (--limit line-length), and a byte-order mark and CR.
        std::string error;
        std::optional<std::string> text = read_input("-", stream_opts->json.max_line_bytes + 4, error);
        if (!text) {
            fmt::print(stderr, "triage: cannot read the record from standard input: {}{}\n", error,
                       error.starts_with("it is larger") ? " (--limit line-length)" : "");
            return exit_failure;
        }
        json = std::move(*text);
        while (!json.empty() && (json.back() == '\n' || json.back() == '\r')) json.pop_back();
    }
    // The same Stream as `triage run`: the same reference time (the mention's clock when the flow
    // has one) and, for a flow that keeps state, a fresh or restored situation (not written back).
    Stream stream(*flow, *stream_opts);
    Monitor* monitor = stream.monitor();
    if (monitor == nullptr && (!options.state.empty() || !options.crises.empty())) {
        fmt::print(stderr, "triage: the flow has no windows or crises: --state and --crisis do not apply\n");
        return exit_usage;
    }
    if (monitor != nullptr && !options.state.empty() && !restore_state(options.state, *monitor, false)) return exit_failure;
    for (const std::string& option : options.crises) {
        // NAME, or NAME=GROUP for a crisis with `by`.
        const std::size_t equals = option.find('=');
        const std::string name = option.substr(0, equals);
        const auto crises = flow->crises();
        auto it = std::find_if(crises.begin(), crises.end(), [&](const Crisis& c) { return c.name == name; });
        if (it == crises.end()) {
            fmt::print(stderr, "triage: --crisis {}: the flow has no crisis of that name\n", name);
            return exit_usage;
        }
        if (it->group.has_value() != (equals != std::string::npos)) {
            const std::string by = it->group ? flow->fields()[*it->group].name : std::string();
            if (it->group)
                fmt::print(stderr, "triage: --crisis {}: the crisis is kept per {}; name the group: --crisis {}=VALUE\n",
                           name, by, name);
            else fmt::print(stderr, "triage: --crisis {}: crisis {} has no groups; write --crisis {}\n", option, name, name);
            return exit_usage;
        }
        // Active since this mention: its own time, as a run would see it.
        const TimePoint since = stream.reference_for(json).value_or(*stream.options().now);
        const auto index = static_cast<std::uint32_t>(it - crises.begin());
        if (it->group) monitor->set_crisis(index, std::string_view(option).substr(equals + 1), true, since);
        else monitor->set_crisis(index, true, since);
    }
    Decision decision;
    Trace trace;
    if (!stream.explain(json, decision, trace)) {
        fmt::print(stderr, "triage: the record cannot be read: {}\n", stream.error());
        if (options.record == "-" && several_objects(json)) print_one_mention_help();
        return exit_failure;
    }
    fmt::print("{}", explain_text(*flow, decision, trace));
    return exit_ok;
}

}  // namespace

std::function<int()> add_explain_command(CLI::App& app) {
    auto options = std::make_shared<ExplainOptions>();
    CLI::App* cmd = app.add_subcommand("explain", "Show how one mention travels through a flow");
    cmd->add_option("flow", options->flow, "The flow file")->required();
    cmd->add_option("-r,--record", options->record, "The mention as a JSON object ('-' = read it from stdin)")
        ->required();
    add_stream_flags(*cmd, options->stream);
    cmd->add_option("--state", options->state,
                    "Explain the mention in the situation saved by 'triage run --state FILE' (the file is not changed)");
    one_value_each(cmd->add_option("--crisis", options->crises,
                                   "Explain the mention as if this crisis mode were active; NAME=GROUP for one kept "
                                   "per group, e.g. outage=United (repeatable)"))
        ->type_name("NAME[=GROUP]");
    cmd->add_option("--color", options->color, "Colour diagnostics")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    return [options] { return explain(*options); };
}

}  // namespace triage::cli
