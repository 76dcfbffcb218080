// Completion: what may be written at the cursor, read from the text before it (a document being
// typed rarely parses) and the symbol index (which holds the names of declarations that parsed
// and of broken ones too).
#include "lsp/handlers.hpp"
#include "lsp/lexer.hpp"
#include "lsp/locations.hpp"
#include "syntax/keywords.hpp"
#include "time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <mutex>

namespace triage::lsp {

namespace {

// LSP's CompletionItemKind numbers.
enum ItemKind : int { function = 3, field = 5, variable = 6, module = 9, unit = 11, value = 12, enumeration = 13,
                      keyword = 14, enum_member = 20, event = 23, structure = 22 };

struct Item {
    std::string label;
    int kind = keyword;
    std::string detail;
};

struct Token {
    std::string_view text;
    bool string = false;  // a quoted string (text holds it with its quotes)
};

// The text before the cursor as completion reads it.
struct Context {
    std::vector<std::string_view> blocks;  // the first word of each enclosing `{`'s statement, outermost first
    std::vector<Token> statement;          // the tokens of this line before the word being typed
    std::uint32_t word_begin = 0;          // where the word being typed begins (the cursor, when none)
    bool in_string = false;                // the cursor is inside a quoted string, after word_begin's quote
    bool in_comment = false;

    [[nodiscard]] std::string_view block() const { return blocks.empty() ? std::string_view{} : blocks.back(); }
    // The word `back` tokens before the cursor (1: the last), or empty.
    [[nodiscard]] std::string_view before(std::size_t back) const {
        return back <= statement.size() ? statement[statement.size() - back].text : std::string_view{};
    }
    [[nodiscard]] bool has(std::string_view word) const {
        return std::any_of(statement.begin(), statement.end(), [&](const Token& t) { return !t.string && t.text == word; });
    }
};

Context read_context(std::string_view text, std::uint32_t cursor) {
    Context context;
    context.word_begin = cursor;
    Lexer lexer(text, cursor);
    while (std::optional<Lexeme> lexeme = lexer.next()) {
        const std::string_view spelled = text.substr(lexeme->begin, lexeme->end - lexeme->begin);
        const bool at_cursor = lexeme->end == cursor;  // cut there, or ending there
        switch (lexeme->kind) {
        case Lexeme::Kind::newline: context.statement.clear(); break;
        case Lexeme::Kind::comment: context.in_comment = at_cursor; break;
        case Lexeme::Kind::string:
            if (!lexeme->closed && at_cursor) {
                context.in_string = true;
                context.word_begin = lexeme->begin + 1;
                return context;
            }
            context.statement.push_back({spelled, true});
            break;
        case Lexeme::Kind::word:
            if (at_cursor) {
                context.word_begin = lexeme->begin;
                return context;
            }
            context.statement.push_back({spelled});
            break;
        case Lexeme::Kind::open_brace:
            context.blocks.push_back(context.statement.empty() ? std::string_view{} : context.statement.front().text);
            context.statement.clear();
            break;
        case Lexeme::Kind::close_brace:
            if (!context.blocks.empty()) context.blocks.pop_back();
            context.statement.clear();
            break;
        case Lexeme::Kind::arrow:
        case Lexeme::Kind::other: context.statement.push_back({spelled}); break;
        }
    }
    return context;
}

// The zones of the tz database's zone1970.tab (one per region, canonical names) and UTC, read once.
const std::vector<std::string>& time_zones() {
    static std::vector<std::string> zones;
    static std::once_flag read;
    std::call_once(read, [] {
        zones.emplace_back("UTC");
        std::ifstream table(detail::TimeZone::directory() + "/zone1970.tab");
        std::string line;
        while (std::getline(table, line)) {
            if (line.empty() || line.front() == '#') continue;
            std::size_t first = line.find('\t'), second = first == std::string::npos ? first : line.find('\t', first + 1);
            if (second == std::string::npos) continue;
            std::size_t end = line.find('\t', second + 1);
            zones.push_back(line.substr(second + 1, end == std::string::npos ? end : end - second - 1));
        }
        std::sort(zones.begin() + 1, zones.end());
    });
    return zones;
}

int item_kind(SymbolKind kind) {
    switch (kind) {
    case SymbolKind::field: return field;
    case SymbolKind::let: return variable;
    case SymbolKind::word_list: return enumeration;
    case SymbolKind::step: return function;
    case SymbolKind::outcome: return event;
    case SymbolKind::hours: return structure;
    case SymbolKind::crisis: return enum_member;
    default: return module;
    }
}

class Completer {
public:
    Completer(const CompileResult& result, const Context& context) : result_(result), context_(context) {}

