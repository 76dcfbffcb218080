// The names a flow declares and every place that uses them, across includes: what an editor or a
// language server needs (outline, go to definition, find references, rename, hover), read from
// the syntax trees, so that it is there for a flow with errors too.
#pragma once

#include "triage/source.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

namespace detail {
class SymbolIndexer;
}

enum class SymbolKind : std::uint8_t { flow, field, word_list, let, step, outcome, hours, crisis, test };

// The sets of names that a use is looked up in: fields and lets share one, as do steps and
// outcomes (a name is unique within its set; which kind fits a spot is the checker's concern).
enum class NameSpace : std::uint8_t { value, node, word_list, hours, crisis };

// "field", "word list", "let", ...
[[nodiscard]] std::string_view kind_name(SymbolKind kind);
// The set a kind's names belong to; none for the flow and tests, which nothing refers to.
[[nodiscard]] std::optional<NameSpace> name_space(SymbolKind kind);

// One declared name. A dotted field name (`author.followers`) is one symbol.
struct Symbol {
    SymbolKind kind = SymbolKind::field;
    std::string name;  // the flow's and a test's name are their strings, escapes decoded
    Span name_span;    // where the name is written (the quoted string for the flow and a test)
    Span declaration;  // the whole declaration, e.g. a step with its branches
    std::string title; // a step's question, the title of an outcome, hours or crisis; else empty
    // Declared by a declaration with a syntax error: its name and kind were read without the
    // grammar, `declaration` runs to where parsing resumed, and it has no title.
    bool broken = false;
};

// One use of a name: in a condition, `clock`, a window's `by`, a test's `given` (fields and
// lets); `has any/all of` (word lists); branch targets, `start`, `route`, `expect`, `expect path`
// (steps and outcomes); `within hours`, `during` (hours); `in crisis`, `during crisis` (crises).
struct SymbolReference {
    NameSpace space = NameSpace::value;
    std::string name;
    Span span;                          // the name as written
    std::optional<std::size_t> symbol;  // its definition in SymbolIndex::symbols(); none: unresolved
};

// What stands at a position: a definition's name (reference is null) or a reference (symbol is
// null when the reference is unresolved); both null when neither.
struct SymbolAt {
    const Symbol* symbol = nullptr;
    const SymbolReference* reference = nullptr;
};

// Immutable once built. A name declared twice has two symbols; uses resolve to the first one in
// reading order (includes read where they stand), as the checker does. A declaration with a
// syntax error still gives its name a symbol (Symbol::broken), so that its uses resolve; a name
// declared both ways resolves to the declaration that parsed.
class SymbolIndex {
public:
    SymbolIndex() = default;

    // By file, in source order within each file.
    [[nodiscard]] std::span<const Symbol> symbols() const { return symbols_; }
    [[nodiscard]] std::span<const SymbolReference> references() const { return references_; }

    // The symbols declared in one file, in source order (an outline).
    [[nodiscard]] std::span<const Symbol> symbols_in(FileId file) const;
    // Every use of a symbol of symbols() (none for any other), in every file, by file and source order.
    [[nodiscard]] std::vector<const SymbolReference*> references_to(const Symbol& symbol) const;
    // Uses of names that nothing declares.
    [[nodiscard]] std::vector<const SymbolReference*> unresolved() const;
    // The definition a use resolves to, or null.
    [[nodiscard]] const Symbol* definition(const SymbolReference& reference) const;
    // The first declaration of a name, or null.
    [[nodiscard]] const Symbol* find(NameSpace space, std::string_view name) const;
    // What stands at the byte at `offset` of `file` (a name covers [begin, end): its end is outside).
    [[nodiscard]] SymbolAt at(FileId file, std::uint32_t offset) const;

private:
    friend class detail::SymbolIndexer;

    std::vector<Symbol> symbols_;
    std::vector<SymbolReference> references_;
    std::array<std::map<std::string, std::size_t, std::less<>>, 5> first_;  // by NameSpace: name → symbol
};

}  // namespace triage
