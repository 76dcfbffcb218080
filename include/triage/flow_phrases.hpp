// What a flow's text tests look for, for hosts that make text to test a flow with (`triage gen`).
// Word lists are Flow::word_lists(); this adds the phrases that no list holds.
#pragma once

#include "triage/flow.hpp"

#include <string_view>
#include <vector>

namespace triage {

// The phrases of the flow's `contains` tests, as written, each once (borrowed from the flow).
[[nodiscard]] std::vector<std::string_view> contains_phrases(const Flow& flow);

}  // namespace triage
