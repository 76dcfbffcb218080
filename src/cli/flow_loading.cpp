#include "cli/flow_loading.hpp"

#include "cli/commands.hpp"
#include "triage/json.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <unistd.h>

namespace triage::cli {

namespace {

struct CliLimits {
    Limits flow;
    JsonOptions records;
};

CliLimits& limits() {
    static CliLimits values;
    return values;
}

// The record limits; nullopt when `name` is not one of them, else an error message or nothing.
std::optional<std::optional<std::string>> set_record_limit(std::string_view name, std::string_view value) {
    JsonOptions& r = limits().records;
    const bool line_length = name == "line-length";
    if (!line_length && name != "fields" && name != "json-depth") return std::nullopt;
    std::string error;
    std::optional<std::uint64_t> v =
        limit_value(name, value, line_length, line_length ? SIZE_MAX : UINT32_MAX, error);
    if (!v) return std::optional<std::string>(error);
    if (line_length) r.max_line_bytes = *v;
    else (name == "fields" ? r.max_keys : r.max_depth) = static_cast<std::uint32_t>(*v);
    return std::optional<std::string>();
}

}  // namespace

void add_limit_option(CLI::App& command) {
    command
        .add_option_function<std::vector<std::string>>(
            "--limit",
            [](const std::vector<std::string>& settings) {
                for (const std::string& setting : settings) {
                    auto eq = setting.find('=');
                    if (eq == std::string::npos) throw CLI::ValidationError("--limit", "takes NAME=VALUE, not '" + setting + "'");
                    std::string_view name = std::string_view(setting).substr(0, eq);
                    std::string_view value = std::string_view(setting).substr(eq + 1);
                    std::optional<std::string> problem;
                    if (auto record = set_record_limit(name, value)) problem = *record;
                    else problem = set_limit(limits().flow, name, value);
                    if (problem) {
                        if (problem->starts_with("unknown limit")) *problem += ", line-length, fields, json-depth";
                        throw CLI::ValidationError("--limit", *problem);
                    }
                }
            },
            "Raise or lower a limit: NAME=VALUE (repeatable). Flow limits: " + limit_names() +
                "; record limits: line-length, fields, json-depth. See docs/security.md")
        ->type_name("NAME=VALUE")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

CompileOptions compile_options() {
    CompileOptions options;
    options.limits = limits().flow;
    return options;
}

JsonOptions json_options() { return limits().records; }

std::optional<Flow> load_flow(const std::string& path, const std::string& color_mode) {
    CompileResult result = compile_file(path, compile_options());
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

bool restore_state(const std::string& path, Monitor& monitor, bool missing_is_fresh) {
    std::error_code ec;
    if (missing_is_fresh && !std::filesystem::exists(path, ec)) return true;  // the first run: nothing saved yet
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string error;
    if (!in.is_open() || (!in.good() && !in.eof())) error = "cannot be read";
    else if (monitor.restore(text, error)) return true;
    fmt::print(stderr, "triage: --state {}: {}\n", path, error);
    return false;
}

}  // namespace triage::cli
