#include "syntax_hints.hpp"

#include "suggest.hpp"
#include "syntax/grammar.hpp"
#include "syntax/keywords.hpp"
#include "text_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
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


// How far the words of words_until_separator() run in `text`, without the blanks after them.
std::size_t raw_until_separator(std::string_view text) {
    std::size_t end = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ',' || c == '\n' || c == '\r' || c == '{' || c == '}' || c == '#' || text.substr(i).starts_with("->"))
            break;
        if (c != ' ' && c != '\t') end = i + 1;
    }
    return end;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Of the next characters, does one end a word (or the line)? A byte past 0x7F is part of a word.
bool word_ends(std::string_view text, std::size_t at) {
    return at >= text.size() || (static_cast<unsigned char>(text[at]) < 0x80 && !is_word_char(text[at]));
}

bool has_word(std::string_view words, std::initializer_list<std::string_view> wanted) {
    std::size_t i = 0;
    while (i < words.size()) {
        std::size_t end = words.find(' ', i);
        if (end == std::string_view::npos) end = words.size();
        for (std::string_view w : wanted)
            if (words.substr(i, end - i) == w) return true;
        i = end + 1;
    }
    return false;
}

constexpr std::string_view curly_quotes[] = {"\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x98", "\xE2\x80\x99"};

// The curly quote at `at` and the one that closes it on its line become straight double quotes;
// nothing when there is no closing one or a straight quote or backslash between them. A single
// curly quote followed by a letter is an apostrophe (‘don’t’), not the closing one.
std::vector<SyntaxHint::Edit> straight_quotes(std::size_t at, std::string_view found) {
    const bool single = found.starts_with(curly_quotes[2]) || found.starts_with(curly_quotes[3]);
    for (std::size_t i = 3; i < found.size() && found[i] != '\n' && found[i] != '\r'; ++i) {
        if (found[i] == '"' || found[i] == '\\') return {};
        const std::string_view here = found.substr(i);
        const bool closes = single ? (here.starts_with(curly_quotes[2]) || here.starts_with(curly_quotes[3])) && word_ends(found, i + 3)
                                   : here.starts_with(curly_quotes[0]) || here.starts_with(curly_quotes[1]);
        if (closes) return {{at, at + 3, "\""}, {at + i, at + i + 3, "\""}};
    }
    return {};
}

// `&&` (of `length` bytes at `at`) as `word`, with a blank either side where there was none.
std::vector<SyntaxHint::Edit> spelled_operator(std::string_view line_before, std::size_t at, std::string_view found,
                                               std::size_t length, std::string_view word) {
    std::string text(word);
    if (!line_before.empty() && line_before.back() != ' ' && line_before.back() != '\t' && line_before.back() != '(')
        text.insert(0, " ");
    if (length < found.size() && found[length] != ' ' && found[length] != '\t' && found[length] != '\n' && found[length] != '\r')
        text += ' ';
    return {{at, at + length, std::move(text)}};
}

struct ClockTime {
    unsigned minutes = 0;  // since midnight
    bool meridiem = false; // written with am or pm
    std::size_t length = 0;
};

// `9am`, `5:30pm`, `09.00` at the start of `text`: the time of day it means, when certain.
std::optional<ClockTime> read_clock_time(std::string_view text) {
    std::size_t i = 0;
    unsigned hour = 0, minute = 0;
    while (i < text.size() && i < 2 && is_digit(text[i])) hour = hour * 10 + static_cast<unsigned>(text[i++] - '0');
    if (i == 0) return std::nullopt;
    bool dotted = false;
    if (i + 2 < text.size() && (text[i] == '.' || text[i] == ':') && is_digit(text[i + 1]) && is_digit(text[i + 2])) {
        dotted = text[i] == '.';
        minute = static_cast<unsigned>((text[i + 1] - '0') * 10 + (text[i + 2] - '0'));
        i += 3;
    }
    ClockTime t;
    const std::string_view rest = text.substr(i);
    if (rest.size() >= 2 && (rest[0] == 'a' || rest[0] == 'p' || rest[0] == 'A' || rest[0] == 'P') && (rest[1] == 'm' || rest[1] == 'M')) {
        if (hour < 1 || hour > 12) return std::nullopt;
        t.meridiem = true;
        hour = hour % 12 + (rest[0] == 'p' || rest[0] == 'P' ? 12 : 0);
        i += 2;
    } else if (!dotted) {
        return std::nullopt;  // `9-17`: a 24-hour clock, or 9 to 5? Not certain.
    }
    if (minute >= 60 || hour > 24 || (hour == 24 && minute != 0) || !word_ends(text, i)) return std::nullopt;
    t.minutes = hour * 60 + minute;
    t.length = i;
    return t;
}

