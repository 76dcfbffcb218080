#include "cli/flow_loading.hpp"

#include "cli/commands.hpp"
#include "triage/json.hpp"

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

std::optional<TimePoint> reference_time(const std::string& now_option) {
    if (now_option.empty())
        return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    auto parsed = parse_time(now_option);
    if (!parsed) fmt::print(stderr, "triage: --now takes a date-time such as 2026-11-22T09:30:00Z\n");
    return parsed;
}

}  // namespace triage::cli
