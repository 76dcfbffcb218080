// The grammar's entry point: one top-level declaration of a .flow file.
// Only grammar.cpp sees the rule definitions (grammar_def.hpp).
#pragma once

#include "syntax/ast.hpp"
#include "syntax/config.hpp"

namespace triage::syntax {

struct declaration_class;
using declaration_type = x3::rule<declaration_class, ast::Declaration>;
BOOST_SPIRIT_DECLARE(declaration_type)

declaration_type const& declaration();

// Rule names that the parser driver turns into dedicated diagnostics.
inline constexpr const char* closing_quote_name = "a closing '\"'";
inline constexpr const char* closing_slash_name = "a closing '/'";
// Rule names the parser's hints (syntax_hints.hpp) recognise.
inline constexpr const char* text_name = "a string in double quotes";
inline constexpr const char* arrow_name = "'->'";
inline constexpr const char* word_source_name = "quoted phrases separated by commas, or file \"...\"";
inline constexpr const char* time_ranges_name = "opening times such as 09:00-18:00";
inline constexpr const char* dates_name = "a date such as 2026-12-25";
inline constexpr const char* step_close_name = "'if', 'else' or '}'";
inline constexpr const char* outcome_close_name = "an action or '}'";
inline constexpr const char* fields_close_name = "a field declaration or '}'";

}  // namespace triage::syntax
