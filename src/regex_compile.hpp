// Compiles a flow's regular expressions within one memory budget. RE2 bounds each expression by
// its own max_mem (the compiled program takes up to two thirds of it; the DFA caches grow into
// the rest while mentions are matched) and has no budget shared between expressions, so the
// flow's budget (limits.regex_bytes) is divided among them: each gets an equal share, at most
// regex_share_ceiling, and a flow whose expressions would get less than regex_share_floor each is
// refused before any of them is compiled (a budget below the floor serves one expression).
#pragma once

#include "resolved_flow.hpp"
#include "triage/diagnostic.hpp"
#include "triage/limits.hpp"

#include <cstdint>
#include <vector>

namespace triage::detail {

inline constexpr std::uint64_t regex_share_floor = 256u << 10;
inline constexpr std::uint64_t regex_share_ceiling = 8u << 20;

// What each of `count` expressions may use of `budget` bytes; 0 when that is below the floor.
[[nodiscard]] std::uint64_t regex_share(std::uint64_t budget, std::size_t count) noexcept;

// Compiles data.regexes into data.compiled_regexes (parallel to it). Reports T022 for an invalid
// expression and T060 for one larger than its share, or for more expressions than the budget
// holds. Returns false when anything was reported.
bool compile_regexes(ResolvedFlow& data, const Limits& limits, std::vector<Diagnostic>& diagnostics);

}  // namespace triage::detail