// `9am-5pm` or `09.00-17.00` at the start of `found` as `09:00-17:00`.
std::vector<SyntaxHint::Edit> twenty_four_hour_range(std::size_t at, std::string_view found) {
    const std::optional<ClockTime> opens = read_clock_time(found);
    if (!opens) return {};
    std::size_t i = opens->length;
    while (i < found.size() && found[i] == ' ') ++i;
    if (i >= found.size() || found[i] != '-') return {};
    ++i;
    while (i < found.size() && found[i] == ' ') ++i;
    const std::optional<ClockTime> closes = read_clock_time(found.substr(i));
    if (!closes || closes->meridiem != opens->meridiem || closes->minutes <= opens->minutes) return {};
    return {{at, at + i + closes->length,
             fmt::format("{:02}:{:02}-{:02}:{:02}", opens->minutes / 60, opens->minutes % 60, closes->minutes / 60,
                         closes->minutes % 60)}};
}

// `12/25/2015`, `25.12.2015`, `2015-2-16`, `"2015-02-16"` at the start of `found` as
// `2015-12-25`; nothing when day and month could be either way round (`03/04/2015`).
std::vector<SyntaxHint::Edit> iso_date(std::size_t at, std::string_view found) {
    std::size_t i = found.starts_with('"') ? 1 : 0;
    unsigned parts[3] = {0, 0, 0};
    std::size_t digits[3] = {0, 0, 0};
    char separator = 0;
    for (int part = 0; part < 3; ++part) {
        if (part > 0) {
            if (i >= found.size() || (found[i] != '-' && found[i] != '/' && found[i] != '.')) return {};
            if (separator != 0 && found[i] != separator) return {};
            separator = found[i++];
        }
        while (i < found.size() && is_digit(found[i]) && digits[part] < 4)
            parts[part] = parts[part] * 10 + static_cast<unsigned>(found[i++] - '0'), ++digits[part];
        if (digits[part] == 0) return {};
    }
    if (found.starts_with('"') && (i >= found.size() || found[i++] != '"')) return {};
    if (!word_ends(found, i)) return {};
    unsigned year = 0, month = 0, day = 0;
    if (digits[0] == 4 && digits[1] <= 2 && digits[2] <= 2) {
        year = parts[0], month = parts[1], day = parts[2];
    } else if (digits[2] == 4 && digits[0] <= 2 && digits[1] <= 2) {
        year = parts[2];
        if (parts[0] > 12 && parts[1] <= 12) month = parts[1], day = parts[0];
        else if (parts[1] > 12 && parts[0] <= 12) month = parts[0], day = parts[1];
        else if (parts[0] == parts[1]) month = day = parts[0];
        else return {};
    } else {
        return {};
    }
    static constexpr unsigned month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1] || (month == 2 && day == 29 && !leap))
        return {};
    return {{at, at + i, fmt::format("{:04}-{:02}-{:02}", year, month, day)}};
}

// Where a string runs to the end of its phrase, so that quoting the words up to a comma, an
// arrow or a brace is what the author meant: a word list's phrases, `contains`, the title of a
// step, outcome, test, business hours or crisis. (After `flow` or `because` the next keyword
// could be taken in.)
bool phrase_runs_to_separator(std::string_view line_before, std::string_view words) {
    static const std::regex word_list(R"(^\s*words\b.*[=,]\s*$)");
    static const std::regex contains(R"(\bcontains\s+$)");
    static const std::regex title(R"(^\s*((step|outcome|hours|crisis)\s+[A-Za-z_][A-Za-z0-9_]*|test)\s+$)");
    if (std::regex_search(line_before.begin(), line_before.end(), word_list)) return true;
    if (std::regex_search(line_before.begin(), line_before.end(), contains)) return !has_word(words, {"and", "or"});
    return std::regex_search(line_before.begin(), line_before.end(), title);
}

