// What the triage command says about itself: `help` for a command or a diagnostic code, a short
// usage with "did you mean" after a usage error, shell completion scripts and man pages. All of it
// is read from the CLI11 definitions each add_*_command makes, so nothing is written twice.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace triage::cli {

// Registers `help`, `completion` and `man` (after the other commands, which they describe); each
// returned function runs its command once the app has parsed.
std::vector<std::pair<CLI::App*, std::function<int()>>> add_documentation_commands(CLI::App& app);

// After a usage error: the error, "did you mean" for a mistyped command or option, the short usage
// of the command and where its full help is, all on stderr. Returns exit_usage.
int report_usage_error(const CLI::App& app, const CLI::ParseError& error, std::span<char* const> arguments);

// The commands people see (help, completion and man pages list them), in --help's order.
std::vector<const CLI::App*> visible_commands(const CLI::App& app);

// "--format", "-o": every name of every option of `command` that is not positional.
std::vector<std::string> option_names(const CLI::App& command);

// The completion script for `shell` (bash, zsh or fish).
std::string completion_script(const CLI::App& app, std::string_view shell);

// The man page (roff) of the tool, or of one command when `command` is not null; `date`
// ("2026-03-01") is the page's date in its .TH line.
std::string man_page(const CLI::App& app, const CLI::App* command, std::string_view date);

// The date of generated man pages: SOURCE_DATE_EPOCH's day (UTC) when that variable is set, so
// that a package build gives the same pages every time (reproducible-builds.org), else today's.
std::string man_page_date();

// The section of docs/diagnostics.md on `code` ("T012" or "t012"), compiled in; nullopt when
// there is none.
std::optional<std::string_view> diagnostic_page(std::string_view code);

}  // namespace triage::cli
