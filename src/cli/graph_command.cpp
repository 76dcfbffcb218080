// `triage graph FLOW [--format dot|mermaid|svg|png] [-o FILE] [--traffic FILE.json]`
#include "child_process.hpp"
#include "commands.hpp"
#include "flow_loading.hpp"
#include "files.hpp"

#include "triage/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

namespace triage::cli {

namespace {

struct GraphOptions {
    std::string flow;
    std::string format = "dot";
    std::string output = "-";
    std::string traffic;
    std::string color = "auto";
};

// Graphviz's dot, started without a shell (nothing the user typed is interpreted), the DOT on
// its stdin and the picture from its stdout; killed past --limit render-time.
std::optional<std::string> render_with_dot(const std::string& dot, const std::string& format) {
    const std::chrono::seconds limit = render_time_limit();
    ChildResult child = run_child({"dot", "-T" + format}, dot, limit);
    if (!child.started) {
        if (child.error_number == ENOENT)
            fmt::print(stderr, "triage: --format {} needs Graphviz's 'dot' program (Debian: apt-get install graphviz); "
                               "--format dot and mermaid work without it\n", format);
        else
            fmt::print(stderr, "triage: cannot start Graphviz's 'dot': {}\n", child.error);
        return std::nullopt;
    }
    if (child.timed_out) {
        fmt::print(stderr, "triage: Graphviz's dot did not finish within {} s and was stopped; allow more with "
                           "--limit render-time=SECONDS, or write --format dot for another renderer\n", limit.count());
        return std::nullopt;
    }
    if (!child.succeeded()) {
        std::string_view said(child.errors);
        said = said.substr(0, std::min(said.find('\n'), std::size_t{300}));
        if (child.signal != 0)
            fmt::print(stderr, "triage: Graphviz's dot was ended by signal {}{}{}\n", child.signal, said.empty() ? "" : ": ", said);
        else
            fmt::print(stderr, "triage: Graphviz's dot failed (exit status {}){}{}\n", child.exit_status,
                       said.empty() ? "" : ": ", said);
        return std::nullopt;
    }
    return std::move(child.output);
}

}  // namespace

std::optional<std::string> dot_to_svg(const std::string& dot) { return render_with_dot(dot, "svg"); }

namespace {

int graph_command(const GraphOptions& options) {
    std::optional<Flow> flow = load_flow(options.flow, options.color);
    if (!flow) return exit_failure;
    std::vector<NamedPath> inputs = flow_inputs(*flow);
    if (!options.traffic.empty()) inputs.push_back({"--traffic", options.traffic});
    if (!outputs_spare_inputs(inputs, {{"-o", options.output}})) return exit_usage;
    std::optional<Traffic> traffic;
    if (!options.traffic.empty()) {
        std::string error;
        std::optional<std::string> text = read_input(options.traffic, compile_options().limits.file_bytes, error);
        if (!text) {
            fmt::print(stderr, "triage: cannot read '{}': {}\n", options.traffic, error);
            return exit_failure;
        }
        traffic = Traffic::from_json(*flow, *text, error);
        if (!traffic) {
            fmt::print(stderr, "triage: {}: {}\n", options.traffic, error);
            return exit_failure;
        }
    }
    const Traffic* counts = traffic ? &*traffic : nullptr;
    std::optional<std::string> picture;
    if (options.format == "mermaid") picture = to_mermaid(*flow, counts);
    else if (options.format == "dot") picture = to_dot(*flow, counts);
    else picture = render_with_dot(to_dot(*flow, counts), options.format);
    if (!picture) return exit_failure;
    return write_output(options.output, *picture) ? exit_ok : exit_failure;
}

}  // namespace

std::function<int()> add_graph_command(CLI::App& app) {
    auto options = std::make_shared<GraphOptions>();
    CLI::App* cmd = app.add_subcommand("graph", "Draw a flow as a flowchart");
    cmd->add_option("flow", options->flow, "The flow file")->required();
    cmd->add_option("--format", options->format, "Picture format")
        ->check(CLI::IsMember({"dot", "mermaid", "svg", "png"}))
        ->capture_default_str();
    cmd->add_option("-o,--output", options->output, "Where to write it ('-' = stdout)")->capture_default_str();
    cmd->add_option("--traffic", options->traffic, "Counts from 'triage run --traffic' to draw on the edges");
    cmd->add_option("--color", options->color, "Colour diagnostics")->check(CLI::IsMember({"auto", "always", "never"}));
    return [options] { return graph_command(*options); };
}

}  // namespace triage::cli
