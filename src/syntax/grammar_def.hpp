// The X3 grammar of the flow language (see grammar/triage.ebnf). Included by grammar.cpp only.
//
// Conventions: every production is a named rule with a declared attribute; rule names are written
// in the policy author's words because they appear in "expected ..." messages; '>' (expectation)
// is used only once a declaration's keyword has committed us, so a mistake is reported where it
// is, not at the start of the declaration.
#pragma once

#include "syntax/ast.hpp"
#include "syntax/ast_adapted.hpp"
#include "syntax/config.hpp"
#include "syntax/grammar.hpp"
#include "syntax/keywords.hpp"

#include <string>
#include <string_view>
#include <type_traits>

namespace triage::syntax::grammar {

using x3::attr;
using x3::char_;
using x3::eol;
using x3::lexeme;
using x3::lit;
using x3::matches;
using x3::raw;

constexpr bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// A keyword or punctuation token. A keyword must not run on into a name ("stepped" is no "step").
// Its own parser type so that "expected" messages can quote it (see get_info below).
struct token_parser : x3::parser<token_parser> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;

    constexpr explicit token_parser(std::string_view t) : text(t) {}
    std::string_view text;

    template <typename It, typename Context, typename RContext, typename Attribute>
    bool parse(It& first, It const& last, Context const& context, RContext&, Attribute&) const {
        x3::skip_over(first, last, context);
        It it = first;
        for (char c : text) {
            if (it == last || *it != c) return false;
            ++it;
        }
        if (is_word_char(text.back()) && it != last && is_word_char(*it)) return false;
        first = it;
        return true;
    }
};
constexpr token_parser kw(std::string_view text) { return token_parser{text}; }

// Records each node's byte span. The rule has already skipped leading blanks when it succeeds.
struct annotate_span {
    template <typename It, typename Context, typename Node>
    void on_success(It const& first, It const& last, Node& node, Context const& context) const {
        if constexpr (std::is_base_of_v<ast::Spanned, Node>) {
            ParseState const& state = x3::get<parse_state_tag>(context).get();
            node.from = static_cast<std::uint32_t>(first - state.source_begin);
            node.to = static_cast<std::uint32_t>(last - state.source_begin);
        }
    }
};

// A struct of one member is not adapted to Fusion: X3 collapses a one-element sequence to its
// element and then cannot tell the struct from its member (X3 issue #463). Its rule's definition
// is into<&Struct::member>(parser) instead: the parser reads the member's value, which is moved
// into the rule's struct. No semantic action, so on_success still sees the struct (annotate_span).
template <auto Member>
struct member_of;
template <typename Node, typename Value, Value Node::*Member>
struct member_of<Member> {
    using node_type = Node;
};

template <typename Subject, auto Member>
struct into_member_parser : x3::unary_parser<Subject, into_member_parser<Subject, Member>> {
    using base_type = x3::unary_parser<Subject, into_member_parser<Subject, Member>>;
    using attribute_type = typename member_of<Member>::node_type;
    static bool const has_attribute = true;

    constexpr explicit into_member_parser(Subject const& value_parser) : base_type(value_parser) {}

    template <typename It, typename Context, typename RContext>
    bool parse(It& first, It const& last, Context const& context, RContext& rcontext, attribute_type& node) const {
        typename x3::traits::attribute_of<Subject, Context>::type read{};
        if (!this->subject.parse(first, last, context, rcontext, read)) return false;
        if constexpr (x3::traits::is_optional<decltype(read)>::value) {
            if (read) node.*Member = std::move(*read);  // boost::optional into std::optional
        } else {
            node.*Member = std::move(read);
        }
        return true;
    }
};

template <auto Member>
struct into_member {
    template <typename Subject>
    constexpr auto operator()(Subject const& parser) const {
        return into_member_parser<Subject, Member>{parser};
    }
};
template <auto Member>
inline constexpr into_member<Member> into{};

