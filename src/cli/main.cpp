// The triage command-line tool.
#include "cli/commands.hpp"

#include <fmt/format.h>

#include <exception>

int main(int argc, char** argv) {
    using namespace triage::cli;
    CLI::App app{"triage: social-media response flowcharts as code", "triage"};
    app.set_version_flag("--version", "triage 0.1.0");
    app.require_subcommand(1);
    app.failure_message(CLI::FailureMessage::help);

    std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
    commands.emplace_back(nullptr, add_check_command(app));
    commands.back().first = app.get_subcommand("check");
    commands.emplace_back(nullptr, add_run_command(app));
    commands.back().first = app.get_subcommand("run");
    commands.emplace_back(nullptr, add_explain_command(app));
    commands.back().first = app.get_subcommand("explain");
    commands.emplace_back(nullptr, add_gen_command(app));
    commands.back().first = app.get_subcommand("gen");
    commands.emplace_back(nullptr, add_test_command(app));
    commands.back().first = app.get_subcommand("test");
    commands.emplace_back(nullptr, add_diff_command(app));
    commands.back().first = app.get_subcommand("diff");
    commands.emplace_back(nullptr, add_fmt_command(app));
    commands.back().first = app.get_subcommand("fmt");
    commands.emplace_back(nullptr, add_graph_command(app));
    commands.back().first = app.get_subcommand("graph");
    commands.emplace_back(nullptr, add_report_command(app));
    commands.back().first = app.get_subcommand("report");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exit_usage;
    }
    try {
        for (auto& [command, run] : commands)
            if (command->parsed()) return run();
    } catch (const std::exception& e) {
        fmt::print(stderr, "triage: error: {}\n", e.what());
        return exit_failure;
    }
    return exit_usage;
}
