// The syntax tree of a .flow file, as the X3 grammar produces it.
// Every node that a diagnostic can point at carries its byte span in the file.
#pragma once

#include <boost/spirit/home/x3/support/ast/variant.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace triage::syntax::ast {

namespace x3 = boost::spirit::x3;

// Byte offsets [from, to) into the source text. Named from/to, not begin/end, so that nodes that
// are also strings (Name, Text) keep std::string's begin()/end().
struct Spanned {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
};

// An identifier, or a dotted field name such as author.followers.
struct Name : std::string, Spanned {
    using std::string::string;
    Name() = default;
};
// A string literal with its escapes decoded (the span includes the quotes).
struct Text : std::string, Spanned {
    using std::string::string;
    Text() = default;
};

struct Number : Spanned {
    double value = 0;
};
struct Boolean : Spanned {
    bool value = false;
};
struct Duration : Spanned {
    std::uint64_t amount = 0;
    char unit = 's';
};
struct Regex : Spanned {
    std::string pattern;
    std::string flags;
};

enum class CompareOp : std::uint8_t { lt, le, gt, ge, eq, ne };
enum class Quantifier : std::uint8_t { any, all };
enum class Channel : std::uint8_t { publicly, privately };
enum class PriorityLevel : std::uint8_t { low, normal, high, urgent };

struct Value : x3::variant<Number, Text, Boolean, Name> {
    using base_type::base_type;
    using base_type::operator=;
};
struct Operand : x3::variant<Number, Name> {
    using base_type::base_type;
    using base_type::operator=;
};

struct Disjunction;
struct Conjunction;
struct Negation;
struct ExistsTest;
struct HasTest;
struct ContainsTest;
struct MatchesTest;
struct IsTest;
struct InTest;
struct Comparison;
struct WindowTest;
struct WithinHours;
struct InCrisis;

// One condition. A bare Name is a bool field or a `let`.
struct Expr : x3::variant<Boolean, Name, x3::forward_ast<ExistsTest>, x3::forward_ast<HasTest>,
                          x3::forward_ast<ContainsTest>, x3::forward_ast<MatchesTest>,
                          x3::forward_ast<IsTest>, x3::forward_ast<InTest>,
                          x3::forward_ast<Comparison>, x3::forward_ast<WindowTest>,
                          x3::forward_ast<WithinHours>, x3::forward_ast<InCrisis>, x3::forward_ast<Negation>,
                          x3::forward_ast<Conjunction>, x3::forward_ast<Disjunction>> {
    using base_type::base_type;
    using base_type::operator=;
};

struct Disjunction : Spanned {  // a or b or c
    Expr first;
    std::vector<Expr> rest;
};
struct Conjunction : Spanned {  // a and b and c
    Expr first;
    std::vector<Expr> rest;
};
struct Negation : Spanned {
    Expr operand;
};
struct ExistsTest : Spanned {
    Name field;
};
struct HasTest : Spanned {  // `FIELD has any|all LIST`, or `FIELD contains any LIST`
    Name field;
    bool substring = false;  // `contains any`: a phrase counts anywhere, even inside a word
    Quantifier quantifier = Quantifier::any;
    Name list;
};
struct ContainsTest : Spanned {
    Name field;
    Text phrase;
};
struct MatchesTest : Spanned {
    Name field;
    Regex regex;
};
struct IsTest : Spanned {
    Name field;
    bool negated = false;
    Value value;
};
struct InTest : Spanned {
    Name field;
    bool negated = false;
    std::vector<Value> values;
};
struct Comparison : Spanned {
    Name field;
    CompareOp op = CompareOp::eq;
    Operand rhs;
};

// count(COND) over 1h [by field] > 50 · rate(COND) over 15m > 3 per m ·
// spike(COND) over 1h vs 12h > 3x
enum class WindowKind : std::uint8_t { count, rate, spike };
struct Threshold : Spanned {
    double value = 0;
    bool times = false;  // written as a factor: 3x
};
struct WindowTest : Spanned {
    WindowKind kind = WindowKind::count;
    Expr condition;
    Duration length;
    std::optional<Duration> baseline;  // spike: vs
    std::optional<Name> group;         // by
    CompareOp op = CompareOp::gt;
    Threshold threshold;
    std::optional<char> per;           // rate: the unit of the threshold
};
struct WithinHours : Spanned {  // within hours care_desk
    Name keyword;
    Name hours;
};
struct InCrisis : Spanned {  // in crisis outage
    Name keyword;
    Name crisis;
};

// ---- declarations -------------------------------------------------------------------------

struct Header : Spanned {
    Text name;
    Number version;
};
struct Include : Spanned {
    Text path;
};
struct Start : Spanned {
    Name target;
};

struct Zone : Spanned {  // zone "America/New_York": of business hours, a time field or the flow
    Name keyword;
    Text name;
};
struct FieldType : Spanned {
    Name keyword;  // "text", "number", ..., or "one of" for an enumeration
    std::vector<Name> values;
    std::optional<Text> format;  // time "%Y-%m-%d %H:%M:%S"
    std::optional<Zone> zone;    // ... zone "Europe/London"
};
struct FieldDecl : Spanned {
    Name name;
    FieldType type;
};
// Single-member nodes keep their keyword as a first member: X3 mishandles one-element structs.
struct FieldsBlock : Spanned {
    Name keyword;
    std::vector<FieldDecl> fields;
};