// Numbers as policy authors write them: -0.8, 10000. No exponents, no nan/inf, no "5." or ".5".
struct number_policies : x3::real_policies<double> {
    static bool const allow_leading_dot = false;
    static bool const allow_trailing_dot = false;
    template <typename It>
    static bool parse_exp(It&, It const&) { return false; }
    template <typename It, typename Attribute>
    static bool parse_nan(It&, It const&, Attribute&) { return false; }
    template <typename It, typename Attribute>
    static bool parse_inf(It&, It const&, Attribute&) { return false; }
};

struct reserved_words_table : x3::symbols<x3::unused_type> {
    reserved_words_table() {
        for (std::string_view w : reserved_words) add(w);
    }
};
struct compare_op_table : x3::symbols<ast::CompareOp> {
    compare_op_table() {
        add("<", ast::CompareOp::lt)("<=", ast::CompareOp::le)(">", ast::CompareOp::gt)(
            ">=", ast::CompareOp::ge)("==", ast::CompareOp::eq)("!=", ast::CompareOp::ne);
    }
};
struct quantifier_table : x3::symbols<ast::Quantifier> {
    quantifier_table() { add("any", ast::Quantifier::any)("all", ast::Quantifier::all); }
};
struct channel_table : x3::symbols<ast::Channel> {
    channel_table() {
        add("publicly", ast::Channel::publicly)("privately", ast::Channel::privately);
    }
};
struct priority_table : x3::symbols<ast::PriorityLevel> {
    priority_table() {
        add("low", ast::PriorityLevel::low)("normal", ast::PriorityLevel::normal)(
            "high", ast::PriorityLevel::high)("urgent", ast::PriorityLevel::urgent);
    }
};
struct window_kind_table : x3::symbols<ast::WindowKind> {
    window_kind_table() {
        add("count", ast::WindowKind::count)("rate", ast::WindowKind::rate)("spike", ast::WindowKind::spike);
    }
};
struct boolean_table : x3::symbols<bool> {
    boolean_table() { add("true", true)("false", false); }
};
struct duration_unit_table : x3::symbols<char> {
    duration_unit_table() { add("s", 's')("m", 'm')("h", 'h')("d", 'd')("w", 'w'); }
};
struct escape_table : x3::symbols<char> {
    escape_table() { add("\"", '"')("\\", '\\')("n", '\n')("t", '\t'); }
};

const reserved_words_table reserved_words;
const compare_op_table compare_ops;
const boolean_table boolean_words;
const quantifier_table quantifiers;
const channel_table channels;
const priority_table priorities;
const duration_unit_table duration_units;
const window_kind_table window_kinds;
const escape_table escapes;

// ---- rules ---------------------------------------------------------------------------------