// A name joined by hyphens across `found` (`press` of `notify press-office` before it): the name
// with '_' for each hyphen, and those edits; no edits unless each hyphen touches words on both sides
// (`a - b`, `->`, `a--b` are no names).
struct HyphenatedName {
    std::string name;
    std::vector<SyntaxHint::Edit> edits;
};

HyphenatedName hyphenated_name(std::string_view line_before, std::string_view found) {
    const std::size_t at = line_before.size();
    std::size_t start = at;
    while (start > 0 && is_word_char(line_before[start - 1])) --start;
    const bool name_before = start < at && !is_digit(line_before[start]);
    if (!name_before || found.size() < 2 || found[0] != '-' || !is_word_char(found[1]) || is_digit(found[1])) return {};
    HyphenatedName result{std::string(line_before.substr(start)), {}};
    for (std::size_t i = 0; i < found.size() && (found[i] == '-' || is_word_char(found[i])); ++i) {
        if (found[i] != '-') {
            result.name += found[i];
            continue;
        }
        if (i + 1 >= found.size() || !is_word_char(found[i + 1])) return {};  // `a-` or `a--b`: not certain
        result.name += '_';
        result.edits.push_back({at + i, at + i + 1, "_"});
    }
    return result;
}

// The word at the start of `text` (letters, digits, '_').
std::string_view leading_word(std::string_view text) {
    std::size_t end = 0;
    while (end < text.size() && is_word_char(text[end])) ++end;
    return text.substr(0, end);
}

// A block left open: its closing expected, and a declaration found at the start of a line.
std::optional<SyntaxHint> unclosed_block_hint(std::string_view expected, std::string_view line_before,
                                              std::string_view found) {
    const char* block = expected == syntax::step_close_name      ? "step"
                        : expected == syntax::outcome_close_name ? "outcome"
                        : expected == syntax::fields_close_name  ? "fields block"
                                                                 : nullptr;
    const std::string_view word = leading_word(found);
    if (block == nullptr || line_before.find_first_not_of(" \t") != std::string_view::npos ||
        std::find(syntax::declaration_keywords.begin(), syntax::declaration_keywords.end(), word) ==
            syntax::declaration_keywords.end())
        return std::nullopt;
    return SyntaxHint{fmt::format("the {} above is not closed: write '}}' before this {}", block, word),
                      "write '}'", {{0, 0, "}\n"}}};
}

// An outcome's actions as written (their first word, and the words that must follow it), and
// words authors use for them.
constexpr std::string_view action_words[] = {"respond", "do",       "monitor",  "escalate", "tag",  "flag",
                                             "notify",  "assign",   "priority", "follow",   "note"};
constexpr std::string_view action_forms[] = {"respond", "do not respond because", "monitor", "escalate to",
                                             "tag",     "flag for",               "notify",  "assign to",
                                             "priority", "follow up after",       "note"};
struct ActionSynonym {
    std::string_view word, action;
};
constexpr ActionSynonym action_synonyms[] = {
    {"reply", "respond"},  {"answer", "respond"}, {"comment", "respond"}, {"watch", "monitor"},
    {"track", "monitor"},  {"alert", "notify"},   {"inform", "notify"},   {"tell", "notify"},
    {"email", "notify"},   {"forward", "assign to"}, {"label", "tag"},     {"followup", "follow up after"},
};

// What replaces the word written for `action`: its whole form (`escalate to` for `escalte press`),
// less the words that already follow in the text (`assign` for `forward to legal`).
std::string action_replacement(std::string_view action, std::string_view after) {
    std::string_view form = action;
    for (std::string_view f : action_forms)
        if (f.substr(0, f.find(' ')) == action.substr(0, action.find(' '))) form = f;
    const std::string_view rest = after.substr(std::min(after.size(), after.find_first_not_of(" \t")));
    for (std::size_t space = form.find(' '); space != std::string_view::npos; space = form.find(' ', space + 1)) {
        const std::string_view tail = form.substr(space + 1);
        if (rest.starts_with(tail) && (rest.size() == tail.size() || !is_word_char(rest[tail.size()])))
            return std::string(form.substr(0, space));
    }
    return std::string(form);
}

