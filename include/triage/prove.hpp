// `triage diff OLD NEW --prove`: whether two versions of a flow decide every possible mention
// alike, proved by the Z3 solver without a corpus of mentions, or a mention they decide
// differently, found by the solver and confirmed by running both flows' evaluators on it.
#pragma once

#include "triage/decision.hpp"
#include "triage/flow.hpp"
#include "triage/limits.hpp"

#include <string>

namespace triage {

enum class ProofVerdict : std::uint8_t {
    same,     // no mention is decided differently (outcome, path or actions): a proof
    differs,  // `mention` is decided differently, as both evaluators say
    unknown,  // neither could be shown: `reason` says why
};

struct DecisionProof {
    ProofVerdict verdict = ProofVerdict::unknown;
    std::string reason;         // unknown: why ("the crisis definitions differ", "the resource limit ...")
    std::string mention;        // differs: the mention as one JSON object, fields nested at their dots
    Decision old_decision;      // differs: how each flow decides it (borrowing from the flows)
    Decision new_decision;
};

// Compares what `old_flow` and `new_flow` decide for every mention, reading fields by name; each
// solver question is bounded by limits.solver_rlimit. Without the solver (a build without
// TRIAGE_WITH_Z3) the verdict is unknown, with that reason. Windows, business hours and crises
// are free conditions that only mentions of one stream set; when their definitions differ
// between the flows the verdict is unknown.
[[nodiscard]] DecisionProof prove_same_decisions(const Flow& old_flow, const Flow& new_flow, const Limits& limits);

}  // namespace triage
