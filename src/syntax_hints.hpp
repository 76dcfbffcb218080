// What to write instead, for the syntax mistakes policy authors make most: times written
// 9am-5pm, dates written 12/25/2015, phrases and values of several words left unquoted, curly
// quotes from a word processor, && || ! from a programming language, `expect outcome X`.
// docs/diagnostics.md (T001) lists them; tests/fixtures/diagnostics/T001-*.flow pins each.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

struct SyntaxHint {
    // Bytes [from, to) of the line, counted from its start, become `text`.
    struct Edit {
        std::size_t from = 0, to = 0;
        std::string text;
    };
    std::string help;  // empty when no hint applies
    // What the fix does, and its edits; none when the replacement is not certain (a date that
    // could be day/month or month/day, a phrase that may run into the next keyword).
    std::string fix;
    std::vector<Edit> edits;
};

// The help for a syntax error: the parser expected `expected` (a rule's name) and found the text
// that starts `found`; `line_before` is the line up to that point.
[[nodiscard]] SyntaxHint syntax_hint(std::string_view expected, std::string_view line_before, std::string_view found);

}  // namespace triage
