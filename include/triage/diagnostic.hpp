// Diagnostics are data: the library collects them, and only a front end decides how to print.
#pragma once

#include "triage/json_writer.hpp"
#include "triage/source.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

enum class Severity : std::uint8_t { error, warning };

// Stable diagnostic codes; docs/diagnostics.md has a section for each.
enum class Code : std::uint16_t {
    syntax = 1,                 // T001
    unterminated = 2,           // T002
    invalid_duration = 3,       // T003
    invalid_utf8 = 4,           // T004
    duplicate_definition = 10,  // T010
    unknown_value_name = 11,    // T011
    unknown_node = 12,          // T012
    unknown_word_list = 13,     // T013
    duplicate_singleton = 14,   // T014
    missing_header = 15,        // T015
    missing_start = 16,         // T016
    empty_phrase = 17,          // T017
    unreadable_file = 18,       // T018
    include_cycle = 19,         // T019
    type_mismatch = 20,         // T020
    unknown_enum_value = 21,    // T021
    invalid_regex = 22,         // T022
    unknown_type = 23,          // T023
    duplicate_enum_value = 24,  // T024
    recursive_condition = 25,   // T025
    field_group_conflict = 26,  // T026
    unknown_hours_or_crisis = 27, // T027
    clock_needed = 28,          // T028
    unknown_time_zone = 29,     // T029
    cycle = 30,                 // T030
    unreachable = 31,           // T031
    missing_else = 32,          // T032
    shadowed_branch = 33,       // T033
    unused_field = 34,          // T034
    unused_word_list = 35,      // T035
    unused_condition = 36,      // T036
    time_zone_needed = 39,      // T039
    conflicting_actions = 40,   // T040
    repeated_action = 41,       // T041
    empty_outcome = 42,         // T042
    step_without_branches = 43, // T043
    invalid_hours = 44,         // T044
    state_not_allowed = 45,     // T045
    invalid_window = 46,        // T046
    invalid_crisis = 47,        // T047
    legacy_time_zone = 48,      // T048
    invalid_time_format = 49,   // T049
    test_expects_nothing = 50,  // T050
    test_field_twice = 51,      // T051
    test_wrong_node_kind = 52,  // T052
    limit_exceeded = 60,        // T060
};

// "T012"
[[nodiscard]] std::string code_name(Code code);
// A few words naming what the code is about: "unknown step or outcome".
[[nodiscard]] std::string_view code_title(Code code);
// Every code the compiler can report, in numeric order.
[[nodiscard]] std::span<const Code> all_codes();

struct DiagnosticNote {
    std::optional<Span> span;
    std::string message;
};

struct Diagnostic {
    Severity severity = Severity::error;
    Code code = Code::syntax;
    Span span;
    std::string message;
    std::vector<DiagnosticNote> notes;
    std::string help;  // empty when there is no suggestion
};

[[nodiscard]] bool has_errors(std::span<const Diagnostic> diagnostics);

struct TextStyle {
    bool color = false;
};

// clang style: "file:line:col: error[T012]: message", the source line, a caret under the span,
// then notes and "help:". Ends with a newline.
[[nodiscard]] std::string format_text(const Diagnostic& diagnostic, const SourceMap& sources,
                                      TextStyle style = {});
// A JSON array of objects {file, line, column, end_line, end_column, severity, code, message,
// notes[{file, line, column, message}], help}.
[[nodiscard]] std::string format_json(std::span<const Diagnostic> diagnostics,
                                      const SourceMap& sources);
// The same objects, appended to the array `json` is writing (for a document of the caller's own,
// as `triage check --format json` writes).
void append_json(JsonWriter& json, std::span<const Diagnostic> diagnostics, const SourceMap& sources);

// The diagnostics of one compilation, for format_sarif.
struct DiagnosticSet {
    std::span<const Diagnostic> diagnostics;
    const SourceMap* sources = nullptr;
};
// SARIF 2.1.0, as GitHub code scanning reads it (`triage check --format sarif`): one run, the
// rules that fired, one result per diagnostic with a physical location, notes as related
// locations.
[[nodiscard]] std::string format_sarif(std::span<const DiagnosticSet> compilations);

}  // namespace triage