struct WordFile : Spanned {
    Text path;
};
struct WordSource : x3::variant<WordFile, std::vector<Text>> {
    using base_type::base_type;
    using base_type::operator=;
};
struct WordList : Spanned {
    Name name;
    WordSource source;
};

struct Let : Spanned {
    Name name;
    Expr condition;
};

struct Branch : Spanned {
    Expr condition;
    Name target;
};
struct ElseBranch : Spanned {
    Name keyword;
    Name target;
};
struct Step : Spanned {
    Name name;
    Text question;
    std::vector<Branch> branches;
    std::optional<ElseBranch> otherwise;
};

// A deadline's length, counted in business time when `during hours` names business hours.
struct Deadline : Spanned {
    Duration length;
    std::optional<Name> during;
};
struct Respond : Spanned {
    Channel channel = Channel::publicly;
    std::optional<Deadline> within;
    std::optional<Text> template_name;
};
struct DoNotRespond : Spanned {
    Text reason;
};
struct Monitor : Spanned {
    std::optional<Duration> period;
};
struct Escalate : Spanned {
    Name team;
    std::optional<Deadline> within;
};
struct Tag : Spanned {
    Name keyword;
    std::vector<Name> labels;
};
struct Flag : Spanned {
    Name team;
};
struct Notify : Spanned {
    Name team;
};
struct Assign : Spanned {
    Name team;
};
struct Priority : Spanned {
    PriorityLevel level = PriorityLevel::normal;
};
struct FollowUp : Spanned {
    Deadline after;
};
struct Note : Spanned {
    Text text;
};
struct Action : x3::variant<Respond, DoNotRespond, Monitor, Escalate, Tag, Flag, Notify, Assign,
                            Priority, FollowUp, Note> {
    using base_type::base_type;
    using base_type::operator=;
};
struct ActionStmt : Spanned {
    Action action;
    std::optional<Expr> condition;
};
struct Outcome : Spanned {
    Name name;
    Text title;
    std::vector<ActionStmt> actions;
};

// ---- tests written in flow files ------------------------------------------------------------

struct Assignment : Spanned {  // `field: value` in a test's `given { }`
    Name field;
    Value value;
};
enum class ExpectKind : std::uint8_t { outcome, no_outcome, path, tag, escalate, priority };
struct Expectation : Spanned {
    ExpectKind kind = ExpectKind::outcome;
    std::vector<Name> names;  // the outcome, the steps of the path, tags, the team, the priority
};
struct Repeat : Spanned {  // `given 12 times { ... }`
    unsigned count = 1;
    Name keyword;
};
struct TestCase : Spanned {
    Text name;
    std::optional<Repeat> repeat;
    std::vector<Assignment> given;
    std::vector<Name> during;  // `during crisis a, b`: crisis modes active for the test
    std::vector<Expectation> expectations;
};

// ---- time and state: clock, business hours, crisis modes ------------------------------------

struct Clock : Spanned {  // clock posted_at [tolerance 10m]
    Name field;
    std::optional<Duration> tolerance;
};

struct LocalTime : Spanned {  // 09:00, 24:00
    unsigned hour = 0;
    unsigned minute = 0;
};
struct TimeRange : Spanned {
    LocalTime opens;
    LocalTime closes;
};
struct DayRange : Spanned {  // mon, mon-fri
    Name first;
    std::optional<Name> last;
};
struct Opening : Spanned {  // mon-fri 09:00-12:30, 13:30-18:00
    std::vector<DayRange> days;
    std::vector<TimeRange> times;
};
struct Date : Spanned {  // 2026-12-25
    unsigned year = 0;
    unsigned month = 0;
    unsigned day = 0;
};
struct Holidays : Spanned {
    Name keyword;
    std::vector<Date> dates;
};
struct HoursItem : x3::variant<Zone, Holidays, Opening> {
    using base_type::base_type;
    using base_type::operator=;
};
struct Hours : Spanned {  // hours care_desk "Care desk" { zone "Europe/London"  mon-fri 09:00-18:00 }
    Name name;
    Text title;
    std::vector<HoursItem> items;
};

struct Route : Spanned {  // route tone -> crisis_reply
    Name node;
    Name replacement;
};
struct CrisisWhen : Spanned {
    Name keyword;
    Expr condition;
};
struct CrisisLeave : Spanned {
    Name keyword;
    Expr condition;
};
struct CrisisMinimum : Spanned {
    Name keyword;
    Duration length;
};
struct CrisisItem : x3::variant<CrisisWhen, CrisisLeave, CrisisMinimum, Route> {
    using base_type::base_type;
    using base_type::operator=;
};
struct Crisis : Spanned {  // crisis outage "Service outage" [by brand] { ... }
    Name name;
    Text title;
    std::optional<Name> group;  // by: one crisis state per value of this field
    std::vector<CrisisItem> items;
};

struct Declaration : x3::variant<Header, Include, FieldsBlock, WordList, Let, Start, Step, Outcome, TestCase,
                                 Clock, Hours, Crisis, Zone> {
    using base_type::base_type;
    using base_type::operator=;
};

}  // namespace triage::syntax::ast
