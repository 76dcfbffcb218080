// Stage 4, with program.hpp: conditions compiled to jump code, so that deciding a mention runs one
// flat loop instead of walking condition trees. Each instruction is one test of the mention and
// names where to go next when it holds and when it does not; `and`, `or` and `not` are only
// jumps, so they cost nothing at run time. The evaluator's tree walk (eval) stays for explaining,
// recording matches and monitors, and serves the rare tests that have no instruction of their own.
#pragma once

#include "resolved_flow.hpp"

#include <cstdint>
#include <vector>

namespace triage::detail {

enum class Op : std::uint8_t {
    constant,        // number != 0
    bool_field,      // field
    exists,          // field
    compare_number,  // field compare number
    enum_is,         // field is (or, negated, is not) the value `operand`
    text_any,        // field: any phrase of masks [operand, operand + count) found
    text_all,        // field: every phrase of masks [operand, operand + count) found
    let,             // let `operand`, evaluated once per mention from its entry (ConditionCode::let_entry)
    tree,            // condition `operand`, evaluated by the tree walk (one test: it has no children)
};

struct Instruction {
    Op op = Op::constant;
    CompareOp compare = CompareOp::eq;
    bool negated = false;
    std::uint32_t field = 0;
    std::uint32_t operand = 0;
    std::uint32_t count = 0;
    std::uint32_t on_true = 0;   // the next instruction, or a verdict
    std::uint32_t on_false = 0;
    double number = 0;
};

// Where a run of jump code ends: the condition holds or it does not. No instruction has these indices.
inline constexpr std::uint32_t verdict_false = UINT32_MAX - 1;
inline constexpr std::uint32_t verdict_true = UINT32_MAX;

// The phrases of one text test that fall in one 64-bit word of the matcher's bitset.
struct PhraseMask {
    std::uint32_t word = 0;
    std::uint64_t bits = 0;
};

struct ConditionCode {
    std::vector<Instruction> code;
    std::vector<PhraseMask> masks;
    std::vector<std::uint32_t> entry;      // per condition: where its code starts (branches and actions; else verdict_false)
    std::vector<std::uint32_t> let_entry;  // per let
};

// The jump code of every branch, action condition and let; `condition_phrases` gives each text
// test's phrase ids in its field's matcher (Program::condition_phrases).
[[nodiscard]] ConditionCode build_condition_code(const ResolvedFlow& data,
                                                 const std::vector<std::vector<std::uint32_t>>& condition_phrases);

}  // namespace triage::detail
