// The triage subcommands. Each registers its options on the CLI11 app and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>

namespace triage::cli {

// Exit codes shared by every subcommand.
enum ExitCode : int { exit_ok = 0, exit_failure = 1, exit_usage = 2 };

// Each registers its subcommand; the returned function runs it (once the app has parsed).
std::function<int()> add_check_command(CLI::App& app);
std::function<int()> add_run_command(CLI::App& app);
std::function<int()> add_explain_command(CLI::App& app);
std::function<int()> add_gen_command(CLI::App& app);
std::function<int()> add_test_command(CLI::App& app);
std::function<int()> add_diff_command(CLI::App& app);
std::function<int()> add_fmt_command(CLI::App& app);
std::function<int()> add_graph_command(CLI::App& app);
std::function<int()> add_report_command(CLI::App& app);
std::function<int()> add_lsp_command(CLI::App& app);
std::function<int()> add_worker_command(CLI::App& app);

// DOT to SVG through Graphviz's dot program; nullopt (after a message) when dot is missing.
std::optional<std::string> dot_to_svg(const std::string& dot);

// Whether to colour output written to a stream: --color auto|always|never, NO_COLOR, a terminal.
bool use_color(const std::string& mode, int fd);

}  // namespace triage::cli
