// One example mention per path through a flow (`triage gen --cover`), and `test` blocks written
// from them (`triage test --scaffold`). The Z3 solver finds each mention; the real evaluator
// decides it before it is kept, so a kept mention takes its path. Without the solver, nothing is
// found and CoverReport::solver_available says so.
#pragma once

#include "triage/decision.hpp"
#include "triage/flow.hpp"
#include "triage/limits.hpp"
#include "triage/value.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace triage {

// One field of an example mention. For a text field, value.text is empty and the text is `text`
// (owned here, so that the value can be copied).
struct GivenValue {
    std::uint32_t field = 0;
    FieldValue value;
    std::string text;
};

// A path: the branches taken, as a decision records them (a fall-through ends with the step that
// matched nothing), where it ends, and the crisis modes it needs active.
struct FlowPath {
    std::vector<PathEntry> path;
    std::optional<std::uint32_t> outcome;  // nullopt: falls through
    std::vector<std::uint32_t> crises;     // indices into Flow::crises()
};

struct CoveredPath : FlowPath {
    std::vector<GivenValue> given;  // the present fields, in the flow's field order
    std::uint32_t repeat = 1;       // the mention given this many times at once, for the windows it needs
};

struct UncoveredPath : FlowPath {
    bool unreachable = false;  // proved: no mention takes it; else the solver gave up
    std::string reason;        // gave up: why
};

struct CoverReport {
    bool solver_available = false;
    std::vector<CoveredPath> covered;
    std::vector<UncoveredPath> uncovered;
    bool truncated = false;  // more paths than `max_paths`: the rest were not tried
    std::size_t rejected_models = 0;  // mentions the evaluator decided off their path: blocked, the solver asked again
};

// Every path from the start, in normal mode and with each crisis mode active (those only the
// crisis makes possible, or that it reroutes), each with a mention the evaluator decided along it.
// A path that needs a window to hold gets a mention given N times at once (`given N times`); one
// that needs business hours is reported uncovered. The solver is bounded by limits.solver_rlimit per question.
[[nodiscard]] CoverReport cover_paths(const Flow& flow, const Limits& limits = {}, std::size_t max_paths = 10000);

// The path in words: "screen: else; tone: if on line 50 -> complaint (during crisis outage)".
[[nodiscard]] std::string describe_path(const Flow& flow, const FlowPath& path);

// A value as a test's `given` writes it: 0.5, true, twitter, "text with \"quotes\"", a time in
// RFC 3339 (quoted).
[[nodiscard]] std::string given_value_text(const Flow& flow, const GivenValue& value);

// `test` blocks, one per covered path, for the author to name and keep: the mention as `given`
// (`given N times` where a window needs it),
// `during crisis` for the crisis modes the path needs, the outcome (or `no outcome`) and the path.
[[nodiscard]] std::string scaffold_tests(const Flow& flow, const std::vector<CoveredPath>& paths);

}  // namespace triage
