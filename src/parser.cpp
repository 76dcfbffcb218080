#include "parser.hpp"

#include "suggest.hpp"
#include "syntax_hints.hpp"

#include "text_util.hpp"

#include "syntax/config.hpp"
#include "syntax/keywords.hpp"
#include "syntax/grammar.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

namespace triage {

namespace {

namespace x3 = boost::spirit::x3;
using syntax::iterator_type;


bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

iterator_type skip_blanks_and_comments(iterator_type it, iterator_type end) {
    while (it != end) {
        if (*it == ' ' || *it == '\t' || *it == '\r' || *it == '\n') {
            ++it;
        } else if (*it == '#') {
            while (it != end && *it != '\n') ++it;
        } else {
            break;
        }
    }
    return it;
}

bool starts_declaration(iterator_type line, iterator_type end) {
    for (std::string_view keyword : syntax::declaration_keywords) {
        if (static_cast<std::size_t>(end - line) < keyword.size()) continue;
        if (std::string_view(line, keyword.size()) != keyword) continue;
        iterator_type after = line + keyword.size();
        if (after == end || !is_word_char(*after)) return true;
    }
    return false;
}

// Where to resume after a broken declaration: the next line, after the one the declaration
// started on, that begins in column 1 with a top-level keyword.
iterator_type recovery_point(iterator_type declaration_start, iterator_type end) {
    iterator_type it = declaration_start;
    while (it != end) {
        while (it != end && *it != '\n') ++it;
        if (it == end) break;
        ++it;
        if (starts_declaration(it, end)) return it;
    }
    return end;
}

// The declaration keyword `word` was meant to be: itself, in lower case (`Step`), or the closest
// one (`stpe`); none when no keyword is close.
std::optional<std::string_view> meant_keyword(std::string_view word) {
    if (word.empty() || !is_word_char(word.front())) return std::nullopt;
    const std::string lower = ascii_lower(word);
    const auto* exact = std::find(syntax::declaration_keywords.begin(), syntax::declaration_keywords.end(), lower);
    if (exact != syntax::declaration_keywords.end()) return *exact;
    std::uint64_t budget = suggestion_budget;
    std::optional<std::string> closest = closest_name(lower, syntax::declaration_keywords, budget);
    if (!closest) return std::nullopt;
    return *std::find(syntax::declaration_keywords.begin(), syntax::declaration_keywords.end(), *closest);
}

// A declaration's keyword mistyped (`stpe`, `Outcome`): "did you mean 'step'?", and the fix.
void suggest_keyword(Diagnostic& d, std::string_view word) {
    std::optional<std::string_view> keyword = meant_keyword(word);
    if (!keyword || *keyword == word) return;  // `step` itself: what follows it is wrong, not the word
    d.help = ascii_lower(word) == *keyword
                 ? fmt::format("write '{}' in lower case, as every word of the language", *keyword)
                 : fmt::format("did you mean '{}'?", *keyword);
    d.fixes.push_back({fmt::format("replace '{}' with '{}'", word, *keyword), {{d.span, std::string(*keyword)}}});
}

// A short description of what stands at `where`, for "found ..." in messages.
std::string describe_found(iterator_type where, iterator_type end) {
    if (where == end) return "end of file";
    if (*where == '\n' || *where == '\r') return "end of line";
    iterator_type stop = where;
    if (is_word_char(*stop)) {
        while (stop != end && is_word_char(*stop) && stop - where < 24) ++stop;
    } else if (*stop == '"') {
        return "a string";
    } else {
        // One UTF-8 character, or a two-character operator.
        ++stop;
        while (stop != end && (static_cast<unsigned char>(*stop) & 0xC0) == 0x80) ++stop;
        const bool doubled = (*where == '&' || *where == '|') && stop != end && *stop == *where;  // && ||
        if (doubled || (stop != end && std::string_view("=->").find(*stop) != std::string_view::npos &&
                        std::string_view("<>=!-").find(*where) != std::string_view::npos))
            ++stop;
    }
    return fmt::format("'{}'", std::string_view(where, static_cast<std::size_t>(stop - where)));
}

// The opening delimiter of a string or regex left open on the line that ends at `where`:
// the last delimiter on that line not escaped by a backslash.
iterator_type opening_delimiter(iterator_type line_start, iterator_type where, char delimiter) {
    iterator_type found = line_start;
    for (iterator_type it = line_start; it != where; ++it) {
        if (*it == '\\') {
            if (it + 1 != where) ++it;
            continue;
        }
        if (*it == delimiter) found = it;
    }
    return found;
}

std::string_view read_name(iterator_type& it, iterator_type end, bool dotted) {
    while (it != end && (*it == ' ' || *it == '\t')) ++it;
    iterator_type start = it;
    while (it != end && (is_word_char(*it) || (dotted && *it == '.' && it != start))) ++it;
    return {start, static_cast<std::size_t>(it - start)};
}

// Whether a field declaration, `name.part:`, begins at `it`.
bool starts_field(iterator_type it, iterator_type end) {
    std::string_view name = read_name(it, end, true);
    while (it != end && (*it == ' ' || *it == '\t')) ++it;
    return !name.empty() && it != end && *it == ':';
}

// Whether a field declaration that left out its ':' (`urgent bool`) begins at `it`: a name, then
// a type's first word.
bool starts_field_without_colon(iterator_type it, iterator_type end) {
    if (read_name(it, end, true).empty()) return false;
    const std::string_view type = read_name(it, end, false);
    static constexpr std::string_view types[] = {"text", "number", "integer", "bool", "time", "one"};
    return std::find(std::begin(types), std::end(types), type) != std::end(types);
}

// Every field declaration, `name.part: type`, in [from, stop), strings and comments skipped; at the
// start of a line also one without its ':' (the syntax error itself, whose field is still meant).
template <typename SpanAt>
void record_fields(iterator_type from, iterator_type stop, const Span& declaration, std::vector<BrokenName>& broken,
                   const SpanAt& span_at) {
    bool line_start = true;
    for (iterator_type it = from; it != stop;) {
        if (*it == '\n') line_start = true;
        else if (*it != ' ' && *it != '\t' && *it != '\r' && !is_word_char(*it)) line_start = false;
        if (*it == '"' || *it == '#') {  // to its end, on its line
            const char close = *it == '"' ? '"' : '\n';
            for (++it; it != stop && *it != close && *it != '\n'; ++it)
                if (*it == '\\' && it + 1 != stop) ++it;
            if (it != stop) line_start = *it++ == '\n';
        } else if (is_word_char(*it)) {
            const bool field = starts_field(it, stop) || (line_start && starts_field_without_colon(it, stop));
            line_start = false;
            std::string_view name = read_name(it, stop, true);
            if (field)
                broken.push_back({BrokenName::Kind::value, std::string(name),
                                  span_at(name.data(), name.data() + name.size()), declaration, SymbolKind::field});
        } else {
            ++it;
        }
    }
}

// What the broken declaration in [start, stop) would have defined, read without the grammar.
// Its first word is taken for the keyword it is closest to (`stpe screen` defines the step
// `screen`); lines of fields with no `fields {` before them define those fields. `span_at` turns
// iterators into a Span of the file.
template <typename SpanAt>
void record_broken(iterator_type start, iterator_type stop, std::vector<BrokenName>& broken, const SpanAt& span_at) {
    iterator_type it = start;
    const std::string_view written = read_name(it, stop, false);
    const std::string_view keyword = starts_field(start, stop) ? "fields" : meant_keyword(written).value_or("");
    using Kind = BrokenName::Kind;
    auto name_span = [&](std::string_view name) { return span_at(name.data(), name.data() + name.size()); };
    iterator_type last = stop;  // the blank lines before the next declaration are not part of it
    while (last != start && (last[-1] == ' ' || last[-1] == '\t' || last[-1] == '\r' || last[-1] == '\n')) --last;
    const Span declaration = span_at(start, last);
    static constexpr std::pair<std::string_view, Kind> singletons[] = {
        {"flow", Kind::header}, {"start", Kind::start}, {"clock", Kind::clock}, {"zone", Kind::zone}};
    for (const auto& [word, kind] : singletons)
        if (keyword == word) broken.push_back({kind, {}, name_span(written), declaration, std::nullopt});
    if (keyword == "step" || keyword == "outcome" || keyword == "let" || keyword == "words" || keyword == "hours" ||
        keyword == "crisis") {
        std::string_view name = read_name(it, stop, false);
        if (name.empty()) return;
        Kind kind = keyword == "let"     ? Kind::value
                    : keyword == "words" ? Kind::word_list
                    : keyword == "hours" ? Kind::hours
                    : keyword == "crisis" ? Kind::crisis
                                          : Kind::node;
        SymbolKind symbol = keyword == "let"     ? SymbolKind::let
                            : keyword == "words" ? SymbolKind::word_list
                            : keyword == "hours" ? SymbolKind::hours
                            : keyword == "crisis" ? SymbolKind::crisis
                            : keyword == "step"   ? SymbolKind::step
                                                  : SymbolKind::outcome;
        broken.push_back({kind, std::string(name), name_span(name), declaration, symbol});
    } else if (keyword == "fields") {
        record_fields(start, stop, declaration, broken, span_at);
    }
}

}  // namespace

ParsedFile parse(const SourceMap& sources, FileId file, std::vector<Diagnostic>& diagnostics) {
    std::string_view text = sources.text(file);
    const iterator_type begin = text.data();
    const iterator_type end = begin + text.size();
    syntax::ParseState state{begin};
    const auto parser = x3::with<syntax::parse_state_tag>(std::ref(state))[syntax::declaration()];

    auto span_at = [&](iterator_type from, iterator_type to) {
        return Span{file, static_cast<std::uint32_t>(from - begin),
                    static_cast<std::uint32_t>(to - begin)};
    };
    auto token_end = [&](iterator_type where) {
        iterator_type stop = where;
        while (stop != end && is_word_char(*stop)) ++stop;
        return stop == where && where != end ? where + 1 : stop;
    };

    ParsedFile parsed{file, {}, {}};
    // Notepad and other Windows editors may begin a UTF-8 file with a byte-order mark: no text.
    const std::size_t bom = text.starts_with(byte_order_mark) ? byte_order_mark.size() : 0;
    iterator_type it = skip_blanks_and_comments(begin + bom, end);
    while (it != end) {
        const iterator_type declaration_start = it;
        try {
            syntax::ast::Declaration declaration;
            if (x3::phrase_parse(it, end, parser, syntax::skipper, declaration)) {
                parsed.declarations.push_back(std::move(declaration));
                it = skip_blanks_and_comments(it, end);
                continue;
            }
            Diagnostic d{Severity::error, Code::syntax, span_at(it, token_end(it)),
                         fmt::format("expected a declaration ({} or {}), found {}",
                                     fmt::join(syntax::declaration_keywords.begin(),
                                               syntax::declaration_keywords.end() - 1, ", "),
                                     syntax::declaration_keywords.back(), describe_found(it, end)),
                         {},
                         {}};
            suggest_keyword(d, std::string_view(it, static_cast<std::size_t>(token_end(it) - it)));
            diagnostics.push_back(std::move(d));
        } catch (const x3::expectation_failure<iterator_type>& failure) {
            const iterator_type where = skip_blanks_and_comments(failure.where(), end);
            const std::string& which = failure.which();
            if (which == syntax::closing_quote_name || which == syntax::closing_slash_name) {
                const bool is_string = which == syntax::closing_quote_name;
                iterator_type line_start = failure.where();
                while (line_start != begin && line_start[-1] != '\n') --line_start;
                iterator_type open =
                    opening_delimiter(line_start, failure.where(), is_string ? '"' : '/');
                diagnostics.push_back(
                    {Severity::error, Code::unterminated, span_at(open, failure.where()),
                     is_string ? "unterminated string" : "unterminated regular expression",
                     {},
                     is_string ? "close the string with '\"' on the same line"
                               : "close the regular expression with '/' on the same line"});
            } else {
                const bool single_equals =  // not `==`, nor `=>`: an arrow mistyped (syntax_hint's)
                    where != end && *where == '=' && (where + 1 == end || (where[1] != '=' && where[1] != '>'));
                iterator_type line_start = where;
                while (line_start != begin && line_start[-1] != '\n') --line_start;
                SyntaxHint hint;
                if (single_equals) hint.help = "to compare numbers write '=='; to test a value write 'is'";
                else hint = syntax_hint(which, std::string_view(line_start, static_cast<std::size_t>(where - line_start)),
                                        std::string_view(where, static_cast<std::size_t>(end - where)));
                Diagnostic d{Severity::error, Code::syntax, span_at(where, token_end(where)),
                             fmt::format("expected {}, found {}", which, describe_found(where, end)), {}, std::move(hint.help)};
                if (!hint.edits.empty()) {
                    Fix fix{std::move(hint.fix), {}};
                    for (SyntaxHint::Edit& edit : hint.edits)
                        fix.edits.push_back({span_at(line_start + edit.from, line_start + edit.to), std::move(edit.text)});
                    d.fixes.push_back(std::move(fix));
                }
                diagnostics.push_back(std::move(d));
            }
        }
        const iterator_type resume = recovery_point(declaration_start, end);
        record_broken(declaration_start, resume, parsed.broken, span_at);
        it = skip_blanks_and_comments(resume, end);
    }
    return parsed;
}

void check_utf8(const SourceMap& sources, FileId file, std::vector<Diagnostic>& diagnostics, std::string_view what) {
    constexpr std::size_t shown = 5;  // a file in another encoding has thousands: these and a count
    std::string_view text = sources.text(file);
    std::size_t bad = 0;
    Diagnostic* last = nullptr;
    for (std::size_t at = 0; at < text.size();) {
        if (std::size_t n = utf8_sequence(text, at); n != 0) {
            at += n;
            continue;
        }
        if (++bad <= shown) {
            const auto position = static_cast<std::uint32_t>(at);
            diagnostics.push_back({Severity::error, Code::invalid_utf8, Span{file, position, position + 1},
                                   fmt::format("invalid UTF-8: byte 0x{:02X} does not belong to a UTF-8 character",
                                               static_cast<unsigned char>(text[at])),
                                   {},
                                   fmt::format("{} are UTF-8 text: save the file as UTF-8 (in most editors, "
                                               "'Save with encoding' or 'Reopen with encoding')",
                                               what)});
            last = &diagnostics.back();
        }
        ++at;
    }
    if (bad > shown && last != nullptr)
        last->notes.push_back({std::nullopt, fmt::format("{} more bytes in this file are not UTF-8", bad - shown)});
}

bool check_source_limits(const SourceMap& sources, FileId file, const Limits& limits,
                         std::vector<Diagnostic>& diagnostics) {
    std::string_view text = sources.text(file);
    if (text.size() > limits.file_bytes) {
        diagnostics.push_back({Severity::error, Code::limit_exceeded, Span{file, 0, 0},
                               fmt::format("the file is {} bytes; the limit is {}", text.size(), limits.file_bytes),
                               {},
                               "split the flow into files that include each other, or raise the limit: --limit file-size=N"});
        return false;
    }
    // Parentheses and runs of `not` are what make the grammar recurse; count them without it.
    std::uint32_t parentheses = 0, nots = 0;
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (c == '"' || c == '/') {  // strings and regular expressions end on their line
            for (++i; i < text.size() && text[i] != c && text[i] != '\n'; ++i)
                if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] != '\n') ++i;
            ++i;
            nots = 0;
        } else if (is_word_char(c)) {
            std::size_t start = i;
            while (i < text.size() && is_word_char(text[i])) ++i;
            nots = text.substr(start, i - start) == "not" ? nots + 1 : 0;
            if (nots > 0 && parentheses + nots > limits.nesting) {
                diagnostics.push_back(
                    {Severity::error, Code::limit_exceeded,
                     Span{file, static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(i)},
                     fmt::format("condition nested more than {} levels deep", limits.nesting),
                     {},
                     "name parts of it with 'let', or raise the limit: --limit nesting=N"});
                return false;
            }
        } else {
            if (c == '(' && ++parentheses + nots > limits.nesting) {
                diagnostics.push_back({Severity::error, Code::limit_exceeded,
                                       Span{file, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1)},
                                       fmt::format("condition nested more than {} levels deep", limits.nesting),
                                       {},
                                       "name parts of it with 'let', or raise the limit: --limit nesting=N"});
                return false;
            }
            if (c == ')' && parentheses > 0) --parentheses;
            if (c != '(' && c != ' ' && c != '\t' && c != '\n' && c != '\r') nots = 0;
            ++i;
        }
    }
    return true;
}

}  // namespace triage
