#include "lsp/diagnostics.hpp"

#include "source_reader.hpp"

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

IncludeSites::IncludeSites(const SourceMap& sources) {
    std::map<std::string, FileId> by_identity;
    for (FileId file = 0; file < sources.size(); ++file)
        by_identity.emplace(detail::file_identity(std::string(sources.path(file))).string(), file);
    // Each file's `include "PATH"` lines, read as the parser reads the statement's start.
    for (FileId file = 0; file < sources.size(); ++file) {
        const std::string_view text = sources.text(file);
        for (std::size_t line = 0; line < text.size();) {
            const std::size_t end = std::min(text.find('\n', line), text.size());
            const std::size_t word = text.find_first_not_of(" \t", line);
            if (word < end && text.substr(word, 8) == "include ") {
                const std::size_t open = text.find('"', word), close = open < end ? text.find('"', open + 1) : end;
                if (open < end && close < end) {
                    auto written = text.substr(open + 1, close - open - 1);
                    auto path = detail::SourceReader::resolve(sources.path(file), written);
                    auto found = by_identity.find(detail::file_identity(path).string());
                    if (found != by_identity.end() && found->second != file && !included_at_.count(found->second))
                        included_at_[found->second] = Span{file, static_cast<std::uint32_t>(open),
                                                           static_cast<std::uint32_t>(close + 1)};
                }
            }
            line = end + 1;
        }
    }
}

std::optional<Span> IncludeSites::site(FileId file) const {
    // Up the chain of includes to the one in the document; a cycle ends the walk.
    for (std::size_t steps = 0; steps < included_at_.size(); ++steps) {
        auto it = included_at_.find(file);
        if (it == included_at_.end()) return std::nullopt;
        if (it->second.file == 0) return it->second;
        file = it->second.file;
    }
    return std::nullopt;
}

void write_diagnostic(JsonWriter& json, const Diagnostic& diagnostic, Locator& locator, std::string_view docs_url,
                      const IncludeSites* includes) {
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
    std::optional<Span> site = elsewhere && includes ? includes->site(diagnostic.span.file) : std::nullopt;
    locator.write_range(json, !elsewhere ? diagnostic.span : site ? *site : Span{});
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
    return publish_diagnostics_params(uri, version, result, result.diagnostics, docs_url);
}

std::string publish_diagnostics_params(const std::string& uri, std::int64_t version, const CompileResult& result,
                                       const std::vector<Diagnostic>& diagnostics, std::string_view docs_url) {
    JsonWriter json;
    json.begin_object().key("uri").string(uri).key("version").number(version).key("diagnostics").begin_array();
    if (result.sources) {  // none in the empty result that clears a closed document's
        Locator locator(*result.sources, uri);
        const IncludeSites includes(*result.sources);
        for (const Diagnostic& diagnostic : diagnostics) write_diagnostic(json, diagnostic, locator, docs_url, &includes);
    }
    json.end_array().end_object();
    return json.take();
}

}  // namespace triage::lsp
