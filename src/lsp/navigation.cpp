// Definition, references, rename and the outline: the symbol index, in LSP's shapes.
#include "lsp/handlers.hpp"
#include "lsp/locations.hpp"
#include "syntax/keywords.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace triage::lsp {

std::optional<RequestError> definition(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<Cursor> cursor = symbol_at_cursor(request, error);
    if (!cursor) return error;
    const Symbol* symbol = cursor->symbol;
    if (!symbol) {
        out.null();
        return std::nullopt;
    }
    Locator locator(*cursor->result->sources, cursor->uri);
    locator.write_location(out, symbol->name_span);
    return std::nullopt;
}

std::optional<RequestError> references(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<Cursor> cursor = symbol_at_cursor(request, error);
    if (!cursor) return error;
    Locator locator(*cursor->result->sources, cursor->uri);
    out.begin_array();
    if (const Symbol* symbol = cursor->symbol) {
        if (boolean_at(request.params, {"context", "includeDeclaration"}).value_or(true))
            locator.write_location(out, symbol->name_span);
        for (const SymbolReference* reference : cursor->result->symbols->references_to(*symbol))
            locator.write_location(out, reference->span);
    }
    out.end_array();
    return std::nullopt;
}

namespace {

// Letters, digits and '_', not starting with a digit; fields may be dotted; no reserved word.
bool valid_name(std::string_view name, SymbolKind kind) {
    auto is_word = [](std::string_view word) {
        if (word.empty() || std::isdigit(static_cast<unsigned char>(word.front()))) return false;
        if (std::find(syntax::reserved_words.begin(), syntax::reserved_words.end(), word) !=
            syntax::reserved_words.end())
            return false;
        return std::all_of(word.begin(), word.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        });
    };
    if (kind != SymbolKind::field) return is_word(name);
    for (;;) {
        std::size_t dot = name.find('.');
        if (!is_word(name.substr(0, dot))) return false;
        if (dot == std::string_view::npos) return true;
        name.remove_prefix(dot + 1);
    }
}

// The symbol a rename at the cursor renames, or why there is none.
const Symbol* renamable(const Cursor& cursor, RequestError& error) {
    const Symbol* symbol = cursor.symbol;
    if (!symbol) {
        error = {request_failed, "there is no name here to rename"};
    } else if (!name_space(symbol->kind)) {
        error = {request_failed, fmt::format("a {}'s name is a string: edit it where it stands", kind_name(symbol->kind))};
        symbol = nullptr;
    }
    return symbol;
}

}  // namespace

std::optional<RequestError> prepare_rename(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<Cursor> cursor = symbol_at_cursor(request, error);
    if (!cursor) return error;
    const Symbol* symbol = renamable(*cursor, error);
    if (!symbol) return error;
    Locator locator(*cursor->result->sources, cursor->uri);
    out.begin_object().key("range");
    locator.write_range(out, cursor->name_span());
    out.key("placeholder").string(symbol->name).end_object();
    return std::nullopt;
}

std::optional<RequestError> rename(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<Cursor> cursor = symbol_at_cursor(request, error);
    if (!cursor) return error;
    const Symbol* symbol = renamable(*cursor, error);
    if (!symbol) return error;
    auto new_name = string_at(request.params, {"newName"});
    if (!new_name) return RequestError{invalid_params, "expected newName"};
    if (!valid_name(*new_name, symbol->kind))
        return RequestError{request_failed, fmt::format("'{}' is not a name: letters, digits and _, not starting with "
                                                        "a digit, and not a reserved word",
                                                        *new_name)};
    const SymbolIndex& symbols = *cursor->result->symbols;
    const Symbol* taken = symbols.find(*name_space(symbol->kind), *new_name);
    if (taken && taken != symbol)
        return RequestError{request_failed, fmt::format("a {} named '{}' is declared already", kind_name(taken->kind),
                                                        *new_name)};
    // Every file the name is declared or used in: the document and its includes.
    std::map<FileId, std::vector<Span>> edits;
    edits[symbol->name_span.file].push_back(symbol->name_span);
    for (const SymbolReference* reference : symbols.references_to(*symbol)) edits[reference->span.file].push_back(reference->span);
    Locator locator(*cursor->result->sources, cursor->uri);
    out.begin_object().key("changes").begin_object();
    for (const auto& [file, spans] : edits) {
        out.key(locator.uri(file)).begin_array();
        for (Span span : spans) locator.write_edit(out, span, *new_name);
        out.end_array();
    }
    out.end_object().end_object();
    return std::nullopt;
}

namespace {

// LSP's SymbolKind numbers, for the outline's icons.
int lsp_symbol_kind(SymbolKind kind) {
    switch (kind) {
    case SymbolKind::flow: return 2;        // Module
    case SymbolKind::field: return 8;       // Field
    case SymbolKind::word_list: return 18;  // Array
    case SymbolKind::let: return 13;        // Variable
    case SymbolKind::step: return 12;       // Function
    case SymbolKind::outcome: return 24;    // Event
    case SymbolKind::hours: return 19;      // Object
    case SymbolKind::crisis: return 10;     // Enum (modes)
    case SymbolKind::test: return 6;        // Method
    }
    return 13;
}

}  // namespace

std::optional<RequestError> document_symbols(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<OpenDocument> open = open_document(request, error);
    if (!open) return error;
    const auto& result = open->result;
    Locator locator(*result->sources, open->uri);
    out.begin_array();
    for (const Symbol& symbol : result->symbols->symbols_in(0)) {
        // The range must hold the name (selectionRange), even for a declaration cut short.
        Span whole = symbol.declaration;
        whole.begin = std::min(whole.begin, symbol.name_span.begin);
        whole.end = std::max(whole.end, symbol.name_span.end);
        out.begin_object().key("name").string(symbol.name.empty() ? "(unnamed)" : symbol.name);
        out.key("detail").string(symbol.title.empty() ? kind_name(symbol.kind) : symbol.title);
        out.key("kind").number(std::int64_t{lsp_symbol_kind(symbol.kind)}).key("range");
        locator.write_range(out, whole);
        out.key("selectionRange");
        locator.write_range(out, symbol.name_span);
        out.end_object();
    }
    out.end_array();
    return std::nullopt;
}

}  // namespace triage::lsp