// A word where an outcome's action or its '}' must come: `reply publicly`, `montor`, `ignore`.
std::optional<SyntaxHint> action_hint(std::string_view expected, std::size_t at, std::string_view found) {
    const std::string_view word = leading_word(found);
    if (expected != syntax::outcome_close_name || word.empty() || is_digit(word.front())) return std::nullopt;
    const std::string lower = ascii_lower(word);
    constexpr std::string_view actions = "respond, do not respond because \"...\", monitor, escalate to, tag, flag "
                                         "for, notify, assign to, priority, follow up after and note";
    // Ignoring is a decision with a reason: `ignore`, `skip`, `don't respond`, `dont reply`.
    if (lower == "ignore" || lower == "skip" || lower == "dont" ||
        (lower == "don" && (found.substr(3).starts_with('\'') || found.substr(3).starts_with("\xE2\x80\x99"))))
        return SyntaxHint{fmt::format("to ignore a mention write do not respond because \"...\" (the actions are {})",
                                      actions),
                          {}, {}};
    std::string help;
    std::optional<std::string> action;
    for (const ActionSynonym& synonym : action_synonyms)
        if (lower == synonym.word) action = std::string(synonym.action);
    if (action) {
        help = fmt::format("the action is written '{}'", *action);
    } else if (std::find(std::begin(action_words), std::end(action_words), lower) != std::end(action_words)) {
        action = lower;  // `Respond`
        help = fmt::format("write '{}' in lower case, as every word of the language", lower);
    } else {
        std::uint64_t budget = suggestion_budget;
        action = closest_name(lower, action_words, budget);
        if (!action) return std::nullopt;
        help = fmt::format("did you mean '{}'?", *action);
    }
    const std::string replacement = action_replacement(*action, found.substr(word.size()));
    return SyntaxHint{fmt::format("{} (the actions are {})", help, actions), fmt::format("write '{}'", replacement),
                      {{at, at + word.size(), replacement}}};
}

// `urgent bool` in the fields, `urgent true` in a test: the ':' between a field and what follows.
std::optional<SyntaxHint> field_colon_hint(std::string_view expected, std::string_view line_before,
                                           std::string_view found) {
    static const std::regex name_alone(R"(^\s*([A-Za-z_][A-Za-z0-9_.]*)\s+$)");
    std::match_results<std::string_view::const_iterator> m;
    const std::string_view next = leading_word(found);
    if (expected != "':'" || next.empty() || !std::regex_search(line_before.begin(), line_before.end(), m, name_alone))
        return std::nullopt;
    const std::size_t name_end = static_cast<std::size_t>(m.position(1) + m.length(1));
    return SyntaxHint{fmt::format("write ':' after the field's name: {}: {}", m[1].str(), next), "write ':'",
                      {{name_end, name_end, ":"}}};
}

// Where '->' must come: an arrow as other languages (`=>`) or a word processor (`→`) write it, or
// none before the step or outcome (`if urgent done`).
std::optional<SyntaxHint> arrow_hint(std::string_view expected, std::size_t at, std::string_view found) {
    if (expected != syntax::arrow_name) return std::nullopt;
    if (found.starts_with("=>") || found.starts_with("\xE2\x86\x92"))
        return SyntaxHint{"an arrow is written '->': a hyphen, then '>'", "write '->'",
                          {{at, at + (found.starts_with("=>") ? 2 : 3), "->"}}};
    const std::string_view line = found.substr(0, found.find('\n'));
    const std::string_view name = leading_word(line);
    const std::size_t next = line.find_first_not_of(" \t\r", name.size());  // the name must end the line
    if (name.empty() || is_digit(name.front()) || (next != std::string_view::npos && line[next] != '#'))
        return std::nullopt;
    return SyntaxHint{fmt::format("a branch leads to its step or outcome with '->': -> {}", name), "write '->'",
                      {{at, at, "-> "}}};
}