// clang-format off
struct name_class : annotate_span {};
struct list_name_class : annotate_span {};
struct field_name_class : annotate_span {};
struct text_class : annotate_span {};
struct team_class : annotate_span {};
struct number_class : annotate_span {};
struct version_class : annotate_span {};
struct boolean_class : annotate_span {};
struct duration_class : annotate_span {};
struct regex_class : annotate_span {};
struct value_class : annotate_span {};
struct operand_class : annotate_span {};
struct expression_class : annotate_span {};
struct disjunction_class : annotate_span {};
struct conjunction_class : annotate_span {};
struct unary_class : annotate_span {};
struct negation_class : annotate_span {};
struct predicate_class : annotate_span {};
struct exists_class : annotate_span {};
struct has_class : annotate_span {};
struct contains_class : annotate_span {};
struct contains_any_class : annotate_span {};
struct matches_class : annotate_span {};
struct is_class : annotate_span {};
struct in_class : annotate_span {};
struct comparison_class : annotate_span {};
struct header_class : annotate_span {};
struct include_class : annotate_span {};
struct start_class : annotate_span {};
struct field_type_class : annotate_span {};
struct one_of_class : annotate_span {};
struct field_decl_class : annotate_span {};
struct fields_block_class : annotate_span {};
struct word_file_class : annotate_span {};
struct word_source_class : annotate_span {};
struct word_list_class : annotate_span {};
struct let_class : annotate_span {};
struct branch_class : annotate_span {};
struct else_branch_class : annotate_span {};
struct step_class : annotate_span {};
struct respond_class : annotate_span {};
struct do_not_respond_class : annotate_span {};
struct monitor_class : annotate_span {};
struct escalate_class : annotate_span {};
struct tag_class : annotate_span {};
struct flag_class : annotate_span {};
struct notify_class : annotate_span {};
struct assign_class : annotate_span {};
struct priority_class : annotate_span {};
struct follow_up_class : annotate_span {};
struct note_class : annotate_span {};
struct action_class : annotate_span {};
struct action_stmt_class : annotate_span {};
struct outcome_class : annotate_span {};
struct assignment_class : annotate_span {};
struct expectation_class : annotate_span {};
struct test_case_class : annotate_span {};
struct else_keyword_class : annotate_span {};
struct window_test_class : annotate_span {};
struct repeat_class : annotate_span {};
struct threshold_class : annotate_span {};
struct within_hours_class : annotate_span {};
struct in_crisis_class : annotate_span {};
struct deadline_class : annotate_span {};
struct clock_class : annotate_span {};
struct local_time_class : annotate_span {};
struct time_range_class : annotate_span {};
struct day_range_class : annotate_span {};
struct opening_class : annotate_span {};
struct date_class : annotate_span {};
struct zone_class : annotate_span {};
struct field_zone_class : annotate_span {};
struct holidays_class : annotate_span {};
struct hours_item_class : annotate_span {};
struct hours_class : annotate_span {};
struct route_class : annotate_span {};
struct crisis_when_class : annotate_span {};
struct crisis_leave_class : annotate_span {};
struct crisis_minimum_class : annotate_span {};
struct crisis_item_class : annotate_span {};
struct crisis_class : annotate_span {};
struct fields_keyword_class : annotate_span {};
struct tag_keyword_class : annotate_span {};
// clang-format on

