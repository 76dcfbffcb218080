// Every construct of the language parses and lands in the compiled flow as written.
#include "support.hpp"
#include "flow_data.hpp"
#include "syntax/keywords.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

using namespace triage;
using triage::test::codes;
using triage::test::compile_text;

namespace {

const char* const every_construct = R"(# A flow that uses every construct once.
flow "Every construct" version 7
include "shared.flow"
fields {
  text: text
  sentiment: number
  author.followers: integer
  verified: bool
  posted_at: time
  replied_at: time
  channel: one of twitter, facebook, blog
  score: integer
}
words about_us = "air force", "usaf"
words legal = file "legal.txt"
let troll = verified is false and (sentiment < -0.8 or text has all mocking)
start discovery
step discovery "Has someone discovered a post about us?" {
  if not exists text -> ignore
  if text has any about_us -> assess
  if text contains any about_us -> assess
  else -> ignore
}
step assess "What kind of post is it?" {
  if troll -> monitor_only
  if text has any legal -> legal
  if text contains "refund" and channel is not blog -> refund
  if text matches /order #?[0-9]{6}/i -> refund
  if channel in [twitter, facebook] and author.followers >= 10000 -> vip
  if text is "help" or text in ["sos", "mayday"] -> vip
  if score not in [1, 2, 3] and score != sentiment -> vip
  if replied_at > posted_at or verified -> vip
  if sentiment == 0 or sentiment <= 0.1 or sentiment > 0.9 -> monitor_only
  if true -> ignore
  else -> ignore
}
outcome monitor_only "Monitor only" {
  do not respond because "trolls feed on replies"
  monitor for 2d
  tag troll, "needs review"
  notify "hq"
}
outcome legal "Legal" {
  flag for legal
  escalate to "legal-team" within 30m
  assign to legal_desk
  priority urgent
}
outcome refund "Refund" {
  respond privately within 1h using "refund-template"
  follow up after 1w
  priority high if author.followers > 5000
  note "Be transparent: say who you are."
}
outcome vip "VIP" {
  respond publicly within 15m
  escalate to care if verified
}
outcome ignore "Ignore" { monitor }
)";

const char* const shared = "words mocking = \"lol\", \"joke\"\n";
const char* const legal = "# phrases that mean a legal threat\nlawyer\n\nsue you\n  small claims  \n";

CompileResult compile_every_construct() {
    return compile_text(every_construct, {{"shared.flow", shared}, {"legal.txt", legal}});
}

}  // namespace

TEST_CASE("every construct compiles, the only diagnostics are the planted shadowing warnings") {
    CompileResult result = compile_every_construct();
    INFO(triage::test::all_text(result));
    REQUIRE(result.ok());
    // `if true` shadows the else branch of `assess` (T033); nothing else is reported.
    CHECK(codes(result) == std::vector<std::string>{"T033"});
}

TEST_CASE("header, fields and types") {
    CompileResult result = compile_every_construct();
    REQUIRE(result.ok());
    const Flow& flow = *result.flow;
    CHECK(flow.name() == "Every construct");
    CHECK(flow.version() == 7);
    REQUIRE(flow.fields().size() == 8);
    CHECK(flow.fields()[0].name == "text");
    CHECK(flow.fields()[0].type == FieldType::text);
    CHECK(flow.fields()[1].type == FieldType::number);
    CHECK(flow.fields()[2].name == "author.followers");
    CHECK(flow.fields()[2].type == FieldType::integer);
    CHECK(flow.fields()[3].type == FieldType::boolean);
    CHECK(flow.fields()[4].type == FieldType::time);
    CHECK(flow.fields()[6].type == FieldType::enumeration);
    CHECK(flow.fields()[6].values == std::vector<std::string>{"twitter", "facebook", "blog"});
    CHECK(flow.find_field("author.followers") == 2u);
    CHECK_FALSE(flow.find_field("author"));
}

