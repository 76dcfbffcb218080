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
std::optional<RequestError> completion(const Request& request, JsonWriter& out);
std::optional<RequestError> semantic_tokens(const Request& request, JsonWriter& out);
std::optional<RequestError> folding_ranges(const Request& request, JsonWriter& out);
// triage/runTests, a request of this server's own: {"textDocument": {"uri"}} → {"passed", "failed",
// "tests": [{"name", "passed", "location", "problems", "explanation"}]}.
std::optional<RequestError> run_flow_tests(const Request& request, JsonWriter& out);
std::optional<RequestError> code_lenses(const Request& request, JsonWriter& out);

// The legend of semantic_tokens: a token's type and modifier bits index these.
extern const std::string_view semantic_token_types[12];
extern const std::string_view semantic_token_modifiers[1];

// The handler of a request method; null for one the server does not know.
[[nodiscard]] Handler handler_for(std::string_view method);

// What stands at the cursor of a textDocument/position request.
struct Cursor {
    std::shared_ptr<const CompileResult> result;
    std::string uri;
    Position position;
    std::uint32_t offset = 0;  // in file 0, the document
    SymbolAt at;
    // The symbol there, whether named by its definition or by a resolved use; null when none.
    const Symbol* symbol = nullptr;
    // The name under the cursor as written there: the use, or the definition's name.
    [[nodiscard]] Span name_span() const { return at.reference ? at.reference->span : symbol->name_span; }
};
// The prologue of every position request: the document's compilation, the offset, and the
// symbol at it (a cursor right after a name is on it). Nullopt, with `error` set, for bad params
// or a document that is not open.
[[nodiscard]] std::optional<Cursor> symbol_at_cursor(const Request& request, RequestError& error);

// The document of a request's textDocument.uri and its compilation, or the error to answer.
struct OpenDocument {
    std::string uri;
    const Document* document = nullptr;
    std::shared_ptr<const CompileResult> result;
};
[[nodiscard]] std::optional<OpenDocument> open_document(const Request& request, RequestError& error);

}  // namespace triage::lsp
