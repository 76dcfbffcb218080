// A text that a regular expression matches, for the solver's example mentions (gen --cover, test
// --scaffold, the checks' witnesses). RE2 matches but cannot generate, so the text is built from
// the expression's literal structure (the first alternative, the fewest repetitions, a member of
// each class) and then run through RE2: only a text RE2 matches is returned.
#pragma once

#include <optional>
#include <string>

namespace triage::detail {

// A short text `pattern` (RE2 syntax) matches, or nullopt when none was found: a construct the
// builder does not write (\p{..} classes, a negated class with no plain character outside it, an
// anchor in the middle...) or a text RE2 did not match.
[[nodiscard]] std::optional<std::string> text_matching(const std::string& pattern, bool case_insensitive);

}  // namespace triage::detail
