// The documentation of each diagnostic code: docs/diagnostics.md, compiled into the library at
// build time (cmake/embed_text.cmake), so that SARIF's rule help and the CLI's help work offline
// and say exactly what the docs say.
#pragma once

#include "triage/diagnostic.hpp"

#include <string>
#include <string_view>

namespace triage {

struct CodeDocumentation {
    // The section "## T012 — unknown step or outcome" up to the next heading of its level,
    // heading included (Markdown). Empty when docs/diagnostics.md has no section for the code.
    std::string_view markdown;
    // Its first paragraph after the heading ("**Error.** A branch ... does not exist."), Markdown.
    std::string_view summary;
    // The heading's anchor as Markdown renderers make it: "t012--unknown-step-or-outcome".
    std::string anchor;
};

[[nodiscard]] CodeDocumentation code_documentation(Code code);

// docs/diagnostics.md as a whole.
[[nodiscard]] std::string_view diagnostics_markdown();

// The anchor a Markdown renderer (GitHub's) gives a heading: lower case, punctuation other than
// '-' and '_' dropped, spaces made '-'. "T012 — unknown step" -> "t012--unknown-step".
[[nodiscard]] std::string markdown_anchor(std::string_view heading);

}  // namespace triage
