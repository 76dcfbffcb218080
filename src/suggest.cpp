// The public "did you mean" (triage/suggest.hpp) over the checker's closest_name (suggest.hpp).
#include "triage/suggest.hpp"

#include "suggest.hpp"

#include <algorithm>

namespace triage {

std::optional<std::string> suggest_name(std::string_view name, std::span<const std::string> candidates) {
    if (std::find(candidates.begin(), candidates.end(), name) != candidates.end()) return std::nullopt;
    std::uint64_t budget = suggestion_budget;
    return closest_name(name, candidates, budget);
}

}  // namespace triage
