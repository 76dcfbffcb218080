#include "flow_loading.hpp"

#include "commands.hpp"
#include "triage/decision_format.hpp"
#include "triage/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include <unistd.h>

namespace triage::cli {

namespace {

struct CliLimits {
    Limits flow;
    std::vector<std::filesystem::path> include_roots;
    std::map<std::string, std::string, std::less<>> time_formats;
    std::string time_zone;
    JsonOptions records;
    std::chrono::seconds render_time{60};
};

CliLimits& limits() {
    static CliLimits values;
    return values;
}

// The record limits and render-time; nullopt when `name` is not one of them, else an error
// message or nothing.
std::optional<std::optional<std::string>> set_cli_limit(std::string_view name, std::string_view value) {
    if (name == "render-time") {
        std::string error;
        std::optional<std::uint64_t> v = limit_value(name, value, false, 24 * 3600, error);
        if (!v) return std::optional<std::string>(error);
        limits().render_time = std::chrono::seconds(*v);
        return std::optional<std::string>();
    }
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

// An option given once per value, as often as needed (`--limit a=1 --limit b=2`); `take` gets
// them all.
void add_repeatable(CLI::App& command, const std::string& name, const std::string& type_name,
                    std::function<void(const std::vector<std::string>&)> take, const std::string& help) {
    command.add_option_function<std::vector<std::string>>(name, std::move(take), help)
        ->type_name(type_name)
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

}  // namespace

CLI::Option* one_value_each(CLI::Option* option) {
    return option->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

void add_limit_option(CLI::App& command) {
    add_repeatable(command, "--limit", "NAME=VALUE",
        [](const std::vector<std::string>& settings) {
            for (const std::string& setting : settings) {
                auto eq = setting.find('=');
                if (eq == std::string::npos) throw CLI::ValidationError("--limit", "takes NAME=VALUE, not '" + setting + "'");
                std::string_view name = std::string_view(setting).substr(0, eq);
                std::string_view value = std::string_view(setting).substr(eq + 1);
                std::optional<std::string> problem;
                if (auto cli = set_cli_limit(name, value)) problem = *cli;
                else problem = set_limit(limits().flow, name, value);
                if (problem) {
                    if (problem->starts_with("unknown limit")) *problem += ", line-length, fields, json-depth, render-time";
                    throw CLI::ValidationError("--limit", *problem);
                }
            }
        },
        "Raise or lower a limit: NAME=VALUE (repeatable). Flow limits: " + limit_names() +
            "; record limits: line-length, fields, json-depth; render-time (seconds Graphviz may take). "
            "See docs/security.md");
    add_repeatable(command, "--include-root", "DIR",
        [](const std::vector<std::string>& directories) {
            for (const std::string& directory : directories) {
                std::error_code ec;
                if (!std::filesystem::is_directory(directory, ec))
                    throw CLI::ValidationError("--include-root", "'" + directory + "' is not a directory");
                limits().include_roots.emplace_back(directory);
            }
        },
        "A directory whose files includes and word list files may name, besides the flow's own "
        "directory tree (repeatable)");
    add_repeatable(command, "--time-format", "FIELD=FORMAT",
        [](const std::vector<std::string>& settings) {
            for (const std::string& setting : settings) {
                auto eq = setting.find('=');
                if (eq == std::string::npos || eq == 0 || eq + 1 == setting.size())
                    throw CLI::ValidationError("--time-format", "takes FIELD=FORMAT, not '" + setting + "'");
                limits().time_formats[setting.substr(0, eq)] = setting.substr(eq + 1);
            }
        },
        "Read a time field in this format, over the flow's: FIELD=FORMAT, a pattern such as "
        "'%Y-%m-%d %H:%M:%S %z' or rfc3339, rfc2822, twitter, unix, unix_ms (repeatable)");
    command.add_option_function<std::string>(
               "--time-zone", [](const std::string& zone) { limits().time_zone = zone; },
               "The zone of times whose format has no offset, over the flow's (e.g. America/New_York)")
        ->type_name("ZONE");
}

CompileOptions compile_options() {
    CompileOptions options;
    options.limits = limits().flow;
    options.include_roots = limits().include_roots;
    options.time_formats = limits().time_formats;
    options.time_zone = limits().time_zone;
    return options;
}

JsonOptions json_options() { return limits().records; }

std::chrono::seconds render_time_limit() { return limits().render_time; }

CompileResult compile_flow_file(const std::string& path) { return compile_flow_file(path, compile_options()); }

CompileResult compile_flow_file(const std::string& path, const CompileOptions& options) {
    if (path != "-") return compile_file(path, options);
    std::string error;
    std::optional<std::string> text = read_input(path, options.limits.file_bytes, error);
    CompileResult result = compile(text.value_or(""), "<stdin>", options);
    if (!text)
        result.diagnostics.insert(result.diagnostics.begin(),
                                  Diagnostic{Severity::error, Code::unreadable_file, Span{0, 0, 0},
                                             "standard input cannot be read: " + error, {}, {}});
    return result;
}

bool is_fragment(const CompileResult& result) {
    auto has = [&](Code code) {
        return std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                           [code](const Diagnostic& d) { return d.code == code && d.span.file == 0; });
    };
    return has(Code::missing_header) && has(Code::missing_start);
}

bool fragment_own_problem(const Diagnostic& d) {
    switch (d.code) {
        case Code::syntax: case Code::unterminated: case Code::invalid_duration: case Code::invalid_utf8:
        case Code::unreadable_file: case Code::limit_exceeded:
            return true;
        default:
            return false;
    }
}

bool no_flow_allowed(const std::vector<std::string>& paths, bool allow_empty, std::string_view what) {
    if (allow_empty) return true;
    fmt::print(stderr, "triage: no {} found in {} (pass --allow-empty to accept that)\n", what,
               fmt::join(paths, ", "));
    return false;
}

std::optional<Flow> load_flow(const std::string& path, const std::string& color_mode) {
    CompileOptions options = compile_options();
    options.semantic_checks = SemanticChecks::off;  // only errors are shown here, and they find none
    CompileResult result = compile_file(path, options);
    const bool color = use_color(color_mode, STDERR_FILENO);
    for (const Diagnostic& d : result.diagnostics)
        if (d.severity == Severity::error) fmt::print(stderr, "{}", format_text(d, *result.sources, {color}));
    // `check` would add the warnings; for a file that cannot be read there is nothing to add.
    const bool unreadable = std::any_of(result.diagnostics.begin(), result.diagnostics.end(), [&](const Diagnostic& d) {
        return d.code == Code::unreadable_file && result.sources->text(d.span.file).empty();
    });
    if (!result.ok() && !unreadable)
        fmt::print(stderr, "triage: {} has errors; run 'triage check {}' for details\n", path, path);
    return result.flow;
}

std::vector<NamedPath> flow_inputs(const Flow& flow) {
    std::vector<NamedPath> inputs;
    const SourceMap& sources = flow.sources();
    for (FileId f = 0; f < sources.size(); ++f)
        inputs.push_back({f == 0 ? "the flow" : "a file the flow reads", std::string(sources.path(f))});
    return inputs;
}

void add_stream_flags(CLI::App& command, StreamFlags& flags) {
    one_value_each(command.add_option("--fields", flags.renames, "Map a record key onto a flow field: KEY=FIELD (repeatable)"))
        ->type_name("KEY=FIELD");
    command.add_option("--now", flags.now, "Reference time for deadlines (default: the current time)");
    command.add_option("--time-field", flags.time_field,
                       "A time field whose value, when present, is the reference time for that mention "
                       "(default: the flow's clock)");
}

void add_reorder_option(CLI::App& command, StreamFlags& flags) {
    command
        .add_option("--reorder", flags.reorder,
                    "For a flow with windows or crisis modes: count and decide the mentions in clock order, holding each "
                    "until one this much newer has arrived (a duration: 10m, 90s, 1h); decisions are still written in "
                    "input order. At most --limit reorder-buffer lines are held (default 1000000)")
        ->type_name("DURATION");
}

std::optional<StreamOptions> stream_options(const Flow& flow, const StreamFlags& flags) {
    StreamOptions options;
    options.json = json_options();
    options.limits = limits().flow;
    for (const std::string& rename : flags.renames) {
        auto eq = rename.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == rename.size()) {
            fmt::print(stderr, "triage: --fields takes KEY=FIELD, not '{}'\n", rename);
            return std::nullopt;
        }
        std::string field = rename.substr(eq + 1);
        if (!flow.find_field(field)) {
            fmt::print(stderr, "triage: --fields {}: the flow has no field '{}'\n", rename, field);
            return std::nullopt;
        }
        options.json.renames.emplace_back(rename.substr(0, eq), field);
    }
    if (!flags.time_field.empty()) {
        options.time_field = flow.find_field(flags.time_field);
        if (!options.time_field || flow.fields()[*options.time_field].type != FieldType::time) {
            fmt::print(stderr, "triage: --time-field {}: the flow has no time field of that name\n", flags.time_field);
            return std::nullopt;
        }
    }
    if (!flags.now.empty()) {
        options.now = parse_time(flags.now);
        if (!options.now) {
            fmt::print(stderr, "triage: --now takes a date-time such as 2026-11-22T09:30:00Z\n");
            return std::nullopt;
        }
    }
    if (!flags.reorder.empty()) {
        std::optional<Duration> horizon = parse_duration(flags.reorder);
        if (!horizon) {
            fmt::print(stderr, "triage: --reorder takes a duration such as 10m, 90s or 1h (at most 10 years), not '{}'\n",
                       terminal_text(flags.reorder));
            return std::nullopt;
        }
        options.reorder = *horizon;
    }
    return options;
}

bool restore_state(const std::string& path, Monitor& monitor, bool missing_is_fresh) {
    std::error_code ec;
    if (missing_is_fresh && !std::filesystem::exists(path, ec)) return true;  // the first run: nothing saved yet
    // A saved state writes each counter as at most "[age,count]," (under 8 bytes per byte of state).
    const std::uint64_t max_bytes = std::min<std::uint64_t>(limits().flow.state_bytes, UINT64_MAX / 16) * 8 + (1u << 20);
    std::string error;
    std::optional<std::string> text = read_input(path, max_bytes, error);
    if (!text) error = "cannot be read: " + error + (error.starts_with("it is larger") ? " (--limit state-memory)" : "");
    else if (monitor.restore(*text, error)) return true;
    fmt::print(stderr, "triage: --state {}: {}\n", path, error);
    return false;
}

}  // namespace triage::cli
