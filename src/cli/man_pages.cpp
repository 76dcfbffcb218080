// Man pages (roff, man(7) macros) written from the commands' CLI11 definitions: the same names,
// descriptions, usage lines and footers as --help, so the two cannot disagree.
#include "command_docs.hpp"

#include "triage/version.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace triage::cli {

namespace {

// Text as roff shows it literally: backslashes and hyphens escaped, no line taken for a request,
// and a break point (\:) after each slash, so that a long URL can wrap instead of overflowing.
std::string roff(std::string_view text) {
    std::string out;
    bool line_start = true;
    for (char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else if (c == '/') out += "/\\:";
        else out += c;
        line_start = c == '\n';
    }
    return out;
}

std::string options_section(const CLI::App& command) {
    CLI::Formatter formatter;
    std::string arguments;
    std::string options;
    for (const CLI::Option* option : command.get_options()) {
        const bool positional = !option->nonpositional();
        // The option's names in bold, what it takes (" TEXT:{text,json}=text", as --help shows it) in italics.
        std::string item = ".TP\n\\fB" + roff(formatter.make_option_name(option, positional)) + "\\fR";
        const std::string value = positional ? std::string() : formatter.make_option_opts(option);
        if (value.size() > 1) item += " \\fI" + roff(value.substr(1)) + "\\fR";
        item += "\n" + roff(option->get_description()) + "\n";
        (positional ? arguments : options) += item;
    }
    std::string out;
    if (!arguments.empty()) out += ".SH ARGUMENTS\n" + arguments;
    if (!options.empty()) out += ".SH OPTIONS\n" + options;
    return out;
}

std::string synopsis(const CLI::App& command, const std::string& name) {
    std::string usage = CLI::Formatter().make_usage(&command, name);
    if (usage.starts_with("Usage: ")) usage.erase(0, 7);
    while (!usage.empty() && usage.back() == '\n') usage.pop_back();
    return ".SH SYNOPSIS\n" + roff(usage) + "\n";
}

}  // namespace

std::string man_page_date() {
    std::time_t seconds = std::time(nullptr);
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
        long long value = 0;
        const char* end = epoch + std::strlen(epoch);
        if (auto [rest, error] = std::from_chars(epoch, end, value); error == std::errc() && rest == end && value >= 0)
            seconds = static_cast<std::time_t>(value);
    }
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    return fmt::format("{:04}-{:02}-{:02}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday);
}

std::string man_page(const CLI::App& app, const CLI::App* command, std::string_view date) {
    const std::string title = command == nullptr ? "TRIAGE" : "TRIAGE-" + command->get_name();
    std::string upper;
    for (char c : title) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    std::string out = fmt::format(".TH {} 1 \"{}\" \"triage {}\" \"triage manual\"\n.SH NAME\n", upper, date,
                                  TRIAGE_VERSION_STRING);
    if (command == nullptr) {
        out += "triage \\- " + roff(app.get_description()) + "\n";
        out += synopsis(app, "triage");
        out += ".SH COMMANDS\n";
        for (const CLI::App* each : visible_commands(app))
            out += fmt::format(".TP\n.BR triage\\-{} (1)\n{}\n", roff(each->get_name()), roff(each->get_description()));
        out += options_section(app);
        out += ".SH SEE ALSO\n\\fBtriage help\\fR \\fICOMMAND\\fR, \\fBtriage help\\fR \\fIT012\\fR (a diagnostic "
               "code's page), and the documents in /usr/share/doc/triage/.\n";
        return out;
    }
    const std::string name = "triage " + command->get_name();
    out += fmt::format("triage\\-{} \\- {}\n", roff(command->get_name()), roff(command->get_description()));
    out += synopsis(*command, name);
    out += options_section(*command);
    if (!command->get_footer().empty()) out += ".SH NOTES\n" + roff(command->get_footer()) + "\n";
    out += ".SH SEE ALSO\n.BR triage (1)\n";
    return out;
}

}  // namespace triage::cli
