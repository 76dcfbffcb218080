#include "syntax_hints.hpp"

#include "syntax/grammar.hpp"

#include <fmt/format.h>

#include <regex>

namespace triage {

namespace {

bool starts_with_any(std::string_view text, std::initializer_list<std::string_view> prefixes) {
    for (std::string_view p : prefixes)
        if (text.starts_with(p)) return true;
    return false;
}

bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The words from the start of `text` up to a comma, an arrow, a brace or the end of the line,
// with single spaces: `legal action` of `legal action, "sue"`.
std::string words_until_separator(std::string_view text) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == ',' || c == '\n' || c == '\r' || c == '{' || c == '}' || c == '#' || text.substr(i).starts_with("->"))
            break;
        if (c == ' ' || c == '\t') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
        ++i;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

std::string syntax_hint(std::string_view expected, std::string_view line_before, std::string_view found) {
    // Word processors' quotes: “ ” ‘ ’.
    if (starts_with_any(found, {"\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x98", "\xE2\x80\x99"}))
        return "use straight double quotes, \"like this\": curly quotes are not quotes in a flow";
    if (found.starts_with("&&")) return "write 'and' instead of '&&'";
    if (found.starts_with("||")) return "write 'or' instead of '||'";
    if (found.starts_with("!") && !found.starts_with("!=")) return "write 'not' instead of '!'";
    const bool word = !found.empty() && is_word_char(found.front());
    if (expected == syntax::time_ranges_name && !found.empty() && found.front() >= '0' && found.front() <= '9')
        return "write opening times on a 24-hour clock as HH:MM-HH:MM, e.g. 09:00-17:00";
    if (expected == syntax::dates_name && !found.empty() && ((found.front() >= '0' && found.front() <= '9') || found.front() == '"'))
        return "write dates as YYYY-MM-DD without quotes, e.g. 2015-12-25";
    // `expect outcome legal`: the outcome is named on its own.
    static const std::regex expect_only(R"(\bexpect\s+$)");
    static const std::regex outcome_then_name(R"(^outcome\s+([A-Za-z_][A-Za-z0-9_]*))");
    std::match_results<std::string_view::const_iterator> named;
    if (std::regex_search(line_before.begin(), line_before.end(), expect_only) &&
        std::regex_search(found.begin(), found.end(), named, outcome_then_name))
        return fmt::format("write 'expect {}': an expectation names the outcome itself", named[1].str());
    // A value of several words after `is`: `negative_reason is Late Flight`.
    static const std::regex is_word(R"(\bis\s+(not\s+)?([A-Za-z_][A-Za-z0-9_]*)\s+$)");
    std::match_results<std::string_view::const_iterator> m;
    if (word && std::regex_search(line_before.begin(), line_before.end(), m, is_word))
        return fmt::format("a value of several words is written in double quotes: \"{} {}\"", m[2].str(),
                           words_until_separator(found));
    // A phrase of several words left unquoted in a word list: `words legal = "lawyer", legal action`.
    if (word && expected == syntax::text_name)
        return fmt::format("write it in double quotes: \"{}\"", words_until_separator(found));
    return {};
}

}  // namespace triage
