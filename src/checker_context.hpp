// The checker, one class over several files by family: checker.cpp (declarations, symbol
// tables, what is never used), check_state.cpp (the clock, time fields and zones, business hours,
// crisis modes, windows), check_conditions.cpp (word lists, expressions, lets),
// check_outcomes.cpp (steps and outcomes) and check_tests.cpp (the flow's tests). Private to them.
#pragma once

#include "checker.hpp"

#include "business_hours.hpp"
#include "compile_work.hpp"
#include "regex_compile.hpp"
#include "suggest.hpp"
#include "time_format.hpp"
#include "window_ring.hpp"
#include "syntax/ast.hpp"
#include "text_util.hpp"
#include "triage/time.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace triage::checking {

namespace ast = syntax::ast;
namespace x3 = boost::spirit::x3;


inline constexpr auto max_duration_seconds = static_cast<std::uint64_t>(longest_duration.count());
inline constexpr unsigned max_test_repeat = 100'000;

inline bool is_numeric(FieldType type) { return type == FieldType::number || type == FieldType::integer; }

// How messages name a type: "one-of" reads better than "one of" inside a sentence.
inline std::string describe(FieldType type) {
    return type == FieldType::enumeration ? "one-of" : std::string(to_string(type));
}

inline std::string with_article(FieldType type) {
    return (type == FieldType::integer ? "an " : "a ") + describe(type);
}

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}


// How suggest() writes its suggestion into the flow, as the diagnostic's fix: in place of `at`
// (the diagnostic's span when none), as a name (quoted when it is not one) or a string literal;
// `none` for a name the flow does not hold (a command-line option).
struct Rewrite {
    enum class As { name, literal, none } as = As::name;
    std::optional<Span> at;
};

struct ValueSymbol {
    enum class Kind { field, let } kind;
    std::uint32_t index;
};


class Checker {
public:
    Checker(const CheckInput& input, std::vector<Diagnostic>& diagnostics)
        : in_(input), diagnostics_(diagnostics), data_(std::make_unique<detail::ResolvedFlow>()) {}

    std::unique_ptr<detail::ResolvedFlow> run();

private:
    // ---- spans and reporting ----------------------------------------------------------------

    Span span(const ast::Spanned& node) const { return {file_, node.from, node.to}; }
    Span span_in(FileId file, const ast::Spanned& node) const { return {file, node.from, node.to}; }
    // The first word at a node's start: a keyword such as `if`, `respond`, `flow`.
    Span keyword_span(const ast::Spanned& node) const;

    Diagnostic& report(Severity severity, Code code, Span where, std::string message);
    Diagnostic& error(Code code, Span where, std::string message);
    Diagnostic& warning(Code code, Span where, std::string message);
    // "did you mean '...'?" with the closest of `candidates`, and the fix that writes it.
    template <typename Range, typename NameOf = ItselfName>
    void suggest(Diagnostic& d, std::string_view name, const Range& candidates, NameOf name_of = {},
                 Rewrite rewrite = {}) {
        if (suggestion_budget_ == 0) return;
        const std::uint64_t before = suggestion_budget_;
        std::optional<std::string> best = closest_name(name, candidates, suggestion_budget_, name_of);
        std::vector<std::string> longer;  // not a typo: perhaps part of a longer name (`sentiment` of `sentiment_label`)
        if (!best) longer = names_with_part(name, candidates, suggestion_budget_, name_of);
        detail::count_compile_work(before - suggestion_budget_);  // cells of edit distance, characters compared
        if (longer.size() == 1) best = longer.front();
        if (longer.size() > 1) d.help = fmt::format("did you mean one of '{}'?", fmt::join(longer, "', '"));
        if (!best) return;
        d.help = fmt::format("did you mean '{}'?", *best);
        if (rewrite.as != Rewrite::As::none)
            replace_with(d, rewrite.at.value_or(d.span), name, *best, rewrite.as == Rewrite::As::literal);
    }
    // What an unknown name was wanted as, for explain_other_kind().
    enum class Wanted { value, field, test_field, word_list, node, hours, crisis };
    // When `name`, unknown as `wanted`, is declared as something else (a word list used as a
    // condition, business hours as a condition, a field as a step), says so in `d`'s help, with
    // the fix when the rewrite is certain (`if desk` is `if within hours desk`); true then.
    bool explain_other_kind(Diagnostic& d, const std::string& name, Wanted wanted);
    // A fix of `d` that writes `replacement` over `at`, where `written` is; as a string literal if
    // `literal` or if it is not a plain name (a one-of value of several words).
    static void replace_with(Diagnostic& d, Span at, std::string_view written, const std::string& replacement,
                             bool literal);

