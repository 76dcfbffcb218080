// The conditions as formulas (solver_model.hpp): one case per condition kind, each the evaluator's
// reading of it (evaluator_state.hpp), and the example mention a model describes.
#include "solver_model.hpp"

#ifdef TRIAGE_WITH_Z3
#include "regex_example.hpp"
#include "solver_real.hpp"

#include <algorithm>
#include <cstdlib>

namespace triage::detail {

z3::expr MentionModel::value(const Field& f) {
    const std::string name = "value " + f.name;
    switch (f.type) {
    case FieldType::number:
    case FieldType::integer: return z_.constant(name.c_str(), z_.real_sort());
    case FieldType::boolean: return z_.constant(name.c_str(), z_.bool_sort());
    case FieldType::time: {
        const z3::expr v = z_.constant(name.c_str(), z_.int_sort());
        add_once("time " + f.name, v >= z_.int_val(earliest_time.time_since_epoch().count()) &&
                                       v <= z_.int_val(latest_time.time_since_epoch().count()));
        return v;
    }
    case FieldType::enumeration: {  // the declared values 0..n-1, and n: none of them
        const z3::expr v = z_.constant(name.c_str(), z_.int_sort());
        add_once("one of " + f.name, v >= 0 && v <= z_.int_val(static_cast<unsigned>(f.values.size())));
        return v;
    }
    case FieldType::text: break;
    }
    return z_.bool_val(false);  // text is read through atoms only
}

z3::expr MentionModel::atom(const std::string& key, Atom a) {
    auto [it, added] = keys_.try_emplace(key, atoms_.size());
    if (added) {
        const bool exact_text = a.kind == Atom::Kind::text_is;
        const std::string field = a.field;
        atoms_.push_back(std::move(a));
        exprs_.push_back(z_.bool_const(fmt::format("atom {}", it->second).c_str()));
        if (exact_text) {  // a text is at most one of the texts it is compared with
            for (const z3::expr& other : exact_texts_[field]) facts_.push_back(!(other && exprs_.back()));
            exact_texts_[field].push_back(exprs_.back());
        }
    }
    return exprs_[it->second];
}

z3::expr MentionModel::block(const z3::model& m) const {
    z3::expr_vector differ(z_);
    for (const z3::expr& a : exprs_) differ.push_back(a != m.eval(a, true));
    return differ.empty() ? z_.bool_val(false) : z3::mk_or(differ);
}

z3::expr ConditionFormulas::any_of(const std::vector<z3::expr>& terms) const {
    z3::expr_vector v(z_);
    for (const z3::expr& t : terms) v.push_back(t);
    return v.empty() ? z_.bool_val(false) : z3::mk_or(v);
}

// long because: one case per condition kind, each the evaluator's reading of it (evaluator_state.hpp)
// written as a formula; side by side they can be compared line by line.
z3::expr ConditionFormulas::encode(const Condition& c) {
    switch (c.kind) {
    case ConditionKind::constant: return z_.bool_val(c.number != 0);
    case ConditionKind::bool_field: return present(c.field) && value(c.field);
    case ConditionKind::let_ref: {
        const Let& let = data_.lets[c.operand];
        return let.condition == no_condition ? z_.bool_val(false) : condition(let.condition);
    }
    case ConditionKind::exists: return present(c.field);
    case ConditionKind::compare_number: return present(c.field) && compare_values(value(c.field), exact_real(z_, c.number), c.op);
    case ConditionKind::compare_field: {
        const FieldType x = data_.fields[c.field].type, y = data_.fields[c.operand].type;
        const bool numbers = (x == FieldType::number || x == FieldType::integer) && (y == FieldType::number || y == FieldType::integer);
        const bool times = x == FieldType::time && y == FieldType::time;
        if (!numbers && !times)  // not a comparison of numbers: a truth value of its own
            return m_.atom(fmt::format("compare {} {} {}", data_.fields[c.field].name, static_cast<int>(c.op),
                                       data_.fields[c.operand].name),
                           {Atom::Kind::other_text, data_.fields[c.field].name});
        return present(c.field) && present(c.operand) && compare_values(value(c.field), value(c.operand), c.op);
    }
    case ConditionKind::number_in: {
        std::vector<z3::expr> any;
        for (double n : c.numbers) any.push_back(value(c.field) == exact_real(z_, n));
        return present(c.field) && (c.negated ? !any_of(any) : any_of(any));
    }
    case ConditionKind::enum_in: {
        std::vector<z3::expr> any;
        for (std::uint32_t v : c.values) any.push_back(value(c.field) == z_.int_val(v));
        return present(c.field) && (c.negated ? !any_of(any) : any_of(any));
    }
    case ConditionKind::bool_is: {
        const z3::expr is = value(c.field) == z_.bool_val(c.number != 0);
        return present(c.field) && (c.negated ? !is : is);
    }
    case ConditionKind::text_is:
    case ConditionKind::text_in:
    case ConditionKind::has_any:
    case ConditionKind::has_all:
    case ConditionKind::contains:
    case ConditionKind::contains_any:
    case ConditionKind::matches: return present(c.field) && encode_text(c);
    case ConditionKind::window: {
        Atom a{Atom::Kind::window, {}, {}, false, c.operand, c.op, c.number};
        return m_.atom(fmt::format("window {} {} {}", c.operand, static_cast<int>(c.op), c.number), std::move(a));
    }
    case ConditionKind::within_hours: return m_.atom(fmt::format("hours {}", c.operand), {Atom::Kind::hours, {}, {}, false, c.operand});
    case ConditionKind::in_crisis: return crisis(c.operand);
    case ConditionKind::negation: return !condition(c.children[0]);
    case ConditionKind::conjunction:
    case ConditionKind::disjunction: {
        z3::expr_vector children(z_);
        for (ConditionId child : c.children) children.push_back(condition(child));
        if (c.kind == ConditionKind::conjunction) return children.empty() ? z_.bool_val(true) : z3::mk_and(children);
        return children.empty() ? z_.bool_val(false) : z3::mk_or(children);
    }
    }
    return z_.bool_val(false);
}

// A present text field's conditions, keyed by what they look for so that two flows share them.
z3::expr ConditionFormulas::encode_text(const Condition& c) {
    const std::string& field = data_.fields[c.field].name;
    auto list_key = [&](const char* kind) {
        return fmt::format("{} {} [{}]", kind, field, fmt::join(data_.word_lists[c.operand].phrases, "\x1f"));
    };
    auto is = [&](const std::string& text) {
        return m_.atom(fmt::format("is {} {}", field, text), {Atom::Kind::text_is, field, {text}});
    };
    switch (c.kind) {
    case ConditionKind::text_is: return c.negated ? !is(c.text) : is(c.text);
    case ConditionKind::text_in: {
        std::vector<z3::expr> any;
        for (const std::string& s : c.strings) any.push_back(is(s));
        return c.negated ? !any_of(any) : any_of(any);
    }
    case ConditionKind::has_any:
    case ConditionKind::contains_any:
    case ConditionKind::has_all: {
        const std::vector<std::string>& phrases = data_.word_lists[c.operand].phrases;
        if (phrases.empty()) return z_.bool_val(c.kind == ConditionKind::has_all);
        // One phrase of the list written into the text makes both hold: a list's atom of its own.
        const char* any_kind = c.kind == ConditionKind::contains_any ? "contains any" : "any";
        const z3::expr any = m_.atom(list_key(any_kind), {Atom::Kind::has_any, field, phrases});
        if (c.kind != ConditionKind::has_all) return any;
        const z3::expr all = m_.atom(list_key("all"), {Atom::Kind::has_all, field, phrases});
        m_.add_fact(z3::implies(all, any));
        return all;
    }
    case ConditionKind::contains: return m_.atom(fmt::format("contains {} {}", field, c.text), {Atom::Kind::contains, field, {c.text}});
    default: {
        const Regex& r = data_.regexes[c.operand];
        return m_.atom(fmt::format("matches {} {} {}", field, r.case_insensitive, r.pattern),
                       {Atom::Kind::regex, field, {r.pattern}, r.case_insensitive});
    }
    }
}

FieldValue example_get(const void* self, std::uint32_t slot, const void* flow) noexcept {
    const Example& e = *static_cast<const Example*>(self);
    const std::string& name = static_cast<const FlowData*>(flow)->fields[slot].name;
    if (auto text = e.texts.find(name); text != e.texts.end()) return FieldValue::of_text(text->second);
    auto it = e.values.find(name);
    return it == e.values.end() ? FieldValue::missing() : it->second;
}

namespace {

// Writes into `text` what atom `a`, which holds, needs; false when no text could be found.
bool write_text(const Atom& a, std::string& text, std::string* why) {
    auto append = [&](const std::string& phrase) { text += (text.empty() ? "" : " ") + phrase; };
    switch (a.kind) {
    case Atom::Kind::text_is: text = a.phrases.front(); return true;
    case Atom::Kind::contains:
    case Atom::Kind::has_any: append(a.phrases.front()); return true;
    case Atom::Kind::has_all: std::for_each(a.phrases.begin(), a.phrases.end(), append); return true;
    case Atom::Kind::regex:
        if (std::optional<std::string> match = text_matching(a.phrases.front(), a.case_insensitive)) {
            append(*match);
            return true;
        }
        if (why) *why = fmt::format("no text was found that /{}/ matches", a.phrases.front());
        return false;
    default:
        if (why) *why = fmt::format("field '{}' is compared with another in a way no example writes", a.field);
        return false;
    }
}

}  // namespace

std::optional<Example> example_of(const z3::model& model, MentionModel& mention, const std::vector<const Field*>& fields,
                                  std::string* why) {
    Example e;
    for (const Field* f : fields) {
        if (!model.eval(mention.present(*f), true).is_true()) continue;
        const z3::expr v = model.eval(mention.value(*f), true);
        switch (f->type) {
        case FieldType::number:
        case FieldType::integer: e.values[f->name] = FieldValue::of_number(std::strtod(v.get_decimal_string(40).c_str(), nullptr)); break;
        case FieldType::time: e.values[f->name] = FieldValue::of_time(TimePoint(std::chrono::milliseconds(v.get_numeral_int64()))); break;
        case FieldType::boolean: e.values[f->name] = FieldValue::of_bool(v.is_true()); break;
        case FieldType::enumeration: e.values[f->name] = FieldValue::of_enum(static_cast<std::uint32_t>(v.get_numeral_int64())); break;
        case FieldType::text: e.texts[f->name]; break;
        }
    }
    // Texts: what the atoms that hold need, one phrase of a list, every phrase of a `has all`.
    for (std::size_t i = 0; i < mention.atoms().size(); ++i) {
        const Atom& atom = mention.atoms()[i];
        const bool holds = model.eval(mention.atom_exprs()[i], true).is_true();
        if (atom.is_state()) {
            e.state_holds = e.state_holds || holds;
            e.exact = false;  // without a monitor a window counts the mention itself
            continue;
        }
        auto text = e.texts.find(atom.field);
        if (text == e.texts.end()) continue;  // missing, or not a text
        e.exact = false;
        if (holds && !write_text(atom, text->second, why)) return std::nullopt;
    }
    for (auto& [name, t] : e.texts)
        if (t.empty()) t = "-";
    return e;
}

std::string describe_example(const Example& e, const std::vector<const Field*>& fields) {
    std::string out;
    for (const Field* f : fields) {
        std::string shown;
        if (auto t = e.texts.find(f->name); t != e.texts.end()) {
            shown = fmt::format("\"{}\"", t->second);
        } else if (auto it = e.values.find(f->name); it != e.values.end()) {
            const FieldValue& v = it->second;
            switch (v.kind) {
            case ValueKind::number: shown = fmt::format("{}", v.number); break;
            case ValueKind::boolean: shown = v.boolean ? "true" : "false"; break;
            case ValueKind::time: shown = fmt::format("{} ms after 1970", v.time.time_since_epoch().count()); break;
            case ValueKind::enumeration:
                shown = v.index < f->values.size() ? f->values[v.index] : "a value none of its branches name";
                break;
            default: continue;
            }
        } else {
            continue;
        }
        out += fmt::format("{}{} = {}", out.empty() ? "" : ", ", f->name, shown);
    }
    return out.empty() ? "every field missing" : out + " (other fields missing)";
}

FlowModel::FlowModel(z3::context& z, const FlowData& flow) : z_(z), flow_(flow), mention_(z), formulas_(mention_, flow) {
    for (const Field& f : flow.fields) fields_.push_back(&f);
    for (std::uint32_t s = 0; s < flow.steps.size(); ++s) reach_steps_.push_back(z.bool_const(fmt::format("reach_s{}", s).c_str()));
    for (std::uint32_t o = 0; o < flow.outcomes.size(); ++o) reach_outcomes_.push_back(z.bool_const(fmt::format("reach_o{}", o).c_str()));
}

z3::expr FlowModel::taken(std::uint32_t step, std::size_t branch) {
    const Step& s = flow_.steps[step];
    z3::expr result = branch < s.branches.size() ? condition(s.branches[branch].condition) : z_.bool_val(true);
    for (std::size_t earlier = 0; earlier < std::min(branch, s.branches.size()); ++earlier)
        result = result && !condition(s.branches[earlier].condition);
    return result;
}

void FlowModel::define(z3::solver& solver) {
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
            incoming[slot(r.replacement)].push_back(reach(r.node) && formulas_.crisis(c));
    for (std::size_t n = 0; n < incoming.size(); ++n) {
        const z3::expr& r = n < reach_steps_.size() ? reach_steps_[n] : reach_outcomes_[n - reach_steps_.size()];
        solver.add(r == (incoming[n].empty() ? z_.bool_val(false) : z3::mk_or(incoming[n])));
    }
    add_new_facts(solver);
}

}  // namespace triage::detail
#endif
