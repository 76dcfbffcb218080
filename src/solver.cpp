// The semantic checks (solver.hpp): T031 and T033 proved over the flow's formula (solver_model.hpp),
// each example mention decided by the evaluator before it is shown.
#include "solver.hpp"

#include "evaluator_state.hpp"

#include <fmt/format.h>

#ifdef TRIAGE_WITH_Z3
#include "solver_model.hpp"

#include <z3++.h>

#include <algorithm>
#include <optional>
#endif

namespace triage {

bool semantic_checks_built() noexcept {
#ifdef TRIAGE_WITH_Z3
    return true;
#else
    return false;
#endif
}

}  // namespace triage

namespace triage::detail {

#ifndef TRIAGE_WITH_Z3

void check_semantics(const FlowData& flow, const CompileOptions& options,
                     std::vector<Diagnostic>& diagnostics, const ExampleVerdict&, std::stop_token) {
    if (options.semantic_checks != SemanticChecks::wanted) return;
    const Span where = flow.start.kind == NodeKind::step ? flow.steps[flow.start.index].name_span
                                                         : flow.outcomes[flow.start.index].name_span;
    diagnostics.push_back({Severity::note, Code::semantic_check_skipped, where,
                           "the semantic checks are unavailable: this triage was built without the Z3 solver, "
                           "so branches and steps are checked by their text and the graph only",
                           {},
                           "build triage with -DTRIAGE_WITH_Z3=ON (libz3-dev) for them"});
}


#else

namespace {

// The questions the checks ask one solver, each bounded by the resource limit.
class Prover {
public:
    Prover(const FlowData& flow, const CompileOptions& options, std::vector<Diagnostic>& diagnostics,
           const ExampleVerdict& verdict, std::stop_token stop)
        : data_(flow), options_(options), diagnostics_(diagnostics), verdict_(verdict), stop_(std::move(stop)),
          model_(z_, data_), solver_(z_), evaluator_(data_) {
        z3::params p(z_);
        p.set("rlimit", static_cast<unsigned>(std::min<std::uint64_t>(options.limits.solver_rlimit, UINT32_MAX)));
        solver_.set(p);
        model_.define(solver_);
    }

    void run() {
        std::vector<bool> reachable = check_nodes();
        for (std::uint32_t s = 0; s < data_.steps.size() && !stop_.stop_requested(); ++s)
            if (reachable[s]) check_branches(s);
        if (gave_up_ > 0 && !stop_.stop_requested()) report_gave_up();
    }

private:
    // sat, unsat, or nullopt when the solver gave up.
    std::optional<bool> satisfiable(const z3::expr& question) {
        if (stop_.stop_requested()) return std::nullopt;  // what is left is not wanted: no answer, no note
        model_.add_new_facts(solver_);
        solver_.push();
        solver_.add(question);
        const z3::check_result r = solver_.check();
        if (r == z3::sat) model_found_.emplace(solver_.get_model());
        solver_.pop();
        if (r == z3::unknown) {
            if (gave_up_++ == 0) first_gave_up_ = solver_.reason_unknown();
            return std::nullopt;
        }
        return r == z3::sat;
    }

    bool already_reported(Code code, Span where) const {
        return std::any_of(diagnostics_.begin(), diagnostics_.end(), [&](const Diagnostic& d) {
            return d.code == code && d.span.file == where.file && d.span.begin == where.begin;
        });
    }

    std::vector<bool> check_nodes();
    void check_branches(std::uint32_t step);
    void check_branch(std::uint32_t step, std::size_t branch);
    // An example of a mention that matches branch `dead` of `step` and is taken by an earlier one,
    // confirmed by the evaluator; nullopt when none could be (after an internal-error note when
    // the evaluator disagreed with an exact model).
    std::optional<std::string> confirmed_example(std::uint32_t step, std::size_t dead, const z3::expr& question);
    bool evaluator_agrees(const Example& e, std::uint32_t step, std::size_t dead);
    void report_gave_up();