TEST_CASE("word lists: inline, from a file (comments and blanks skipped), from an include") {
    CompileResult result = compile_every_construct();
    REQUIRE(result.ok());
    auto lists = result.flow->word_lists();
    REQUIRE(lists.size() == 3);
    CHECK(lists[0].name == "mocking");  // the include is read where it stands, before the rest
    CHECK(lists[0].phrases == std::vector<std::string>{"lol", "joke"});
    CHECK(lists[1].name == "about_us");
    CHECK(lists[1].phrases == std::vector<std::string>{"air force", "usaf"});
    CHECK(lists[2].name == "legal");
    CHECK(lists[2].phrases == std::vector<std::string>{"lawyer", "sue you", "small claims"});
}

TEST_CASE("word lists: a file saved with a byte-order mark, its first line a comment") {
    triage::test::TempDir dir;
    triage::test::write_file(dir.path / "bins.txt", "\xEF\xBB\xBF# bin words\r\nbins\r\nrubbish\r\n");
    triage::test::write_file(dir.path / "bins.flow",
                             "flow \"x\" version 1\nfields { text: text }\nwords bins = file \"bins.txt\"\n"
                             "start s\nstep s \"Bins?\" {\n  if text has any bins -> o\n  else -> o\n}\n"
                             "outcome o \"O\" { monitor }\n");
    CompileResult result = compile_file(dir.path / "bins.flow");
    INFO(triage::test::all_text(result));
    REQUIRE(result.ok());
    CHECK(result.flow->word_lists()[0].phrases == std::vector<std::string>{"bins", "rubbish"});
}

TEST_CASE("steps keep their question, branch order and else") {
    CompileResult result = compile_every_construct();
    REQUIRE(result.ok());
    const Flow& flow = *result.flow;
    CHECK(flow.node_name(flow.start()) == "discovery");
    REQUIRE(flow.steps().size() == 2);
    const Step& assess = flow.steps()[1];
    CHECK(assess.question == "What kind of post is it?");
    REQUIRE(assess.branches.size() == 10);
    CHECK(flow.node_name(assess.branches[0].target) == "monitor_only");
    CHECK(flow.condition_text(assess.branches[0].condition) == "troll");
    CHECK(flow.condition_text(assess.branches[2].condition) ==
          "text contains \"refund\" and channel is not blog");
    REQUIRE(assess.otherwise);
    CHECK(flow.node_name(assess.otherwise->target) == "ignore");
    CHECK(flow.source_text(assess.otherwise->span) == "else -> ignore");
}

