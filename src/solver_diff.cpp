// `triage diff OLD NEW --prove` (triage/prove.hpp): both flows become formulas over one mention,
// its fields shared by name, and the solver is asked for a mention they decide differently. No
// such mention is a proof; one the solver finds is shown only once both evaluators, run on it,
// disagree (text conditions are independent truth values in the formulas, as in solver.cpp, so a
// model may be no real mention: it is blocked and another asked for).
#include "triage/prove.hpp"

#include "evaluator_state.hpp"
#include "solver.hpp"
#include "solver_model.hpp"

#include "triage/json_writer.hpp"

#include <fmt/format.h>

#ifdef TRIAGE_WITH_Z3
#include <z3++.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#endif

namespace triage {

#ifndef TRIAGE_WITH_Z3

void detail::check_conflicting_actions(const Flow&, const Limits&, std::vector<Diagnostic>&) {}

DecisionProof prove_same_decisions(const Flow&, const Flow&, const Limits&) {
    DecisionProof proof;
    proof.reason = "the proof is unavailable: this triage was built without the Z3 solver "
                   "(build it with -DTRIAGE_WITH_Z3=ON, libz3-dev)";
    return proof;
}

#else

namespace {

using detail::ConditionFormulas;
using detail::Example;
using detail::FlowData;
using detail::MentionModel;

// Why the flows cannot be compared mention by mention: a field both declare differently, or a
// window, business hours or crisis defined differently (they are free conditions, shared by
// position). Empty when they can.
std::string incomparable(const Flow& before, const Flow& after) {
    const FlowData& a = detail::data_of(before);
    const FlowData& b = detail::data_of(after);
    for (const Field& f : a.fields)
        if (auto it = b.field_index.find(f.name); it != b.field_index.end()) {
            const Field& g = b.fields[it->second];
            if (f.type != g.type || f.values != g.values)
                return fmt::format("field '{}' is declared differently (a {} before, a {} after)", f.name,
                                   to_string(f.type), to_string(g.type));
        }
    auto field_name = [](const FlowData& d, const std::optional<std::uint32_t>& f) {
        return f ? d.fields[*f].name : std::string();
    };
    bool windows_same = a.windows.size() == b.windows.size();
    for (std::size_t i = 0; windows_same && i < a.windows.size(); ++i) {
        const Window &x = a.windows[i], &y = b.windows[i];
        windows_same = x.kind == y.kind && x.length == y.length && x.baseline == y.baseline && x.unit == y.unit &&
                       x.bucket == y.bucket && field_name(a, x.group) == field_name(b, y.group) &&
                       before.condition_text(x.condition) == after.condition_text(y.condition);
    }
    if (!windows_same) return "the window definitions differ: what a window counts depends on the stream, not on one mention";
    bool hours_same = a.hours.size() == b.hours.size();
    for (std::size_t i = 0; hours_same && i < a.hours.size(); ++i) {
        const Hours &x = a.hours[i], &y = b.hours[i];
        hours_same = x.name == y.name && x.zone == y.zone && x.holidays == y.holidays &&
                     std::equal(x.openings.begin(), x.openings.end(), y.openings.begin(), y.openings.end(),
                                [](const Opening& p, const Opening& q) {
                                    return p.weekday == q.weekday && p.from == q.from && p.to == q.to;
                                });
    }
    if (!hours_same) return "the business hours definitions differ";
    bool crises_same = a.crises.size() == b.crises.size();
    auto text = [](const Flow& flow, ConditionId c) { return c == no_condition ? std::string_view() : flow.condition_text(c); };
    for (std::size_t i = 0; crises_same && i < a.crises.size(); ++i) {
        const Crisis &x = a.crises[i], &y = b.crises[i];
        crises_same = x.name == y.name && x.minimum == y.minimum && field_name(a, x.group) == field_name(b, y.group) &&
                      text(before, x.enter) == text(after, y.enter) && text(before, x.leave) == text(after, y.leave) &&
                      std::equal(x.routes.begin(), x.routes.end(), y.routes.begin(), y.routes.end(),
                                 [&](const Route& p, const Route& q) {
                                     return before.node_name(p.node) == after.node_name(q.node) &&
                                            before.node_name(p.replacement) == after.node_name(q.replacement);
                                 });
    }
    if (!crises_same) return "the crisis definitions differ: when a crisis is on depends on the stream, not on one mention";
    return {};
}

// What one flow decides, as formulas over the shared mention: per outcome name (and "fell
// through") whether it is the outcome, per step and where it sends the mention whether it is on
// the path, per action (as `describe` writes it) whether the decision holds it.
class Decisions {
public:
    Decisions(MentionModel& mention, const Flow& flow, const std::string& side)
        : m_(mention), z_(mention.context()), flow_(flow), data_(detail::data_of(flow)), side_(side),
          formulas_(mention, data_) {
        for (std::uint32_t s = 0; s < data_.steps.size(); ++s) reach_.push_back(node_const("step", s));
        for (std::uint32_t o = 0; o < data_.outcomes.size(); ++o) reach_.push_back(node_const("outcome", o));
        build();
    }

