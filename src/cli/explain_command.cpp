// `triage explain FLOW --record JSON`: the path of one mention, in words.
#include "cli/commands.hpp"
#include "cli/flow_loading.hpp"

#include "decision_format.hpp"
#include "triage/evaluator.hpp"
#include "triage/json.hpp"

#include <fmt/format.h>

#include <iostream>
#include <iterator>

namespace triage::cli {

namespace {

struct ExplainOptions {
    std::string flow;
    std::string record;
    std::string now;
    std::string color = "auto";
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
    evaluator.explain(reader.view(), now, decision, trace);
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
    cmd->add_option("--color", options->color, "Colour diagnostics")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    return [options] { return explain(*options); };
}

}  // namespace triage::cli