TEST_CASE("expressions resolve to typed condition nodes") {
    CompileResult result = compile_every_construct();
    REQUIRE(result.ok());
    const Flow& flow = *result.flow;
    const Step& assess = flow.steps()[1];
    auto root = [&](std::size_t branch) -> const Condition& {
        return triage::detail::data_of(flow).conditions[assess.branches[branch].condition];
    };
    auto child = [&](const Condition& c, std::size_t i) -> const Condition& {
        return triage::detail::data_of(flow).conditions[c.children.at(i)];
    };
    CHECK(root(0).kind == ConditionKind::let_ref);
    CHECK(root(1).kind == ConditionKind::has_any);
    CHECK(flow.word_lists()[root(1).operand].name == "legal");

    const Condition& refund = root(2);
    REQUIRE(refund.kind == ConditionKind::conjunction);
    CHECK(child(refund, 0).kind == ConditionKind::contains);
    CHECK(child(refund, 0).text == "refund");
    CHECK(child(refund, 1).kind == ConditionKind::enum_in);
    CHECK(child(refund, 1).negated);
    CHECK(child(refund, 1).values == std::vector<std::uint32_t>{2});  // blog

    CHECK(root(3).kind == ConditionKind::matches);
    CHECK(triage::detail::data_of(flow).regexes[root(3).operand].pattern == "order #?[0-9]{6}");
    CHECK(triage::detail::data_of(flow).regexes[root(3).operand].case_insensitive);

    const Condition& vip = root(4);
    CHECK(child(vip, 0).kind == ConditionKind::enum_in);
    CHECK(child(vip, 0).values == std::vector<std::uint32_t>{0, 1});
    CHECK(child(vip, 1).kind == ConditionKind::compare_number);
    CHECK(child(vip, 1).op == CompareOp::ge);
    CHECK(child(vip, 1).number == 10000);

    const Condition& help = root(5);
    REQUIRE(help.kind == ConditionKind::disjunction);
    CHECK(child(help, 0).kind == ConditionKind::text_is);
    CHECK(child(help, 1).kind == ConditionKind::text_in);
    CHECK(child(help, 1).strings == std::vector<std::string>{"sos", "mayday"});

    const Condition& score = root(6);
    CHECK(child(score, 0).kind == ConditionKind::number_in);
    CHECK(child(score, 0).negated);
    CHECK(child(score, 0).numbers == std::vector<double>{1, 2, 3});
    CHECK(child(score, 1).kind == ConditionKind::compare_field);
    CHECK(child(score, 1).op == CompareOp::ne);

    const Condition& times = root(7);
    CHECK(child(times, 0).kind == ConditionKind::compare_field);
    CHECK(child(times, 1).kind == ConditionKind::bool_field);

    const Condition& sentiment = root(8);
    REQUIRE(sentiment.children.size() == 3);  // a or b or c is one node
    CHECK(child(sentiment, 0).op == CompareOp::eq);
    CHECK(child(sentiment, 1).op == CompareOp::le);
    CHECK(child(sentiment, 2).op == CompareOp::gt);

    CHECK(root(9).kind == ConditionKind::constant);

    const Step& discovery = flow.steps()[0];
    const Condition& missing = triage::detail::data_of(flow).conditions[discovery.branches[0].condition];
    CHECK(missing.kind == ConditionKind::negation);
    CHECK(triage::detail::data_of(flow).conditions[missing.children[0]].kind == ConditionKind::exists);
    const Condition& inside = triage::detail::data_of(flow).conditions[discovery.branches[2].condition];
    CHECK(inside.kind == ConditionKind::contains_any);
    CHECK(flow.word_lists()[inside.operand].name == "about_us");

    // `let troll = verified is false and (...)`: precedence puts `or` inside the parentheses.
    const Condition& troll = triage::detail::data_of(flow).conditions[triage::detail::data_of(flow).lets[0].condition];
    REQUIRE(troll.kind == ConditionKind::conjunction);
    CHECK(child(troll, 0).kind == ConditionKind::bool_is);
    CHECK(child(troll, 0).number == 0);
    CHECK(child(troll, 1).kind == ConditionKind::disjunction);
    CHECK(triage::detail::data_of(flow).conditions[child(troll, 1).children[1]].kind == ConditionKind::has_all);
}

TEST_CASE("operator precedence: not binds tighter than and, and tighter than or") {
    CompileResult result = compile_text(triage::test::with_frame(
        "a: bool\n b: bool\n c: bool", "not a or b and c"));
    REQUIRE(result.ok());
    const Flow& flow = *result.flow;
    const Condition& root = triage::detail::data_of(flow).conditions[flow.steps()[0].branches[0].condition];
    REQUIRE(root.kind == ConditionKind::disjunction);
    CHECK(triage::detail::data_of(flow).conditions[root.children[0]].kind == ConditionKind::negation);
    CHECK(triage::detail::data_of(flow).conditions[root.children[1]].kind == ConditionKind::conjunction);
}

