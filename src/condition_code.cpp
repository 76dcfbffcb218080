#include "condition_code.hpp"

#include <algorithm>

namespace triage::detail {

namespace {

class CodeEmitter {
public:
    CodeEmitter(const ResolvedFlow& data, const std::vector<std::vector<std::uint32_t>>& condition_phrases,
                ConditionCode& out)
        : data_(data), phrases_(condition_phrases), out_(out) {}

    // Emits the code of condition `id` that goes on to `on_true` when it holds and to `on_false`
    // when it does not; returns where it starts. Operands of `and` and `or` are tried in the order
    // written, with the same short cuts as the tree walk, so that the same fields are read (and
    // reported missing) in the same order.
    std::uint32_t emit(ConditionId id, std::uint32_t on_true, std::uint32_t on_false) {
        const Condition& c = data_.conditions[id];
        switch (c.kind) {
        case ConditionKind::negation: return emit(c.children[0], on_false, on_true);
        case ConditionKind::conjunction:
        case ConditionKind::disjunction: {
            if (c.children.empty()) return test(constant(c.kind == ConditionKind::conjunction), on_true, on_false);
            const bool all = c.kind == ConditionKind::conjunction;
            std::uint32_t next = emit(c.children.back(), on_true, on_false);
            for (auto child = c.children.rbegin() + 1; child != c.children.rend(); ++child)
                next = all ? emit(*child, next, on_false) : emit(*child, on_true, next);
            return next;
        }
        default: return test(instruction(id, c), on_true, on_false);
        }
    }

private:
    static Instruction constant(bool value) {
        Instruction in;
        in.number = value ? 1 : 0;
        return in;
    }

    Instruction instruction(ConditionId id, const Condition& c) {
        Instruction in;
        in.field = c.field;
        in.negated = c.negated;
        switch (c.kind) {
        case ConditionKind::constant: return constant(c.number != 0);
        case ConditionKind::bool_field: in.op = Op::bool_field; return in;
        case ConditionKind::exists: in.op = Op::exists; return in;
        case ConditionKind::compare_number:
            in.op = Op::compare_number;
            in.compare = c.op;
            in.number = c.number;
            return in;
        case ConditionKind::enum_in:
            if (c.values.size() != 1) break;
            in.op = Op::enum_is;
            in.operand = c.values.front();
            return in;
        case ConditionKind::let_ref:
            in.op = Op::let;
            in.operand = c.operand;
            return in;
        case ConditionKind::has_any:
        case ConditionKind::has_all:
        case ConditionKind::contains_any:
        case ConditionKind::contains:
            in.op = c.kind == ConditionKind::has_all ? Op::text_all : Op::text_any;
            in.operand = static_cast<std::uint32_t>(out_.masks.size());
            add_masks(phrases_[id]);
            in.count = static_cast<std::uint32_t>(out_.masks.size()) - in.operand;
            return in;
        default: break;
        }
        in.op = Op::tree;
        in.operand = id;
        return in;
    }

    // One mask per 64-bit word that the test's phrases fall in (the order of phrases changes
    // nothing: a text test reads no field but its own).
    void add_masks(std::vector<std::uint32_t> ids) {
        std::sort(ids.begin(), ids.end());
        const std::size_t first = out_.masks.size();
        for (std::uint32_t p : ids) {
            if (out_.masks.size() == first || out_.masks.back().word != p / 64) out_.masks.push_back({p / 64, 0});
            out_.masks.back().bits |= std::uint64_t{1} << (p % 64);
        }
    }

    std::uint32_t test(Instruction in, std::uint32_t on_true, std::uint32_t on_false) {
        in.on_true = on_true;
        in.on_false = on_false;
        out_.code.push_back(in);
        return static_cast<std::uint32_t>(out_.code.size() - 1);
    }

    const ResolvedFlow& data_;
    const std::vector<std::vector<std::uint32_t>>& phrases_;
    ConditionCode& out_;
};

}  // namespace

ConditionCode build_condition_code(const ResolvedFlow& data, const std::vector<std::vector<std::uint32_t>>& condition_phrases) {
    ConditionCode out;
    out.entry.assign(data.conditions.size(), verdict_false);
    CodeEmitter emitter(data, condition_phrases, out);
    auto root = [&](ConditionId id) {
        if (id != no_condition && out.entry[id] == verdict_false) out.entry[id] = emitter.emit(id, verdict_true, verdict_false);
    };
    for (const Let& let : data.lets) {
        root(let.condition);
        out.let_entry.push_back(let.condition == no_condition ? verdict_false : out.entry[let.condition]);
    }
    for (const Step& s : data.steps)
        for (const Branch& b : s.branches) root(b.condition);
    for (const Outcome& o : data.outcomes)
        for (const Action& a : o.actions) root(a.condition);
    return out;
}

}  // namespace triage::detail