// `step triage {`: a step's question, an outcome's title, left out.
std::optional<SyntaxHint> title_hint(std::string_view expected, std::string_view line_before, std::string_view found) {
    static const std::regex titled(R"(^\s*(step|outcome|hours|crisis)\s+([A-Za-z_][A-Za-z0-9_]*)\s+$)");
    std::match_results<std::string_view::const_iterator> m;
    if (expected != syntax::text_name || !found.starts_with('{') ||
        !std::regex_search(line_before.begin(), line_before.end(), m, titled))
        return std::nullopt;
    const std::string kind = m[1].str(), name = m[2].str();
    if (kind == "step")
        return SyntaxHint{fmt::format("a step asks its question in double quotes after its name: step {} \"Is it "
                                      "urgent?\" {{",
                                      name),
                          {}, {}};
    return SyntaxHint{fmt::format("{} {} needs its title in double quotes before '{{': {} {} \"...\" {{", kind, name,
                                  kind, name),
                      {}, {}};
}

// The header: `flow "Care desk"` with no version, `flow "Care desk" 3`, or `flow Care desk version 1`
// (the name runs to `version`).
std::optional<SyntaxHint> flow_header_hint(std::string_view expected, std::string_view line_before,
                                           std::string_view found) {
    const std::size_t at = line_before.size();
    if (expected == "'version'") {
        std::vector<SyntaxHint::Edit> edits;
        if (!found.empty() && is_digit(found.front())) edits.push_back({at, at, "version "});
        std::string fix = edits.empty() ? "" : "write 'version'";
        return SyntaxHint{"a flow's name is followed by its version, a whole number the team raises when the policy "
                          "changes: flow \"Care desk\" version 1",
                          std::move(fix), std::move(edits)};
    }
    static const std::regex flow_keyword(R"(^\s*flow\s+$)");
    static const std::regex before_version(R"(^(.*?)\s+version\b)");
    std::match_results<std::string_view::const_iterator> header;
    const std::string_view found_line = found.substr(0, found.find('\n'));
    if (expected != syntax::text_name || found.empty() || !is_word_char(found.front()) ||
        !std::regex_search(line_before.begin(), line_before.end(), flow_keyword) ||
        !std::regex_search(found_line.begin(), found_line.end(), header, before_version) ||
        header[1].length() == 0 || header[1].str().find('"') != std::string::npos ||
        raw_until_separator(header[1].str()) != static_cast<std::size_t>(header[1].length()))
        return std::nullopt;  // `flow Support, EMEA version 3`, a `version` in a comment: where does it end?
    const std::string name = words_until_separator(header[1].str());
    return SyntaxHint{fmt::format("write the flow's name in double quotes: \"{}\"", name),
                      "write " + string_literal(name),
                      {{at, at + static_cast<std::size_t>(header[1].length()), string_literal(name)}}};
}

}  // namespace

