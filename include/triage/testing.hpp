// Running the tests written in a flow file (`test "..." { given { ... } expect ... }`) and
// measuring which steps, branches and outcomes they reach.
#pragma once

#include "triage/decision.hpp"
#include "triage/flow.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace triage {

struct TestResult {
    std::string name;  // the test's name, as written
    Span span;         // the whole test block
    Span name_span;
    bool passed = false;
    std::vector<std::string> problems;  // one line per expectation that failed
    std::string explanation;            // the path in words (triage explain), for failures
};

// What the tests reached. branch_taken[s] has one entry per branch of step s, then one for its
// `else` (when it has one).
struct Coverage {
    std::vector<std::vector<bool>> branch_taken;
    std::vector<bool> step_visited;
    std::vector<bool> outcome_reached;

    [[nodiscard]] std::size_t branches_total() const;
    [[nodiscard]] std::size_t branches_covered() const;
    [[nodiscard]] std::size_t steps_covered() const;
    [[nodiscard]] std::size_t outcomes_covered() const;
};

struct TestRun {
    std::vector<TestResult> results;
    Coverage coverage;
    [[nodiscard]] std::size_t failed() const;
};

// Runs every test of the flow. Test mentions carry no reference time: deadlines count from the
// Unix epoch, and tests do not check them.
[[nodiscard]] TestRun run_tests(const Flow& flow);

}  // namespace triage