TEST_CASE("every action and its options") {
    CompileResult result = compile_every_construct();
    REQUIRE(result.ok());
    const Flow& flow = *result.flow;
    auto outcome = [&](std::string_view name) -> const Outcome& {
        auto node = flow.find_node(name);
        REQUIRE(node);
        REQUIRE(node->kind == NodeKind::outcome);
        return flow.outcomes()[node->index];
    };
    const Outcome& monitor = outcome("monitor_only");
    CHECK(monitor.title == "Monitor only");
    REQUIRE(monitor.actions.size() == 4);
    CHECK(monitor.actions[0].kind == ActionKind::do_not_respond);
    CHECK(monitor.actions[0].text == "trolls feed on replies");
    CHECK(monitor.actions[1].kind == ActionKind::monitor);
    CHECK(monitor.actions[1].duration == std::chrono::hours(48));
    CHECK(monitor.actions[2].kind == ActionKind::tag);
    CHECK(monitor.actions[2].labels == std::vector<std::string>{"troll", "needs review"});
    CHECK(monitor.actions[3].kind == ActionKind::notify);
    CHECK(monitor.actions[3].text == "hq");

    const Outcome& legal = outcome("legal");
    CHECK(legal.actions[0].kind == ActionKind::flag);
    CHECK(legal.actions[0].text == "legal");
    CHECK(legal.actions[1].kind == ActionKind::escalate);
    CHECK(legal.actions[1].text == "legal-team");
    CHECK(legal.actions[1].duration == std::chrono::minutes(30));
    CHECK(legal.actions[2].kind == ActionKind::assign);
    CHECK(legal.actions[2].text == "legal_desk");
    CHECK(legal.actions[3].kind == ActionKind::priority);
    CHECK(legal.actions[3].priority == Priority::urgent);

    const Outcome& refund = outcome("refund");
    CHECK(refund.actions[0].kind == ActionKind::respond);
    CHECK(refund.actions[0].channel == Channel::privately);
    CHECK(refund.actions[0].duration == std::chrono::hours(1));
    CHECK(refund.actions[0].text == "refund-template");
    CHECK(refund.actions[1].kind == ActionKind::follow_up);
    CHECK(refund.actions[1].duration == std::chrono::hours(24 * 7));
    CHECK(refund.actions[2].priority == Priority::high);
    REQUIRE(refund.actions[2].condition != no_condition);
    CHECK(flow.condition_text(refund.actions[2].condition) ==
          "author.followers > 5000");
    CHECK(refund.actions[3].kind == ActionKind::note);
    CHECK(refund.actions[3].condition == no_condition);

    const Outcome& vip = outcome("vip");
    CHECK(vip.actions[0].channel == Channel::publicly);
    CHECK(vip.actions[0].duration == std::chrono::minutes(15));
    CHECK(vip.actions[0].text.empty());
    CHECK(vip.actions[1].text == "care");
}

TEST_CASE("durations in every unit") {
    for (auto [text, seconds] : std::vector<std::pair<std::string, long>>{
             {"30s", 30}, {"15m", 900}, {"4h", 14400}, {"2d", 172800}, {"1w", 604800}}) {
        CAPTURE(text);
        std::string flow = "flow \"t\" version 1\nstart o\noutcome o \"O\" { follow up after " + text + " }\n";
        CompileResult result = compile_text(flow);
        REQUIRE(result.ok());
        CHECK(result.flow->outcomes()[0].actions[0].duration == Duration(seconds));
    }
}

TEST_CASE("string escapes and UTF-8 text") {
    CompileResult result = compile_text(
        "flow \"Caf\xC3\xA9 \\\"care\\\"\\tdesk\\\\\" version 1\nstart o\noutcome o \"\xE2\x9C\x93 done\" { note \"line\\nbreak\" }\n");
    INFO(triage::test::all_text(result));
    REQUIRE(result.ok());
    CHECK(result.flow->name() == "Caf\xC3\xA9 \"care\"\tdesk\\");
    CHECK(result.flow->outcomes()[0].title == "\xE2\x9C\x93 done");
    CHECK(result.flow->outcomes()[0].actions[0].text == "line\nbreak");
}

TEST_CASE("comments are allowed anywhere between tokens") {
    CompileResult result = compile_text(
        "# leading\nflow \"t\" # after header\n version 1 # v\nstart # here\n o\n"
        "outcome o \"O\" { # open\n monitor # an action\n} # end\n");
    INFO(triage::test::all_text(result));
    CHECK(result.ok());
    CHECK(result.diagnostics.empty());
}