SyntaxHint syntax_hint(std::string_view expected, std::string_view line_before, std::string_view found) {
    const std::size_t at = line_before.size();  // where `found` starts in the line
    auto hint = [](std::string help, std::string fix = {}, std::vector<SyntaxHint::Edit> edits = {}) {
        if (edits.empty()) fix.clear();
        return SyntaxHint{std::move(help), std::move(fix), std::move(edits)};
    };
    // Word processors' quotes: “ ” ‘ ’.
    if (starts_with_any(found, {curly_quotes[0], curly_quotes[1], curly_quotes[2], curly_quotes[3]}))
        return hint("use straight double quotes, \"like this\": curly quotes are not quotes in a flow",
                    "use straight double quotes", straight_quotes(at, found));
    if (found.starts_with("&&"))
        return hint("write 'and' instead of '&&'", "write 'and'", spelled_operator(line_before, at, found, 2, "and"));
    if (found.starts_with("||"))
        return hint("write 'or' instead of '||'", "write 'or'", spelled_operator(line_before, at, found, 2, "or"));
    if (found.starts_with("!") && !found.starts_with("!="))
        return hint("write 'not' instead of '!'", "write 'not'", spelled_operator(line_before, at, found, 1, "not"));
    if (std::optional<SyntaxHint> arrow = arrow_hint(expected, at, found)) return *arrow;
    // A name with hyphens, as team and outcome names are often written: `notify press-office`.
    if (HyphenatedName named = hyphenated_name(line_before, found); !named.edits.empty())
        return hint(fmt::format("a name is letters, digits and '_', without '-': write '{}'", named.name),
                    fmt::format("write '{}'", named.name), std::move(named.edits));
    const bool word = !found.empty() && is_word_char(found.front());
    if (expected == syntax::time_ranges_name && !found.empty() && is_digit(found.front())) {
        std::vector<SyntaxHint::Edit> edits = twenty_four_hour_range(at, found);
        std::string fix = edits.empty() ? "" : "write " + edits.front().text;
        return hint("write opening times on a 24-hour clock as HH:MM-HH:MM, e.g. 09:00-17:00", fix, std::move(edits));
    }
    if (expected == syntax::dates_name && !found.empty() && (is_digit(found.front()) || found.front() == '"')) {
        std::vector<SyntaxHint::Edit> edits = iso_date(at, found);
        std::string fix = edits.empty() ? "" : "write " + edits.front().text;
        return hint("write dates as YYYY-MM-DD without quotes, e.g. 2015-12-25", fix, std::move(edits));
    }
    // `expect outcome legal`: the outcome is named on its own.
    static const std::regex expect_only(R"(\bexpect\s+$)");
    static const std::regex outcome_then_name(R"(^outcome\s+([A-Za-z_][A-Za-z0-9_]*))");
    std::match_results<std::string_view::const_iterator> named;
    if (std::regex_search(line_before.begin(), line_before.end(), expect_only) &&
        std::regex_search(found.begin(), found.end(), named, outcome_then_name))
        return hint(fmt::format("write 'expect {}': an expectation names the outcome itself", named[1].str()),
                    fmt::format("write 'expect {}'", named[1].str()),
                    {{at, at + static_cast<std::size_t>(named.position(1)), ""}});
    // A value of several words after `is`: `negative_reason is Late Flight`.
    static const std::regex is_word(R"(\bis\s+(not\s+)?([A-Za-z_][A-Za-z0-9_]*)\s+$)");
    std::match_results<std::string_view::const_iterator> m;
    if (word && std::regex_search(line_before.begin(), line_before.end(), m, is_word)) {
        const std::string rest = words_until_separator(found);
        const std::string value = fmt::format("{} {}", m[2].str(), rest);
        const std::string_view raw = found.substr(0, raw_until_separator(found));
        std::vector<SyntaxHint::Edit> edits;
        if (raw.find('"') == std::string_view::npos && !has_word(rest, {"and", "or"}))
            edits.push_back({static_cast<std::size_t>(m.position(2)), at + raw.size(), string_literal(value)});
        return hint(fmt::format("a value of several words is written in double quotes: \"{}\"", value),
                    "write " + string_literal(value), std::move(edits));
    }
    if (std::optional<SyntaxHint> header = flow_header_hint(expected, line_before, found)) return *header;
    if (std::optional<SyntaxHint> unclosed = unclosed_block_hint(expected, line_before, found)) return *unclosed;
    if (std::optional<SyntaxHint> action = action_hint(expected, at, found)) return *action;
    if (std::optional<SyntaxHint> colon = field_colon_hint(expected, line_before, found)) return *colon;
    if (std::optional<SyntaxHint> title = title_hint(expected, line_before, found)) return *title;
    // A phrase of several words left unquoted in a word list: `words legal = "lawyer", legal action`.
    if (word && (expected == syntax::text_name || expected == syntax::word_source_name)) {
        const std::string words = words_until_separator(found);
        const std::string_view raw = found.substr(0, raw_until_separator(found));
        std::vector<SyntaxHint::Edit> edits;
        if (raw.find('"') == std::string_view::npos && phrase_runs_to_separator(line_before, words))
            edits.push_back({at, at + raw.size(), string_literal(words)});
        return hint(fmt::format("write it in double quotes: \"{}\"", words), "write " + string_literal(words),
                    std::move(edits));
    }
    return {};
}

}  // namespace triage
