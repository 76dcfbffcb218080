// The triage command-line tool.
#include "commands.hpp"
#include "flow_loading.hpp"

#include "triage/version.hpp"

#include <fmt/format.h>

#include <csignal>
#include <functional>
#include <exception>

#include <pthread.h>

namespace {

// Nested conditions are compiled and evaluated recursively, up to --limit nesting levels: the
// command runs on a thread whose stack holds the deepest nesting accepted in any build (the
// memory is reserved, and used only as deep as a flow goes).
constexpr std::size_t command_stack_bytes = std::size_t{512} << 20;

int run_with_large_stack(const std::function<int()>& command) {
    struct Job {
        const std::function<int()>* command;
        int status = triage::cli::exit_failure;
    } job{&command};
    auto body = [](void* arg) -> void* {
        auto* j = static_cast<Job*>(arg);
        try {
            j->status = (*j->command)();
        } catch (const std::exception& e) {
            fmt::print(stderr, "triage: error: {}\n", e.what());
            j->status = triage::cli::exit_failure;
        }
        return nullptr;
    };
    pthread_attr_t attributes;
    pthread_t thread;
    if (pthread_attr_init(&attributes) != 0 || pthread_attr_setstacksize(&attributes, command_stack_bytes) != 0 ||
        pthread_create(&thread, &attributes, body, &job) != 0) {
        body(&job);  // no thread to be had: this one's stack still holds the default limits
        return job.status;
    }
    pthread_attr_destroy(&attributes);
    pthread_join(thread, nullptr);
    return job.status;
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
    app.failure_message(CLI::FailureMessage::help);

    // Each subcommand registers itself and hands back what runs it; the order is --help's order.
    using Registration = std::function<int()> (*)(CLI::App&);
    constexpr Registration registrations[] = {
        add_check_command, add_test_command,  add_fmt_command,   add_diff_command, add_graph_command,
        add_report_command, add_run_command,  add_explain_command, add_gen_command,
    };
    std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
    for (Registration add : registrations) {
        std::function<int()> run = add(app);
        CLI::App* command = app.get_subcommands({}).back();
        add_limit_option(*command);
        commands.emplace_back(command, std::move(run));
    }

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
    for (auto& [command, run] : commands)
        if (command->parsed()) return run_with_large_stack(run);
    return exit_usage;
}
