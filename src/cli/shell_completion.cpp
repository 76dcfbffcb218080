// `triage completion bash|zsh|fish`: completion scripts written from the commands' CLI11
// definitions. Commands complete first, then each command's options after a '-', and files
// everywhere else (flows, mentions, outputs).
#include "command_docs.hpp"

#include <fmt/format.h>

namespace triage::cli {

namespace {

std::string command_words(const CLI::App& app) {
    std::vector<std::string> words;
    for (const CLI::App* command : visible_commands(app)) words.push_back(command->get_name());
    return fmt::format("{}", fmt::join(words, " "));
}

// Single quotes for shell words: a description's own quote closes, escapes and reopens.
std::string shell_quoted(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += "'\\''";
        else if (c == '\n') out += ' ';
        else out += c;
    }
    return out + "'";
}

std::string bash_script(const CLI::App& app) {
    std::string cases;
    for (const CLI::App* command : visible_commands(app))
        cases += fmt::format("        {}) options='{}' ;;\n", command->get_name(), fmt::join(option_names(*command), " "));
    return fmt::format(R"(# bash completion for triage (written by `triage completion bash`)
_triage() {{
    local current=${{COMP_WORDS[COMP_CWORD]}} command="" options i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${{COMP_WORDS[i]}} in -*) ;; *) command=${{COMP_WORDS[i]}}; break ;; esac
    done
    case $command in
        "") COMPREPLY=($(compgen -W '{} --help --version' -- "$current")); return ;;
{}        *) return ;;
    esac
    # Options after a '-'; otherwise an empty reply, and bash completes file names (-o default).
    if [[ $current == -* ]]; then COMPREPLY=($(compgen -W "$options" -- "$current")); fi
}}
complete -o default -F _triage triage
)",
                       command_words(app), cases);
}

std::string zsh_script(const CLI::App& app) {
    std::string described;
    std::string cases;
    for (const CLI::App* command : visible_commands(app)) {
        described += fmt::format("        {}\n", shell_quoted(command->get_name() + ":" + command->get_description()));
        cases += fmt::format("        {}) options=({}) ;;\n", command->get_name(), fmt::join(option_names(*command), " "));
    }
    return fmt::format(R"(#compdef triage
# zsh completion for triage (written by `triage completion zsh`)
_triage() {{
    local -a commands options
    commands=(
{}    )
    if (( CURRENT == 2 )); then
        _describe 'command' commands
        return
    fi
    case ${{words[2]}} in
{}    esac
    if [[ ${{words[CURRENT]}} == -* ]]; then
        compadd -a options
    else
        _files
    fi
}}
_triage "$@"
)",
                       described, cases);
}

std::string fish_script(const CLI::App& app) {
    std::string out = "# fish completion for triage (written by `triage completion fish`)\n"
                      "complete -c triage -f -n __fish_use_subcommand -l help -d 'Print help'\n"
                      "complete -c triage -f -n __fish_use_subcommand -l version -d 'Print the version'\n";
    for (const CLI::App* command : visible_commands(app)) {
        out += fmt::format("complete -c triage -f -n __fish_use_subcommand -a {} -d {}\n", command->get_name(),
                           shell_quoted(command->get_description()));
        for (const CLI::Option* option : command->get_options()) {
            if (!option->nonpositional()) continue;
            std::string line = fmt::format("complete -c triage -n '__fish_seen_subcommand_from {}'", command->get_name());
            for (const std::string& name : option->get_lnames()) line += " -l " + name;
            for (const std::string& name : option->get_snames()) line += " -s " + name;
            if (!CLI::Formatter().make_option_opts(option).empty()) line += " -r";  // --help shows a value
            out += line + " -d " + shell_quoted(option->get_description()) + "\n";
        }
    }
    return out;
}

}  // namespace

std::string completion_script(const CLI::App& app, std::string_view shell) {
    if (shell == "zsh") return zsh_script(app);
    if (shell == "fish") return fish_script(app);
    return bash_script(app);
}

}  // namespace triage::cli
