// Types shared by the grammar's one instantiating translation unit and the parser driver.
// The context type must match the caller's exactly, or the rule's instantiation is not found.
#pragma once

#include <boost/spirit/home/x3.hpp>

#include <functional>

namespace triage::syntax {

namespace x3 = boost::spirit::x3;

using iterator_type = const char*;

// What the grammar needs from its caller: where the file begins, to turn iterators into spans.
struct ParseState {
    iterator_type source_begin = nullptr;
};
struct parse_state_tag;

// Blanks and '#' comments separate tokens. Character sets, not isspace(): bytes of UTF-8 text
// must never reach the C character-class functions.
inline const auto skipper = x3::char_(" \t\r\n") | ('#' >> *(x3::char_ - x3::eol));
using skipper_type = std::remove_const_t<decltype(skipper)>;

using phrase_context_type = x3::phrase_parse_context<skipper_type>::type;
using context_type =
    x3::context<parse_state_tag, std::reference_wrapper<ParseState>, phrase_context_type>;

}  // namespace triage::syntax
