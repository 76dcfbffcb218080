// Stage 2: syntax trees → resolved flow. Names, types, values and outcome actions are checked
// here; the graph checks (cycles, reachability) follow in graph_builder.
#pragma once

#include "resolved_flow.hpp"
#include "parser.hpp"
#include "source_reader.hpp"
#include "triage/compile.hpp"
#include "triage/diagnostic.hpp"

#include <memory>
#include <span>
#include <vector>

namespace triage {

// One top-level declaration and the file it was read from.
struct SourceDeclaration {
    FileId file = 0;
    const syntax::ast::Declaration* declaration = nullptr;
};

struct CheckInput {
    SourceMap& sources;  // word list files are added as they are read
    std::span<const SourceDeclaration> declarations;  // in reading order, includes expanded
    FileId main_file = 0;
    const CompileOptions& options;
    detail::SourceReader& reader;        // word list files
    std::span<const BrokenName> broken;  // names defined by declarations with syntax errors
    bool syntax_errors = false;          // then warnings that are likely cascades are left out
};

// The resolved flow: meaningful only when no error was reported.
[[nodiscard]] detail::ResolvedFlow check(const CheckInput& input, std::vector<Diagnostic>& diagnostics);

}  // namespace triage
