#include "lsp/diagnostics.hpp"

#include <fmt/format.h>

#include <cctype>

namespace triage::lsp {

std::string diagnostics_anchor(Code code) {
    // GitHub's anchors: lower case, spaces to '-', punctuation other than '-' and '_' dropped.
    std::string heading = code_name(code) + " — " + std::string(code_title(code));
    std::string anchor = "#";
    for (unsigned char c : heading) {
        if (std::isalnum(c) || c == '-' || c == '_') anchor += static_cast<char>(std::tolower(c));
        else if (c == ' ') anchor += '-';
    }
    return anchor;
}

void write_diagnostic(JsonWriter& json, const Diagnostic& diagnostic, Locator& locator, std::string_view docs_url) {
    const bool elsewhere = diagnostic.span.file != 0;
    std::string message;
    if (elsewhere) {
        Position at = locator.position(diagnostic.span.file, diagnostic.span.begin);
        message = fmt::format("in {}:{}:{}: ", locator.uri(diagnostic.span.file), at.line + 1, at.character + 1);
    }
    message += diagnostic.message;
    for (const DiagnosticNote& note : diagnostic.notes)
        if (!note.span) message += "\nnote: " + note.message;
    if (!diagnostic.help.empty()) message += "\nhelp: " + diagnostic.help;

    json.begin_object().key("range");
    locator.write_range(json, elsewhere ? Span{} : diagnostic.span);
    json.key("severity").number(std::int64_t{diagnostic.severity == Severity::error ? 1 : 2});
    json.key("code").string(code_name(diagnostic.code));
    if (!docs_url.empty())
        json.key("codeDescription").begin_object().key("href").string(std::string(docs_url) +
                                                                      diagnostics_anchor(diagnostic.code)).end_object();
    json.key("source").string("triage").key("message").string(message);
    json.key("relatedInformation").begin_array();
    if (elsewhere) {
        json.begin_object().key("location");
        locator.write_location(json, diagnostic.span);
        json.key("message").string(diagnostic.message).end_object();
    }
    for (const DiagnosticNote& note : diagnostic.notes) {
        if (!note.span) continue;
        json.begin_object().key("location");
        locator.write_location(json, *note.span);
        json.key("message").string(note.message).end_object();
    }
    json.end_array().end_object();
}

std::string publish_diagnostics_params(const std::string& uri, std::int64_t version, const CompileResult& result,
                                       std::string_view docs_url) {
    JsonWriter json;
    json.begin_object().key("uri").string(uri).key("version").number(version).key("diagnostics").begin_array();
    if (result.sources) {  // none in the empty result that clears a closed document's
        Locator locator(*result.sources, uri);
        for (const Diagnostic& diagnostic : result.diagnostics) write_diagnostic(json, diagnostic, locator, docs_url);
    }
    json.end_array().end_object();
    return json.take();
}

}  // namespace triage::lsp
