// PathProbe (solver.hpp): the path witnesses' solver for gen --cover and test --scaffold. One
// question per path, over the flow's formula (solver_model.hpp); a window holds as a test that
// gives the mention N times makes it, so that paths behind a window get a mention and a count.
#include "solver.hpp"

#ifdef TRIAGE_WITH_Z3
#include "solver_model.hpp"
#include "window_ring.hpp"

#include <z3++.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#endif

namespace triage::detail {

#ifndef TRIAGE_WITH_Z3

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

constexpr std::uint32_t max_repeat = 10000;  // the most mentions a scaffolded test gives at once

}  // namespace

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
        for (const Window& w : data.windows) model.condition(w.condition);  // their atoms now, not while asking
        model.add_new_facts(solver);
    }

    // The value window `w` has for a test mention given `count` times, as the monitor counts it
    // (a spike is never known in a test: NaN, which no comparison but != holds for).
    static double window_value(const Window& w, double count) {
        switch (w.kind) {
        case WindowKind::count: return count;
        case WindowKind::rate: return rate_of(w, count);
        case WindowKind::spike: break;
        }
        return std::numeric_limits<double>::quiet_NaN();
    }

    // Whether window atom `a` holds for the mention given `n` times: the window counts it n times
    // when its condition holds and the mention has its time (and its group's field), else not.
    z3::expr window_holds(const Atom& a, std::uint32_t n) {
        const Window& w = flow.windows[a.index];
        z3::expr counted = model.condition(w.condition);
        if (flow.clock) counted = counted && model.present(flow.clock->field);
        if (w.group) counted = counted && model.present(*w.group);
        return z3::ite(counted, z.bool_val(compare_values(window_value(w, n), a.number, a.op)),
                       z.bool_val(compare_values(window_value(w, 0), a.number, a.op)));
    }

    // The counts worth trying, fewest first: once, and the fewest that make each window's
    // comparison change.
    std::vector<std::uint32_t> repeat_candidates() const {
        std::set<std::uint32_t> out{1};
        for (const Atom& a : model.mention().atoms()) {
            if (a.kind != Atom::Kind::window) continue;
            const Window& w = flow.windows[a.index];
            const bool none = compare_values(window_value(w, 0), a.number, a.op);
            for (std::uint32_t n = 1; n <= max_repeat; ++n)
                if (compare_values(window_value(w, n), a.number, a.op) != none) {
                    out.insert(n);
                    break;
                }
        }
        return {out.begin(), out.end()};
    }

    z3::check_result ask(const z3::expr& question, const std::vector<std::uint32_t>& crises_on, bool states_free,
                         std::uint32_t n);

    const FlowData& flow;
    z3::context z;
    FlowModel model;
    z3::solver solver;
    std::vector<std::pair<std::uint32_t, std::size_t>> path;
    std::vector<std::uint32_t> crises;
    std::vector<z3::expr> blocked;
    std::optional<z3::model> last;
};

// One question: the path, the crises as asked, business hours false and the windows as `n`
// mentions make them; with `states_free`, hours and windows unconstrained (could anything do?).
z3::check_result PathProbe::Impl::ask(const z3::expr& question, const std::vector<std::uint32_t>& crises_on,
                                      bool states_free, std::uint32_t n) {
    solver.push();
    const std::vector<Atom>& atoms = model.mention().atoms();
    for (std::size_t i = 0; i < atoms.size(); ++i) {
        const z3::expr& e = model.mention().atom_exprs()[i];
        if (atoms[i].kind == Atom::Kind::crisis)
            solver.add(e == z.bool_val(std::find(crises_on.begin(), crises_on.end(), atoms[i].index) != crises_on.end()));
        else if (atoms[i].kind == Atom::Kind::hours && !states_free) solver.add(!e);
        else if (atoms[i].kind == Atom::Kind::window && !states_free) solver.add(e == window_holds(atoms[i], n));
    }
    for (std::uint32_t c : crises_on)
        if (flow.crises[c].group) solver.add(model.present(*flow.crises[c].group));
    solver.add(question);
    for (const z3::expr& b : blocked) solver.add(b);
    const z3::check_result r = solver.check();
    if (r == z3::sat && !states_free) last.emplace(solver.get_model());
    solver.pop();
    return r;
}

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
    m.model.add_new_facts(m.solver);
    PathWitness w;
    z3::check_result r = z3::unsat;
    for (std::uint32_t n : m.repeat_candidates()) {
        r = m.ask(question, crises_on, false, n);
        w.repeat = n;
        if (r != z3::unsat) break;
    }
    if (r == z3::unknown) return {PathWitness::Status::gave_up, {}, {}, m.solver.reason_unknown()};
    if (r == z3::unsat) {
        if (!m.blocked.empty()) return {PathWitness::Status::gave_up, {}, {}, "the evaluator decided every mention the solver found differently"};
        if (m.ask(question, crises_on, true, 1) == z3::unsat) return {PathWitness::Status::impossible, {}, {}, {}};
        return {PathWitness::Status::gave_up, {}, {}, "business hours must hold (or a window no count of one mention "
                                                      "makes hold), which a test mention cannot show: write this test by hand"};
    }
    std::string why;
    std::optional<Example> e = m.model.example(*m.last, &why);
    if (!e) return {PathWitness::Status::gave_up, {}, {}, why};
    w.status = PathWitness::Status::found;
    w.values.resize(m.flow.fields.size());
    w.texts.resize(m.flow.fields.size());
    for (std::uint32_t i = 0; i < m.flow.fields.size(); ++i) {
        const std::string& name = m.flow.fields[i].name;
        if (auto t = e->texts.find(name); t != e->texts.end()) {
            w.texts[i] = t->second;
            w.values[i] = FieldValue::of_text(std::string_view());  // the text is w.texts[i]
        } else if (auto v = e->values.find(name); v != e->values.end()) {
            w.values[i] = v->second;
        }
    }
    return w;
}

#endif

}  // namespace triage::detail
