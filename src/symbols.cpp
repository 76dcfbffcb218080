// The symbol index: built from the syntax trees (SymbolIndexer), queried by position and name.
#include "symbol_indexer.hpp"

#include "text_util.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <tuple>

namespace triage {

namespace ast = syntax::ast;
namespace x3 = boost::spirit::x3;

std::string_view kind_name(SymbolKind kind) {
    switch (kind) {
    case SymbolKind::flow: return "flow";
    case SymbolKind::field: return "field";
    case SymbolKind::word_list: return "word list";
    case SymbolKind::let: return "let";
    case SymbolKind::step: return "step";
    case SymbolKind::outcome: return "outcome";
    case SymbolKind::hours: return "business hours";
    case SymbolKind::crisis: return "crisis";
    case SymbolKind::test: return "test";
    }
    return "symbol";
}

std::optional<NameSpace> name_space(SymbolKind kind) {
    switch (kind) {
    case SymbolKind::field:
    case SymbolKind::let: return NameSpace::value;
    case SymbolKind::step:
    case SymbolKind::outcome: return NameSpace::node;
    case SymbolKind::word_list: return NameSpace::word_list;
    case SymbolKind::hours: return NameSpace::hours;
    case SymbolKind::crisis: return NameSpace::crisis;
    case SymbolKind::flow:
    case SymbolKind::test: return std::nullopt;
    }
    return std::nullopt;
}

namespace {

// Both lists are sorted by (file, begin): the part of one file.
template <typename T, typename SpanOf>
std::span<const T> in_file(std::span<const T> all, FileId file, SpanOf span_of) {
    auto from = std::partition_point(all.begin(), all.end(), [&](const T& x) { return span_of(x).file < file; });
    auto to = std::partition_point(from, all.end(), [&](const T& x) { return span_of(x).file <= file; });
    return {from, to};
}

// The element whose span holds `offset`, in a list of one file sorted by begin and not overlapping.
template <typename T, typename SpanOf>
const T* covering(std::span<const T> sorted, std::uint32_t offset, SpanOf span_of) {
    auto after = std::partition_point(sorted.begin(), sorted.end(),
                                      [&](const T& x) { return span_of(x).begin <= offset; });
    if (after == sorted.begin()) return nullptr;
    const T& candidate = *std::prev(after);
    return offset < span_of(candidate).end ? &candidate : nullptr;
}

const Span& name_span_of(const Symbol& s) { return s.name_span; }
const Span& span_of(const SymbolReference& r) { return r.span; }

}  // namespace

std::span<const Symbol> SymbolIndex::symbols_in(FileId file) const {
    return in_file(symbols(), file, name_span_of);
}

std::vector<const SymbolReference*> SymbolIndex::references_to(const Symbol& symbol) const {
    std::vector<const SymbolReference*> out;
    const std::less<const Symbol*> before;  // defined for pointers into different objects, unlike <
    if (before(&symbol, symbols_.data()) || !before(&symbol, symbols_.data() + symbols_.size())) return out;
    const auto index = static_cast<std::size_t>(&symbol - symbols_.data());
    for (const SymbolReference& r : references_)
        if (r.symbol == index) out.push_back(&r);
    return out;
}

std::vector<const SymbolReference*> SymbolIndex::unresolved() const {
    std::vector<const SymbolReference*> out;
    for (const SymbolReference& r : references_)
        if (!r.symbol) out.push_back(&r);
    return out;
}

const Symbol* SymbolIndex::definition(const SymbolReference& reference) const {
    return reference.symbol ? &symbols_[*reference.symbol] : nullptr;
}

const Symbol* SymbolIndex::find(NameSpace space, std::string_view name) const {
    const auto& names = first_[static_cast<std::size_t>(space)];
    auto it = names.find(name);
    return it == names.end() ? nullptr : &symbols_[it->second];
}

SymbolAt SymbolIndex::at(FileId file, std::uint32_t offset) const {
    if (const Symbol* s = covering(symbols_in(file), offset, name_span_of)) return {s, nullptr};
    std::span<const SymbolReference> refs = in_file(references(), file, span_of);
    if (const SymbolReference* r = covering(refs, offset, span_of)) return {definition(*r), r};
    return {};
}

namespace detail {

template <typename Written>
void SymbolIndexer::define(SymbolKind kind, const Written& name, const ast::Spanned& whole, std::string title) {
    index_.symbols_.push_back({kind, std::string(name), span(name), span(whole), std::move(title)});
}

void SymbolIndexer::use(NameSpace space, const ast::Name& name) {
    index_.references_.push_back({space, std::string(name), span(name), std::nullopt});
}

void SymbolIndexer::use_in(const ast::Expr& condition) {
    auto field = [&](const ast::Name& n) { use(NameSpace::value, n); };
    boost::apply_visitor(
        overloaded{
            [](const ast::Boolean&) {},
            [&](const ast::Name& n) { use(NameSpace::value, n); },  // a bool field or a let
            [&](const x3::forward_ast<ast::ExistsTest>& e) { field(e.get().field); },
            [&](const x3::forward_ast<ast::HasTest>& e) {
                field(e.get().field);
                use(NameSpace::word_list, e.get().list);
            },
            [&](const x3::forward_ast<ast::ContainsTest>& e) { field(e.get().field); },
            [&](const x3::forward_ast<ast::MatchesTest>& e) { field(e.get().field); },
            [&](const x3::forward_ast<ast::IsTest>& e) { field(e.get().field); },  // a value by name is no symbol
            [&](const x3::forward_ast<ast::InTest>& e) { field(e.get().field); },
            [&](const x3::forward_ast<ast::Comparison>& e) {
                field(e.get().field);
                if (auto* other = boost::get<ast::Name>(&e.get().rhs.get())) field(*other);
            },
            [&](const x3::forward_ast<ast::WindowTest>& e) {
                use_in(e.get().condition);
                if (e.get().group) field(*e.get().group);
            },
            [&](const x3::forward_ast<ast::WithinHours>& e) { use(NameSpace::hours, e.get().hours); },
            [&](const x3::forward_ast<ast::InCrisis>& e) { use(NameSpace::crisis, e.get().crisis); },
            [&](const x3::forward_ast<ast::Negation>& e) { use_in(e.get().operand); },
            [&](const x3::forward_ast<ast::Conjunction>& e) {
                use_in(e.get().first);
                for (const ast::Expr& term : e.get().rest) use_in(term);
            },
            [&](const x3::forward_ast<ast::Disjunction>& e) {
                use_in(e.get().first);
                for (const ast::Expr& term : e.get().rest) use_in(term);
            },
        },
        condition);
}

void SymbolIndexer::use_in(const ast::Step& step) {
    for (const ast::Branch& b : step.branches) {
        use_in(b.condition);
        use(NameSpace::node, b.target);
    }
    if (step.otherwise) use(NameSpace::node, step.otherwise->target);
}

void SymbolIndexer::use_in(const ast::Outcome& outcome) {
    auto deadline = [&](const std::optional<ast::Deadline>& d) {
        if (d && d->during) use(NameSpace::hours, *d->during);
    };
    for (const ast::ActionStmt& statement : outcome.actions) {
        if (auto* respond = boost::get<ast::Respond>(&statement.action.get())) deadline(respond->within);
        else if (auto* escalate = boost::get<ast::Escalate>(&statement.action.get())) deadline(escalate->within);
        else if (auto* follow_up = boost::get<ast::FollowUp>(&statement.action.get())) deadline(follow_up->after);
        if (statement.condition) use_in(*statement.condition);
    }
}

void SymbolIndexer::use_in(const ast::TestCase& test) {
    for (const ast::Assignment& a : test.given) use(NameSpace::value, a.field);  // values by name are no symbols
    for (const ast::Name& crisis : test.during) use(NameSpace::crisis, crisis);
    for (const ast::Expectation& e : test.expectations)
        if (e.kind == ast::ExpectKind::outcome || e.kind == ast::ExpectKind::path)
            for (const ast::Name& node : e.names) use(NameSpace::node, node);  // not tags, teams, priorities
}

void SymbolIndexer::use_in(const ast::Crisis& crisis) {
    if (crisis.group) use(NameSpace::value, *crisis.group);
    for (const ast::CrisisItem& item : crisis.items)
        boost::apply_visitor(overloaded{
                                 [&](const ast::CrisisWhen& w) { use_in(w.condition); },
                                 [&](const ast::CrisisLeave& l) { use_in(l.condition); },
                                 [](const ast::CrisisMinimum&) {},
                                 [&](const ast::Route& r) {
                                     use(NameSpace::node, r.node);
                                     use(NameSpace::node, r.replacement);
                                 },
                             },
                             item);
}

void SymbolIndexer::add(FileId file, const ast::Declaration& declaration) {
    file_ = file;
    boost::apply_visitor(
        overloaded{
            [&](const ast::Header& h) { define(SymbolKind::flow, h.name, h); },
            [](const ast::Include&) {},
            [&](const ast::FieldsBlock& b) {
                for (const ast::FieldDecl& f : b.fields) define(SymbolKind::field, f.name, f);
            },
            [&](const ast::WordList& w) { define(SymbolKind::word_list, w.name, w); },
            [&](const ast::Let& l) {
                define(SymbolKind::let, l.name, l);
                use_in(l.condition);
            },
            [&](const ast::Start& s) { use(NameSpace::node, s.target); },
            [&](const ast::Step& s) {
                define(SymbolKind::step, s.name, s, s.question);
                use_in(s);
            },
            [&](const ast::Outcome& o) {
                define(SymbolKind::outcome, o.name, o, o.title);
                use_in(o);
            },
            [&](const ast::TestCase& t) {
                define(SymbolKind::test, t.name, t);
                use_in(t);
            },
            [&](const ast::Clock& c) { use(NameSpace::value, c.field); },
            [&](const ast::Hours& h) { define(SymbolKind::hours, h.name, h, h.title); },
            [&](const ast::Crisis& c) {
                define(SymbolKind::crisis, c.name, c, c.title);
                use_in(c);
            },
            [](const ast::Zone&) {},
        },
        declaration);
}

void SymbolIndexer::add_broken(const BrokenName& name) {
    if (!name.symbol) return;
    index_.symbols_.push_back({*name.symbol, name.name, name.name_span, name.declaration, {}, true});
}

std::shared_ptr<const SymbolIndex> SymbolIndexer::finish() {
    std::vector<Symbol>& symbols = index_.symbols_;
    // Reading order decides which of two declarations of a name counts; source order is kept.
    std::vector<std::size_t> order(symbols.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto by_place = [](const Span& s) { return std::tie(s.file, s.begin); };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return by_place(symbols[a].name_span) < by_place(symbols[b].name_span);
    });
    std::vector<std::size_t> placed(symbols.size());
    std::vector<Symbol> sorted;
    sorted.reserve(symbols.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        placed[order[i]] = i;
        sorted.push_back(std::move(symbols[order[i]]));
    }
    for (std::size_t reading = 0; reading < placed.size(); ++reading) {
        const Symbol& s = sorted[placed[reading]];
        if (auto space = name_space(s.kind)) index_.first_[static_cast<std::size_t>(*space)].emplace(s.name, placed[reading]);
    }
    symbols = std::move(sorted);

    for (SymbolReference& r : index_.references_) {
        const auto& names = index_.first_[static_cast<std::size_t>(r.space)];
        if (auto it = names.find(r.name); it != names.end()) r.symbol = it->second;
    }
    std::stable_sort(index_.references_.begin(), index_.references_.end(),
                     [&](const SymbolReference& a, const SymbolReference& b) { return by_place(a.span) < by_place(b.span); });
    return std::make_shared<const SymbolIndex>(std::move(index_));
}

}  // namespace detail

}  // namespace triage
