// `triage help [COMMAND|CODE]`, `triage completion SHELL`, `triage man DIR`, and what a usage error
// prints: the error, a suggestion, the command's one-line usage (the whole help only on --help).
#include "command_docs.hpp"
#include "commands.hpp"
#include "files.hpp"

#include "triage/suggest.hpp"

#include <fmt/format.h>

#include "triage/diagnostic_docs.hpp"

#include <cctype>
#include <filesystem>
#include <memory>

namespace triage::cli {


namespace {

// "triage check": the name a command is run by, for usage lines and man pages.
std::string full_name(const CLI::App& command) {
    std::string name = command.get_name();
    for (const CLI::App* parent = command.get_parent(); parent != nullptr; parent = parent->get_parent())
        name = parent->get_name() + " " + name;
    return name;
}

bool is_diagnostic_code(std::string_view topic) {
    return topic.size() == 4 && (topic[0] == 'T' || topic[0] == 't') &&
           std::all_of(topic.begin() + 1, topic.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// The page without the `<!-- doc: ... -->` lines that tell docs_truth.py how to test each block:
// plumbing that a reader of `triage help T012` has no use for.
std::string without_doc_markers(std::string_view page) {
    std::string out;
    for (std::size_t begin = 0; begin < page.size();) {
        const std::size_t end = std::min(page.find('\n', begin), page.size());
        const std::string_view line = page.substr(begin, end - begin);
        if (!(line.starts_with("<!-- doc:") && line.ends_with("-->"))) out.append(page.substr(begin, end + 1 - begin));
        begin = end + 1;
    }
    return out;
}

int run_help(const CLI::App& app, const std::string& topic) {
    if (topic.empty()) {
        // Not app.help(), which shows the help of the command parsed: this one.
        fmt::print("{}", app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal));
        return exit_ok;
    }
    for (const CLI::App* command : visible_commands(app))
        if (command->get_name() == topic) {
            fmt::print("{}", command->help(app.get_name()));
            return exit_ok;
        }
    if (is_diagnostic_code(topic)) {
        if (std::optional<std::string_view> page = diagnostic_page(topic)) {
            fmt::print("{}\n", without_doc_markers(*page));
            return exit_ok;
        }
        fmt::print(stderr, "triage: error: no diagnostic {}: the codes are listed in docs/diagnostics.md\n", topic);
        return exit_usage;
    }
    fmt::print(stderr, "triage: error: no command or diagnostic code '{}'\n", topic);
    std::vector<std::string> names;
    for (const CLI::App* command : visible_commands(app)) names.push_back(command->get_name());
    if (std::optional<std::string> near = suggest_name(topic, names)) fmt::print(stderr, "help: did you mean '{}'?\n", *near);
    fmt::print(stderr, "Commands: {}\n", fmt::join(names, ", "));
    return exit_usage;
}

// Writes triage.1 and triage-COMMAND.1 for every command into `directory` (created if missing),
// dated `date` (man_page_date() when empty).
int run_man(const CLI::App& app, const std::string& directory, std::string date) {
    if (date.empty()) date = man_page_date();
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) {
        fmt::print(stderr, "triage: error: cannot create '{}': {}\n", directory, error.message());
        return exit_failure;
    }
    const std::filesystem::path root(directory);
    if (!write_output((root / "triage.1").string(), man_page(app, nullptr, date))) return exit_failure;
    for (const CLI::App* command : visible_commands(app))
        if (!write_output((root / ("triage-" + command->get_name() + ".1")).string(), man_page(app, command, date)))
            return exit_failure;
    return exit_ok;
}

// The option of `command` that a mistyped `--name` (or `--name=value`) was probably meant to be.
std::optional<std::string> option_suggestion(const CLI::App& command, std::string_view argument) {
    if (!argument.starts_with("--")) return std::nullopt;
    argument = argument.substr(0, argument.find('='));
    std::vector<std::string> names = option_names(command);
    if (command.get_parent() != nullptr) names.push_back("--help");
    return suggest_name(argument, names);
}

// "did you mean": the first word that is no command of `app`, or no option of the command it runs.
std::optional<std::string> typo_suggestion(const CLI::App& app, std::span<char* const> arguments) {
    const CLI::App* command = &app;
    for (std::size_t i = 1; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        if (argument == "--") break;
        if (argument.size() > 1 && argument[0] == '-') {
            if (auto near = option_suggestion(*command, argument)) return near;
        } else if (command == &app) {
            std::vector<std::string> names;
            for (const CLI::App* candidate : visible_commands(app)) {
                if (candidate->get_name() == argument) command = candidate;
                names.push_back(candidate->get_name());
            }
            if (command == &app) return suggest_name(argument, names);
        }
    }
    return std::nullopt;
}

}  // namespace

std::vector<const CLI::App*> visible_commands(const CLI::App& app) {
    return app.get_subcommands([](const CLI::App* command) { return !command->get_group().empty(); });
}

std::vector<std::string> option_names(const CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::Option* option : command.get_options()) {
        if (!option->nonpositional()) continue;
        for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
        for (const std::string& name : option->get_snames()) names.push_back("-" + name);
    }
    return names;
}