const x3::rule<name_class, ast::Name> name = "a name";
const x3::rule<list_name_class, ast::Name> list_name = "the name of a word list";
const x3::rule<field_name_class, ast::Name> field_name = "a field name";
const x3::rule<text_class, ast::Text> text = text_name;
const x3::rule<team_class, ast::Name> team = "a team name or a quoted string";
const x3::rule<number_class, ast::Number> number = "a number";
const x3::rule<version_class, ast::Number> version = "a version number";
const x3::rule<boolean_class, ast::Boolean> boolean = "'true' or 'false'";
const x3::rule<duration_class, ast::Duration> duration = "a duration such as 30m, 4h, 2d or 1w";
const x3::rule<regex_class, ast::Regex> regex = "a regular expression such as /refund/i";
const x3::rule<value_class, ast::Value> value = "a value";
const x3::rule<operand_class, ast::Operand> operand = "a number or a field name";
// Lists are rules of their own so that "expected ..." names them in words.
const x3::rule<struct value_list_class, std::vector<ast::Value>> value_list = "a value";
const x3::rule<struct enum_values_class, std::vector<ast::Name>> enum_values = "the values, separated by commas";
const x3::rule<struct labels_class, std::vector<ast::Name>> labels = "a label (a name or a quoted string)";
const x3::rule<expression_class, ast::Expr> expression = "a condition";
const x3::rule<disjunction_class, ast::Disjunction> disjunction = "a condition";
const x3::rule<conjunction_class, ast::Conjunction> conjunction = "a condition";
const x3::rule<unary_class, ast::Expr> unary = "a condition";
const x3::rule<negation_class, ast::Negation> negation = "'not' and a condition";
const x3::rule<predicate_class, ast::Expr> predicate = "a condition";
const x3::rule<exists_class, ast::ExistsTest> exists_test = "'exists' and a field name";
const x3::rule<has_class, ast::HasTest> has_test = "'has any' or 'has all'";
const x3::rule<contains_class, ast::ContainsTest> contains_test = "'contains'";
const x3::rule<contains_any_class, ast::HasTest> contains_any_test = "'contains any'";
const x3::rule<matches_class, ast::MatchesTest> matches_test = "'matches'";
const x3::rule<is_class, ast::IsTest> is_test = "'is'";
const x3::rule<in_class, ast::InTest> in_test = "'in'";
const x3::rule<comparison_class, ast::Comparison> comparison = "a comparison";
const x3::rule<window_test_class, ast::WindowTest> window_test = "a window: count(...), rate(...) or spike(...)";
const x3::rule<threshold_class, ast::Threshold> threshold = "a number (a factor such as 3x for spike)";
const x3::rule<struct rate_unit_class, char> rate_unit = "a unit: s, m, h, d or w";
const x3::rule<within_hours_class, ast::WithinHours> within_hours = "'within hours' and the name of business hours";
const x3::rule<in_crisis_class, ast::InCrisis> in_crisis = "'in crisis' and the name of a crisis";
const x3::rule<deadline_class, ast::Deadline> deadline = "a duration such as 30m, 4h, 2d or 1w";
const x3::rule<clock_class, ast::Clock> clock = "a clock";
const x3::rule<local_time_class, ast::LocalTime> local_time = "a time of day such as 09:00";
const x3::rule<time_range_class, ast::TimeRange> time_range = time_ranges_name;
const x3::rule<day_range_class, ast::DayRange> day_range = "days such as mon-fri";
const x3::rule<opening_class, ast::Opening> opening = "days and opening times such as mon-fri 09:00-18:00";
const x3::rule<date_class, ast::Date> date = dates_name;
const x3::rule<zone_class, ast::Zone> zone = "zone \"Area/City\"";
const x3::rule<holidays_class, ast::Holidays> holidays = "holidays";
const x3::rule<hours_item_class, ast::HoursItem> hours_item = "'zone', 'holidays' or opening times";
const x3::rule<hours_class, ast::Hours> hours = "business hours";
const x3::rule<struct hours_close_class> hours_close = "'zone', 'holidays', days and opening times, or '}'";
const x3::rule<route_class, ast::Route> route = "a route";
const x3::rule<crisis_when_class, ast::CrisisWhen> crisis_when = "'when' and a condition";
const x3::rule<crisis_leave_class, ast::CrisisLeave> crisis_leave = "'leave when' and a condition";
const x3::rule<crisis_minimum_class, ast::CrisisMinimum> crisis_minimum = "'minimum' and a duration";
const x3::rule<crisis_item_class, ast::CrisisItem> crisis_item = "'when', 'leave when', 'minimum' or 'route'";
const x3::rule<crisis_class, ast::Crisis> crisis = "a crisis";
const x3::rule<struct crisis_close_class> crisis_close = "'when', 'leave when', 'minimum', 'route' or '}'";
const x3::rule<repeat_class, ast::Repeat> repeat = "how many times, e.g. '12 times'";
const x3::rule<struct during_class, std::vector<ast::Name>> during_crisis = "'during crisis' and crisis names";
const x3::rule<header_class, ast::Header> header = "a flow header";
const x3::rule<include_class, ast::Include> include = "an include";
const x3::rule<start_class, ast::Start> start = "a start";
const x3::rule<field_type_class, ast::FieldType> field_type =
    "a field type (text, number, integer, bool, time or one of ...)";
