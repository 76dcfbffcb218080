// The only translation unit that compiles the X3 grammar.
#include "syntax/grammar_def.hpp"

namespace triage::syntax {
BOOST_SPIRIT_INSTANTIATE(declaration_type, iterator_type, context_type)
}
