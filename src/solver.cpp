// long because: FlowModel lives here and PathProbe (gen --cover) needs it; moving the model to a header of
// its own is left until diff --prove (also on FlowModel) has landed, so that the two merge easily.
#include "solver.hpp"
#include "solver_real.hpp"

#include "evaluator_state.hpp"

#include <fmt/format.h>

#ifdef TRIAGE_WITH_Z3
#include <z3++.h>

#include <cmath>
#include <map>
#include <optional>
#include <set>
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

struct PathProbe::Impl {};
PathProbe::PathProbe(const FlowData&, const Limits&) {}
PathProbe::~PathProbe() = default;
bool PathProbe::available() noexcept { return false; }
PathWitness PathProbe::find(const std::vector<std::pair<std::uint32_t, std::size_t>>&, const std::vector<std::uint32_t>&) {
    return {PathWitness::Status::gave_up, {}, {}, "this triage was built without the Z3 solver"};
}
void PathProbe::reject_last() {}

#else

namespace {

// A condition the model cannot state exactly: a text condition, a window, business hours or a
// crisis. Each distinct one is a free truth value (the over-approximation the docs describe);
// what an example mention needs from it is kept so that one can be written.
struct Atom {
    enum class Kind { has_any, has_all, contains, text_is, regex, state } kind = Kind::state;
    std::uint32_t field = 0;
    std::uint32_t operand = 0;  // the word list, or the regular expression
    std::string text;           // contains: the phrase; text_is: the text
};

// A mention the solver found, as the evaluator is given it.
struct Example {
    std::vector<FieldValue> values;  // per field
    std::vector<std::string> texts;  // per field: what text values borrow
    bool exact = true;               // no over-approximated atom in it: the evaluator must agree
};

FieldValue example_get(const void* self, std::uint32_t slot, const void*) noexcept {
    return static_cast<const Example*>(self)->values[slot];
}

// The flow as a formula: per field whether it is present and its value, per condition a term,
// per step and outcome whether a mention can arrive there.
class FlowModel {
public:
    FlowModel(z3::context& z, const FlowData& flow) : z_(z), flow_(flow), terms_(flow.conditions.size()) {
        for (std::uint32_t i = 0; i < flow.fields.size(); ++i) add_field(i);
        reach_steps_.reserve(flow.steps.size());
        for (std::uint32_t s = 0; s < flow.steps.size(); ++s) reach_steps_.push_back(z.bool_const(fmt::format("reach_s{}", s).c_str()));
        for (std::uint32_t o = 0; o < flow.outcomes.size(); ++o)
            reach_outcomes_.push_back(z.bool_const(fmt::format("reach_o{}", o).c_str()));
    }

    z3::expr condition(ConditionId id) {
        if (!terms_[id]) terms_[id] = encode(flow_.conditions[id]);
        return *terms_[id];
    }

    z3::expr reach(NodeRef node) const {
        return node.kind == NodeKind::step ? reach_steps_[node.index] : reach_outcomes_[node.index];
    }

    // Taking branch `branch` of step `step` (branches.size() for `else`): its condition, and no
    // earlier one.
    z3::expr taken(std::uint32_t step, std::size_t branch) {
        const Step& s = flow_.steps[step];
        z3::expr result = branch < s.branches.size() ? condition(s.branches[branch].condition) : z_.bool_val(true);
        for (std::size_t earlier = 0; earlier < std::min(branch, s.branches.size()); ++earlier)
            result = result && !condition(s.branches[earlier].condition);
        return result;
    }

