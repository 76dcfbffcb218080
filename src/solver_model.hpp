// The language's conditions as Z3 formulas over one mention, for every question the solver is
// asked: the checks (solver.cpp), the path witnesses of gen --cover, and diff --prove and the
// conflicting-actions check (solver_diff.cpp). The mention's fields are keyed by name, so that two
// flows can share one mention; what a formula cannot state exactly (text conditions, windows,
// business hours, crises) is an atom, a free truth value, keyed by what it says. Both the
// formulas and the example mentions built from a model follow evaluator_state.hpp.
#pragma once

#ifdef TRIAGE_WITH_Z3
#include "flow_data.hpp"

#include <fmt/format.h>
#include <z3++.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace triage::detail {

// A condition the formulas cannot state exactly (the over-approximation the docs describe), with
// what an example mention needs to make it hold.
struct Atom {
    enum class Kind { has_any, has_all, contains, text_is, regex, other_text, window, hours, crisis } kind = Kind::crisis;
    std::string field;                 // text atoms: the field's name
    std::vector<std::string> phrases;  // has_any, has_all: the list; contains, text_is: the text; regex: the pattern
    bool case_insensitive = false;     // regex
    std::uint32_t index = 0;           // window, hours, crisis: which one (by position)
    CompareOp op = CompareOp::gt;      // window: `window OP number`
    double number = 0;
    [[nodiscard]] bool is_state() const { return kind == Kind::window || kind == Kind::hours || kind == Kind::crisis; }
};

// One mention: its fields by name, the atoms, and the facts that tie them (domains, exact texts
// that exclude each other, `has all` implying `has any`).
class MentionModel {
public:
    explicit MentionModel(z3::context& z) : z_(z) {}

    z3::expr present(const Field& f) { return z_.constant(("present " + f.name).c_str(), z_.bool_sort()); }
    z3::expr value(const Field& f);
    z3::expr atom(const std::string& key, Atom a);
    void add_fact(const z3::expr& fact) { facts_.push_back(fact); }
    // Gives `solver` the facts added since `given` (a count the caller keeps per solver).
    void add_new_facts(z3::solver& solver, std::size_t& given) const {
        for (; given < facts_.size(); ++given) solver.add(facts_[given]);
    }
    // A formula that no model agreeing with `m` on every atom satisfies: the next example differs.
    [[nodiscard]] z3::expr block(const z3::model& m) const;

    [[nodiscard]] const std::vector<Atom>& atoms() const { return atoms_; }
    [[nodiscard]] const std::vector<z3::expr>& atom_exprs() const { return exprs_; }
    [[nodiscard]] z3::context& context() const { return z_; }

private:
    void add_once(const std::string& key, const z3::expr& fact) {
        if (facts_once_.insert(key).second) facts_.push_back(fact);
    }

    z3::context& z_;
    std::vector<Atom> atoms_;
    std::vector<z3::expr> exprs_;
    std::map<std::string, std::size_t> keys_;
    std::map<std::string, std::vector<z3::expr>> exact_texts_;  // per field: at most one holds
    std::set<std::string> facts_once_;
    std::vector<z3::expr> facts_;
};

// One flow's conditions as formulas over a MentionModel (windows, hours and crises by position).
class ConditionFormulas {
public:
    ConditionFormulas(MentionModel& mention, const FlowData& flow)
        : m_(mention), z_(mention.context()), data_(flow), terms_(flow.conditions.size()) {}

    z3::expr condition(ConditionId id) {
        if (!terms_[id]) terms_[id] = encode(data_.conditions[id]);
        return *terms_[id];
    }
    z3::expr present(std::uint32_t field) { return m_.present(data_.fields[field]); }
    z3::expr value(std::uint32_t field) { return m_.value(data_.fields[field]); }
    z3::expr crisis(std::uint32_t c) { return m_.atom(fmt::format("crisis {}", c), {Atom::Kind::crisis, {}, {}, false, c}); }
    [[nodiscard]] MentionModel& mention() const { return m_; }

private:
    z3::expr encode(const Condition& c);
    z3::expr encode_text(const Condition& c);
    z3::expr any_of(const std::vector<z3::expr>& terms) const;

    MentionModel& m_;
    z3::context& z_;
    const FlowData& data_;
    std::vector<std::optional<z3::expr>> terms_;
};

// A mention built from a model, by field name (two flows may read it).
struct Example {
    std::map<std::string, FieldValue> values;  // numbers, times, truth values, one-of values (by index; the
                                               // count of declared values: none of them)
    std::map<std::string, std::string> texts;  // text fields
    bool exact = true;        // no over-approximated atom in it: the evaluator must do as the solver says
    bool state_holds = false; // a window, business hours or crisis holds: not one mention's doing alone
};

// Reads an Example for a RecordView; `flow` is the FlowData whose field slots are asked.
FieldValue example_get(const void* self, std::uint32_t slot, const void* flow) noexcept;

// The model's mention over `fields`; nullopt when it cannot be written (a regular expression no
// text was found for: `why` says which).
std::optional<Example> example_of(const z3::model& model, MentionModel& mention, const std::vector<const Field*>& fields,
                                  std::string* why = nullptr);

// The example as the author would write its `given`: "sentiment = -0.6, channel = twitter (other fields missing)".
std::string describe_example(const Example& e, const std::vector<const Field*>& fields);

// One flow as a formula for the checks and the path witnesses: its conditions, and per step and
// outcome whether a mention can arrive there (crisis routes add arrivals, a sound
// over-approximation of them; diff --prove follows the routes exactly instead).
class FlowModel {
public:
    FlowModel(z3::context& z, const FlowData& flow);

    z3::expr condition(ConditionId id) { return formulas_.condition(id); }
    [[nodiscard]] z3::expr reach(NodeRef node) const {
        return node.kind == NodeKind::step ? reach_steps_[node.index] : reach_outcomes_[node.index];
    }
    // Taking branch `branch` of step `step` (branches.size() for `else`): its condition, and no
    // earlier one.
    z3::expr taken(std::uint32_t step, std::size_t branch);
    // Tells `solver` how a mention arrives at each node, and the mention's facts so far.
    void define(z3::solver& solver);
    // The facts formulas built since the last call added (a new atom's); before a question is asked.
    void add_new_facts(z3::solver& solver) { mention_.add_new_facts(solver, facts_given_); }

    std::optional<Example> example(const z3::model& m, std::string* why = nullptr) {
        return example_of(m, mention_, fields_, why);
    }
    [[nodiscard]] z3::expr block(const z3::model& m) const { return mention_.block(m); }
    [[nodiscard]] std::string describe(const Example& e) const { return describe_example(e, fields_); }
    z3::expr present(std::uint32_t field) { return formulas_.present(field); }
    z3::expr value(std::uint32_t field) { return formulas_.value(field); }
    [[nodiscard]] const MentionModel& mention() const { return mention_; }

private:
    z3::context& z_;
    const FlowData& flow_;
    MentionModel mention_;
    ConditionFormulas formulas_;
    std::vector<const Field*> fields_;
    std::vector<z3::expr> reach_steps_;
    std::vector<z3::expr> reach_outcomes_;
    std::size_t facts_given_ = 0;
};

}  // namespace triage::detail
#endif
