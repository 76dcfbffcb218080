// `triage check FILE...`: compile each flow and report every diagnostic.
#include "commands.hpp"
#include "files.hpp"
#include "flow_loading.hpp"

#include "triage/compile.hpp"
#include "triage/diagnostic.hpp"
#include "triage/json_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
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
    bool fix = false;
    std::string sarif_help_base;  // empty: the library's default
};

// --fix: the fixes of `result` that edit only `path` itself (not a file it includes), taken in
// order of where they start and skipping any that overlaps one taken, applied and written in
// place atomically (files.hpp). The number applied; none, after a message, when writing failed.
std::optional<std::size_t> apply_own_fixes(const std::string& path, const CompileResult& result) {
    if (result.sources == nullptr || result.sources->size() == 0 || !std::filesystem::is_regular_file(path)) return 0;
    const FileId own = 0;  // compile_file's file is the first the source map holds
    std::vector<const Fix*> candidates;
    for (const Diagnostic& d : result.diagnostics)
        for (const Fix& fix : d.fixes)
            if (!fix.edits.empty() && std::all_of(fix.edits.begin(), fix.edits.end(), [&](const TextEdit& e) { return e.span.file == own; }))
                candidates.push_back(&fix);
    auto first = [](const Fix* f) {
        return std::min_element(f->edits.begin(), f->edits.end(), [](const TextEdit& a, const TextEdit& b) {
            return a.span.begin < b.span.begin;
        })->span.begin;
    };
    std::stable_sort(candidates.begin(), candidates.end(), [&](const Fix* a, const Fix* b) { return first(a) < first(b); });
    std::vector<Fix> taken;
    std::optional<std::uint32_t> end, last_begin;  // of the edits taken so far
    for (const Fix* fix : candidates) {
        std::vector<TextEdit> edits = fix->edits;
        std::sort(edits.begin(), edits.end(), [](const TextEdit& a, const TextEdit& b) { return a.span.begin < b.span.begin; });
        std::optional<std::uint32_t> fix_end = end, fix_begin = last_begin;
        bool fits = true;
        for (const TextEdit& e : edits) {  // each after the last, and never two at one place
            fits = fits && (!fix_end || (e.span.begin >= *fix_end && e.span.begin != *fix_begin));
            fix_end = std::max(fix_end.value_or(0), e.span.end);
            fix_begin = e.span.begin;
        }
        if (!fits) continue;
        taken.push_back(*fix);
        end = fix_end;
        last_begin = fix_begin;
    }
    const std::string_view text = result.sources->text(own);
    if (taken.empty()) return 0;
    std::optional<std::string> fixed = apply_fixes(text, own, taken);
    if (!fixed) return 0;
    if (!write_output(path, *fixed)) return std::nullopt;
    return taken.size();
}

constexpr int max_fix_rounds = 10;

int run_check(const CheckOptions& options) {
    if (options.fix) {  // a file given twice would be fixed twice, the second time from a stale compile
        std::vector<NamedPath> targets;
        for (const std::string& file : options.files) targets.push_back({"the file to fix", file});
        if (!outputs_spare_inputs({}, targets)) return exit_usage;
    }
    const bool color = options.format == "text" && use_color(options.color, STDOUT_FILENO);
    std::size_t errors = 0;
    std::size_t warnings = 0;
    bool write_failed = false;  // --fix could not write a file
    JsonWriter json;
    json.begin_object();
    json.key("diagnostics").begin_array();
    std::vector<std::pair<std::string, bool>> file_results;
    std::vector<std::pair<CompileResult, std::string>> compiled;
    for (const std::string& file : options.files) {
        CompileResult result = compile_file(file, compile_options());
        if (options.fix) {  // what remains after the fixes is what is reported
            // A syntax error hides the ones after it: fix, compile again, until nothing more is
            // fixed (a bounded number of rounds, as linters that fix do).
            std::size_t total = 0;
            for (int round = 0; round < max_fix_rounds; ++round) {
                std::optional<std::size_t> applied = apply_own_fixes(file, result);
                if (!applied) write_failed = true;
                if (applied.value_or(0) == 0) break;
                total += *applied;
                result = compile_file(file, compile_options());
            }
            if (total > 0) fmt::print(stderr, "triage: {}: applied {} fix{}\n", file, total, total == 1 ? "" : "es");
        }
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
    const bool failed = errors > 0 || (options.werror && warnings > 0) || write_failed;
    if (options.format == "sarif") {
        std::vector<DiagnosticSet> sets;
        for (const auto& [result, file] : compiled) sets.push_back({result.diagnostics, result.sources.get()});
        fmt::print("{}\n", format_sarif(sets, {options.sarif_help_base}));
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
    check->add_option("--sarif-help-base", options->sarif_help_base,
                      "With --format sarif: the URL of docs/diagnostics.md for the rules' helpUri (default: " +
                          std::string(default_sarif_help_base()) + ")")
        ->check([](const std::string& url) {
            return url.find("://") == std::string::npos ? "must be an absolute URL, e.g. https://host/triage/docs/diagnostics.md"
                                                        : std::string();
        });
    check->add_flag("--fix", options->fix,
                    "Apply the fixes of the diagnostics in place (those that do not overlap), then report what remains");
    check->footer(
        "Exit status: 0 when every file is free of errors, 1 when any has errors (or warnings "
        "with --werror), 2 on a usage error.");
    return [options] { return run_check(*options); };
}

}  // namespace triage::cli
