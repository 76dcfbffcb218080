// `triage explain FLOW --record JSON`: the path of one mention, in words.
#include "cli/commands.hpp"
#include "cli/flow_loading.hpp"

#include "decision_format.hpp"
#include "triage/evaluator.hpp"
#include "triage/json.hpp"
#include "triage/monitor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <iterator>

namespace triage::cli {

namespace {

struct ExplainOptions {
    std::string flow;
    std::string record;
    std::string now;
    std::string color = "auto";
    std::string state;
    std::vector<std::string> crises;
};

int explain(const ExplainOptions& options) {
    std::optional<Flow> flow = load_flow(options.flow, options.color);
    if (!flow) return exit_failure;
    std::string json = options.record;
    if (json == "-") json.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    std::optional<TimePoint> reference = reference_time(options.now);
    if (!reference) return exit_usage;
    const TimePoint now = *reference;
    JsonRecordReader reader(*flow, json_options());
    if (!reader.read(json)) {
        fmt::print(stderr, "triage: the record cannot be read: {}\n", reader.error());
        return exit_failure;
    }
    Evaluator evaluator(*flow);
    Decision decision;
    Trace trace;
    if (flow->keeps_state() || !options.state.empty() || !options.crises.empty()) {
        if (!flow->keeps_state()) {
            fmt::print(stderr, "triage: the flow has no windows or crises: --state and --crisis do not apply\n");
            return exit_usage;
        }
        // The mention in the situation of a saved state (not written back), or of a fresh stream.
        Monitor monitor(*flow, compile_options().limits);
        if (!options.state.empty() && !restore_state(options.state, monitor, false)) return exit_failure;
        monitor.set_latest(now + future_margin);
        for (const std::string& name : options.crises) {
            const auto crises = flow->crises();
            auto it = std::find_if(crises.begin(), crises.end(), [&](const Crisis& c) { return c.name == name; });
            if (it == crises.end()) {
                fmt::print(stderr, "triage: --crisis {}: the flow has no crisis of that name\n", name);
                return exit_usage;
            }
            monitor.set_crisis(static_cast<std::uint32_t>(it - crises.begin()), true, now);
        }
        evaluator.explain(reader.view(), now, decision, trace, monitor);
    } else {
        evaluator.explain(reader.view(), now, decision, trace);
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
    cmd->add_option("--now", options->now, "Reference time for deadlines (default: the current time)");
    cmd->add_option("--state", options->state,
                    "Explain the mention in the situation saved by 'triage run --state FILE' (the file is not changed)");
    cmd->add_option("--crisis", options->crises, "Explain the mention as if this crisis mode were active (repeatable)");
    cmd->add_option("--color", options->color, "Colour diagnostics")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    return [options] { return explain(*options); };
}

}  // namespace triage::cli
