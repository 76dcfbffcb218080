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
#include <set>
#include <tuple>
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
    bool allow_empty = false;
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

// One file compiled for checking, --fix applied; fragments (flow_loading.hpp) keep only the
// problems of their own.
struct Checked {
    std::string path;
    CompileResult result;
    bool fragment = false;
};

// `check` asks for the solver's checks too; a note says so when they cannot be done.
CompileOptions check_compile_options() {
    CompileOptions compile = compile_options();
    compile.semantic_checks = SemanticChecks::wanted;
    return compile;
}

Checked check_one(const std::string& file, const CheckOptions& options, bool& write_failed) {
    const CompileOptions compile = check_compile_options();
    Checked checked{file, compile_flow_file(file, compile), false};
    CompileResult& result = checked.result;
    if (options.fix) {  // what remains after the fixes is what is reported
        // A syntax error hides the ones after it: fix, compile again, until nothing more is
        // fixed (a bounded number of rounds, as linters that fix do).
        std::size_t total = 0;
        for (int round = 0; round < max_fix_rounds; ++round) {
            std::optional<std::size_t> applied = apply_own_fixes(file, result);
            if (!applied) write_failed = true;
            if (applied.value_or(0) == 0) break;
            total += *applied;
            result = compile_flow_file(file, compile);
        }
        if (total > 0) fmt::print(stderr, "triage: {}: applied {} fix{}\n", file, total, total == 1 ? "" : "es");
    }
    checked.fragment = is_fragment(result);
    if (checked.fragment)
        std::erase_if(result.diagnostics, [](const Diagnostic& d) { return !fragment_own_problem(d); });
    return checked;
}

// A file that several flows include is reported once: its diagnostics after the first flow's
// are dropped.
void drop_repeats(CompileResult& result, std::set<std::tuple<std::string, std::uint32_t, std::uint32_t, Code>>& seen) {
    std::erase_if(result.diagnostics, [&](const Diagnostic& d) {
        return d.span.file != 0 &&
               !seen.emplace(std::string(result.sources->path(d.span.file)), d.span.begin, d.span.end, d.code).second;
    });
}

// The files to check: those named and those found under directories. Fragments found under a
// directory are skipped unless they have problems of their own; named ones are checked as
// fragments, with a note.
std::vector<Checked> check_all(const std::vector<FlowFile>& files, const CheckOptions& options, bool& write_failed) {
    std::vector<Checked> checked;
    std::set<std::tuple<std::string, std::uint32_t, std::uint32_t, Code>> seen;
    for (const FlowFile& file : files) {
        Checked one = check_one(file.path, options, write_failed);
        if (one.fragment && file.from_directory && one.result.diagnostics.empty()) continue;
        if (one.fragment && !file.from_directory)
            fmt::print(stderr, "triage: note: {} has no `flow` header: a fragment, parsed here and checked through the "
                               "flows that include it\n", one.result.sources->path(0));
        drop_repeats(one.result, seen);
        checked.push_back(std::move(one));
    }
    return checked;
}

void print_summary(const std::vector<Checked>& checked, std::size_t errors, std::size_t warnings, std::size_t notes,
                   bool werror) {
    const std::size_t flows = static_cast<std::size_t>(
        std::count_if(checked.begin(), checked.end(), [](const Checked& c) { return !c.fragment; }));
    const std::size_t fragments = checked.size() - flows;
    fmt::print("{} {}{}: {} error{}, {} warning{}{}{}\n", flows, flows == 1 ? "file checked" : "files checked",
               fragments == 0 ? "" : fmt::format(" ({} fragment{} parsed)", fragments, fragments == 1 ? "" : "s"),
               errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s",
               notes == 0 ? "" : fmt::format(", {} note{}", notes, notes == 1 ? "" : "s"),
               werror && warnings > 0 ? " (warnings are errors with --werror)" : "");
}