    std::map<std::string, z3::expr> facts;  // "outcome X", "path S -> T", "action ..." → when it holds

    z3::expr condition(ConditionId id) { return formulas_.condition(id); }
    [[nodiscard]] z3::expr reaches(std::uint32_t outcome) const { return reach_[data_.steps.size() + outcome]; }

private:
    z3::expr node_const(const char* kind, std::uint32_t i) {
        return z_.bool_const(fmt::format("{} {} {}", side_, kind, i).c_str());
    }
    std::size_t slot(NodeRef n) const { return n.kind == NodeKind::step ? n.index : data_.steps.size() + n.index; }
    void add(const std::string& key, const z3::expr& when) {
        auto [it, added] = facts.try_emplace(key, when);
        if (!added) it->second = it->second || when;
    }

    void build();

    MentionModel& m_;
    z3::context& z_;
    const Flow& flow_;
    const FlowData& data_;
    std::string side_;
    ConditionFormulas formulas_;
    std::vector<z3::expr> reach_;
};

// long because: the walk of evaluator_state.hpp as formulas (first matching branch, crisis routes
// in crisis order, falling through) followed by the outcome's actions; kept in one place so that
// it can be read beside walk() and decide_fully().
void Decisions::build() {
    std::vector<z3::expr_vector> incoming;
    for (std::size_t n = 0; n < reach_.size(); ++n) incoming.emplace_back(z_);
    incoming[slot(data_.start)].push_back(z_.bool_val(true));
    add(fmt::format("path starts at {}", flow_.node_name(data_.start)), z_.bool_val(true));
    for (std::uint32_t s = 0; s < data_.steps.size(); ++s) {
        const Step& step = data_.steps[s];
        z3::expr none_before = reach_[s];
        for (std::size_t b = 0; b <= step.branches.size(); ++b) {
            if (b == step.branches.size() && !step.otherwise) {
                add(fmt::format("path stops at {} (no branch matched)", step.name), none_before);
                add("no outcome", none_before);
                break;
            }
            const Branch& branch = b < step.branches.size() ? step.branches[b] : *step.otherwise;
            const z3::expr matches = b < step.branches.size() ? condition(branch.condition) : z_.bool_val(true);
            z3::expr taken = none_before && matches;
            none_before = none_before && !matches;
            // While a crisis is on, its route sends the mention elsewhere: the first active crisis
            // (by position) that routes the target.
            z3::expr no_route = z_.bool_val(true);
            auto arrive = [&](NodeRef to, const z3::expr& when) {
                incoming[slot(to)].push_back(when);
                add(fmt::format("path {} -> {}", step.name, flow_.node_name(to)), when);
            };
            for (std::uint32_t c = 0; c < data_.crises.size(); ++c)
                for (const Route& r : data_.crises[c].routes)
                    if (r.node == branch.target) {
                        const z3::expr on = formulas_.crisis(c);
                        arrive(r.replacement, taken && no_route && on);
                        no_route = no_route && !on;
                        break;
                    }
            arrive(branch.target, taken && no_route);
        }
    }
    for (std::size_t n = 0; n < reach_.size(); ++n)
        m_.add_fact(reach_[n] == (incoming[n].empty() ? z_.bool_val(false) : z3::mk_or(incoming[n])));
    for (std::uint32_t o = 0; o < data_.outcomes.size(); ++o) {
        const Outcome& outcome = data_.outcomes[o];
        const z3::expr at = reach_[data_.steps.size() + o];
        add("outcome " + outcome.name, at);
        for (const Action& a : outcome.actions) {
            DecidedAction d;
            d.kind = a.kind;
            d.channel = a.channel;
            d.priority = a.priority;
            d.text = a.text;
            d.labels = a.labels;
            d.duration = a.duration;
            if (a.hours != no_hours) d.hours = data_.hours[a.hours].name;
            add("action " + describe(d), a.condition == no_condition ? at : at && condition(a.condition));
        }
    }
}

Decision decide(const Flow& flow, const Example& e) {
    const FlowData& data = detail::data_of(flow);
    const RecordView view(&e, &detail::example_get, &data);
    detail::EvaluatorState evaluator(data);
    evaluator.begin(view);
    Decision d;
    evaluator.decide_fully(TimePoint{}, d, nullptr);
    for (DecidedAction& a : d.actions) a.deadline.reset();  // from no real time: only the durations are shown
    return d;
}

// What `decided_differently` compares: the outcome, the path (step and where it sent the
// mention) and the actions, by name.
std::vector<std::string> signature(const Flow& flow, const Decision& d) {
    std::vector<std::string> out{d.decided() ? "outcome " + flow.outcomes()[d.outcome].name : "no outcome"};
    for (const PathEntry& p : d.path) out.push_back(fmt::format("{} -> {}", flow.steps()[p.step].name, flow.node_name(p.target)));
    for (const DecidedAction& a : d.actions) out.push_back(describe(a));
    return out;
}

// A one-of value by name; the index past the declared values (none of them) as a value not declared.
std::string enum_text(const Field& f, std::uint32_t index) {
    if (index < f.values.size()) return f.values[index];
    std::string other = "other";
    while (std::find(f.values.begin(), f.values.end(), other) != f.values.end()) other += "-value";
    return other;
}

// The mention as one JSON object, a dotted field name nested ("author.followers").
std::string mention_json(const Example& e, const Flow& before, const Flow& after) {
    JsonWriter json;
    json.begin_object();
    std::vector<std::string> open;  // the nested objects written so far
    std::map<std::string, FieldValue> values = e.values;
    for (const auto& [name, t] : e.texts) values[name] = FieldValue::of_text(t);
    for (const auto& [name, v] : values) {  // by name: the fields of one object come together
        std::vector<std::string> parts;
        for (std::size_t from = 0;;) {
            const std::size_t dot = name.find('.', from);
            parts.push_back(name.substr(from, dot - from));
            if (dot == std::string::npos) break;
            from = dot + 1;
        }
        std::size_t common = 0;
        while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common]) ++common;
        for (; open.size() > common; open.pop_back()) json.end_object();
        for (; open.size() + 1 < parts.size(); open.push_back(parts[open.size()])) json.key(parts[open.size()]).begin_object();
        json.key(parts.back());
        const std::optional<std::uint32_t> f = before.find_field(name) ? before.find_field(name) : after.find_field(name);
        const FieldType type = f ? (before.find_field(name) ? before : after).fields()[*f].type : FieldType::text;
        switch (v.kind) {
        case ValueKind::number:
            if (type == FieldType::integer && v.number == std::floor(v.number) && std::fabs(v.number) < 1e15)
                json.number(static_cast<std::int64_t>(v.number));
            else json.number(v.number);
            break;
        case ValueKind::boolean: json.boolean(v.boolean); break;
        case ValueKind::time: json.string(format_time(v.time)); break;
        case ValueKind::enumeration: json.string(enum_text((before.find_field(name) ? before : after).fields()[*f], v.index)); break;
        default: json.string(v.text); break;
        }
    }
    for (; !open.empty(); open.pop_back()) json.end_object();
    json.end_object();
    return json.str();
}

