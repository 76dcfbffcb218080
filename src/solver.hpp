// Stage 5, after the program: the semantic checks. The flow's fields and conditions become a
// Z3 formula with the language's own semantics (any field may be missing; a one-of field may hold
// none of its values), and the solver proves which branches no mention can take (T033) and which
// steps and outcomes no mention can reach (T031), beyond what the checker sees in the text and
// the graph. Text conditions are independent truth values there (an over-approximation), so an
// example mention is only shown once the evaluator has decided it as the warning says.
#pragma once

#include "flow_data.hpp"
#include "triage/compile.hpp"
#include "triage/cover.hpp"
#include "triage/diagnostic.hpp"

#include <functional>
#include <memory>
#include <stop_token>
#include <vector>

namespace triage::detail {

// For tests: replaces the evaluator's verdict on an example mention (true: the evaluator decided
// it as the solver said), given that verdict.
using ExampleVerdict = std::function<bool(bool evaluator_agrees)>;

// Adds the semantic checks' warnings to `diagnostics` for a flow that compiled without errors,
// leaving out what `diagnostics` already says about the same branch or node; a note (T070) when
// the solver gave up, or when the checks are wanted and this build has no solver. A stop request
// interrupts the solver's question at once and adds nothing more (the language server's newer text).
void check_semantics(const FlowData& flow, const CompileOptions& options,
                     std::vector<Diagnostic>& diagnostics, const ExampleVerdict& verdict = {},
                     std::stop_token stop = {});

// The semantic checks of a flow compile() gave without them (SemanticChecks::off), run later: the
// language server runs them on a thread of its own once the ordinary diagnostics are out. The
// result's diagnostics with the checks' warnings, allowed ones left out, in compile()'s order
// (compile.cpp, where that order is kept). Without the solver, the result's diagnostics as they are.
[[nodiscard]] std::vector<Diagnostic> with_semantic_checks(const CompileResult& result, const Limits& limits,
                                                           std::stop_token stop);

// A mention the solver found for one path (gen --cover, test --scaffold; solver_cover.cpp).
struct PathWitness {
    enum class Status { found, impossible, gave_up } status = Status::impossible;
    std::vector<FieldValue> values;  // per field; a text value's text is in `texts`
    std::vector<std::string> texts;
    std::string reason;              // gave_up: why
    std::uint32_t repeat = 1;        // how often a test gives the mention, for the windows it needs
};

// Asks the solver for mentions that take given branches, one question at a time (pimpl: Z3 stays
// in solver.cpp). Without the solver, available() is false and find() gives up.
class PathProbe {
public:
    PathProbe(const FlowData& flow, const Limits& limits);
    ~PathProbe();
    PathProbe(const PathProbe&) = delete;
    PathProbe& operator=(const PathProbe&) = delete;
    [[nodiscard]] static bool available() noexcept;
    // A mention that takes each (step, branch) of `path` (branch == branches.size(): `else`), with
    // the crises in `crises_on` active and the others not, business hours false, and each window
    // as the mention given `repeat` times at once makes it (a test's `given N times`); none like
    // an earlier rejected one.
    PathWitness find(const std::vector<std::pair<std::uint32_t, std::size_t>>& path,
                     const std::vector<std::uint32_t>& crises_on);
    // The last mention found was not decided as asked: the next find() gives another one.
    void reject_last();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};
// cover_paths (triage/cover.hpp) with the evaluator's verdict on each mention passed through
// `verdict` (for tests: forcing a rejected model, so that the retry is seen).
CoverReport cover_paths_judged(const Flow& flow, const Limits& limits, std::size_t max_paths, const ExampleVerdict& verdict);

// T040 by what the conditions allow (src/solver_diff.cpp): for each outcome's `respond ... if A`
// and `do not respond ... if B` (the checker leaves pairs with two conditions to this when the
// build has the solver), an error with a mention the evaluator confirmed when both can hold,
// nothing when the solver proves they never do, the error without a mention when it cannot tell.
void check_conflicting_actions(const Flow& flow, const Limits& limits, std::vector<Diagnostic>& diagnostics);

}  // namespace triage::detail
