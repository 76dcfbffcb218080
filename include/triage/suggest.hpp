// "did you mean ...?" for names people type, by the rule of the checker's own suggestions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace triage {

// The candidate closest to `name` (edit distance with transpositions) when it is close enough to
// be a typo of it; nullopt when none is, or when `name` is one of them. The CLI suggests its
// commands and options with it; a host can do the same for names it takes from people.
[[nodiscard]] std::optional<std::string> suggest_name(std::string_view name, std::span<const std::string> candidates);

}  // namespace triage