    // What the solver is told once: the fields' domains, what atoms imply, and how a mention
    // arrives at each node (crisis routes add arrivals, a sound over-approximation of them).
    void define(z3::solver& solver) {
        for (const z3::expr& e : domains_) solver.add(e);
        std::vector<z3::expr_vector> incoming;
        for (std::size_t n = 0; n < reach_steps_.size() + reach_outcomes_.size(); ++n) incoming.emplace_back(z_);
        auto slot = [&](NodeRef node) { return node.kind == NodeKind::step ? node.index : reach_steps_.size() + node.index; };
        incoming[slot(flow_.start)].push_back(z_.bool_val(true));
        for (std::uint32_t s = 0; s < flow_.steps.size(); ++s) {
            const Step& step = flow_.steps[s];
            for (std::size_t b = 0; b <= step.branches.size(); ++b) {
                if (b == step.branches.size() && !step.otherwise) break;
                const Branch& branch = b < step.branches.size() ? step.branches[b] : *step.otherwise;
                if (branch.target == unresolved_node) continue;
                incoming[slot(branch.target)].push_back(reach_steps_[s] && taken(s, b));
            }
        }
        for (std::uint32_t c = 0; c < flow_.crises.size(); ++c)
            for (const Route& r : flow_.crises[c].routes)
                incoming[slot(r.replacement)].push_back(reach(r.node) && state_atom(fmt::format("crisis {}", c)));
        for (const auto& [key, group] : text_is_) add_at_most_one(solver, group);
        for (const auto& [list, all] : has_all_)  // `has all` of an empty list holds, `has any` does not
            if (auto any = atom_keys_.find(fmt::format("any {} {}", list.first, list.second));
                !flow_.word_lists[list.second].phrases.empty() && any != atom_keys_.end())
                solver.add(z3::implies(all, atoms_expr_[any->second]));
        for (std::size_t n = 0; n < incoming.size(); ++n) {
            const z3::expr& r = n < reach_steps_.size() ? reach_steps_[n] : reach_outcomes_[n - reach_steps_.size()];
            solver.add(r == (incoming[n].empty() ? z_.bool_val(false) : z3::mk_or(incoming[n])));
        }
    }

    // The model's mention; nullopt when it cannot be written (a regular expression, a window...).
    std::optional<Example> example(const z3::model& m) const;
    // A formula that no model agreeing with `m` on every atom satisfies: the next example differs.
    z3::expr block(const z3::model& m) const {
        z3::expr_vector differ(z_);
        for (const z3::expr& a : atoms_expr_) differ.push_back(a != m.eval(a, true));
        return differ.empty() ? z_.bool_val(false) : z3::mk_or(differ);
    }
    // Describes an example mention as the author would write its `given`.
    std::string describe(const Example& e) const;
    // For the path witnesses (solver_cover.cpp): a field's presence and value, and the windows,
    // hours and crises met so far, by key ("crisis N", "window ...", "hours N").
    z3::expr present(std::uint32_t field) const { return present_[field]; }
    z3::expr value(std::uint32_t field) const { return values_[field]; }
    std::vector<std::pair<std::string, z3::expr>> state_atoms() const {
        std::vector<std::pair<std::string, z3::expr>> out;
        for (const auto& [key, a] : atom_keys_)
            if (atoms_[a].kind == Atom::Kind::state) out.emplace_back(key, atoms_expr_[a]);
        return out;
    }

private:
    void add_field(std::uint32_t i) {
        const Field& f = flow_.fields[i];
        present_.push_back(z_.bool_const(fmt::format("present_{}", i).c_str()));
        const std::string name = fmt::format("value_{}", i);
        switch (f.type) {
        case FieldType::number:
        case FieldType::integer: values_.push_back(z_.real_const(name.c_str())); break;
        case FieldType::time:
            values_.push_back(z_.int_const(name.c_str()));
            domains_.push_back(values_.back() >= z_.int_val(earliest_time.time_since_epoch().count()) &&
                               values_.back() <= z_.int_val(latest_time.time_since_epoch().count()));
            break;
        case FieldType::boolean: values_.push_back(z_.bool_const(name.c_str())); break;
        case FieldType::enumeration:  // the declared values 0..n-1, and n: none of them
            values_.push_back(z_.int_const(name.c_str()));
            domains_.push_back(values_.back() >= 0 && values_.back() <= z_.int_val(static_cast<unsigned>(f.values.size())));
            break;
        case FieldType::text: values_.push_back(z_.bool_val(false)); break;  // read through atoms only
        }
    }

    z3::expr atom(const std::string& key, Atom a) {
        auto [it, added] = atom_keys_.try_emplace(key, atoms_.size());
        if (added) {
            atoms_.push_back(std::move(a));
            atoms_expr_.push_back(z_.bool_const(fmt::format("atom_{}", it->second).c_str()));
        }
        return atoms_expr_[it->second];
    }
    z3::expr state_atom(const std::string& key) { return atom(key, {}); }
    z3::expr text_is(std::uint32_t field, const std::string& text) {
        z3::expr e = atom(fmt::format("is {} {}", field, text), {Atom::Kind::text_is, field, 0, text});
        auto& group = text_is_[field];
        if (std::none_of(group.begin(), group.end(), [&](const z3::expr& x) { return z3::eq(x, e); })) group.push_back(e);
        return e;
    }
    void add_at_most_one(z3::solver& solver, const std::vector<z3::expr>& group) const {
        for (std::size_t i = 0; i < group.size(); ++i)
            for (std::size_t j = i + 1; j < group.size(); ++j) solver.add(!(group[i] && group[j]));
    }

