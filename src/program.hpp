// Stage 4: what evaluation needs beyond the resolved flow, prepared once at compile time:
// one phrase automaton per text field that word lists or `contains` are used with, and
// per-condition look-up tables, so the evaluator never searches by name, and the conditions as
// jump code (condition_code.hpp).
#pragma once

#include "condition_code.hpp"
#include "text_match.hpp"
#include "triage/diagnostic.hpp"
#include "triage/limits.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace triage::detail {

struct ResolvedFlow;

inline constexpr std::uint32_t no_matcher = UINT32_MAX;

struct Program {
    std::vector<PhraseMatcher> matchers;
    std::vector<std::uint32_t> field_matcher;                  // per field; no_matcher if none
    std::vector<std::vector<std::uint32_t>> condition_phrases;  // per condition: has any/all, contains any, contains (one)
    std::vector<std::uint32_t> text_fields;                    // fields folded at most once per mention
    std::vector<std::uint32_t> field_text_slot;                // per field: index in text_fields
    ConditionCode code;                                        // what deciding runs
};

// The program of a resolved flow.
[[nodiscard]] Program build_program(const ResolvedFlow& data);

// Whether the program of a checked flow fits the limits (T060 otherwise); run before build_program.
[[nodiscard]] bool check_program_size(const ResolvedFlow& data, const Limits& limits, std::vector<Diagnostic>& diagnostics);

}  // namespace triage::detail
