#include "triage/testing.hpp"

#include "triage/decision_format.hpp"
#include "triage/stream.hpp"
#include "triage/record.hpp"

#include "flow_data.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace triage {

namespace {

std::string names_of_steps(const Flow& flow, const std::vector<std::uint32_t>& steps) {
    std::string out;
    for (std::uint32_t s : steps) out += (out.empty() ? "" : ", ") + flow.steps()[s].name;
    return out.empty() ? "(none)" : out;
}

std::string outcome_text(const Flow& flow, const Decision& d) {
    if (d.decided()) return flow.outcomes()[d.outcome].name;
    return fmt::format("no outcome (step '{}' matched nothing)", flow.steps()[*d.fell_through_at()].name);
}

std::vector<std::string> collect(const Decision& d, ActionKind kind) {
    std::vector<std::string> out;
    for (const DecidedAction& a : d.actions) {
        if (a.kind != kind) continue;
        if (kind == ActionKind::tag) out.insert(out.end(), a.labels.begin(), a.labels.end());
        else out.emplace_back(a.text);
    }
    return out;
}

void check(const Flow& flow, const TestExpectation& e, const Decision& d, std::vector<std::string>& problems) {
    switch (e.kind) {
    case ExpectKind::outcome: {
        if (d.decided() && std::find(e.outcomes.begin(), e.outcomes.end(), d.outcome) != e.outcomes.end()) return;
        std::string wanted;
        for (std::uint32_t o : e.outcomes) wanted += (wanted.empty() ? "" : " or ") + flow.outcomes()[o].name;
        problems.push_back(fmt::format("expected outcome {}, got {}", wanted, outcome_text(flow, d)));
        return;
    }
    case ExpectKind::fell_through:
        if (d.decided()) problems.push_back(fmt::format("expected no outcome, got {}", outcome_text(flow, d)));
        return;
    case ExpectKind::path: {
        std::vector<std::uint32_t> asked;
        for (const PathEntry& p : d.path) asked.push_back(p.step);
        if (asked != e.steps)
            problems.push_back(fmt::format("expected path {}; the mention went {}", names_of_steps(flow, e.steps),
                                           names_of_steps(flow, asked)));
        return;
    }
    case ExpectKind::tag:
    case ExpectKind::escalate: {
        const bool tag = e.kind == ExpectKind::tag;
        std::vector<std::string> got = collect(d, tag ? ActionKind::tag : ActionKind::escalate);
        for (const std::string& want : e.labels)
            if (std::find(got.begin(), got.end(), want) == got.end())
                problems.push_back(fmt::format("expected {} '{}'; {}: {}", tag ? "tag" : "an escalation to", want,
                                               tag ? "tags were" : "escalations were",
                                               got.empty() ? "none" : fmt::format("{}", fmt::join(got, ", "))));
        return;
    }
    case ExpectKind::priority: {
        std::optional<Priority> got = decided_priority(d);
        if (got && std::find(e.priorities.begin(), e.priorities.end(), *got) != e.priorities.end()) return;
        std::string wanted;
        for (Priority p : e.priorities) wanted += std::string(wanted.empty() ? "" : " or ") + std::string(to_string(p));
        problems.push_back(fmt::format("expected priority {}, got {}", wanted, got ? to_string(*got) : "none"));
        return;
    }
    }
}

// Whether the test's mention carries a time of its own for deadlines to count from.
bool gives_time(const Flow& flow, const FlowTest& test) {
    if (!flow.clock()) return false;
    return std::any_of(test.given.begin(), test.given.end(),
                       [&](const TestValue& v) { return v.field == flow.clock()->field; });
}

}  // namespace

std::size_t Coverage::branches_total() const {
    std::size_t n = 0;
    for (const auto& step : branch_taken) n += step.size();
    return n;
}
std::size_t Coverage::branches_covered() const {
    std::size_t n = 0;
    for (const auto& step : branch_taken) n += static_cast<std::size_t>(std::count(step.begin(), step.end(), true));
    return n;
}
std::size_t Coverage::steps_covered() const {
    return static_cast<std::size_t>(std::count(step_visited.begin(), step_visited.end(), true));
}
std::size_t Coverage::outcomes_covered() const {
    return static_cast<std::size_t>(std::count(outcome_reached.begin(), outcome_reached.end(), true));
}
std::size_t TestRun::failed() const {
    return static_cast<std::size_t>(std::count_if(results.begin(), results.end(), [](const TestResult& r) { return !r.passed; }));
}

TestRun run_tests(const Flow& flow) {
    TestRun run;
    for (const Step& s : flow.steps()) run.coverage.branch_taken.emplace_back(s.branches.size() + (s.otherwise ? 1 : 0), false);
    run.coverage.step_visited.assign(flow.steps().size(), false);
    run.coverage.outcome_reached.assign(flow.outcomes().size(), false);

    // Decided as a stream decides them (deadlines from the mention's clock when it gives one),
    // with no "now": a test's dates are history, however far from today.
    StreamOptions options;
    options.now = TimePoint{};
    options.future_margin = std::nullopt;
    std::optional<Stream> stateless;
    if (!flow.keeps_state()) stateless.emplace(flow, options);
    Decision decision;
    Trace trace;
    for (const FlowTest& test : detail::data_of(flow).tests) {
        Record record(flow);
        for (const TestValue& v : test.given) {
            const std::string& name = flow.fields()[v.field].name;
            if (v.value.kind == ValueKind::text) record.set(name, v.text);
            else record.set(name, v.value);
        }
        if (flow.keeps_state()) {
            // A stream of this mention, `repeat` times at once, in the crisis modes the test names.
            Stream stream(flow, options);
            for (std::uint32_t c : test.crises) {
                const std::optional<std::uint32_t> group = flow.crises()[c].group;
                if (!group) {
                    stream.monitor()->set_crisis(c, true, TimePoint{});
                    continue;
                }
                // A grouped crisis: active for the group of the test's mention (the checker made
                // sure the test gives one).
                for (const TestValue& v : test.given)
                    if (v.field == *group)
                        stream.monitor()->set_crisis(c,
                                                     v.value.kind == ValueKind::enumeration && v.text.empty()
                                                         ? std::string_view(flow.fields()[v.field].values[v.value.index])
                                                         : std::string_view(v.text),
                                                     true, TimePoint{});
            }
            for (std::uint32_t i = 1; i < test.repeat; ++i) stream.decide(record.view(), decision);
            stream.explain(record.view(), decision, trace);
        } else {
            stateless->explain(record.view(), decision, trace);
        }
        for (const PathEntry& p : decision.path) {
            run.coverage.step_visited[p.step] = true;
            auto& taken = run.coverage.branch_taken[p.step];
            if (p.branch < taken.size()) taken[p.branch] = true;  // a fall-through takes no branch
        }
        if (decision.decided()) run.coverage.outcome_reached[decision.outcome] = true;

        TestResult result;
        result.name = test.name;
        result.span = test.span;
        result.name_span = test.name_span;
        for (const TestExpectation& e : test.expectations) check(flow, e, decision, result.problems);
        result.passed = result.problems.empty();
        if (!result.passed) {
            // Without a time in the mention, deadlines count from the test clock's zero (1970):
            // dates nobody asked about, so the failure shows the durations only.
            if (!gives_time(flow, test))
                for (DecidedAction& a : decision.actions) a.deadline.reset();
            result.explanation = explain_text(flow, decision, trace);
        }
        run.results.push_back(std::move(result));
    }
    return run;
}

}  // namespace triage