const x3::rule<one_of_class, ast::Name> one_of = "'one of'";
const x3::rule<field_decl_class, ast::FieldDecl> field_decl = "a field declaration";
// `zone` after a time type; not an expectation, so that a next field named `zone` still parses.
const x3::rule<field_zone_class, ast::Zone> field_zone = "zone \"Area/City\"";
const x3::rule<fields_block_class, ast::FieldsBlock> fields_block = "a fields block";
const x3::rule<word_file_class, ast::WordFile> word_file = "file \"...\"";
const x3::rule<struct phrases_class, std::vector<ast::Text>> phrases = "quoted phrases separated by commas";
const x3::rule<word_source_class, ast::WordSource> word_source = word_source_name;
const x3::rule<word_list_class, ast::WordList> word_list = "a word list";
const x3::rule<let_class, ast::Let> let = "a condition definition";
const x3::rule<branch_class, ast::Branch> branch = "a branch";
const x3::rule<else_branch_class, ast::ElseBranch> else_branch = "an else branch";
const x3::rule<step_class, ast::Step> step = "a step";
const x3::rule<respond_class, ast::Respond> respond = "respond";
const x3::rule<do_not_respond_class, ast::DoNotRespond> do_not_respond = "do not respond";
const x3::rule<monitor_class, ast::Monitor> monitor = "monitor";
const x3::rule<escalate_class, ast::Escalate> escalate = "escalate";
const x3::rule<tag_class, ast::Tag> tag = "tag";
const x3::rule<flag_class, ast::Flag> flag = "flag";
const x3::rule<notify_class, ast::Notify> notify = "notify";
const x3::rule<assign_class, ast::Assign> assign = "assign";
const x3::rule<priority_class, ast::Priority> priority = "priority";
const x3::rule<follow_up_class, ast::FollowUp> follow_up = "follow up";
const x3::rule<note_class, ast::Note> note = "note";
const x3::rule<action_class, ast::Action> action = "an action";
const x3::rule<action_stmt_class, ast::ActionStmt> action_stmt = "an action";
const x3::rule<outcome_class, ast::Outcome> outcome = "an outcome";
const x3::rule<assignment_class, ast::Assignment> assignment = "a field and its value (field: value)";
const x3::rule<expectation_class, ast::Expectation> expectation = "an expectation";
const x3::rule<struct expectation_body_class, ast::Expectation> expectation_body =
    "what to expect: an outcome, 'no outcome', 'path', 'tag', 'escalate to' or 'priority'";
const x3::rule<test_case_class, ast::TestCase> test_case = "a test";
const x3::rule<struct given_close_class> given_close = "a field and its value, or '}'";
const x3::rule<struct test_close_class> test_close = "'expect' or '}'";
const x3::rule<struct names_class, std::vector<ast::Name>> names = "names separated by commas";
const x3::rule<struct level_name_class, ast::Name> level_name = "a priority (low, normal, high or urgent)";
// Lists and tables after an expectation point get rules of their own: X3 names an unnamed
// parser by its C++ type, which would reach the author as "expected N5boost6spirit...".
const x3::rule<struct levels_class, std::vector<ast::Name>> levels = "priorities (low, normal, high or urgent)";
const x3::rule<struct teams_class, std::vector<ast::Name>> teams = "a team name or a quoted string";
const x3::rule<struct time_ranges_class, std::vector<ast::TimeRange>> time_ranges = time_ranges_name;
const x3::rule<struct dates_class, std::vector<ast::Date>> dates = dates_name;
const x3::rule<struct comparison_operator_class, ast::CompareOp> comparison_operator =
    "a comparison: <, <=, >, >=, == or !=";

// Unnamed-in-the-tree helpers whose names still appear in messages.
const x3::rule<struct arrow_class> arrow = arrow_name;
// Keywords kept in the tree as Names, for their spans (rules, so that on_success records them).
const x3::rule<else_keyword_class, ast::Name> else_keyword = "'else'";
const x3::rule<fields_keyword_class, ast::Name> fields_keyword = "'fields'";
const x3::rule<tag_keyword_class, ast::Name> tag_keyword = "'tag'";
const x3::rule<struct closing_quote_class> closing_quote = closing_quote_name;
const x3::rule<struct closing_slash_class> closing_slash = closing_slash_name;
const x3::rule<struct escape_class, char> escape = "an escape sequence (\\\" \\\\ \\n or \\t)";
const x3::rule<struct step_close_class> step_close = step_close_name;
const x3::rule<struct outcome_close_class> outcome_close = outcome_close_name;
const x3::rule<struct fields_close_class> fields_close = fields_close_name;
const x3::rule<struct channel_class, ast::Channel> channel = "'publicly' or 'privately'";
const x3::rule<struct quantifier_class, ast::Quantifier> quantifier = "'any' or 'all'";
const x3::rule<struct level_class, ast::PriorityLevel> priority_level =
    "a priority (low, normal, high or urgent)";
const x3::rule<struct open_brace_class> open_brace = "'{'";
const x3::rule<struct close_bracket_class> close_bracket = "',' or ']'";
const x3::rule<struct close_paren_class> close_paren = "')'";

