// The LSP requests the server answers, one function each: read the params, consult the
// document's compilation, write the result. The server owns the loop and the lifecycle.
#pragma once

#include "lsp/documents.hpp"
#include "lsp/message.hpp"
#include "triage/json_writer.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace triage::lsp {

struct RequestError {
    int code = request_failed;
    std::string message;
};

struct Request {
    simdjson::dom::element params;
    DocumentStore& documents;
    std::string_view docs_url;  // LanguageServerOptions::diagnostics_docs_url
};

// Each writes its result, one JSON value, to `out`; or returns an error and writes nothing.
using Handler = std::optional<RequestError> (*)(const Request& request, JsonWriter& out);

std::optional<RequestError> hover(const Request& request, JsonWriter& out);
std::optional<RequestError> definition(const Request& request, JsonWriter& out);
std::optional<RequestError> references(const Request& request, JsonWriter& out);
std::optional<RequestError> prepare_rename(const Request& request, JsonWriter& out);
std::optional<RequestError> rename(const Request& request, JsonWriter& out);
std::optional<RequestError> document_symbols(const Request& request, JsonWriter& out);
std::optional<RequestError> formatting(const Request& request, JsonWriter& out);
std::optional<RequestError> code_actions(const Request& request, JsonWriter& out);

// The handler of a request method; null for one the server does not know.
[[nodiscard]] Handler handler_for(std::string_view method);

// What stands at the cursor of a textDocument/position request.
struct Cursor {
    std::shared_ptr<const CompileResult> result;
    std::string uri;
    std::uint32_t offset = 0;  // in file 0, the document
    SymbolAt at;
    // The symbol there, whether named by its definition or by a resolved use.
    [[nodiscard]] const Symbol* symbol() const;
};
[[nodiscard]] std::optional<Cursor> cursor_at(const Request& request, RequestError& error);

}  // namespace triage::lsp
