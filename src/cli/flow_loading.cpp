#include "cli/flow_loading.hpp"

#include "cli/commands.hpp"

#include <fmt/format.h>

#include <unistd.h>

namespace triage::cli {

std::optional<Flow> load_flow(const std::string& path, const std::string& color_mode) {
    CompileResult result = compile_file(path);
    const bool color = use_color(color_mode, STDERR_FILENO);
    for (const Diagnostic& d : result.diagnostics)
        if (d.severity == Severity::error) fmt::print(stderr, "{}", format_text(d, *result.sources, {color}));
    if (!result.ok()) fmt::print(stderr, "triage: {} has errors; run 'triage check {}' for details\n", path, path);
    return result.flow;
}

}  // namespace triage::cli