const auto word_char = char_("a-zA-Z0-9_");
const auto identifier_chars = !(reserved_words >> !word_char) >> char_("a-zA-Z_") >> *word_char;
const auto quoted_chars =
    '"' >> *(('\\' > escape) | (char_ - '"' - '\\' - eol)) > closing_quote;

const auto name_def = lexeme[identifier_chars];
const auto list_name_def = name_def;
const auto field_name_def = lexeme[identifier_chars >> *(char_('.') >> identifier_chars)];
const auto text_def = lexeme[quoted_chars];
const auto team_def = lexeme[quoted_chars | identifier_chars];
const auto escape_def = escapes;
const auto else_keyword_def = raw[kw("else")];
const auto fields_keyword_def = raw[kw("fields")];
const auto tag_keyword_def = raw[kw("tag")];
const auto closing_quote_def = lit('"');
const auto closing_slash_def = lit('/');
const auto arrow_def = lit("->");
const auto step_close_def = lit('}');
const auto outcome_close_def = lit('}');
const auto fields_close_def = lit('}');
const auto open_brace_def = lit('{');
const auto close_bracket_def = lit(']');
const auto close_paren_def = lit(')');
const auto channel_def = channels;
const auto quantifier_def = quantifiers;
const auto priority_level_def = priorities;

const auto number_def =
    into<&ast::Number::value>(lexeme[x3::real_parser<double, number_policies>{} >> !char_("a-zA-Z_.")]);
const auto version_def = number;
const auto boolean_def = into<&ast::Boolean::value>(lexeme[boolean_words >> !char_("a-zA-Z0-9_")]);
const auto duration_def = lexeme[x3::ulong_long >> duration_units >> !word_char];
const auto regex_def =
    lexeme[('/' >> *((char_('\\') >> (char_ - eol)) | (char_ - '/' - '\\' - eol)) > closing_slash) >>
           *char_("a-zA-Z")];

const auto value_def = number | text | boolean | name;
const auto value_list_def = value % ',';
const auto enum_values_def = name % ',';
const auto labels_def = team % ',';
const auto operand_def = number | field_name;

const auto expression_def = disjunction;
const auto disjunction_def = conjunction >> *(kw("or") > conjunction);
const auto conjunction_def = unary >> *(kw("and") > unary);
const auto unary_def = negation | predicate;
const auto negation_def = into<&ast::Negation::operand>(kw("not") > unary);
const auto predicate_def = ('(' > expression > close_paren) | boolean | exists_test | window_test |
                           within_hours | in_crisis | has_test | contains_any_test | contains_test | matches_test | is_test |
                           in_test | comparison | field_name;
const auto exists_test_def = into<&ast::ExistsTest::field>(kw("exists") > field_name);
const auto has_test_def = field_name >> kw("has") >> attr(false) > quantifier > list_name;
const auto contains_any_test_def =
    field_name >> kw("contains") >> kw("any") >> attr(true) >> attr(ast::Quantifier::any) > list_name;
const auto contains_test_def = field_name >> kw("contains") > text;
const auto matches_test_def = field_name >> kw("matches") > regex;
const auto is_test_def = field_name >> kw("is") > matches[kw("not")] > value;
const auto in_test_def =
    field_name >> matches[kw("not")] >> kw("in") > '[' > value_list > close_bracket;
const auto comparison_def = field_name >> compare_ops > operand;
const auto window_test_def = window_kinds >> '(' > expression > close_paren > kw("over") > duration >
                             -(kw("vs") > duration) > -(kw("by") > field_name) > comparison_operator > threshold >
                             -(kw("per") > rate_unit);
const auto threshold_def =
    lexeme[x3::real_parser<double, number_policies>{} >> matches[lit('x')] >> !char_("a-zA-Z_.")];
const auto rate_unit_def = lexeme[duration_units >> !word_char];
const auto within_hours_def = raw[kw("within") >> kw("hours")] > name;
const auto in_crisis_def = raw[kw("in") >> kw("crisis")] > name;
const auto deadline_def = duration >> -(kw("during") > name);

