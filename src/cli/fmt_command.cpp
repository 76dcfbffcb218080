// `triage fmt [--check|--write] FILE...`: the canonical layout of flow files.
#include "commands.hpp"
#include "flow_loading.hpp"
#include "files.hpp"
#include "text_diff.hpp"

#include "triage/format.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <unistd.h>

namespace triage::cli {

namespace {

struct FmtOptions {
    std::vector<std::string> files;
    bool check = false;
    bool write = false;
    std::string color = "auto";
    bool allow_empty = false;
};

int run_fmt(const FmtOptions& options) {
    const bool color = use_color(options.color, STDERR_FILENO);
    if (options.write && std::find(options.files.begin(), options.files.end(), "-") != options.files.end()) {
        fmt::print(stderr, "triage: --write rewrites files in place; it cannot rewrite standard input\n");
        return exit_usage;
    }
    std::optional<std::vector<FlowFile>> files = find_flow_files(options.files);
    if (!files) return exit_failure;
    // Fragments are formatted too: layout does not depend on the flows that include them.
    bool failed = files->empty() && !no_flow_allowed(options.files, options.allow_empty, "flow file");
    for (const FlowFile& file : *files) {
        const std::string& path = file.path;
        const std::string name = path == "-" ? "<stdin>" : path;
        std::string error;
        std::optional<std::string> read = read_input(path, compile_options().limits.file_bytes, error);
        if (!read) {
            fmt::print(stderr, "triage: cannot read '{}': {}\n", name, error);
            failed = true;
            continue;
        }
        const std::string& original = *read;
        FormatResult result = format_source(original, name, compile_options().limits);
        if (!result.text) {
            for (const Diagnostic& d : result.diagnostics) fmt::print(stderr, "{}", format_text(d, *result.sources, {color}));
            fmt::print(stderr, "triage: {} has syntax errors and was not formatted\n", name);
            failed = true;
            continue;
        }
        if (options.check) {
            if (*result.text != original) {
                fmt::print("{}", unified_diff(original, *result.text, name, name + " (formatted)"));
                failed = true;
            }
        } else if (options.write) {
            // A new file renamed over the old one: a full disk leaves the flow as it was.
            if (*result.text != original && !write_output(path, *result.text)) failed = true;
        } else {
            fmt::print("{}", *result.text);
        }
    }
    return failed ? exit_failure : exit_ok;
}

}  // namespace

std::function<int()> add_fmt_command(CLI::App& app) {
    auto options = std::make_shared<FmtOptions>();
    CLI::App* cmd = app.add_subcommand("fmt", "Lay flow files out the canonical way (comments kept)");
    cmd->add_option("files", options->files, "Flow files, directories searched for *.flow, or - for standard input")
        ->required();
    auto* check = cmd->add_flag("--check", options->check, "Change nothing; print a diff and exit 1 when a file is not formatted");
    auto* write = cmd->add_flag("--write", options->write, "Rewrite the files in place");
    check->excludes(write);
    cmd->add_flag("--allow-empty", options->allow_empty, "Do not fail when no flow file is found (an empty directory)");
    cmd->add_option("--color", options->color, "Colour diagnostics")->check(CLI::IsMember({"auto", "always", "never"}));
    cmd->footer("Without --check or --write the formatted text goes to standard output.");
    return [options] { return run_fmt(*options); };
}

}  // namespace triage::cli
