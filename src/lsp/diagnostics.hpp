// A compilation's diagnostics as LSP diagnostics: for textDocument/publishDiagnostics, and for
// the code actions that name the diagnostic they fix.
#pragma once

#include "lsp/locations.hpp"
#include "triage/compile.hpp"

#include <string>
#include <string_view>

namespace triage::lsp {

// "#t012--unknown-step-or-outcome": the anchor of a code's section in docs/diagnostics.md.
[[nodiscard]] std::string diagnostics_anchor(Code code);

// The LSP Diagnostic of one diagnostic of `result`. One in an included file stands at the top of
// the document, its message naming the file and its place, and points there.
void write_diagnostic(JsonWriter& json, const Diagnostic& diagnostic, Locator& locator, std::string_view docs_url);

// The params of textDocument/publishDiagnostics for the document of `result`.
[[nodiscard]] std::string publish_diagnostics_params(const std::string& uri, std::int64_t version,
                                                     const CompileResult& result, std::string_view docs_url);

}  // namespace triage::lsp
