// The prologues the handlers share: the open document a request names, and what stands at the
// cursor of a position request.
#include "lsp/handlers.hpp"

#include <fmt/format.h>

namespace triage::lsp {

std::optional<OpenDocument> open_document(const Request& request, RequestError& error) {
    auto uri = string_at(request.params, {"textDocument", "uri"});
    if (!uri) {
        error = {invalid_params, "expected textDocument.uri"};
        return std::nullopt;
    }
    OpenDocument open{std::string(*uri), request.documents.find(*uri), request.documents.compiled(*uri)};
    if (!open.document || !open.result) {
        error = {invalid_params, fmt::format("the document {} is not open", *uri)};
        return std::nullopt;
    }
    return open;
}

std::optional<Cursor> symbol_at_cursor(const Request& request, RequestError& error) {
    auto position = position_at(request.params, "position");
    if (!string_at(request.params, {"textDocument", "uri"}) || !position) {
        error = {invalid_params, "expected textDocument.uri and position"};
        return std::nullopt;
    }
    std::optional<OpenDocument> open = open_document(request, error);
    if (!open) return std::nullopt;
    Cursor cursor{std::move(open->result), std::move(open->uri), *position, 0, {}, nullptr};
    cursor.offset = LineIndex(cursor.result->sources->text(0)).offset(*position);
    const SymbolIndex& symbols = *cursor.result->symbols;
    cursor.at = symbols.at(0, cursor.offset);
    // A cursor right after a name (where typing leaves it) is on that name.
    if (!cursor.at.symbol && !cursor.at.reference && cursor.offset > 0) cursor.at = symbols.at(0, cursor.offset - 1);
    cursor.symbol = cursor.at.symbol        ? cursor.at.symbol
                    : cursor.at.reference ? symbols.definition(*cursor.at.reference)
                                          : nullptr;
    return cursor;
}

}  // namespace triage::lsp