int run_check(const CheckOptions& options) {
    if (options.fix) {  // a file given twice would be fixed twice, the second time from a stale compile
        std::vector<NamedPath> targets;
        for (const std::string& file : options.files) {
            if (file == "-") {
                fmt::print(stderr, "triage: --fix edits files in place; it cannot fix standard input\n");
                return exit_usage;
            }
            targets.push_back({"the file to fix", file});
        }
        if (!outputs_spare_inputs({}, targets)) return exit_usage;
    }
    std::optional<std::vector<FlowFile>> files = find_flow_files(options.files);
    if (!files) return exit_failure;
    const bool color = options.format == "text" && use_color(options.color, STDOUT_FILENO);
    bool write_failed = false;  // --fix could not write a file
    std::vector<Checked> checked = check_all(*files, options, write_failed);
    const bool no_flow = std::none_of(checked.begin(), checked.end(), [](const Checked& c) { return !c.fragment; });
    std::size_t errors = 0;
    std::size_t warnings = 0;
    std::size_t notes = 0;  // not problems in the flow: --werror does not fail on them
    JsonWriter json;
    json.begin_object();
    json.key("diagnostics").begin_array();
    std::vector<DiagnosticSet> sets;
    for (const Checked& c : checked) {
        for (const Diagnostic& d : c.result.diagnostics) {
            ++(d.severity == Severity::error ? errors : d.severity == Severity::warning ? warnings : notes);
            if (options.format == "text") fmt::print("{}", format_text(d, *c.result.sources, {color}));
        }
        if (options.format == "json") append_json(json, c.result.diagnostics, *c.result.sources);
        sets.push_back({c.result.diagnostics, c.result.sources.get()});
    }
    json.end_array();
    const bool failed = errors > 0 || (options.werror && warnings > 0) || write_failed ||
                        (no_flow && !no_flow_allowed(options.files, options.allow_empty, "flow"));
    if (options.format == "sarif") {
        fmt::print("{}\n", format_sarif(sets, {options.sarif_help_base}));
    } else if (options.format == "json") {
        json.key("files").begin_array();
        for (const Checked& c : checked) {
            const bool ok = std::none_of(c.result.diagnostics.begin(), c.result.diagnostics.end(),
                                         [](const Diagnostic& d) { return d.severity == Severity::error; });
            json.begin_object().key("path").string(c.path).key("ok").boolean(ok);
            if (c.fragment) json.key("fragment").boolean(true);
            json.end_object();
        }
        json.end_array();
        json.key("errors").number(static_cast<std::int64_t>(errors));
        json.key("warnings").number(static_cast<std::int64_t>(warnings));
        json.key("notes").number(static_cast<std::int64_t>(notes));
        json.key("ok").boolean(!failed);
        json.end_object();
        fmt::print("{}\n", json.str());
    } else {
        print_summary(checked, errors, warnings, notes, options.werror);
    }
    return failed ? exit_failure : exit_ok;
}

}  // namespace

std::function<int()> add_check_command(CLI::App& app) {
    auto options = std::make_shared<CheckOptions>();
    CLI::App* check = app.add_subcommand("check", "Compile flow files and report every problem");
    check->add_option("files", options->files, "Flow files, directories searched for *.flow, or - for standard input")
        ->required();
    check->add_option("--format", options->format, "Output format")
        ->check(CLI::IsMember({"text", "json", "sarif"}))
        ->capture_default_str();
    check->add_option("--color", options->color, "Colour the text output")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    check->add_flag("--werror", options->werror, "Treat warnings as errors");
    check->add_flag("--allow-empty", options->allow_empty, "Do not fail when no flow is found (only fragments, an empty directory)");
    check->add_option("--sarif-help-base", options->sarif_help_base,
                      "With --format sarif: the URL of docs/diagnostics.md for the rules' helpUri (default: " +
                          (default_sarif_help_base().empty() ? std::string("none: the help is in the report")
                                                             : std::string(default_sarif_help_base())) +
                          ")")
        ->check([](const std::string& url) {
            return url.find("://") == std::string::npos ? "must be an absolute URL, e.g. https://host/triage/docs/diagnostics.md"
                                                        : std::string();
        });
    check->add_flag("--fix", options->fix,
                    "Apply the fixes of the diagnostics in place (those that do not overlap), then report what remains");
    check->footer(
        "Files without a `flow` header are fragments that flows include: they are only parsed alone, and "
        "checked through the flows that include them.\n"
        "Exit status: 0 when every file is free of errors, 1 when any has errors (or warnings "
        "with --werror) or no flow was found (without --allow-empty), 2 on a usage error.");
    return [options] { return run_check(*options); };
}

}  // namespace triage::cli
