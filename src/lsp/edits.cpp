// Requests that answer with edits: formatting (the `triage fmt` formatter) and code actions (the
// fixes diagnostics carry, as quick fixes).
#include "lsp/diagnostics.hpp"
#include "lsp/handlers.hpp"
#include "lsp/locations.hpp"
#include "triage/format.hpp"

#include <fmt/format.h>

#include <map>

namespace triage::lsp {

std::optional<RequestError> formatting(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<OpenDocument> open = open_document(request, error);
    if (!open) return error;
    const Document* document = open->document;
    FormatResult formatted = format_source(document->text, document->path, request.documents.options().limits);
    if (!formatted.text) {  // syntax errors: the diagnostics say where; nothing to format
        out.null();
        return std::nullopt;
    }
    out.begin_array();
    if (*formatted.text != document->text) {
        // One edit of the whole text: the client diffs it if it cares to keep the cursor.
        out.begin_object().key("range").begin_object().key("start");
        write_position(out, {0, 0});
        out.key("end");
        write_position(out, LineIndex(document->text).position(static_cast<std::uint32_t>(document->text.size())));
        out.end_object().key("newText").string(*formatted.text).end_object();
    }
    out.end_array();
    return std::nullopt;
}

namespace {

// One code action of kind quickfix: the fix's edits, grouped by the file they change.
void write_quick_fix(JsonWriter& out, const Diagnostic& diagnostic, const Fix& fix, bool preferred, Locator& locator,
                     std::string_view docs_url) {
    out.begin_object().key("title").string(fix.message).key("kind").string("quickfix");
    out.key("diagnostics").begin_array();
    write_diagnostic(out, diagnostic, locator, docs_url);
    out.end_array().key("isPreferred").boolean(preferred);
    std::map<FileId, std::vector<const TextEdit*>> by_file;
    for (const TextEdit& edit : fix.edits) by_file[edit.span.file].push_back(&edit);
    out.key("edit").begin_object().key("changes").begin_object();
    for (const auto& [file, edits] : by_file) {
        out.key(locator.uri(file)).begin_array();
        for (const TextEdit* edit : edits) locator.write_edit(out, edit->span, edit->text);
        out.end_array();
    }
    out.end_object().end_object().end_object();
}

// A step without `else` (T022 carries no fix: which outcome is right is the author's call): one
// fix per outcome the flow declares, each adding `else -> OUTCOME` as the step's last line.
std::vector<Fix> else_fixes(const CompileResult& result, const Diagnostic& diagnostic) {
    const SymbolAt at = result.symbols->at(0, diagnostic.span.begin);
    if (!at.symbol || at.symbol->kind != SymbolKind::step) return {};
    const Span declaration = at.symbol->declaration;
    const std::string_view text = result.sources->text(declaration);
    const std::size_t close = text.rfind('}');
    if (close == std::string_view::npos) return {};
    // Indented as the step's first branch; inserted on a line of its own before the `}`.
    std::string indent = "  ";
    if (std::size_t branch = text.find("\n"); branch != std::string_view::npos) {
        std::size_t first = text.find_first_not_of(" \t", branch + 1);
        if (first != std::string_view::npos && first > branch + 1 && first < close)
            indent = std::string(text.substr(branch + 1, first - branch - 1));
    }
    const std::size_t line_start = text.rfind('\n', close);
    const bool own_line = line_start != std::string_view::npos &&
                          text.substr(line_start + 1, close - line_start - 1).find_first_not_of(" \t") == std::string_view::npos;
    const auto insert_at = static_cast<std::uint32_t>(declaration.begin + (own_line ? line_start + 1 : close));
    std::vector<Fix> fixes;
    for (const Symbol& outcome : result.symbols->symbols()) {
        if (outcome.kind != SymbolKind::outcome || outcome.name.empty()) continue;
        std::string line = indent + "else -> " + outcome.name + "\n";
        if (!own_line) line = "\n" + line;
        fixes.push_back({fmt::format("add 'else -> {}'", outcome.name), {{{0, insert_at, insert_at}, std::move(line)}}});
    }
    return fixes;
}

}  // namespace

std::optional<RequestError> code_actions(const Request& request, JsonWriter& out) {
    auto uri = string_at(request.params, {"textDocument", "uri"});
    auto range = value_at(request.params, {"range"});
    std::optional<Position> start, end;
    if (range) start = position_at(*range, "start"), end = position_at(*range, "end");
    if (!uri || !start || !end) return RequestError{invalid_params, "expected textDocument.uri and range"};
    auto result = request.documents.compiled(*uri);
    if (!result) return RequestError{invalid_params, fmt::format("the document {} is not open", *uri)};
    Locator locator(*result->sources, std::string(*uri));
    const std::uint32_t begin = locator.offset(0, *start), finish = locator.offset(0, *end);
    out.begin_array();
    for (const Diagnostic& diagnostic : result->diagnostics) {
        // The diagnostics the range touches (a cursor standing at either end of one counts).
        if (diagnostic.span.file != 0 || diagnostic.span.begin > finish || diagnostic.span.end < begin) continue;
        for (const Fix& fix : diagnostic.fixes)
            write_quick_fix(out, diagnostic, fix, diagnostic.fixes.size() == 1, locator, request.docs_url);
        if (diagnostic.code == Code::missing_else && diagnostic.fixes.empty())
            for (const Fix& fix : else_fixes(*result, diagnostic))
                write_quick_fix(out, diagnostic, fix, false, locator, request.docs_url);
    }
    out.end_array();
    return std::nullopt;
}

}  // namespace triage::lsp