    z3::expr encode(const Condition& c);
    z3::expr encode_text(const Condition& c);
    z3::expr combine(const Condition& c) {
        z3::expr_vector children(z_);
        for (ConditionId child : c.children) children.push_back(condition(child));
        if (c.kind == ConditionKind::negation) return !children[0];
        if (c.kind == ConditionKind::conjunction) return children.empty() ? z_.bool_val(true) : z3::mk_and(children);
        return children.empty() ? z_.bool_val(false) : z3::mk_or(children);
    }

    z3::context& z_;
    const FlowData& flow_;
    std::vector<std::optional<z3::expr>> terms_;
    std::vector<z3::expr> present_;
    std::vector<z3::expr> values_;
    std::vector<z3::expr> domains_;
    std::vector<z3::expr> reach_steps_;
    std::vector<z3::expr> reach_outcomes_;
    std::vector<Atom> atoms_;
    std::vector<z3::expr> atoms_expr_;
    std::map<std::string, std::size_t> atom_keys_;
    std::map<std::uint32_t, std::vector<z3::expr>> text_is_;  // per field: at most one holds
    std::map<std::pair<std::uint32_t, std::uint32_t>, z3::expr> has_all_;  // (field, list): implies has any
};

// long because: one case per condition kind, each the evaluator's reading of it (evaluator_state.hpp)
// written as a formula; side by side they can be compared line by line.
z3::expr FlowModel::encode(const Condition& c) {
    auto present_field = [&] { return present_[c.field]; };
    switch (c.kind) {
    case ConditionKind::constant: return z_.bool_val(c.number != 0);
    case ConditionKind::bool_field: return present_field() && values_[c.field];
    case ConditionKind::let_ref: {
        const Let& let = flow_.lets[c.operand];
        return let.condition == no_condition ? z_.bool_val(false) : condition(let.condition);
    }
    case ConditionKind::exists: return present_field();
    case ConditionKind::compare_number: return present_field() && compare_values(values_[c.field], exact_real(z_, c.number), c.op);
    case ConditionKind::compare_field: {
        const bool same_kind = (flow_.fields[c.field].type == FieldType::time) == (flow_.fields[c.operand].type == FieldType::time);
        if (!same_kind) return z_.bool_val(false);
        return present_field() && present_[c.operand] && compare_values(values_[c.field], values_[c.operand], c.op);
    }
    case ConditionKind::number_in: {
        z3::expr_vector any(z_);
        for (double n : c.numbers) any.push_back(values_[c.field] == exact_real(z_, n));
        const z3::expr in = any.empty() ? z_.bool_val(false) : z3::mk_or(any);
        return present_field() && (c.negated ? !in : in);
    }
    case ConditionKind::enum_in: {
        z3::expr_vector any(z_);
        for (std::uint32_t v : c.values) any.push_back(values_[c.field] == z_.int_val(v));
        const z3::expr in = any.empty() ? z_.bool_val(false) : z3::mk_or(any);
        return present_field() && (c.negated ? !in : in);
    }
    case ConditionKind::bool_is: {
        const z3::expr is = values_[c.field] == z_.bool_val(c.number != 0);
        return present_field() && (c.negated ? !is : is);
    }
    case ConditionKind::text_is:
    case ConditionKind::text_in:
    case ConditionKind::has_any:
    case ConditionKind::has_all:
    case ConditionKind::contains:
    case ConditionKind::contains_any:
    case ConditionKind::matches: return present_field() && encode_text(c);
    case ConditionKind::window: return state_atom(fmt::format("window {} {} {}", c.operand, static_cast<int>(c.op), c.number));
    case ConditionKind::within_hours: return state_atom(fmt::format("hours {}", c.operand));
    case ConditionKind::in_crisis: return state_atom(fmt::format("crisis {}", c.operand));
    case ConditionKind::negation:
    case ConditionKind::conjunction:
    case ConditionKind::disjunction: return combine(c);
    }
    return z_.bool_val(false);
}

// A present text field's conditions: each phrase list, phrase, regular expression and exact text
// a truth value of its own (exact texts exclude each other; `has all` implies `has any`).
z3::expr FlowModel::encode_text(const Condition& c) {
    switch (c.kind) {
    case ConditionKind::text_is: {
        const z3::expr is = text_is(c.field, c.text);
        return c.negated ? !is : is;
    }
    case ConditionKind::text_in: {
        z3::expr_vector any(z_);
        for (const std::string& s : c.strings) any.push_back(text_is(c.field, s));
        const z3::expr in = any.empty() ? z_.bool_val(false) : z3::mk_or(any);
        return c.negated ? !in : in;
    }
    case ConditionKind::has_any: return atom(fmt::format("any {} {}", c.field, c.operand), {Atom::Kind::has_any, c.field, c.operand, {}});
    // One phrase of the list written into the text makes both hold: a list's atom of its own.
    case ConditionKind::contains_any:
        return atom(fmt::format("contains any {} {}", c.field, c.operand), {Atom::Kind::has_any, c.field, c.operand, {}});
    case ConditionKind::has_all: {
        z3::expr all = atom(fmt::format("all {} {}", c.field, c.operand), {Atom::Kind::has_all, c.field, c.operand, {}});
        has_all_.try_emplace({c.field, c.operand}, all);
        return all;
    }
    case ConditionKind::contains: return atom(fmt::format("contains {} {}", c.field, c.text), {Atom::Kind::contains, c.field, 0, c.text});
    default: return atom(fmt::format("matches {} {}", c.field, c.operand), {Atom::Kind::regex, c.field, c.operand, {}});
    }
}

std::optional<Example> FlowModel::example(const z3::model& m) const {
    Example e;
    e.values.resize(flow_.fields.size());
    e.texts.resize(flow_.fields.size());
    std::vector<bool> text_present(flow_.fields.size(), false);
    for (std::uint32_t i = 0; i < flow_.fields.size(); ++i) {
        if (!m.eval(present_[i], true).is_true()) continue;
        const z3::expr v = m.eval(values_[i], true);
        switch (flow_.fields[i].type) {
        case FieldType::number:
        case FieldType::integer: e.values[i] = FieldValue::of_number(std::strtod(v.get_decimal_string(40).c_str(), nullptr)); break;
        case FieldType::time: e.values[i] = FieldValue::of_time(TimePoint(std::chrono::milliseconds(v.get_numeral_int64()))); break;
        case FieldType::boolean: e.values[i] = FieldValue::of_bool(v.is_true()); break;
        case FieldType::enumeration: e.values[i] = FieldValue::of_enum(static_cast<std::uint32_t>(v.get_numeral_int64())); break;
        case FieldType::text: text_present[i] = true; break;
        }
    }
    // Texts: what the atoms that hold need, one phrase of a list, every phrase of a `has all`.
    for (std::size_t a = 0; a < atoms_.size(); ++a) {
        const Atom& atom = atoms_[a];
        const bool holds = m.eval(atoms_expr_[a], true).is_true();
        if (atom.kind == Atom::Kind::state) {
            if (holds) return std::nullopt;  // a window, hours or crisis: not one mention's doing
            e.exact = false;                 // and without a monitor a window counts the mention itself
            continue;
        }
        if (!text_present[atom.field]) continue;
        e.exact = false;
        if (!holds) continue;
        std::string& text = e.texts[atom.field];
        switch (atom.kind) {
        case Atom::Kind::text_is: text = atom.text; break;
        case Atom::Kind::contains: text += (text.empty() ? "" : " ") + atom.text; break;
        case Atom::Kind::has_any: {
            const auto& phrases = flow_.word_lists[atom.operand].phrases;  // the operand is a list only here
            if (!phrases.empty()) text += (text.empty() ? "" : " ") + phrases.front();
            break;
        }
        case Atom::Kind::has_all:
            for (const std::string& p : flow_.word_lists[atom.operand].phrases) text += (text.empty() ? "" : " ") + p;
            break;
        default: return std::nullopt;  // a regular expression: no text is written for it
        }
    }
    for (std::uint32_t i = 0; i < flow_.fields.size(); ++i)
        if (text_present[i]) {
            if (e.texts[i].empty()) e.texts[i] = "-";
            e.values[i] = FieldValue::of_text(e.texts[i]);
        }
    return e;
}

std::string FlowModel::describe(const Example& e) const {
    std::string out;
    for (std::uint32_t i = 0; i < flow_.fields.size(); ++i) {
        const FieldValue& v = e.values[i];
        if (v.kind == ValueKind::missing) continue;
        const Field& f = flow_.fields[i];
        std::string shown;
        switch (v.kind) {
        case ValueKind::number: shown = fmt::format("{}", v.number); break;
        case ValueKind::boolean: shown = v.boolean ? "true" : "false"; break;
        case ValueKind::time: shown = fmt::format("{} ms after 1970", v.time.time_since_epoch().count()); break;
        case ValueKind::enumeration:
            shown = v.index < f.values.size() ? f.values[v.index] : "a value none of its branches name";
            break;
        default: shown = fmt::format("\"{}\"", v.text); break;
        }
        out += fmt::format("{}{} = {}", out.empty() ? "" : ", ", f.name, shown);
    }
    return out.empty() ? "every field missing" : out + " (other fields missing)";
}

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
    const RecordView view(&e, &example_get, nullptr);
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
struct PathProbe::Impl {
    Impl(const FlowData& data, const Limits& limits) : flow(data), model(z, data), solver(z) {
        z3::params p(z);
        p.set("rlimit", static_cast<unsigned>(std::min<std::uint64_t>(limits.solver_rlimit, UINT32_MAX)));
        solver.set(p);
        model.define(solver);
        for (std::uint32_t i = 0; i < data.fields.size(); ++i) {
            const Field& f = data.fields[i];  // what a test's `given` can write
            if (f.type == FieldType::enumeration) solver.add(model.value(i) < z.int_val(static_cast<unsigned>(f.values.size())));
            if (f.type == FieldType::integer) solver.add(z3::is_int(model.value(i)));
        }
    }
    const FlowData& flow;
    z3::context z;
    FlowModel model;
    z3::solver solver;
    std::vector<std::pair<std::uint32_t, std::size_t>> path;
    std::vector<std::uint32_t> crises;
    std::vector<z3::expr> blocked;
    std::optional<z3::model> last;
};

PathProbe::PathProbe(const FlowData& flow, const Limits& limits) : impl_(std::make_unique<Impl>(flow, limits)) {}
PathProbe::~PathProbe() = default;
bool PathProbe::available() noexcept { return true; }

void PathProbe::reject_last() {
    if (impl_->last) impl_->blocked.push_back(impl_->model.block(*impl_->last));
}

PathWitness PathProbe::find(const std::vector<std::pair<std::uint32_t, std::size_t>>& path,
                            const std::vector<std::uint32_t>& crises_on) {
    Impl& m = *impl_;
    if (path != m.path || crises_on != m.crises) m.blocked.clear();
    m.path = path;
    m.crises = crises_on;
    m.last.reset();
    z3::expr question = m.z.bool_val(true);
    for (const auto& [step, branch] : path) question = question && m.model.taken(step, branch);
    // Windows and hours are false for one test mention; the crises are as asked. Substituted, so
    // that the atoms themselves stay false and the model is a mention's (FlowModel::example).
    // Asked again with windows and hours free when that fails: was it one of them?
    auto ask = [&](bool states_free) {
        z3::expr_vector atoms(m.z), values(m.z);
        m.solver.push();
        for (const auto& [key, atom] : m.model.state_atoms()) {
            const bool crisis = key.starts_with("crisis ");
            if (states_free && !crisis) continue;
            bool on = false;
            for (std::uint32_t c : crises_on) on = on || key == fmt::format("crisis {}", c);
            atoms.push_back(atom);
            values.push_back(m.z.bool_val(on));
            m.solver.add(!atom);
        }
        for (std::uint32_t c : crises_on)
            if (m.flow.crises[c].group) m.solver.add(m.model.present(*m.flow.crises[c].group));
        m.solver.add(question.substitute(atoms, values));
        for (const z3::expr& b : m.blocked) m.solver.add(b);
        const z3::check_result r = m.solver.check();
        if (r == z3::sat && !states_free) m.last.emplace(m.solver.get_model());
        m.solver.pop();
        return r;
    };
    const z3::check_result r = ask(false);
    PathWitness w;
    if (r == z3::unknown) w = {PathWitness::Status::gave_up, {}, {}, m.solver.reason_unknown()};
    if (r == z3::unsat) {
        w.status = m.blocked.empty() ? PathWitness::Status::impossible : PathWitness::Status::gave_up;
        if (!m.blocked.empty()) w.reason = "the evaluator decided every mention the solver found differently";
        else if (ask(true) != z3::unsat)
            w = {PathWitness::Status::gave_up, {}, {}, "a window or business hours must hold, which one test mention "
                                                       "cannot make so: write this test by hand (`given N times`)"};
    }
    if (r != z3::sat) return w;
    std::optional<Example> e = m.model.example(*m.last);
    if (!e) return {PathWitness::Status::gave_up, {}, {}, "a regular expression must match: no text is written for it"};
    w.status = PathWitness::Status::found;
    w.values = e->values;
    w.texts = e->texts;
    return w;
}

#endif

}  // namespace triage::detail