const auto two_digits = x3::uint_parser<unsigned, 10, 2, 2>{};
const auto clock_def = kw("clock") > field_name > -(kw("tolerance") > duration);
const auto local_time_def = lexeme[x3::uint_parser<unsigned, 10, 1, 2>{} >> ':' >> two_digits >> !word_char];
const auto time_range_def = local_time >> '-' > local_time;
const auto day_range_def = name >> -('-' > name);
const auto opening_def = (day_range % ',') > time_ranges;
const auto time_ranges_def = time_range % ',';
const auto date_def =
    lexeme[x3::uint_parser<unsigned, 10, 4, 4>{} >> '-' >> two_digits >> '-' >> two_digits >> !word_char];
const auto zone_def = raw[kw("zone")] > text;
const auto field_zone_def = raw[kw("zone")] >> text;
const auto holidays_def = raw[kw("holidays")] > dates;
const auto dates_def = date % ',';
const auto hours_item_def = zone | holidays | opening;
const auto hours_close_def = lit('}');
const auto hours_def = kw("hours") > name > text > open_brace > *hours_item > hours_close;
const auto route_def = kw("route") > name > arrow > name;
const auto crisis_when_def = raw[kw("when")] > expression;
const auto crisis_leave_def = raw[kw("leave") >> kw("when")] > expression;
const auto crisis_minimum_def = raw[kw("minimum")] > duration;
const auto crisis_item_def = crisis_when | crisis_leave | crisis_minimum | route;
const auto crisis_close_def = lit('}');
const auto crisis_def = kw("crisis") > name > text > -(kw("by") > field_name) > open_brace > *crisis_item > crisis_close;

const auto header_def = kw("flow") > text > kw("version") > version;
const auto include_def = into<&ast::Include::path>(kw("include") > text);
const auto start_def = into<&ast::Start::target>(kw("start") > name);
const auto one_of_def = raw[kw("one") >> kw("of")];
const auto field_type_def =
    (one_of > enum_values > attr(std::optional<ast::Text>{}) > attr(std::optional<ast::Zone>{})) |
    (name >> attr(std::vector<ast::Name>{}) >> -text >> -field_zone);
const auto field_decl_def = field_name > ':' > field_type;
const auto fields_block_def = fields_keyword > open_brace > *field_decl > fields_close;
const auto word_file_def = into<&ast::WordFile::path>(kw("file") > text);
const auto word_source_def = word_file | phrases;
// After a comma another phrase must come: `"lawyer", legal action` is an error at `legal`.
const auto phrases_def = text > *(',' > text);
const auto word_list_def = kw("words") > name > '=' > word_source;
const auto let_def = kw("let") > name > '=' > expression;
const auto branch_def = kw("if") > expression > arrow > name;
const auto else_branch_def = else_keyword > arrow > name;
const auto step_def =
    kw("step") > name > text > open_brace > *branch > -else_branch > step_close;

const auto respond_def =
    kw("respond") > channel > -(kw("within") > deadline) > -(kw("using") > text);
const auto do_not_respond_def =
    into<&ast::DoNotRespond::reason>(kw("do") > kw("not") > kw("respond") > kw("because") > text);
const auto monitor_def = into<&ast::Monitor::period>(kw("monitor") > -(kw("for") > duration));
const auto escalate_def = kw("escalate") > kw("to") > team > -(kw("within") > deadline);
const auto tag_def = tag_keyword > labels;
const auto flag_def = into<&ast::Flag::team>(kw("flag") > kw("for") > team);
const auto notify_def = into<&ast::Notify::team>(kw("notify") > team);
const auto assign_def = into<&ast::Assign::team>(kw("assign") > kw("to") > team);
const auto priority_def = into<&ast::Priority::level>(kw("priority") > priority_level);
const auto follow_up_def = into<&ast::FollowUp::after>(kw("follow") > kw("up") > kw("after") > deadline);
const auto note_def = into<&ast::Note::text>(kw("note") > text);
const auto action_def = respond | do_not_respond | monitor | escalate | tag | flag | notify |
                        assign | priority | follow_up | note;
const auto action_stmt_def = action >> -(kw("if") > expression);
const auto outcome_def = kw("outcome") > name > text > open_brace > *action_stmt > outcome_close;

