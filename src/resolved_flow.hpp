// Stage 2's result: the flow as the checker leaves it, every name resolved to an index. The
// later stages read it and add what they build (flow_data.hpp).
#pragma once

#include "triage/flow.hpp"
#include "business_hours.hpp"
#include "time_format.hpp"

#include <re2/re2.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace triage {

// The parts of a resolved flow that only the library's stages read: conditions as trees,
// lets, regular expressions, and the flow's own tests. Hosts see conditions as ConditionIds and
// their text (Flow::condition_text), and run the tests with run_tests().

enum class CompareOp : std::uint8_t { lt, le, gt, ge, eq, ne };

enum class ConditionKind : std::uint8_t {
    constant,       // number != 0 is true
    bool_field,     // field
    let_ref,        // operand = let index
    exists,         // field
    compare_number, // field op number
    compare_field,  // field op operand (another field of a compatible type)
    text_is,        // field == text (exact)
    text_in,        // field in strings
    number_in,      // field in numbers
    enum_in,        // field in enum value indices (`is` is a one-element set)
    bool_is,        // field == (number != 0)
    has_any,        // field, operand = word list index
    has_all,        // field, operand = word list index
    contains,       // field contains text (case-insensitive)
    contains_any,   // field, operand = word list index: any phrase anywhere (case-insensitive)
    matches,        // field, operand = regex index
    window,         // operand = window index, op, number (the threshold)
    within_hours,   // operand = business hours index
    in_crisis,      // operand = crisis index
    negation,       // children[0]
    conjunction,    // children
    disjunction,    // children
};

// `a OP b`, for the evaluator's numbers and the solver's formulas alike: one definition, so that
// what the solver proves about a comparison is what the evaluator decides.
template <typename T>
[[nodiscard]] auto compare_values(const T& a, const T& b, CompareOp op) {
    switch (op) {
    case CompareOp::lt: return a < b;
    case CompareOp::le: return a <= b;
    case CompareOp::gt: return a > b;
    case CompareOp::ge: return a >= b;
    case CompareOp::eq: return a == b;
    case CompareOp::ne: return a != b;
    }
    return a == b;
}

// One node of a resolved condition tree; children and operands are indices into Flow::conditions.
struct Condition {
    ConditionKind kind = ConditionKind::constant;
    CompareOp op = CompareOp::eq;
    bool negated = false;  // `is not`, `not in`
    std::uint32_t field = 0;
    std::uint32_t operand = 0;
    double number = 0;
    std::string text;
    std::vector<double> numbers;
    std::vector<std::string> strings;
    std::vector<std::uint32_t> values;  // enum value indices
    std::vector<ConditionId> children;
    Span span;
};

// Whether a condition of this kind tests a field against a word list (operand = its index).
[[nodiscard]] constexpr bool reads_word_list(ConditionKind kind) noexcept {
    return kind == ConditionKind::has_any || kind == ConditionKind::has_all || kind == ConditionKind::contains_any;
}

struct Let {
    std::string name;
    ConditionId condition = no_condition;
    Span span;
};

struct Regex {
    std::string pattern;
    bool case_insensitive = false;
    Span span;
};


// ---- tests written in the flow file: `test "name" { given { ... } expect ... }` ----------

enum class ExpectKind : std::uint8_t { outcome, fell_through, path, tag, escalate, priority };  // fell_through: `expect no outcome`

struct TestValue {
    std::uint32_t field = 0;
    FieldValue value;  // for text and one-of values given as text, `text` holds the characters
    std::string text;
    Span span;
};

struct TestExpectation {
    ExpectKind kind = ExpectKind::outcome;
    std::vector<std::uint32_t> outcomes;  // outcome: passes when the decision is any of these
    std::vector<std::uint32_t> steps;     // path: exactly these steps, in this order
    std::vector<std::string> labels;      // tag: all present; escalate: all these teams
    std::vector<Priority> priorities;     // priority: the decided priority is one of these
    Span span;
};

struct FlowTest {
    std::string name;
    std::vector<TestValue> given;
    std::vector<std::uint32_t> crises;  // `during crisis`: active while the test runs
    std::uint32_t repeat = 1;           // `given N times`: a stream of N such mentions; the last is checked
    std::vector<TestExpectation> expectations;
    Span span;
    Span name_span;
};

}  // namespace triage

namespace triage::detail {

// Stands for a branch target that names no step or outcome (already reported as an error);
// the graph stage leaves such branches out.
inline constexpr NodeRef unresolved_node{NodeKind::step, UINT32_MAX};

struct ResolvedFlow {
    std::string name;
    std::uint32_t version = 0;
    NodeRef start = unresolved_node;

    std::vector<Field> fields;
    std::vector<TimeFormat> time_formats;  // parallel to fields: how each time field is read
    std::vector<WordList> word_lists;
    std::vector<Let> lets;
    std::vector<Regex> regexes;
    std::vector<std::unique_ptr<const re2::RE2>> compiled_regexes;  // parallel to regexes
    std::vector<Condition> conditions;
    std::vector<Step> steps;
    std::vector<Outcome> outcomes;
    std::vector<FlowTest> tests;
    std::vector<Window> windows;
    std::vector<Hours> hours;
    std::vector<BusinessHours> calendars;  // parallel to hours
    std::vector<Crisis> crises;
    std::optional<Clock> clock;

    std::unordered_map<std::string, NodeRef> node_index;
    std::unordered_map<std::string, std::uint32_t> field_index;
};

}  // namespace triage::detail