// Whole numbers for integer fields while there are such models: a proof covers 2.5 too (records
// accept it), but an example reads better without. The literal to prefer.
z3::expr_vector whole_numbers(z3::solver& solver, MentionModel& mention, const std::vector<const Field*>& fields) {
    z3::context& z = mention.context();
    const z3::expr whole = z.bool_const("whole numbers");
    for (const Field* f : fields)
        if (f->type == FieldType::integer) solver.add(z3::implies(whole, z3::is_int(mention.value(*f))));
    z3::expr_vector prefer(z);
    prefer.push_back(whole);
    return prefer;
}

// The solver's answer with the preferred literals, or without them once they cannot hold.
z3::check_result check_preferring(z3::solver& solver, z3::expr_vector& prefer) {
    const z3::check_result r = prefer.empty() ? solver.check() : solver.check(prefer);
    if (r != z3::unsat || prefer.empty()) return r;
    prefer = z3::expr_vector(solver.ctx());
    return solver.check();
}

// long because: the search in order — the question, then models until both evaluators disagree
// on one, each way out (proof, counterexample, gave up, no real mention) a verdict of its own.
DecisionProof search(const Flow& before, const Flow& after, const Limits& limits) {
    DecisionProof proof;
    z3::context z;
    MentionModel mention(z);
    Decisions old_decisions(mention, before, "old"), new_decisions(mention, after, "new");
    z3::expr_vector differences(z);
    for (const auto& [key, when] : old_decisions.facts) {
        auto other = new_decisions.facts.find(key);
        differences.push_back(other == new_decisions.facts.end() ? when : when != other->second);
    }
    for (const auto& [key, when] : new_decisions.facts)
        if (old_decisions.facts.count(key) == 0) differences.push_back(when);
    z3::solver solver(z);
    z3::params p(z);
    p.set("rlimit", static_cast<unsigned>(std::min<std::uint64_t>(limits.solver_rlimit, UINT32_MAX)));
    solver.set(p);
    std::size_t facts_given = 0;
    mention.add_new_facts(solver, facts_given);
    solver.add(differences.empty() ? z.bool_val(false) : z3::mk_or(differences));
    std::vector<const Field*> fields;
    for (const Flow* flow : {&before, &after})
        for (const Field& f : flow->fields())
            if (std::none_of(fields.begin(), fields.end(), [&](const Field* g) { return g->name == f.name; })) fields.push_back(&f);
    z3::expr_vector prefer = whole_numbers(solver, mention, fields);
    constexpr int attempts = 8;  // models tried before the verdict is left unknown
    for (int attempt = 0; attempt < attempts; ++attempt) {
        const z3::check_result r = check_preferring(solver, prefer);
        if (r == z3::unsat) {
            if (attempt == 0) proof.verdict = ProofVerdict::same;
            else proof.reason = "the solver's differences were no real mention: they need text that a regular "
                                "expression matches or that the phrase lists cannot hold together, a window, "
                                "business hours or a crisis";
            return proof;
        }
        if (r == z3::unknown) {
            proof.reason = fmt::format("the solver gave up (Z3: {}); raise the limit: --limit solver-rlimit=N (now {})",
                                       solver.reason_unknown(), limits.solver_rlimit);
            return proof;
        }
        const z3::model model = solver.get_model();
        if (std::optional<Example> e = example_of(model, mention, fields); e && !e->state_holds) {
            Decision was = decide(before, *e), is = decide(after, *e);
            if (signature(before, was) != signature(after, is)) {
                proof.verdict = ProofVerdict::differs;
                proof.mention = mention_json(*e, before, after);
                proof.old_decision = std::move(was);
                proof.new_decision = std::move(is);
                return proof;
            }
            if (e->exact) {
                proof.reason = fmt::format("internal error: the solver and the evaluator disagree about the mention {}; "
                                           "please report this with both flow files",
                                           mention_json(*e, before, after));
                return proof;
            }
        }
        solver.add(mention.block(model));
    }
    proof.reason = fmt::format("the solver's first {} differences were no real mention (they need text that a regular "
                               "expression matches or that the phrase lists cannot hold together, a window, business "
                               "hours or a crisis)",
                               attempts);
    return proof;
}