TEST_CASE("spans locate nodes by line and column, counting UTF-8 characters") {
    CompileResult result = compile_text(
        "flow \"t\" version 1\nstart s\nstep s \"\xC3\xA9t\xC3\xA9?\" { if true -> o\n else -> o }\noutcome o \"O\" { monitor }\n");
    REQUIRE(result.ok());
    const Step& step = result.flow->steps()[0];
    Location target = result.sources->begin(step.branches[0].target_span);
    CHECK(target.line == 3);
    CHECK(target.column == 28);  // é counts as one column
    Location name = result.sources->begin(step.name_span);
    CHECK(name.line == 3);
    CHECK(name.column == 6);
}

TEST_CASE("declarations may come in any order and names may be used before they are defined") {
    CompileResult result = compile_text(
        "outcome o \"O\" { monitor if ready }\nlet ready = flag\nstart s\n"
        "step s \"q\" { if ready -> o\n else -> o }\nfields { flag: bool }\nflow \"t\" version 1\n");
    INFO(triage::test::all_text(result));
    CHECK(result.ok());
    CHECK(result.diagnostics.empty());
}

TEST_CASE("keywords: the reserved words and declaration words are the grammar file's") {
    std::ifstream file(triage::test::source_dir() / "grammar" / "triage.ebnf");
    std::stringstream ebnf;
    ebnf << file.rdbuf();
    const std::string text = ebnf.str();
    // "Keywords are reserved and cannot be used as names: and, or, ... test."
    const std::size_t from = text.find("cannot be used as names:");
    REQUIRE(from != std::string::npos);
    const std::size_t to = text.find('.', from);
    std::string listed = text.substr(from + 24, to - from - 24);
    std::vector<std::string> words;
    std::string word;
    for (char c : listed + ",") {
        if (c == ',') {
            words.push_back(word);
            word.clear();
        } else if (c != ' ' && c != '\n') {
            word += c;
        }
    }
    CHECK(words == std::vector<std::string>(triage::syntax::reserved_words.begin(), triage::syntax::reserved_words.end()));
    // Each word that begins a declaration begins one of the grammar's declarations.
    for (std::string_view keyword : triage::syntax::declaration_keywords) {
        CAPTURE(keyword);
        CHECK(text.find(fmt::format("= \"{}\"", keyword)) != std::string::npos);
    }
}

TEST_CASE("keywords: after a syntax error, compiling resumes at every word that begins a declaration") {
    for (std::string_view keyword : triage::syntax::declaration_keywords) {
        CAPTURE(keyword);
        // A broken step, then the declaration: an error in the declaration is still found.
        std::string source = "flow \"t\" version 1\nstep broken \"q\" { if -> }\n";
        source += std::string(keyword) + " @\n";
        const CompileResult result = compile_text(source);
        std::size_t syntax_errors = 0;
        for (const Diagnostic& d : result.diagnostics)
            if (d.code == Code::syntax && d.severity == Severity::error) ++syntax_errors;
        CHECK(syntax_errors == 2);
    }
}

namespace {

// One of each declaration that names something, each used: a mistyped keyword of any of them
// must be the one error of the flow.
const char* const named_everything = R"(# every declaration that names something
flow "t" version 1
fields {
  text: text
  urgent: bool
  posted_at: time
}
clock posted_at
words legal = "lawyer", "sue"
let serious = urgent or text has any legal
hours desk "Desk" {
  zone "UTC"
  mon-fri 09:00-17:00
}
crisis storm "Storm" {
  when count(serious) over 15m > 20
  leave when count(serious) over 15m < 5
}
start triage
step triage "Serious?" {
  if not serious -> call
  if in crisis storm or within hours desk -> call
  else -> watch
}
outcome call "Call" { escalate to duty }
outcome watch "Watch" { monitor }
test "a lawyer is called" {
  given { text: "my lawyer", urgent: false }
  expect call
}
)";

