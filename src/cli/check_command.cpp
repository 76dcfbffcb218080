// `triage check FILE...`: compile each flow and report every diagnostic.
#include "commands.hpp"
#include "flow_loading.hpp"

#include "triage/compile.hpp"
#include "triage/diagnostic.hpp"
#include "triage/json_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace triage::cli {

bool use_color(const std::string& mode, int fd) {
    if (mode == "always") return true;
    if (mode == "never") return false;
    const char* no_color = std::getenv("NO_COLOR");
    return (no_color == nullptr || *no_color == '\0') && isatty(fd) != 0;
}

namespace {

struct CheckOptions {
    std::vector<std::string> files;
    std::string format = "text";
    std::string color = "auto";
    bool werror = false;
};

int run_check(const CheckOptions& options) {
    const bool color = options.format == "text" && use_color(options.color, STDOUT_FILENO);
    std::size_t errors = 0;
    std::size_t warnings = 0;
    JsonWriter json;
    json.begin_object();
    json.key("diagnostics").begin_array();
    std::vector<std::pair<std::string, bool>> file_results;
    std::vector<std::pair<CompileResult, std::string>> compiled;
    for (const std::string& file : options.files) {
        CompileResult result = compile_file(file, compile_options());
        std::size_t file_errors = 0;
        for (const Diagnostic& d : result.diagnostics) {
            if (d.severity == Severity::error) ++file_errors;
            else ++warnings;
            if (options.format == "text")
                fmt::print("{}", format_text(d, *result.sources, {color}));
        }
        errors += file_errors;
        if (options.format == "json") append_json(json, result.diagnostics, *result.sources);
        file_results.emplace_back(file, file_errors == 0);
        if (options.format == "sarif") compiled.emplace_back(std::move(result), file);
    }
    json.end_array();
    const bool failed = errors > 0 || (options.werror && warnings > 0);
    if (options.format == "sarif") {
        std::vector<DiagnosticSet> sets;
        for (const auto& [result, file] : compiled) sets.push_back({result.diagnostics, result.sources.get()});
        fmt::print("{}\n", format_sarif(sets));
    } else if (options.format == "json") {
        json.key("files").begin_array();
        for (const auto& [file, ok] : file_results) {
            json.begin_object();
            json.key("path").string(file);
            json.key("ok").boolean(ok);
            json.end_object();
        }
        json.end_array();
        json.key("errors").number(static_cast<std::int64_t>(errors));
        json.key("warnings").number(static_cast<std::int64_t>(warnings));
        json.key("ok").boolean(!failed);
        json.end_object();
        fmt::print("{}\n", json.str());
    } else {
        fmt::print("{} {}: {} error{}, {} warning{}{}\n", options.files.size(),
                   options.files.size() == 1 ? "file checked" : "files checked", errors,
                   errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s",
                   options.werror && warnings > 0 ? " (warnings are errors with --werror)" : "");
    }
    return failed ? exit_failure : exit_ok;
}

}  // namespace

std::function<int()> add_check_command(CLI::App& app) {
    auto options = std::make_shared<CheckOptions>();
    CLI::App* check = app.add_subcommand("check", "Compile flow files and report every problem");
    check->add_option("files", options->files, "Flow files to check")->required();
    check->add_option("--format", options->format, "Output format")
        ->check(CLI::IsMember({"text", "json", "sarif"}))
        ->capture_default_str();
    check->add_option("--color", options->color, "Colour the text output")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    check->add_flag("--werror", options->werror, "Treat warnings as errors");
    check->footer(
        "Exit status: 0 when every file is free of errors, 1 when any has errors (or warnings "
        "with --werror), 2 on a usage error.");
    return [options] { return run_check(*options); };
}

}  // namespace triage::cli
