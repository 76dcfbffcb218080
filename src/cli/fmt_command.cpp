// `triage fmt [--check|--write] FILE...`: the canonical layout of flow files.
#include "commands.hpp"
#include "flow_loading.hpp"
#include "files.hpp"

#include "triage/format.hpp"

#include <fmt/format.h>

#include <unistd.h>

namespace triage::cli {

namespace {

struct FmtOptions {
    std::vector<std::string> files;
    bool check = false;
    bool write = false;
    std::string color = "auto";
};

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        if (end == std::string_view::npos) end = text.size() - 1;
        lines.push_back(text.substr(0, end + 1));
        text.remove_prefix(end + 1);
    }
    return lines;
}

// A unified diff (whole-file hunk boundaries trimmed to the changed region plus context).
std::string unified_diff(std::string_view before, std::string_view after, const std::string& name) {
    std::vector<std::string_view> a = split_lines(before), b = split_lines(after);
    // Longest common subsequence table; flow files are small.
    std::vector<std::vector<std::uint32_t>> lcs(a.size() + 1, std::vector<std::uint32_t>(b.size() + 1, 0));
    for (std::size_t i = a.size(); i-- > 0;)
        for (std::size_t j = b.size(); j-- > 0;)
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    struct Edit {
        char kind;
        std::string_view text;
    };
    std::vector<Edit> edits;
    std::size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (i < a.size() && j < b.size() && a[i] == b[j]) edits.push_back({' ', a[i++]}), ++j;
        else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) edits.push_back({'+', b[j++]});
        else edits.push_back({'-', a[i++]});
    }
    std::string out = fmt::format("--- {}\n+++ {} (formatted)\n", name, name);
    constexpr std::size_t context = 3;
    std::size_t k = 0;
    while (k < edits.size()) {
        while (k < edits.size() && edits[k].kind == ' ') ++k;
        if (k == edits.size()) break;
        std::size_t start = k >= context ? k - context : 0, end = k;
        for (std::size_t quiet = 0; end < edits.size() && quiet <= 2 * context; ++end)
            quiet = edits[end].kind == ' ' ? quiet + 1 : 0;
        end = std::min(edits.size(), end);
        std::size_t old_line = 1, new_line = 1;
        for (std::size_t e = 0; e < start; ++e) {
            old_line += edits[e].kind != '+';
            new_line += edits[e].kind != '-';
        }
        std::size_t old_count = 0, new_count = 0;
        for (std::size_t e = start; e < end; ++e) {
            old_count += edits[e].kind != '+';
            new_count += edits[e].kind != '-';
        }
        out += fmt::format("@@ -{},{} +{},{} @@\n", old_line, old_count, new_line, new_count);
        for (std::size_t e = start; e < end; ++e) {
            out += edits[e].kind;
            out += edits[e].text;
            if (edits[e].text.empty() || edits[e].text.back() != '\n') out += "\n\\ No newline at end of file\n";
        }
        k = end;
    }
    return out;
}

int run_fmt(const FmtOptions& options) {
    const bool color = use_color(options.color, STDERR_FILENO);
    bool failed = false;
    for (const std::string& path : options.files) {
        std::string error;
        std::optional<std::string> read = read_input(path, compile_options().limits.file_bytes, error);
        if (!read) {
            fmt::print(stderr, "triage: cannot read '{}': {}\n", path, error);
            failed = true;
            continue;
        }
        const std::string& original = *read;
        FormatResult result = format_source(original, path, compile_options().limits);
        if (!result.text) {
            for (const Diagnostic& d : result.diagnostics) fmt::print(stderr, "{}", format_text(d, *result.sources, {color}));
            fmt::print(stderr, "triage: {} has syntax errors and was not formatted\n", path);
            failed = true;
            continue;
        }
        if (options.check) {
            if (*result.text != original) {
                fmt::print("{}", unified_diff(original, *result.text, path));
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
    cmd->add_option("files", options->files, "Flow files")->required();
    auto* check = cmd->add_flag("--check", options->check, "Change nothing; print a diff and exit 1 when a file is not formatted");
    auto* write = cmd->add_flag("--write", options->write, "Rewrite the files in place");
    check->excludes(write);
    cmd->add_option("--color", options->color, "Colour diagnostics")->check(CLI::IsMember({"auto", "always", "never"}));
    cmd->footer("Without --check or --write the formatted text goes to standard output.");
    return [options] { return run_fmt(*options); };
}

}  // namespace triage::cli