std::string replaced(std::string text, std::string_view from, std::string_view to) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("recovery: a mistyped declaration keyword is the only error, not the names it declares") {
    REQUIRE(compile_text(named_everything).diagnostics.empty());
    for (const std::string_view keyword : {"fields", "clock", "words", "let", "hours", "crisis", "start", "step",
                                           "outcome", "flow"}) {
        for (const bool capital : {false, true}) {
            std::string typo(keyword);
            if (capital) typo[0] = static_cast<char>(typo[0] - 'a' + 'A');  // Step
            else std::swap(typo[typo.size() - 1], typo[typo.size() - 2]);    // stpe
            CAPTURE(typo);
            const CompileResult result =
                compile_text(replaced(named_everything, "\n" + std::string(keyword) + " ", "\n" + typo + " "));
            INFO(triage::test::all_text(result));
            REQUIRE(result.diagnostics.size() == 1);
            const Diagnostic& d = result.diagnostics.front();
            CHECK(d.code == Code::syntax);
            CHECK(d.help == (capital ? fmt::format("write '{}' in lower case, as every word of the language", keyword)
                                     : fmt::format("did you mean '{}'?", keyword)));
        }
    }
}

TEST_CASE("recovery: a declaration left broken another way is the only error, and its fields are not unknown") {
    // `fields` without its '{', without its '}', or without its first line: the test's `given`,
    // the clock and the conditions still know the fields.
    for (const auto& [from, to] : {std::pair<std::string_view, std::string_view>{"fields {\n", "fields\n"},
                                   {"  posted_at: time\n}\n", "  posted_at: time\n"},
                                   {"fields {\n", ""},
                                   {"let serious = urgent or", "let serious = urgent or or"},
                                   {"hours desk \"Desk\" {", "hours desk \"Desk {"},
                                   {"clock posted_at", "clock posted_at tolerance"},
                                   {"  urgent: bool", "  urgent bool"},
                                   {"  urgent: bool", "  # the flag\n  urgent bool"}}) {
        CAPTURE(from);
        const CompileResult result = compile_text(replaced(named_everything, from, to));
        INFO(triage::test::all_text(result));
        CHECK(codes(result) == std::vector<std::string>{from.starts_with("hours") ? "T002" : "T001"});
    }
}

TEST_CASE("recovery: a mistake independent of the syntax error is still reported, after it") {
    // `stpe` hides no other mistake: the misspelt outcome and the unknown field are reported.
    std::string text = replaced(named_everything, "\nstep ", "\nstpe ");
    text = replaced(text, "expect call", "expect cal");
    text = replaced(text, "let serious = urgent or", "let serious = urgnet or");
    CompileResult result = compile_text(text);
    INFO(triage::test::all_text(result));
    CHECK(codes(result) == std::vector<std::string>{"T001", "T011", "T012"});
    const Symbol* step = result.symbols->find(NameSpace::node, "triage");  // an editor still finds it
    REQUIRE(step != nullptr);
    CHECK(step->broken);
    CHECK(step->kind == SymbolKind::step);
    // A step whose first line is gone leaves its uses unknown (nothing says what it was called),
    // but the syntax error its body makes comes first.
    result = compile_text(replaced(named_everything, "step triage \"Serious?\" {\n", ""));
    INFO(triage::test::all_text(result));
    CHECK(codes(result) == std::vector<std::string>{"T001", "T012"});
}

TEST_CASE("recovery: a condition left unresolved by an error makes no branch always or never taken") {
    // `serious` is unknown here, not false: `not serious` does not shadow the branches after it.
    for (const std::string_view let : {"lte serious", "let serious = urgnet and text has any legal"}) {
        CAPTURE(let);
        const CompileResult result =
            compile_text(replaced(named_everything, "let serious = urgent or text has any legal", let));
        INFO(triage::test::all_text(result));
        for (const Diagnostic& d : result.diagnostics) CHECK(d.code != Code::shadowed_branch);
        CHECK(std::count_if(result.diagnostics.begin(), result.diagnostics.end(),
                            [](const Diagnostic& d) { return d.severity == Severity::error; }) == 1);
    }
}