    std::vector<Item> items();

private:
    void names(NameSpace space, std::initializer_list<SymbolKind> kinds);
    void words(std::initializer_list<std::string_view> words, int kind = keyword, std::string_view detail = {});
    void zones(bool quoted);
    void durations();
    bool field_values();
    void statement_start();
    void condition();

    const CompileResult& result_;
    const Context& context_;
    std::vector<Item> items_;
};

void Completer::names(NameSpace space, std::initializer_list<SymbolKind> kinds) {
    for (const Symbol& symbol : result_.symbols->symbols()) {
        if (name_space(symbol.kind) != space || std::find(kinds.begin(), kinds.end(), symbol.kind) == kinds.end()) continue;
        if (symbol.name.empty() ||
            std::any_of(items_.begin(), items_.end(), [&](const Item& item) { return item.label == symbol.name; }))
            continue;
        std::string detail(kind_name(symbol.kind));
        if (!symbol.title.empty()) detail += ": " + symbol.title;
        items_.push_back({symbol.name, item_kind(symbol.kind), std::move(detail)});
    }
}

void Completer::words(std::initializer_list<std::string_view> words, int kind, std::string_view detail) {
    for (std::string_view word : words) items_.push_back({std::string(word), kind, std::string(detail)});
}

void Completer::zones(bool quoted) {
    for (const std::string& zone : time_zones())
        items_.push_back({quoted ? '"' + zone + '"' : zone, value, "time zone"});
}

void Completer::durations() {
    words({"15m", "30m", "1h", "4h", "8h", "12h", "1d", "2d", "7d"}, unit, "duration");
}

// After `FIELD is`, `FIELD is not` or inside `FIELD in [...`: the values of a `one of` field, read
// from its declaration as written.
bool Completer::field_values() {
    const auto& statement = context_.statement;
    std::size_t at = statement.size();
    if (context_.before(1) == "is") at -= 2;
    else if (context_.before(1) == "not" && context_.before(2) == "is") at -= 3;
    else {
        while (at > 0 && statement[at - 1].text != "[" && statement[at - 1].text != "]") --at;
        if (at < 3 || statement[at - 1].text != "[" || statement[at - 2].text != "in") return false;
        at -= 3;
    }
    if (at >= statement.size()) return false;
    const Symbol* field = result_.symbols->find(NameSpace::value, statement[at].text);
    if (!field || field->kind != SymbolKind::field) return false;
    std::string_view declaration = result_.sources->text(field->declaration);
    const std::size_t one_of = declaration.find("one of");
    if (one_of == std::string_view::npos) return false;
    std::string_view list = declaration.substr(one_of + 6);
    list = list.substr(0, std::min(list.find('\n'), list.find('#')));
    while (!list.empty()) {
        std::size_t comma = std::min(list.find(','), list.size());
        std::string_view value = list.substr(0, comma);
        while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
        while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
        if (!value.empty()) items_.push_back({std::string(value), enum_member, "one of " + field->name});
        list.remove_prefix(std::min(comma + 1, list.size()));
    }
    return true;
}

void Completer::statement_start() {
    const std::string_view block = context_.block();
    if (context_.blocks.empty()) {
        for (std::string_view word : syntax::declaration_keywords) items_.push_back({std::string(word), keyword, {}});
    } else if (block == "step") {
        words({"if", "else"});
    } else if (block == "outcome") {
        words({"respond", "do", "monitor", "escalate", "tag", "flag", "notify", "assign", "priority", "follow", "note"},
              keyword, "action");
    } else if (block == "test") {
        words({"given", "expect", "during"});
    } else if (block == "given") {
        names(NameSpace::value, {SymbolKind::field});
    } else if (block == "crisis") {
        words({"when", "leave", "minimum", "route"});
    } else if (block == "hours") {
        words({"zone", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "holidays"});
    }
}

// Inside a condition: an operand after a word that wants one, else what may follow an operand.
void Completer::condition() {
    static constexpr std::string_view wants_operand[] = {"if", "and", "or", "not", "(", "=", "when", ",", ">", "<"};
    const std::string_view last = context_.before(1);
    if (std::find(std::begin(wants_operand), std::end(wants_operand), last) != std::end(wants_operand)) {
        names(NameSpace::value, {SymbolKind::field, SymbolKind::let});
        words({"not", "true", "false", "count", "spike", "in crisis", "within hours"});
        return;
    }
    words({"and", "or", "is", "in", "has any", "has all", "contains", "contains any", "matches", "exists"});
    if (context_.block() == "step") words({"->"});
}

std::vector<Item> Completer::items() {
    const std::string_view last = context_.before(1), second = context_.before(2);
    const std::string_view first = context_.statement.empty() ? std::string_view{} : context_.statement.front().text;
    if (context_.in_comment) return {};
    if (context_.in_string) {
        if (last == "zone") zones(false);
        return std::move(items_);
    }
    if (context_.statement.empty()) statement_start();
    else if (last == "->" || last == "start" || last == "route") names(NameSpace::node, {SymbolKind::step, SymbolKind::outcome});
    else if ((last == "any" || last == "all") && (second == "has" || second == "contains"))
        names(NameSpace::word_list, {SymbolKind::word_list});
    else if (last == "crisis" && (second == "in" || second == "during")) names(NameSpace::crisis, {SymbolKind::crisis});
    else if (last == "hours" && second == "within") names(NameSpace::hours, {SymbolKind::hours});
    else if (last == "during") {
        names(NameSpace::hours, {SymbolKind::hours});
        words({"crisis"});
    } else if (last == "within" || last == "after" || last == "for" || last == "over" || last == "vs" ||
               last == "minimum" || last == "tolerance") {
        durations();
        if (last == "within") words({"hours"});
    } else if (last == "zone") zones(true);
    else if (last == "priority") words({"low", "normal", "high", "urgent"}, enum_member, "priority");
    else if (last == "respond") words({"publicly", "privately"});
    else if (first == "expect") {
        if (context_.statement.size() >= 2 && context_.statement[1].text == "path") names(NameSpace::node, {SymbolKind::step});
        else if (last == "expect") {
            names(NameSpace::node, {SymbolKind::outcome});
            words({"no outcome", "path", "tag", "escalate to", "priority"});
        } else if (last == ",") names(NameSpace::node, {SymbolKind::outcome});
    } else if (field_values()) {
    } else if (context_.has("if") || first == "let" || first == "when" || first == "leave") condition();
    return std::move(items_);
}

}  // namespace

std::optional<RequestError> completion(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<Cursor> cursor = symbol_at_cursor(request, error);
    if (!cursor) return error;
    const std::string_view text = cursor->result->sources->text(0);
    const Context context = read_context(text, cursor->offset);
    std::string_view typed = text.substr(context.word_begin, cursor->offset - context.word_begin);
    const LineIndex lines(text);
    const Position from = lines.position(context.word_begin);
    out.begin_object().key("isIncomplete").boolean(false).key("items").begin_array();
    for (const Item& item : Completer(*cursor->result, context).items()) {
        // Those that begin with what is typed, in any case: the client filters further.
        if (item.label.size() < typed.size() ||
            !std::equal(typed.begin(), typed.end(), item.label.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
            continue;
        out.begin_object().key("label").string(item.label).key("kind").number(std::int64_t{item.kind});
        if (!item.detail.empty()) out.key("detail").string(item.detail);
        out.key("textEdit").begin_object().key("range").begin_object().key("start");
        write_position(out, from);
        out.key("end");
        write_position(out, cursor->position);
        out.end_object().key("newText").string(item.label).end_object().end_object();
    }
    out.end_array().end_object();
    return std::nullopt;
}

}  // namespace triage::lsp