std::optional<std::string_view> diagnostic_page(std::string_view code) {
    std::string heading = "\n## ";
    for (char c : code) heading += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    heading += ' ';
    const std::string_view docs = triage::diagnostics_markdown();  // compiled into the library
    const std::size_t start = docs.find(heading);
    if (start == std::string_view::npos) return std::nullopt;
    const std::size_t end = docs.find("\n## ", start + 1);
    std::string_view page = docs.substr(start + 1, end == std::string_view::npos ? end : end - start - 1);
    while (!page.empty() && page.back() == '\n') page.remove_suffix(1);
    return page;
}

// The first word of the command line when it is no command: CLI11 only says a command is required.
std::optional<std::string_view> unknown_command(const CLI::App& app, std::span<char* const> arguments) {
    for (std::size_t i = 1; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        if (argument.empty() || argument[0] == '-') continue;
        for (const CLI::App* candidate : app.get_subcommands({}))
            if (candidate->check_name(std::string(argument))) return std::nullopt;
        return argument;
    }
    return std::nullopt;
}

int report_usage_error(const CLI::App& app, const CLI::ParseError& error, std::span<char* const> arguments) {
    // `triage` alone, the first thing a new user types: what it can do, not that something is missing.
    if (arguments.size() <= 1) {
        fmt::print(stderr, "{}", app.help());
        return exit_usage;
    }
    if (std::optional<std::string_view> word = unknown_command(app, arguments))
        fmt::print(stderr, "triage: error: '{}' is not a triage command\n", *word);
    else
        fmt::print(stderr, "triage: error: {}\n", error.what());
    if (std::optional<std::string> near = typo_suggestion(app, arguments))
        fmt::print(stderr, "help: did you mean '{}'?\n", *near);
    // The command whose usage to show: the one named on the command line, if any.
    const CLI::App* command = &app;
    for (const CLI::App* candidate : app.get_subcommands()) command = candidate;
    fmt::print(stderr, "{}", CLI::Formatter().make_usage(command, full_name(*command)));
    fmt::print(stderr, "Run '{}' for more.\n",
               command == &app ? std::string("triage help") : "triage help " + command->get_name());
    return exit_usage;
}

std::vector<std::pair<CLI::App*, std::function<int()>>> add_documentation_commands(CLI::App& app) {
    std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
    auto topic = std::make_shared<std::string>();
    CLI::App* help = app.add_subcommand("help", "Show the help of a command, or the page of a diagnostic code");
    help->add_option("topic", *topic, "A command (check) or a diagnostic code (T012); none: every command");
    help->footer("The pages of the diagnostic codes are docs/diagnostics.md, compiled in: they need no network.");
    commands.emplace_back(help, [&app, topic] { return run_help(app, *topic); });

    auto shell = std::make_shared<std::pair<std::string, std::string>>("", "-");
    CLI::App* completion = app.add_subcommand("completion", "Print the shell completion script for bash, zsh or fish");
    completion->add_option("shell", shell->first, "The shell")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
    completion->add_option("-o,--output", shell->second, "Write the script to this file instead of standard output");
    completion->footer("For this shell only: source <(triage completion bash). The .deb installs the bash and zsh "
                       "scripts.");
    commands.emplace_back(completion, [&app, shell] {
        return write_output(shell->second, completion_script(app, shell->first)) ? exit_ok : exit_failure;
    });

    auto man_flags = std::make_shared<std::pair<std::string, std::string>>();  // directory, date
    CLI::App* man = app.add_subcommand("man", "Write the man pages (triage.1, triage-COMMAND.1) into a directory");
    man->add_option("directory", man_flags->first, "Where to write them (created if missing)")->required();
    man->add_option("--date", man_flags->second,
                    "The pages' date, YYYY-MM-DD (default: SOURCE_DATE_EPOCH's day, else today)")
        ->check(CLI::Validator(
            [](const std::string& date) {
                bool ok = date.size() == 10;
                for (std::size_t i = 0; ok && i < date.size(); ++i)
                    ok = i == 4 || i == 7 ? date[i] == '-' : std::isdigit(static_cast<unsigned char>(date[i])) != 0;
                return ok ? std::string() : "expected YYYY-MM-DD, got '" + date + "'";
            },
            "YYYY-MM-DD"));
    commands.emplace_back(man, [&app, man_flags] { return run_man(app, man_flags->first, man_flags->second); });
    return commands;
}

}  // namespace triage::cli
