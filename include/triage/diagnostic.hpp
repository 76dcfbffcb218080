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

// A note says what the compiler could not do (the solver gave up, or is not built in): it is
// neither a problem in the flow nor a warning, and `--werror` does not fail on it.
enum class Severity : std::uint8_t { error, warning, note };

// Every diagnostic code, once, in numeric order: its name, number (T001 ...) and title — the few
// words naming what it is about, as docs/diagnostics.md's table gives them. The enum, code_title()
// and all_codes() are made from this list; each code has a section in docs/diagnostics.md and a
// fixture in tests/fixtures/diagnostics/ (tests/diagnostics_test.cpp checks both).
#define TRIAGE_DIAGNOSTIC_CODES(X) \
    X(syntax,                   1, "syntax error") \
    X(unterminated,             2, "unterminated string or regular expression") \
    X(invalid_duration,         3, "invalid duration") \
    X(invalid_utf8,             4, "invalid UTF-8") \
    X(duplicate_definition,    10, "duplicate definition") \
    X(unknown_value_name,      11, "unknown field or condition") \
    X(unknown_node,            12, "unknown step or outcome") \
    X(unknown_word_list,       13, "unknown word list") \
    X(duplicate_singleton,     14, "second header or start") \
    X(missing_header,          15, "missing header") \
    X(missing_start,           16, "missing start") \
    X(empty_phrase,            17, "empty phrase") \
    X(unreadable_file,         18, "file cannot be read") \
    X(include_cycle,           19, "include cycle") \
    X(type_mismatch,           20, "type mismatch") \
    X(unknown_enum_value,      21, "unknown value") \
    X(invalid_regex,           22, "invalid regular expression") \
    X(unknown_type,            23, "unknown field type") \
    X(duplicate_enum_value,    24, "value listed twice") \
    X(recursive_condition,     25, "recursive condition") \
    X(field_group_conflict,    26, "field is both a value and a group") \
    X(unknown_hours_or_crisis, 27, "unknown business hours or crisis") \
    X(clock_needed,            28, "no clock") \
    X(unknown_time_zone,       29, "unknown time zone") \
    X(cycle,                   30, "cycle") \
    X(unreachable,             31, "unreachable step or outcome") \
    X(missing_else,            32, "step without else") \
    X(shadowed_branch,         33, "shadowed branch") \
    X(unused_field,            34, "unused field") \
    X(unused_word_list,        35, "unused word list") \
    X(unused_condition,        36, "unused condition") \
    X(time_zone_needed,        39, "time format without an offset or a zone") \
    X(conflicting_actions,     40, "conflicting actions") \
    X(repeated_action,         41, "repeated action") \
    X(empty_outcome,           42, "outcome without actions") \
    X(step_without_branches,   43, "step without branches") \
    X(invalid_hours,           44, "invalid business hours") \
    X(state_not_allowed,       45, "window or crisis where a per-mention condition is needed") \
    X(invalid_window,          46, "invalid window") \
    X(invalid_crisis,          47, "invalid crisis") \
    X(legacy_time_zone,        48, "legacy or fixed-offset time zone") \
    X(invalid_time_format,     49, "invalid time format") \
    X(test_expects_nothing,    50, "test expects nothing") \
    X(test_field_twice,        51, "field given twice") \
    X(test_wrong_node_kind,    52, "step where an outcome is expected, or the reverse") \
    X(limit_exceeded,          60, "limit exceeded") \
    X(semantic_check_skipped,  70, "semantic check not done")

// Stable diagnostic codes; docs/diagnostics.md has a section for each.
enum class Code : std::uint16_t {
#define TRIAGE_DIAGNOSTIC_CODE_ENUMERATOR(name, number, title) name = number,
    TRIAGE_DIAGNOSTIC_CODES(TRIAGE_DIAGNOSTIC_CODE_ENUMERATOR)
#undef TRIAGE_DIAGNOSTIC_CODE_ENUMERATOR
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

// One change to a source file, as clang's fix-its and LSP's text edits: the bytes of `span` are
// replaced by `text`. An empty span inserts; an empty text deletes.
struct TextEdit {
    Span span;
    std::string text;
};

// A mechanical fix for a diagnostic: what it does ("replace 'sentimnt' with 'sentiment'") and
// the edits that do it, all applied together. A diagnostic carries a fix only when the edit is
// certain to be what its help says; choices only the author can make (which outcome an `else`
// leads to) get a help line and no fix.
struct Fix {
    std::string message;
    std::vector<TextEdit> edits;
};

struct Diagnostic {
    Severity severity = Severity::error;
    Code code = Code::syntax;
    Span span;
    std::string message;
    std::vector<DiagnosticNote> notes;
    std::string help;  // empty when there is no suggestion
    // Usually none, or one that does what `help` says. `= {}` lets the positional initialisers
    // that stop at `help` leave it out without a missing-initializer warning.
    std::vector<Fix> fixes = {};
};

// `text`, the contents of `file`, with the edits of `fixes` that are in that file applied; none
// when two edits overlap (or one is out of the text), since then they cannot all be meant.
[[nodiscard]] std::optional<std::string> apply_fixes(std::string_view text, FileId file,
                                                     std::span<const Fix> fixes);

[[nodiscard]] bool has_errors(std::span<const Diagnostic> diagnostics);

struct TextStyle {
    bool color = false;
};

// clang style: "file:line:col: error[T012]: message", the source line, a caret under the span,
// then notes and "help:". Ends with a newline.
[[nodiscard]] std::string format_text(const Diagnostic& diagnostic, const SourceMap& sources,
                                      TextStyle style = {});
// A JSON array of objects {file, line, column, end_line, end_column, severity, code, message,
// notes[{file, line, column, message}], help, fixes[{message, edits[{file, line, column,
// end_line, end_column, text}]}]}; help and fixes only when there are any.
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
struct SarifOptions {
    // Where the people who read the report can open docs/diagnostics.md (a URL, no anchor): each
    // rule's helpUri is it with the code's anchor, and the relative links in its help are made
    // absolute against it. Empty: default_sarif_help_base(); when that is empty too, the rules
    // have no helpUri, their help names `triage help CODE`, and its links to other pages of the
    // docs become plain text.
    std::string help_base;
};
// The published docs/diagnostics.md this build names: TRIAGE_DOCS_URL/diagnostics.md when it was
// configured with -DTRIAGE_DOCS_URL=<the https URL of a published docs/ folder>, else empty.
[[nodiscard]] std::string_view default_sarif_help_base();
// SARIF 2.1.0, as GitHub code scanning reads it (`triage check --format sarif`): one run, the
// rules that fired (each with helpUri, fullDescription, and help in Markdown: the code's section
// of docs/diagnostics.md), one result per diagnostic with a physical location, notes as related
// locations, fixes as `fixes` (artifactChanges of replacements). Artifact URIs: a relative path
// percent-encoded, an absolute one as a file:// URI.
[[nodiscard]] std::string format_sarif(std::span<const DiagnosticSet> compilations,
                                       const SarifOptions& options = {});

}  // namespace triage