    const FlowData& data_;
    const CompileOptions& options_;
    std::vector<Diagnostic>& diagnostics_;
    const ExampleVerdict& verdict_;
    std::stop_token stop_;
    z3::context z_;
    // Interrupts the question being solved (Z3_interrupt may be called from another thread);
    // after z_, so that it is gone before the context is.
    std::stop_callback<std::function<void()>> interrupt_{stop_, [this] { z_.interrupt(); }};
    FlowModel model_;
    z3::solver solver_;
    EvaluatorState evaluator_;
    std::optional<z3::model> model_found_;
    std::size_t gave_up_ = 0;
    std::string first_gave_up_;
};

Span node_name_span(const FlowData& data, NodeRef node) {
    return node.kind == NodeKind::step ? data.steps[node.index].name_span : data.outcomes[node.index].name_span;
}

std::string_view node_name(const FlowData& data, NodeRef node) {
    return node.kind == NodeKind::step ? data.steps[node.index].name : data.outcomes[node.index].name;
}

// Which nodes a mention can reach; T031 for a node no mention reaches although an edge from a
// reachable node leads there (the first of a dead region; the graph check covers the rest).
std::vector<bool> Prover::check_nodes() {
    const std::size_t steps = data_.steps.size();
    std::vector<bool> reachable(steps + data_.outcomes.size(), true);
    auto ref = [&](std::size_t n) { return n < steps ? NodeRef{NodeKind::step, static_cast<std::uint32_t>(n)}
                                                     : NodeRef{NodeKind::outcome, static_cast<std::uint32_t>(n - steps)}; };
    for (std::size_t n = 0; n < reachable.size(); ++n)
        reachable[n] = satisfiable(model_.reach(ref(n))).value_or(true);
    auto slot = [&](NodeRef node) { return node.kind == NodeKind::step ? node.index : steps + node.index; };
    std::vector<bool> fed(reachable.size(), false);  // an edge from a reachable step arrives here
    for (std::uint32_t s = 0; s < steps; ++s) {
        if (!reachable[s]) continue;
        for (const Branch& b : data_.steps[s].branches)
            if (b.target != unresolved_node) fed[slot(b.target)] = true;
        if (data_.steps[s].otherwise) fed[slot(data_.steps[s].otherwise->target)] = true;
    }
    for (std::size_t n = 0; n < reachable.size(); ++n) {
        const Span where = node_name_span(data_, ref(n));
        if (reachable[n] || !fed[n] || already_reported(Code::unreachable, where)) continue;
        diagnostics_.push_back({Severity::warning, Code::unreachable, where,
                                fmt::format("{} '{}' is unreachable: no mention satisfies the conditions of any branch "
                                            "that leads here",
                                            n < steps ? "step" : "outcome", node_name(data_, ref(n))),
                                {},
                                "see the T033 warnings on the branches that lead here, or the conditions on the way"});
    }
    return reachable;
}

void Prover::check_branches(std::uint32_t step) {
    const Step& s = data_.steps[step];
    for (std::size_t b = 0; b < s.branches.size(); ++b) {
        const Span keyword{s.branches[b].span.file, s.branches[b].span.begin, s.branches[b].span.begin + 2};
        if (!already_reported(Code::shadowed_branch, keyword)) check_branch(step, b);
    }
    if (!s.otherwise) return;
    const Span keyword{s.otherwise->span.file, s.otherwise->span.begin, s.otherwise->span.begin + 4};
    if (s.branches.empty() || already_reported(Code::shadowed_branch, keyword)) return;
    if (satisfiable(model_.reach({NodeKind::step, step}) && model_.taken(step, s.branches.size())) != false) return;
    diagnostics_.push_back({Severity::warning, Code::shadowed_branch, keyword,
                            fmt::format("'else' is never taken: every mention that reaches step '{}' matches one of "
                                        "the branches above (proved by the solver)",
                                        s.name),
                            {},
                            "remove the 'else', or change a branch above if some mentions should reach it"});
}

void Prover::check_branch(std::uint32_t step, std::size_t branch) {
    const Step& s = data_.steps[step];
    const Branch& b = s.branches[branch];
    const Span keyword{b.span.file, b.span.begin, b.span.begin + 2};
    const z3::expr arrives = model_.reach({NodeKind::step, step});
    const z3::expr matches = model_.condition(b.condition);
    const std::optional<bool> ever = satisfiable(arrives && matches);
    if (ever == false) {
        const bool never_at_all = satisfiable(matches) == false;
        diagnostics_.push_back({Severity::warning, Code::shadowed_branch, keyword,
                                never_at_all ? "this branch is never taken: no mention can satisfy its condition"
                                             : fmt::format("this branch is never taken: no mention that reaches step "
                                                           "'{}' satisfies its condition",
                                                           s.name),
                                {},
                                "remove the branch, or correct its condition"});
        return;
    }
    if (!ever || branch == 0 || satisfiable(arrives && model_.taken(step, branch)) != false) return;
    // Covered: find the earliest branch that covers it alone, else the shortest prefix that does.
    std::optional<std::size_t> cover;
    for (std::size_t j = 0; j < branch && !cover; ++j)
        if (satisfiable(arrives && matches && !model_.condition(s.branches[j].condition)) == false) cover = j;
    bool alone = cover.has_value();
    for (std::size_t j = 0; j < branch && !cover; ++j) {
        z3::expr escapes = arrives && matches;
        for (std::size_t k = 0; k <= j; ++k) escapes = escapes && !model_.condition(s.branches[k].condition);
        if (satisfiable(escapes) == false) cover = j;
    }
    if (!cover) return;
    std::optional<std::string> example = confirmed_example(step, branch, arrives && matches);
    if (!example) return;  // never a claim the evaluator has not confirmed
    const Span covering = s.branches[*cover].span;
    const Location at = data_.sources->begin(covering);
    Diagnostic d{Severity::warning, Code::shadowed_branch, keyword,
                 alone ? fmt::format("this branch is never taken: every mention it matches is taken first by the "
                                     "branch on line {}",
                                     at.line)
                       : fmt::format("this branch is never taken: every mention it matches is taken first by the "
                                     "branches above it, up to the one on line {}",
                                     at.line),
                 {},
                 "put the narrower branch first, or correct its condition"};
    d.notes.push_back({covering, alone ? "this broader branch covers it" : "the last of the branches that cover it"});
    d.notes.push_back({std::nullopt, fmt::format("for example, a mention with {} matches it but is decided by an "
                                                 "earlier branch (checked with the evaluator)",
                                                 *example)});
    diagnostics_.push_back(std::move(d));
}

std::optional<std::string> Prover::confirmed_example(std::uint32_t step, std::size_t dead, const z3::expr& question) {
    constexpr int attempts = 4;  // a few models; then the claim is left to the syntactic check
    z3::expr asked = question;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        model_found_.reset();
        if (satisfiable(asked) != true || !model_found_) return std::nullopt;
        const z3::model m = *model_found_;
        std::optional<Example> e = model_.example(m);
        if (e && e->state_holds) e.reset();  // a window, hours or crisis: not one mention's doing
        if (e && evaluator_agrees(*e, step, dead)) return model_.describe(*e);
        if (e && e->exact) {  // no over-approximation in it: the model itself is wrong
            const Branch& b = data_.steps[step].branches[dead];
            diagnostics_.push_back(
                {Severity::note, Code::semantic_check_skipped, {b.span.file, b.span.begin, b.span.begin + 2},
                 fmt::format("internal error: the solver and the evaluator disagree about a mention with {}; "
                             "this branch is left to the other checks",
                             model_.describe(*e)),
                 {},
                 "please report this with the flow file"});
            return std::nullopt;
        }
        asked = asked && model_.block(m);
    }
    return std::nullopt;
}

// The evaluator's word on the example: it arrives at `step`, an earlier branch takes it, and
// the dead branch's own condition holds for it.
bool Prover::evaluator_agrees(const Example& e, std::uint32_t step, std::size_t dead) {
    const RecordView view(&e, &example_get, &data_);
    Decision decision;
    evaluator_.begin(view);
    evaluator_.walk({&decision, nullptr, false, false});
    const bool taken_earlier = std::any_of(decision.path.begin(), decision.path.end(), [&](const PathEntry& p) {
        return p.step == step && p.branch < dead;
    });
    evaluator_.begin(view);
    const bool agrees = taken_earlier && evaluator_.eval(data_.steps[step].branches[dead].condition, 0, {});
    return verdict_ ? verdict_(agrees) : agrees;
}

void Prover::report_gave_up() {
    const Span where = node_name_span(data_, data_.start);
    diagnostics_.push_back({Severity::note, Code::semantic_check_skipped, where,
                            fmt::format("the solver gave up on {} of the semantic checks (Z3: {}); they were left to the "
                                        "other checks",
                                        gave_up_, first_gave_up_),
                            {},
                            fmt::format("raise the limit: --limit solver-rlimit=N (now {}) or --limit solver-memory=N",
                                        options_.limits.solver_rlimit)});
}

}  // namespace

void check_semantics(const FlowData& flow, const CompileOptions& options,
                     std::vector<Diagnostic>& diagnostics, const ExampleVerdict& verdict, std::stop_token stop) {
    if (options.semantic_checks == SemanticChecks::off || flow.start == unresolved_node) return;
    // Z3's memory cap (memory_max_size) is process-wide and, once reached, makes every later
    // context fail to start: left out until it can be applied per solver (limits.solver_bytes).
    try {
        Prover(flow, options, diagnostics, verdict, std::move(stop)).run();
    } catch (const z3::exception& e) {  // out of memory, mostly
        diagnostics.push_back({Severity::note, Code::semantic_check_skipped, node_name_span(flow, flow.start),
                               fmt::format("the solver stopped: {}; the semantic checks were left out", e.msg()),
                               {},
                               "raise the limit: --limit solver-memory=N"});
    }
}

// The path witnesses' solver: the flow's model once, one question per path.
#endif

}  // namespace triage::detail
