// Stage 1: source text → syntax tree, one declaration at a time, recovering after errors.
#pragma once

#include "syntax/ast.hpp"
#include "triage/diagnostic.hpp"
#include "triage/source.hpp"

#include <vector>

namespace triage {

struct ParsedFile {
    FileId file = 0;
    std::vector<syntax::ast::Declaration> declarations;
};

// Parses every declaration of `file`. A declaration with a syntax error is reported (T001/T002)
// and dropped; parsing resumes at the next line that starts with a top-level keyword.
[[nodiscard]] ParsedFile parse(const SourceMap& sources, FileId file,
                               std::vector<Diagnostic>& diagnostics);

}  // namespace triage