    // ---- pass 1: declarations and symbol tables ---------------------------------------------

    void collect(const ast::Declaration& declaration);

    // A declaration a flow makes once: the header, `start`, `clock`, `zone`. The keyword's span
    // also says which file it is in.
    template <typename Declaration>
    struct Once {
        const Declaration* declaration;
        Span keyword;
    };

    // Keeps the first such declaration; T011 at a second, false then. `what` names it in the
    // message, `first` (else `what`) in the note at the first one.
    template <typename Declaration>
    bool declare_once(std::optional<Once<Declaration>>& kept, const Declaration& declaration,
                      std::string_view what, std::string_view first = {}) {
        Span where = keyword_span(declaration);
        if (kept) {
            error(Code::duplicate_singleton, where, fmt::format("a flow has only one {}", what))
                .notes.push_back({kept->keyword, fmt::format("the first {} is here", first.empty() ? what : first)});
            return false;
        }
        kept = Once<Declaration>{&declaration, where};
        return true;
    }

    // A named declaration's name and where it and its name stand, as the flow keeps them.
    template <typename Item, typename Declaration>
    Item named(const Declaration& declaration) const {
        Item item;
        item.name = declaration.name;
        item.span = span(declaration);
        item.name_span = span(declaration.name);
        return item;
    }

    // ---- clock, business hours, crisis modes --------------------------------------------------

    void resolve_clock();

    // A zone named in the flow: T029 when the tz database has no such zone, T048 (a warning) for a
    // legacy or fixed-offset name. `whose` completes "name the place whose clocks ...".
    std::optional<detail::TimeZone> load_zone(const std::string& name, Span where, std::string_view whose);
    // A zone's file read once per compilation.
    struct ZoneRead {
        std::optional<detail::TimeZone> zone;
        Code code = Code::unknown_time_zone;  // without a zone: what to report, and why
        std::string problem;
        std::string help;
    };
    // The zone `name`: "UTC" needs no file; any other name must be a tz name (checked before any
    // read) and is read from TimeZone::directory() through options.read_file, within
    // limits.file_bytes. The include roots do not apply: the flow names a zone, not a path.
    const ZoneRead& read_zone(const std::string& name);

    // ---- time fields: their formats and zones -------------------------------------------------

    // The span of bytes [offset, offset + length) of a string literal's text, when the literal
    // has no escapes (else the whole literal).
    Span inside_literal(const ast::Text& literal, std::size_t offset, std::size_t length) const;

    // Compiles each time field's format (CompileOptions::time_formats first) and gives it its zone:
    // CompileOptions::time_zone, else the field's own, else the flow's `zone`.
    void resolve_time_formats();

    // Compiles a time field's format and gives it `zone` when it has no offset; T049 or T039 and
    // nothing when it cannot be. `literal` is the format's string in the flow, or null for
    // --time-format (then `where` is the field's name).
    std::optional<detail::TimeFormat> time_format(const std::string& field, const std::string& spec,
                                                  const ast::Text* literal, Span where,
                                                  std::shared_ptr<const detail::TimeZone> zone, bool zone_named);

    // Enters `name` for the next of `defined` (business hours, crises); T010 if it is taken.
    template <typename Item>
    bool define_named(std::unordered_map<std::string, std::uint32_t>& names, const ast::Name& name,
                      const std::vector<Item>& defined, std::string_view what) {
        auto [it, inserted] = names.emplace(name, static_cast<std::uint32_t>(defined.size()));
        if (!inserted)
            error(Code::duplicate_definition, span(name),
                  fmt::format("{} '{}' is already defined", what, std::string(name)))
                .notes.push_back({defined[it->second].name_span,
                                  fmt::format("'{}' was first defined here", std::string(name))});
        return inserted;
    }

    void collect_hours(const ast::Hours& block);
    // Adds the openings of `mon-fri 09:00-18:00` to `openings`; false (after errors) if it is invalid.
    bool add_opening(const ast::Opening& opening, std::vector<Opening>& openings);

    void collect_crisis(const ast::Crisis& block);

    void resolve_crisis(std::uint32_t index);

    // Windows and crisis modes depend on earlier mentions; what they count, and when a crisis
    // starts or ends, must not (that would be circular), and they need a clock.
    void check_state_use();

    // What a Monitor of this flow may hold at most (see window_ring.hpp), against the limit.
    void check_state_size();

    void state_not_allowed(const Condition& use, std::string help);

