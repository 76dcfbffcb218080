// The triage command-line tool.
#include "command_docs.hpp"
#include "commands.hpp"
#include "flow_loading.hpp"
#include "large_stack.hpp"

#include "triage/version.hpp"

#include <fmt/format.h>

#include <csignal>
#include <functional>
#include <exception>


namespace {

// The command runs on a large stack (large_stack.hpp); an exception that escapes it is a
// message and exit status 1, not an abort.
int run_command(const std::function<int()>& command) {
    int status = triage::cli::exit_failure;
    try {
        triage::cli::run_on_large_stack([&] { status = command(); });
    } catch (const std::exception& e) {
        fmt::print(stderr, "triage: error: {}\n", e.what());
        status = triage::cli::exit_failure;
    }
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace triage::cli;
    // Past a file-size limit (ulimit -f) a write fails with EFBIG, reported like a full disk,
    // instead of the signal ending triage with a half-written file.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app{"triage: social-media response flowcharts as code", "triage"};
    app.set_version_flag("--version", "triage " TRIAGE_VERSION_STRING);
    app.require_subcommand(1);

    // Each subcommand registers itself and hands back what runs it; the order is --help's order.
    using Registration = std::function<int()> (*)(CLI::App&);
    constexpr Registration registrations[] = {
        add_check_command, add_test_command,  add_fmt_command,   add_diff_command, add_graph_command,
        add_report_command, add_run_command,  add_explain_command, add_gen_command,
        add_lsp_command,  add_worker_command,
    };
    std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
    for (Registration add : registrations) {
        std::function<int()> run = add(app);
        CLI::App* command = app.get_subcommands({}).back();
        add_limit_option(*command);
        commands.emplace_back(command, std::move(run));
    }
    for (auto& documentation : add_documentation_commands(app)) commands.push_back(std::move(documentation));

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        return report_usage_error(app, e, {argv, static_cast<std::size_t>(argc)});
    }
    for (auto& [command, run] : commands)
        if (command->parsed()) return run_command(run);
    return exit_usage;
}
