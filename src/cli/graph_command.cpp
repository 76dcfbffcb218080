// `triage graph FLOW [--format dot|mermaid|svg|png] [-o FILE] [--traffic FILE.json]`
#include "cli/commands.hpp"
#include "cli/flow_loading.hpp"

#include "triage/render.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace triage::cli {

namespace {

struct GraphOptions {
    std::string flow;
    std::string format = "dot";
    std::string output = "-";
    std::string traffic;
    std::string color = "auto";
};

bool write_text(const std::string& path, const std::string& text) {
    if (path == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return true;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

// SVG and PNG come from Graphviz's `dot` program, fed the DOT text through a temporary file.
int render_with_dot(const std::string& dot, const std::string& format, const std::string& output) {
    if (std::system("command -v dot >/dev/null 2>&1") != 0) {
        fmt::print(stderr, "triage: --format {} needs Graphviz's 'dot' program (Debian: apt-get install graphviz); "
                           "--format dot and mermaid work without it\n", format);
        return exit_failure;
    }
    namespace fs = std::filesystem;
    fs::path input = fs::temp_directory_path() / fmt::format("triage-graph-{}.dot", getpid());
    if (!write_text(input.string(), dot)) {
        fmt::print(stderr, "triage: cannot write a temporary file in {}\n", fs::temp_directory_path().string());
        return exit_failure;
    }
    std::string target = output == "-" ? "" : fmt::format(" -o '{}'", output);
    int status = std::system(fmt::format("dot -T{} '{}'{}", format, input.string(), target).c_str());
    fs::remove(input);
    if (status != 0) {
        fmt::print(stderr, "triage: Graphviz's dot failed (status {})\n", status);
        return exit_failure;
    }
    return exit_ok;
}

}  // namespace

std::optional<std::string> dot_to_svg(const std::string& dot) {
    namespace fs = std::filesystem;
    fs::path svg = fs::temp_directory_path() / fmt::format("triage-graph-{}.svg", getpid());
    if (render_with_dot(dot, "svg", svg.string()) != exit_ok) return std::nullopt;
    std::ifstream in(svg, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    fs::remove(svg);
    return text.str();
}

namespace {

int graph_command(const GraphOptions& options) {
    std::optional<Flow> flow = load_flow(options.flow, options.color);
    if (!flow) return exit_failure;
    std::optional<Traffic> traffic;
    if (!options.traffic.empty()) {
        std::ifstream in(options.traffic, std::ios::binary);
        if (!in) {
            fmt::print(stderr, "triage: cannot read '{}'\n", options.traffic);
            return exit_failure;
        }
        std::stringstream text;
        text << in.rdbuf();
        std::string error;
        traffic = Traffic::from_json(*flow, text.str(), error);
        if (!traffic) {
            fmt::print(stderr, "triage: {}: {}\n", options.traffic, error);
            return exit_failure;
        }
    }
    const Traffic* counts = traffic ? &*traffic : nullptr;
    if (options.format == "mermaid") return write_text(options.output, to_mermaid(*flow, counts)) ? exit_ok : exit_failure;
    std::string dot = to_dot(*flow, counts);
    if (options.format == "dot") return write_text(options.output, dot) ? exit_ok : exit_failure;
    return render_with_dot(dot, options.format, options.output);
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