const auto given_close_def = lit('}');
const auto test_close_def = lit('}');
const auto names_def = name % ',';
const auto teams_def = team % ',';
const auto levels_def = level_name % ',';
const auto comparison_operator_def = compare_ops;
const auto level_name_def = raw[priorities];
const auto assignment_def = field_name > ':' > value;
const auto expectation_body_def =
    (kw("path") >> attr(ast::ExpectKind::path) > names) |
    (kw("tag") >> attr(ast::ExpectKind::tag) > labels) |
    (kw("escalate") >> kw("to") >> attr(ast::ExpectKind::escalate) > teams) |
    (kw("priority") >> attr(ast::ExpectKind::priority) > levels) |
    (kw("no") >> kw("outcome") >> attr(ast::ExpectKind::no_outcome) >> attr(std::vector<ast::Name>{})) |
    (attr(ast::ExpectKind::outcome) >> (name % ','));
const auto expectation_def = kw("expect") > expectation_body;
const auto repeat_def = lexeme[x3::uint_ >> !word_char] >> raw[kw("times")];
const auto test_case_def = kw("test") > text > open_brace > kw("given") > -repeat > open_brace >
                           *(assignment >> -lit(',')) > given_close > during_crisis > *expectation > test_close;
const auto during_crisis_def = (kw("during") > kw("crisis") > names) | attr(std::vector<ast::Name>{});

BOOST_SPIRIT_DEFINE(else_keyword, fields_keyword, tag_keyword)
BOOST_SPIRIT_DEFINE(name, list_name, field_name, text, team, escape, closing_quote, closing_slash, arrow,
                    step_close, outcome_close, fields_close, open_brace, close_bracket,
                    close_paren, channel, quantifier, priority_level, number, version, boolean,
                    duration, regex)
BOOST_SPIRIT_DEFINE(value_list, enum_values, labels)
BOOST_SPIRIT_DEFINE(value, operand, expression, disjunction, conjunction, unary, negation,
                    predicate, exists_test, has_test, contains_any_test, contains_test, matches_test, is_test,
                    in_test, comparison)
BOOST_SPIRIT_DEFINE(header, include, start, one_of, field_type, field_zone, field_decl, fields_block,
                    word_file, phrases, word_source, word_list, let, branch, else_branch, step)
BOOST_SPIRIT_DEFINE(given_close, test_close, names, level_name, levels, teams, time_ranges, dates, comparison_operator, assignment, expectation_body, expectation,
                    test_case, during_crisis, repeat)
BOOST_SPIRIT_DEFINE(window_test, threshold, rate_unit, within_hours, in_crisis, deadline)
BOOST_SPIRIT_DEFINE(clock, local_time, time_range, day_range, opening, date, zone, holidays, hours_item,
                    hours_close, hours, route, crisis_when, crisis_leave, crisis_minimum, crisis_item,
                    crisis_close, crisis)
BOOST_SPIRIT_DEFINE(respond, do_not_respond, monitor, escalate, tag, flag, notify, assign,
                    priority, follow_up, note, action, action_stmt, outcome)

}  // namespace triage::syntax::grammar

namespace boost::spirit::x3 {
template <>
struct get_info<triage::syntax::grammar::token_parser> {
    using result_type = std::string;
    std::string operator()(triage::syntax::grammar::token_parser const& p) const {
        return "'" + std::string(p.text) + "'";
    }
};
}  // namespace boost::spirit::x3

namespace triage::syntax {

// The entry rule lives in this namespace: BOOST_SPIRIT_DECLARE in grammar.hpp declared its
// parse_rule here, and grammar.cpp instantiates it here.
const declaration_type declaration_rule = "a declaration";
const auto declaration_rule_def = grammar::header | grammar::include | grammar::fields_block |
                                  grammar::word_list | grammar::let | grammar::start |
                                  grammar::step | grammar::outcome | grammar::test_case |
                                  grammar::clock | grammar::hours | grammar::crisis | grammar::zone;
BOOST_SPIRIT_DEFINE(declaration_rule)

declaration_type const& declaration() { return declaration_rule; }

}  // namespace triage::syntax
