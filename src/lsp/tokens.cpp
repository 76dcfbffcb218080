// Semantic tokens and folding ranges: one pass of a small lexer over the document (comments,
// strings, numbers, words, braces), its names typed from the symbol index so that a step and an
// outcome are told apart where they are used, not only where they are declared.
#include "lsp/handlers.hpp"
#include "lsp/locations.hpp"
#include "syntax/keywords.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace triage::lsp {

// The legend's order: the index of a type in it is the type's number.
const std::string_view semantic_token_types[] = {"keyword",  "string", "number", "comment", "property",
                                                 "variable", "function", "event", "enum",  "enumMember",
                                                 "struct",   "namespace"};
const std::string_view semantic_token_modifiers[] = {"declaration"};

namespace {

enum TokenType : std::uint32_t { keyword, string, number, comment, property, variable, function, event, enumeration,
                                 enum_member, structure, name_space_type };

// Words of the language that are not reserved (actions, time, tests): keywords where they stand.
constexpr std::string_view other_keywords[] = {
    "respond", "publicly", "privately", "do",  "monitor", "for",   "escalate", "to",     "tag",      "flag",
    "notify",  "assign",   "priority", "follow", "up",     "after", "note",     "using",  "because",  "within",
    "during",  "over",     "vs",      "by",    "count",   "spike", "when",     "leave",  "minimum",  "route",
    "expect",  "given",    "path",    "no",    "times",   "holidays", "version", "one",  "of",       "tolerance",
    "hours",   "crisis",   "zone",    "clock", "outcome", "time"};

bool is_keyword(std::string_view word) {
    auto in = [word](const auto& list) { return std::find(std::begin(list), std::end(list), word) != std::end(list); };
    return in(syntax::reserved_words) || in(syntax::declaration_keywords) || in(other_keywords);
}

std::uint32_t token_type(SymbolKind kind) {
    switch (kind) {
    case SymbolKind::field: return property;
    case SymbolKind::let: return variable;
    case SymbolKind::word_list: return enumeration;
    case SymbolKind::step: return function;
    case SymbolKind::outcome: return event;
    case SymbolKind::hours: return structure;
    case SymbolKind::crisis: return enum_member;
    default: return string;  // the flow's and a test's names are strings
    }
}

struct Lexeme {
    Span span;
    std::uint32_t type = keyword;
    bool declaration = false;
};

struct Lexed {
    std::vector<Lexeme> tokens;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks;  // '{' and its '}', by offset
};

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

Lexed lex(const CompileResult& result) {
    const std::string_view text = result.sources->text(0);
    std::map<std::uint32_t, Lexeme> names;  // by offset: the names the index knows
    for (const Symbol& symbol : result.symbols->symbols_in(0))
        names[symbol.name_span.begin] = {symbol.name_span, token_type(symbol.kind), true};
    for (const SymbolReference& reference : result.symbols->references()) {
        const Symbol* symbol = result.symbols->definition(reference);
        if (reference.span.file == 0 && symbol) names[reference.span.begin] = {reference.span, token_type(symbol->kind), false};
    }
    Lexed out;
    std::vector<std::uint32_t> open;
    auto at = [](std::size_t begin, std::size_t end, std::uint32_t type) {
        return Lexeme{{0, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)}, type, false};
    };
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        std::size_t end = i + 1;
        if (c == '#') {
            end = std::min(text.find('\n', i), text.size());
            out.tokens.push_back(at(i, end, comment));
        } else if (c == '"') {
            while (end < text.size() && text[end] != '"' && text[end] != '\n') end += text[end] == '\\' ? 2 : 1;
            end = std::min(end + (end < text.size() && text[end] == '"'), text.size());
            auto name = names.find(static_cast<std::uint32_t>(i));
            out.tokens.push_back(name != names.end() ? name->second : at(i, end, string));
        } else if (is_word_char(c)) {
            while (end < text.size() && is_word_char(text[end])) ++end;
            const std::string_view word = text.substr(i, end - i);
            if (auto name = names.find(static_cast<std::uint32_t>(i)); name != names.end()) out.tokens.push_back(name->second);
            else if (std::isdigit(static_cast<unsigned char>(c))) out.tokens.push_back(at(i, end, number));
            else if (is_keyword(word)) out.tokens.push_back(at(i, end, keyword));
        } else if (c == '{') {
            open.push_back(static_cast<std::uint32_t>(i));
        } else if (c == '}' && !open.empty()) {
            out.blocks.emplace_back(open.back(), static_cast<std::uint32_t>(i));
            open.pop_back();
        }
        i = end;
    }
    return out;
}

}  // namespace

std::optional<RequestError> semantic_tokens(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<OpenDocument> open = open_document(request, error);
    if (!open) return error;
    Locator locator(*open->result->sources, open->uri);
    // Each token relative to the one before: its line, its start (on the same line), its length,
    // its type and its modifiers; a token never spans lines here (strings and comments end at one).
    Position previous;
    out.begin_object().key("data").begin_array();
    for (const Lexeme& token : lex(*open->result).tokens) {
        const Position start = locator.position(0, token.span.begin), end = locator.position(0, token.span.end);
        if (end.line != start.line || end.character <= start.character) continue;
        out.number(std::int64_t{start.line - previous.line});
        out.number(std::int64_t{start.line == previous.line ? start.character - previous.character : start.character});
        out.number(std::int64_t{end.character - start.character}).number(std::int64_t{token.type});
        out.number(std::int64_t{token.declaration ? 1 : 0});
        previous = start;
    }
    out.end_array().end_object();
    return std::nullopt;
}

std::optional<RequestError> folding_ranges(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<OpenDocument> open = open_document(request, error);
    if (!open) return error;
    Locator locator(*open->result->sources, open->uri);
    Lexed lexed = lex(*open->result);
    std::sort(lexed.blocks.begin(), lexed.blocks.end());
    out.begin_array();
    // A block folds from its '{' line to the line before its '}', which stays in sight.
    for (const auto& [begin, end] : lexed.blocks) {
        const std::uint32_t first = locator.position(0, begin).line, last = locator.position(0, end).line;
        if (last <= first + 1) continue;
        out.begin_object().key("startLine").number(std::int64_t{first}).key("endLine").number(std::int64_t{last - 1});
        out.end_object();
    }
    out.end_array();
    return std::nullopt;
}

}  // namespace triage::lsp
