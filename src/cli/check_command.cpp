// `triage check FILE...`: compile each flow and report every diagnostic.
#include "cli/commands.hpp"
#include "cli/flow_loading.hpp"

#include "diagnostic_json.hpp"
#include "triage/compile.hpp"

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

// SARIF 2.1.0, as GitHub code scanning reads it: one run, the rules that fired, one result per
// diagnostic with a physical location, notes as related locations.
std::string sarif(const std::vector<std::pair<CompileResult, std::string>>& results) {
    std::vector<Code> rules;
    for (const auto& [result, path] : results)
        for (const Diagnostic& d : result.diagnostics)
            if (std::find(rules.begin(), rules.end(), d.code) == rules.end()) rules.push_back(d.code);
    std::sort(rules.begin(), rules.end());
    JsonWriter json;
    json.begin_object();
    json.key("$schema").string("https://json.schemastore.org/sarif-2.1.0.json");
    json.key("version").string("2.1.0");
    json.key("runs").begin_array().begin_object();
    json.key("tool").begin_object().key("driver").begin_object();
    json.key("name").string("triage");
    json.key("version").string("0.1.0");
    json.key("rules").begin_array();
    for (Code code : rules) {
        json.begin_object();
        json.key("id").string(code_name(code));
        json.key("name").string(code_title(code));
        json.key("shortDescription").begin_object().key("text").string(code_title(code)).end_object();
        json.key("help").begin_object().key("text")
            .string(fmt::format("docs/diagnostics.md, section {}, explains this with an example and the fix",
                                code_name(code)))
            .end_object();
        json.end_object();
    }
    json.end_array().end_object().end_object();
    auto location = [&](JsonWriter& w, const SourceMap& sources, Span span, std::string_view message) {
        Location begin = sources.begin(span);
        Location end = sources.end(span);
        if (end.line == begin.line && end.column <= begin.column) end.column = begin.column + 1;
        w.begin_object();
        w.key("physicalLocation").begin_object();
        w.key("artifactLocation").begin_object().key("uri").string(sources.path(span.file)).end_object();
        w.key("region").begin_object();
        w.key("startLine").number(begin.line).key("startColumn").number(begin.column);
        w.key("endLine").number(end.line).key("endColumn").number(end.column);
        w.end_object().end_object();
        if (!message.empty()) w.key("message").begin_object().key("text").string(message).end_object();
        w.end_object();
    };
    json.key("results").begin_array();
    for (const auto& [result, path] : results) {
        for (const Diagnostic& d : result.diagnostics) {
            json.begin_object();
            json.key("ruleId").string(code_name(d.code));
            json.key("ruleIndex").number(static_cast<std::int64_t>(std::find(rules.begin(), rules.end(), d.code) - rules.begin()));
            json.key("level").string(d.severity == Severity::error ? "error" : "warning");
            std::string text = d.message;
            if (!d.help.empty()) text += " (help: " + d.help + ")";
            json.key("message").begin_object().key("text").string(text).end_object();
            json.key("locations").begin_array();
            location(json, *result.sources, d.span, {});
            json.end_array();
            json.key("relatedLocations").begin_array();
            for (const DiagnosticNote& note : d.notes)
                if (note.span) location(json, *result.sources, *note.span, note.message);
            json.end_array();
            json.end_object();
        }
    }
    json.end_array();
    json.end_object().end_array().end_object();
    return json.take();
}

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
        fmt::print("{}\n", sarif(compiled));
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
