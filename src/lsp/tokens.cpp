// Semantic tokens and folding ranges: one pass of the editor features' lexer (lsp/lexer.hpp) over
// the document (comments, strings, numbers, words, braces), its names typed from the symbol index so that a step and an
// outcome are told apart where they are used, not only where they are declared.
#include "lsp/handlers.hpp"
#include "lsp/lexer.hpp"
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

struct Token {
    Span span;
    std::uint32_t type = keyword;
    bool declaration = false;
};

struct Lexed {
    std::vector<Token> tokens;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks;  // '{' and its '}', by offset
};

Lexed lex(const CompileResult& result) {
    const std::string_view text = result.sources->text(0);
    std::map<std::uint32_t, Token> names;  // by offset: the names the index knows
    for (const Symbol& symbol : result.symbols->symbols_in(0))
        names[symbol.name_span.begin] = {symbol.name_span, token_type(symbol.kind), true};
    for (const SymbolReference& reference : result.symbols->references()) {
        const Symbol* symbol = result.symbols->definition(reference);
        if (reference.span.file == 0 && symbol) names[reference.span.begin] = {reference.span, token_type(symbol->kind), false};
    }
    Lexed out;
    std::vector<std::uint32_t> open;
    Lexer lexer(text);
    while (std::optional<Lexeme> lexeme = lexer.next()) {
        const Token plain{{0, lexeme->begin, lexeme->end}, keyword, false};
        auto typed = [&](std::uint32_t type) { return Token{plain.span, type, false}; };
        auto name = names.find(lexeme->begin);
        switch (lexeme->kind) {
        case Lexeme::Kind::comment: out.tokens.push_back(typed(comment)); break;
        case Lexeme::Kind::string: out.tokens.push_back(name != names.end() ? name->second : typed(string)); break;
        case Lexeme::Kind::word:
            if (name != names.end()) out.tokens.push_back(name->second);
            else if (std::isdigit(static_cast<unsigned char>(text[lexeme->begin]))) out.tokens.push_back(typed(number));
            else if (is_keyword(text.substr(lexeme->begin, lexeme->end - lexeme->begin))) out.tokens.push_back(plain);
            break;
        case Lexeme::Kind::open_brace: open.push_back(lexeme->begin); break;
        case Lexeme::Kind::close_brace:
            if (!open.empty()) {
                out.blocks.emplace_back(open.back(), lexeme->begin);
                open.pop_back();
            }
            break;
        default: break;  // line ends, arrows, punctuation: no token
        }
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
    for (const Token& token : lex(*open->result).tokens) {
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
