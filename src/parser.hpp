// Stage 1: source text → syntax tree, one declaration at a time, recovering after errors.
#pragma once

#include "syntax/ast.hpp"
#include "triage/diagnostic.hpp"
#include "triage/limits.hpp"
#include "triage/source.hpp"
#include "triage/symbols.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

// A name that a declaration with a syntax error would have defined, its keyword mistyped or not.
// The checker treats it as defined, so that one typo does not cascade into "unknown step" errors
// everywhere it is used, and the symbol index lists it (marked broken), so that its uses resolve.
struct BrokenName {
    enum class Kind { header, start, clock, zone, node, value, word_list, hours, crisis } kind;
    static constexpr int kinds = 9;
    std::string name;                  // empty for the one-per-flow kinds: header, start, clock, zone
    Span name_span;                    // where the name is written; the keyword for the one-per-flow kinds
    Span declaration;                  // from its keyword to where parsing resumed
    std::optional<SymbolKind> symbol;  // what it would have declared; none for the one-per-flow kinds
};

struct ParsedFile {
    FileId file = 0;
    std::vector<syntax::ast::Declaration> declarations;
    std::vector<BrokenName> broken;
};

// Parses every declaration of `file`. A declaration with a syntax error is reported (T001/T002)
// and dropped; parsing resumes at the next line that starts with a top-level keyword.
[[nodiscard]] ParsedFile parse(const SourceMap& sources, FileId file,
                               std::vector<Diagnostic>& diagnostics);

// What must hold before parse() may run on a file, checked without the grammar: its size, and
// how deeply its conditions nest (parentheses and `not`, which make the grammar recurse).
// Reports T060 and returns false when a limit is exceeded.
[[nodiscard]] bool check_source_limits(const SourceMap& sources, FileId file, const Limits& limits,
                                       std::vector<Diagnostic>& diagnostics);

// Flow files are UTF-8: every byte that does not belong to a well-formed sequence is T004 (the
// first few of a file, then a count), so that no text from the flow, its strings above all,
// reaches a decision's JSON or a terminal as invalid UTF-8. `what` names the kind of file in the
// help ("flow files", "word list files").
void check_utf8(const SourceMap& sources, FileId file, std::vector<Diagnostic>& diagnostics,
                std::string_view what = "flow files");

}  // namespace triage
