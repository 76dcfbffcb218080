// A compilation's diagnostics as LSP diagnostics: for textDocument/publishDiagnostics, and for
// the code actions that name the diagnostic they fix.
#pragma once

#include "lsp/locations.hpp"
#include "triage/compile.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::lsp {

// "#t012--unknown-step-or-outcome": the anchor of a code's section in docs/diagnostics.md.
[[nodiscard]] std::string diagnostics_anchor(Code code);

// Where the document includes each file of its compilation: the `include "..."` of file 0 that
// brings it in, directly or through the includes of included files.
class IncludeSites {
public:
    explicit IncludeSites(const SourceMap& sources);
    // The span in file 0 of the path in the include that brings `file` in; nullopt when none is
    // found (a word list's file, say).
    [[nodiscard]] std::optional<Span> site(FileId file) const;

private:
    std::map<FileId, Span> included_at_;  // a file → the include's path, in the file that names it
};

// The LSP Diagnostic of one diagnostic of `result`. One in an included file stands at the include
// that brings the file in (else at the top of the document), its message naming the file and its
// place, with related information pointing there.
void write_diagnostic(JsonWriter& json, const Diagnostic& diagnostic, Locator& locator, std::string_view docs_url,
                      const IncludeSites* includes = nullptr);

// The params of textDocument/publishDiagnostics for the document of `result`.
[[nodiscard]] std::string publish_diagnostics_params(const std::string& uri, std::int64_t version,
                                                     const CompileResult& result, std::string_view docs_url);
// The same with other diagnostics of its sources (the result's with the solver's).
[[nodiscard]] std::string publish_diagnostics_params(const std::string& uri, std::int64_t version,
                                                     const CompileResult& result,
                                                     const std::vector<Diagnostic>& diagnostics, std::string_view docs_url);

}  // namespace triage::lsp