// A confirmed mention for which outcome `o` holds both replies `a` and `b`; nullopt when the
// solver proves none can, or found none the evaluator confirms (then `why` says so).
std::optional<std::string> both_replies(const Flow& flow, const Limits& limits, std::uint32_t o, std::uint32_t a,
                                        std::uint32_t b, std::string& why) {
    z3::context z;
    MentionModel mention(z);
    Decisions decisions(mention, flow, "flow");
    const Outcome& outcome = flow.outcomes()[o];
    z3::solver solver(z);
    z3::params p(z);
    p.set("rlimit", static_cast<unsigned>(std::min<std::uint64_t>(limits.solver_rlimit, UINT32_MAX)));
    solver.set(p);
    std::size_t facts_given = 0;
    mention.add_new_facts(solver, facts_given);
    solver.add(decisions.reaches(o) && decisions.condition(outcome.actions[a].condition) &&
               decisions.condition(outcome.actions[b].condition));
    std::vector<const Field*> fields;
    for (const Field& f : flow.fields()) fields.push_back(&f);
    z3::expr_vector prefer = whole_numbers(solver, mention, fields);
    const char* no_mention = "no one mention shows it (the solver's need a crisis mode, a window, business hours or "
                             "a regular expression's text)";
    for (int attempt = 0; attempt < 4; ++attempt) {
        const z3::check_result r = check_preferring(solver, prefer);
        if (r == z3::unsat) {
            if (attempt > 0) why = no_mention;
            return std::nullopt;
        }
        if (r == z3::unknown) {
            why = fmt::format("the solver gave up (Z3: {}; --limit solver-rlimit=N, now {})", solver.reason_unknown(), limits.solver_rlimit);
            return std::nullopt;
        }
        const z3::model model = solver.get_model();
        if (std::optional<Example> e = example_of(model, mention, fields); e && !e->state_holds) {
            const Decision d = decide(flow, *e);
            auto holds = [&](std::uint32_t i) {
                return std::any_of(d.actions.begin(), d.actions.end(), [&](const DecidedAction& x) { return x.index == i; });
            };
            if (d.outcome == o && holds(a) && holds(b)) return mention_json(*e, flow, flow);
        }
        solver.add(mention.block(model));
    }
    why = no_mention;
    return std::nullopt;
}

}  // namespace

