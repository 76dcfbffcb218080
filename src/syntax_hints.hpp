// What to write instead, for the syntax mistakes policy authors make most: times written
// 9am-5pm, dates written 12/25/2015, phrases and values of several words left unquoted, curly
// quotes from a word processor, && || ! from a programming language, `expect outcome X`.
// docs/diagnostics.md (T001) lists them; tests/fixtures/diagnostics/T001-*.flow pins each.
#pragma once

#include <string>
#include <string_view>

namespace triage {

// The help for a syntax error: the parser expected `expected` (a rule's name) and found the text
// that starts `found`; `line_before` is the line up to that point. Empty when no hint applies.
[[nodiscard]] std::string syntax_hint(std::string_view expected, std::string_view line_before, std::string_view found);

}  // namespace triage
