// Stage 5, after the program: the semantic checks. The flow's fields and conditions become a
// Z3 formula with the language's own semantics (any field may be missing; a one-of field may hold
// none of its values), and the solver proves which branches no mention can take (T033) and which
// steps and outcomes no mention can reach (T031), beyond what the checker sees in the text and
// the graph. Text conditions are independent truth values there (an over-approximation), so an
// example mention is only shown once the evaluator has decided it as the warning says.
#pragma once

#include "flow_data.hpp"
#include "triage/compile.hpp"
#include "triage/diagnostic.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace triage::detail {

// For tests: replaces the evaluator's verdict on an example mention (true: the evaluator decided
// it as the solver said), given that verdict.
using ExampleVerdict = std::function<bool(bool evaluator_agrees)>;

// Adds the semantic checks' warnings to `diagnostics` for a flow that compiled without errors,
// leaving out what `diagnostics` already says about the same branch or node; a note (T070) when
// the solver gave up, or when the checks are wanted and this build has no solver.
void check_semantics(const FlowData& flow, const CompileOptions& options,
                     std::vector<Diagnostic>& diagnostics, const ExampleVerdict& verdict = {});

// T040 by what the conditions allow (src/solver_diff.cpp): for each outcome's `respond ... if A`
// and `do not respond ... if B` (the checker leaves pairs with two conditions to this when the
// build has the solver), an error with a mention the evaluator confirmed when both can hold,
// nothing when the solver proves they never do, the error without a mention when it cannot tell.
void check_conflicting_actions(const Flow& flow, const Limits& limits, std::vector<Diagnostic>& diagnostics);

}  // namespace triage::detail