void detail::check_conflicting_actions(const Flow& flow, const Limits& limits, std::vector<Diagnostic>& diagnostics) {
    for (std::uint32_t o = 0; o < flow.outcomes().size(); ++o) {
        const std::vector<Action>& actions = flow.outcomes()[o].actions;
        for (std::uint32_t b = 0; b < actions.size(); ++b)
            for (std::uint32_t a = 0; a < b; ++a) {
                const bool replies = (actions[a].kind == ActionKind::respond && actions[b].kind == ActionKind::do_not_respond) ||
                                     (actions[a].kind == ActionKind::do_not_respond && actions[b].kind == ActionKind::respond);
                if (!replies || actions[a].condition == no_condition || actions[b].condition == no_condition) continue;
                std::string why;
                std::optional<std::string> example;
                try {
                    example = both_replies(flow, limits, o, a, b, why);
                } catch (const z3::exception& e) {
                    why = fmt::format("the solver stopped: {}", e.msg());
                }
                if (!example && why.empty()) continue;  // proved: they never apply together
                auto keyword = [](const Action& x) {  // `respond` or `do`, as the checker points at them
                    return Span{x.span.file, x.span.begin, x.span.begin + (x.kind == ActionKind::respond ? 7u : 2u)};
                };
                Diagnostic d{Severity::error, Code::conflicting_actions, keyword(actions[b]),
                             fmt::format("outcome '{}' both responds and does not respond{}", flow.outcomes()[o].name,
                                         example ? fmt::format(" for a mention such as {} (checked with the evaluator)", *example)
                                                 : "")};
                d.notes.push_back({keyword(actions[a]), "the other one is here"});
                if (!example) d.notes.push_back({std::nullopt, "both conditions may hold together: " + why});
                d.help = "make the conditions exclude each other, e.g. 'if X' and 'if not X'";
                diagnostics.push_back(std::move(d));
            }
    }
}

DecisionProof prove_same_decisions(const Flow& old_flow, const Flow& new_flow, const Limits& limits) {
    DecisionProof proof;
    proof.reason = incomparable(old_flow, new_flow);
    if (!proof.reason.empty()) return proof;
    try {
        return search(old_flow, new_flow, limits);
    } catch (const z3::exception& e) {  // out of memory, mostly
        proof.reason = fmt::format("the solver stopped: {}", e.msg());
        return proof;
    }
}

#endif

}  // namespace triage