    // The first leaf of a condition (through lets; a recursive let, already reported, is not
    // followed round) for which `wanted` holds.
    template <typename Wanted>
    const Condition* first_leaf(ConditionId id, const Wanted& wanted, std::vector<char>& visiting) const {
        const Condition& c = data_->conditions[id];
        if (c.kind == ConditionKind::let_ref) {
            const Let& let = data_->lets[c.operand];
            if (let.condition == no_condition || visiting[c.operand]) return nullptr;
            visiting[c.operand] = 1;
            const Condition* found = first_leaf(let.condition, wanted, visiting);
            visiting[c.operand] = 0;
            return found;
        }
        if (wanted(c)) return &c;
        for (ConditionId child : c.children)
            if (const Condition* found = first_leaf(child, wanted, visiting)) return found;
        return nullptr;
    }

    // The first window or `in crisis` inside a condition; windows themselves are allowed when
    // `windows_allowed`.
    const Condition* first_state_use(ConditionId id, bool windows_allowed, std::vector<char>& visiting) const;

    // The first window counted `by` a field, other than `except` (a grouped crisis's own field).
    const Condition* first_grouped_window(ConditionId id, std::vector<char>& visiting,
                                          std::optional<std::uint32_t> except = std::nullopt) const;

    // A name of business hours or of a crisis; T027, with a suggestion, if there is none.
    std::optional<std::uint32_t> named_ref(const std::unordered_map<std::string, std::uint32_t>& index,
                                           const ast::Name& name, std::string_view what, std::string_view declare);
    std::optional<std::uint32_t> hours_ref(const ast::Name& name);
    std::optional<std::uint32_t> crisis_ref(const ast::Name& name);

    ConditionId resolve_within_hours(const ast::WithinHours& test);

    ConditionId resolve_in_crisis(const ast::InCrisis& test);

    ConditionId resolve_window(const ast::WindowTest& test);
    bool window_group(const ast::WindowTest& test, Window& w);

    void collect_header(const ast::Header& header);

    bool define_value(const ast::Name& name, ValueSymbol symbol, std::string_view what);

    void collect_field(const ast::FieldDecl& decl);

    void collect_let(const ast::Let& let);

    void collect_word_list(const ast::WordList& list);

    void read_word_file(const ast::WordFile& file, WordList& words);

    // A word list file, read (through in_.reader) and added to the sources once however many
    // lists name it, and checked to be UTF-8; nothing after reporting why it cannot be read.
    std::optional<FileId> word_file(const std::filesystem::path& path, Span where);

    bool define_node(const ast::Name& name, NodeRef node);

    void collect_step(const ast::Step& step);

    void collect_outcome(const ast::Outcome& outcome);

    // A field cannot be both a value and a group: `author` and `author.followers`.
    void check_field_groups();

    // ---- pass 2: conditions -----------------------------------------------------------------

    ConditionId add(Condition c);
    ConditionId constant(bool value, Span where);
    // What stands for a condition that has an error (reported, or a name a syntax error left
    // undefined): false to the evaluator, never run, and unknown to fold(), so that it makes no
    // branch look always or never taken.
    ConditionId unresolved(Span where);
    // A test whose kind reads only a field and an operand (exists, has any/all, within hours,
    // in crisis: see ConditionKind).
    ConditionId add_test(ConditionKind kind, std::uint32_t field, std::uint32_t operand, Span where);
    // The start of an `is` or `in` test of a field's value: the field, `not`, where; nothing when
    // the name is not a field (reported).
    std::optional<Condition> value_test(const ast::Name& name, bool negated, Span where);


    // A name used where a field is expected (left of an operator, after `exists`).
    std::optional<std::uint32_t> field_ref(const ast::Name& name);

    const Field& field(std::uint32_t index) const { return data_->fields[index]; }

    void mismatch(const ast::Name& name, std::string message, std::string help = {});

    ConditionId resolve(const ast::Expr& expr);

    ConditionId resolve_chain(ConditionKind kind, const ast::Expr& first,
                              const std::vector<ast::Expr>& rest, Span where);

    ConditionId resolve_name(const ast::Name& name);

    ConditionId resolve_exists(const ast::ExistsTest& test);

    bool require_text(const ast::Name& name, std::uint32_t index, std::string_view op);

    ConditionId resolve_has(const ast::HasTest& test);

    ConditionId resolve_contains(const ast::ContainsTest& test);

    ConditionId resolve_matches(const ast::MatchesTest& test);

    // An enumeration value written as a name (or a quoted string); reports T021/T020.
    std::optional<std::uint32_t> enum_value(const Field& f, const ast::Value& value);

    static const ast::Spanned& value_span(const ast::Value& value);

