// Stage 1b: syntax trees → SymbolIndex. Reads only what the parser produced, so that a flow with
// errors is indexed too (the declarations that parsed).
#pragma once

#include "parser.hpp"
#include "syntax/ast.hpp"
#include "triage/symbols.hpp"

#include <memory>

namespace triage::detail {

class SymbolIndexer {
public:
    // Declarations in reading order (an include's declarations where the include stands): the
    // first declaration of a name is the one its uses resolve to.
    void add(FileId file, const syntax::ast::Declaration& declaration);
    // A name a declaration with a syntax error would have defined, after every add(): a name
    // declared both ways resolves to the declaration that parsed. Header and start give none.
    void add_broken(const BrokenName& name);
    [[nodiscard]] std::shared_ptr<const SymbolIndex> finish();

private:
    // `name` is a Name, or the Text of the flow or a test.
    template <typename Written>
    void define(SymbolKind kind, const Written& name, const syntax::ast::Spanned& whole, std::string title = {});
    void use(NameSpace space, const syntax::ast::Name& name);
    void use_in(const syntax::ast::Expr& condition);
    void use_in(const syntax::ast::Outcome& outcome);
    void use_in(const syntax::ast::Step& step);
    void use_in(const syntax::ast::TestCase& test);
    void use_in(const syntax::ast::Crisis& crisis);
    [[nodiscard]] Span span(const syntax::ast::Spanned& node) const { return {file_, node.from, node.to}; }

    FileId file_ = 0;
    SymbolIndex index_;  // symbols in reading order until finish()
};

}  // namespace triage::detail
