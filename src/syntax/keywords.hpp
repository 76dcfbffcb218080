// The words of the flow language, in one place: the grammar reserves some, the parser resumes
// after a syntax error at any word that begins a declaration, and grammar/triage.ebnf lists them
// (tests/parser_test.cpp holds the three together).
#pragma once

#include <array>
#include <string_view>

namespace triage::syntax {

// Words that cannot be names: the expression words, and the words that begin a declaration
// (reserving those lets a condition left unfinished at the end of a line stop before the next
// declaration).
inline constexpr std::array<std::string_view, 24> reserved_words = {
    "and",  "or",     "not",   "is",    "in",  "has",  "any",   "all",  "contains", "matches", "exists",  "true",
    "false", "if",    "else",  "flow",  "fields", "words", "let", "start", "step",   "outcome", "include", "test"};

// Every word that begins a top-level declaration. The words of time and state among them (clock,
// hours, crisis, zone) are not reserved: flows that use them as names keep working.
inline constexpr std::array<std::string_view, 13> declaration_keywords = {
    "flow", "fields", "words", "let", "start", "step", "outcome", "include", "test", "clock", "hours", "crisis", "zone"};

}  // namespace triage::syntax
