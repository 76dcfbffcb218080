// The canonical layout of a flow file (`triage fmt`): two-space indentation, one branch or
// action per line, one blank line between declarations, comments kept. Idempotent.
#pragma once

#include "triage/diagnostic.hpp"
#include "triage/limits.hpp"
#include "triage/source.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

struct FormatResult {
    std::optional<std::string> text;      // absent when the file has syntax errors
    std::vector<Diagnostic> diagnostics;  // the syntax errors
    std::shared_ptr<const SourceMap> sources;
};

// Formats one file on its own: includes are not read, names are not checked.
// The file size and nesting limits apply (see limits.hpp).
[[nodiscard]] FormatResult format_source(std::string_view source, std::string path = "<input>",
                                         const Limits& limits = {});

}  // namespace triage
