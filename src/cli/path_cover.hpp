// `gen --cover` and `test --scaffold`: the flow's paths with a mention each (triage/cover.hpp),
// the paths without one said on stderr.
#pragma once

#include "triage/cover.hpp"

#include <optional>

namespace triage::cli {

// The covered paths, after one stderr line per path no mention was found for (unreachable, or the
// solver gave up); nullopt, after a message, when this triage has no solver.
[[nodiscard]] std::optional<CoverReport> cover_for_cli(const Flow& flow);

// One JSON line per covered path: {"path": [{"step": S, "branch": "if 2"|"else"}...], "outcome": O
// (null: no outcome), "crisis": [names that must be active], "mention": {...}}.
[[nodiscard]] std::string cover_jsonl(const Flow& flow, const std::vector<CoveredPath>& paths);

}  // namespace triage::cli