    ConditionId resolve_is(const ast::IsTest& test);

    ConditionId resolve_in(const ast::InTest& test);

    ConditionId resolve_comparison(const ast::Comparison& test);

    enum class LetState { pending, resolving, done };

    void resolve_let(std::uint32_t index);

    void too_deep_let(FileId file, const ast::Name& name);

    // ---- steps and outcomes -----------------------------------------------------------------

    std::optional<NodeRef> node_ref(const ast::Name& name);

    // The value of a condition that does not depend on the mention, if any.
    std::optional<bool> fold(ConditionId id, int depth = 0) const;

    void resolve_step(std::uint32_t index);

    std::optional<Duration> duration(const std::optional<ast::Duration>& d);
    std::optional<Duration> duration(const ast::Duration& d);

    void deadline(const std::optional<ast::Deadline>& d, Action& a);

    // Whether two conditions are the same tree (spans aside), and whether one is `not` the other:
    // then actions under them never apply together.
    bool same_condition(ConditionId a, ConditionId b) const;
    bool excludes(ConditionId a, ConditionId b) const;
    // One action as written, without its condition.
    Action action(const ast::ActionStmt& stmt);
    void resolve_outcome(std::uint32_t index);

    // ---- tests --------------------------------------------------------------------------------

    std::optional<TestValue> test_value(const ast::Assignment& a);

    void resolve_test(const ast::TestCase& test, FileId file);

    // ---- header, start, unused --------------------------------------------------------------

    void resolve_header_and_start();

    void report_unused();

    const CheckInput& in_;
    std::vector<Diagnostic>& diagnostics_;
    std::uint64_t suggestion_budget_ = suggestion_budget;  // cells of edit distance left (suggest.hpp)
    enum class LetFold : std::int8_t { unknown, varies, always, never };
    mutable std::vector<LetFold> let_fold_;  // fold() of each let, once known
    std::unordered_set<ConditionId> unresolved_;
    std::unique_ptr<detail::ResolvedFlow> data_;
    FileId file_ = 0;

    std::optional<Once<ast::Header>> header_;
    std::optional<Once<ast::Start>> start_;
    std::unordered_map<std::string, ValueSymbol> values_;
    std::unordered_map<std::string, std::uint32_t> lists_;
    std::vector<std::uint32_t> field_declared_order_;
    std::vector<std::pair<const ast::Let*, FileId>> lets_;
    std::vector<std::pair<const ast::Step*, FileId>> steps_;
    std::vector<std::pair<const ast::Outcome*, FileId>> outcomes_;
    std::vector<std::pair<const ast::TestCase*, FileId>> tests_;
    std::vector<std::pair<const ast::Crisis*, FileId>> crises_;
    std::optional<Once<ast::Clock>> clock_;
    std::optional<Once<ast::Zone>> flow_zone_;
    struct FieldDeclaration {
        std::uint32_t index;
        const ast::FieldDecl* decl;
        FileId file;
    };
    std::vector<FieldDeclaration> time_decls_;  // every field, for its format and zone
    std::vector<detail::TimeFormat> test_time_formats_;  // parallel to fields: the flow's own formats
    std::optional<Span> first_clock_use_;  // the first window or `within hours`
    // While the `when` and `leave when` of a grouped crisis are resolved: its field and the span
    // of its `by` (windows written there count per group without a `by` of their own).
    std::optional<std::pair<std::uint32_t, Span>> crisis_group_;
    std::unordered_map<std::string, std::uint32_t> hours_index_, crisis_index_, window_index_;
    std::unordered_map<std::string, Span> test_names_;
    std::unordered_map<std::string, std::uint32_t> regex_index_;  // pattern + "/" or "/i" → its index
    std::vector<LetState> let_state_;
    std::unordered_map<std::uint32_t, bool> let_recursive_;
    std::vector<std::uint32_t> let_chain_;    // per let: the longest chain of lets it starts
    std::uint32_t referenced_let_depth_ = 0;  // while resolving a let: the longest chain it names
    std::uint32_t lets_resolving_ = 0;        // lets being resolved, one inside another
    bool let_too_deep_ = false;
    bool too_many_steps_ = false;
    std::vector<bool> field_used_, list_used_, let_used_;
    std::unordered_set<std::string> broken_[BrokenName::kinds];  // by BrokenName::Kind
    std::map<std::filesystem::path, FileId> word_files_;  // by file_identity(): those read
    std::map<std::string, ZoneRead, std::less<>> zones_;   // by name

    bool is_broken(BrokenName::Kind kind, std::string_view name) const;
};

}  // namespace triage::checking
