// The symbol index: every kind of name with its definition and uses, across an include, by
// position, and for a flow with errors (what a language server is built on).
#include "support.hpp"

#include <filesystem>
#include <string>
#include <vector>

using namespace triage;
using triage::test::compile_text;

namespace {

const char* const shared_flow = R"(words outage = "outage", "down"
let angry = sentiment < -0.5
)";

// Every kind of declaration, and every kind of use, once at least. Compiles cleanly.
const char* const care_flow = R"(flow "Care desk" version 1

fields {
  text: text
  sentiment: number
  author.followers: integer
  topic: one of delays, baggage
  posted_at: time
  seen_at: time
}

clock posted_at tolerance 5m

include "shared.flow"

hours desk "Care desk" {
  zone "Europe/London"
  mon-fri 09:00-18:00
}

crisis outage_mode "Service outage" {
  when count(text has any outage) over 15m > 20
  route tone -> holding
}

start screen

step screen "Part of something bigger?" {
  if in crisis outage_mode and text has all outage -> holding
  if count(angry) over 1h by topic > 10 -> tone
  if posted_at > seen_at -> tone
  else -> tone
}

step tone "How unhappy?" {
  if angry and author.followers >= 10000 -> apology
  if within hours desk -> holding
  else -> apology
}

outcome holding "Holding statement" { respond publicly within 30m during desk }

outcome apology "Apology" {
  respond privately within 4h during desk if not in crisis outage_mode
  escalate to "care" within 1h during desk
  follow up after 1d during desk
}

test "an angry post gets an apology" {
  given { text: "bad", sentiment: -0.9, topic: delays, posted_at: "2026-11-22T09:30:00Z" }
  during crisis outage_mode
  expect apology
  expect path screen, tone
  expect tag unhappy
}
)";

CompileResult compile_care() { return compile_text(care_flow, {{"shared.flow", shared_flow}}); }

std::string text_of(const CompileResult& result, Span span) { return std::string(result.sources->text(span)); }

// "kind name" for each symbol of a file, in the index's order.
std::vector<std::string> outline(const CompileResult& result, FileId file) {
    std::vector<std::string> out;
    for (const Symbol& s : result.symbols->symbols_in(file)) out.push_back(std::string(kind_name(s.kind)) + " " + s.name);
    return out;
}

// "line:column" of each use of the first declaration of `name`.
std::vector<std::string> uses(const CompileResult& result, NameSpace space, std::string_view name) {
    const Symbol* symbol = result.symbols->find(space, name);
    REQUIRE(symbol != nullptr);
    std::vector<std::string> out;
    for (const SymbolReference* r : result.symbols->references_to(*symbol)) {
        CHECK(r->name == name);
        CHECK(text_of(result, r->span) == name);
        Location at = result.sources->begin(r->span);
        out.push_back((r->span.file == symbol->name_span.file ? "" : "other file ") + std::to_string(at.line) + ":" +
                      std::to_string(at.column));
    }
    return out;
}

}  // namespace

TEST_CASE("the index lists every declared name of a file in source order, with its spans and title") {
    CompileResult result = compile_care();
    INFO(triage::test::all_text(result));
    REQUIRE(result.ok());
    CHECK(outline(result, 0) == std::vector<std::string>{
                                    "flow Care desk", "field text", "field sentiment", "field author.followers",
                                    "field topic", "field posted_at", "field seen_at", "business hours desk",
                                    "crisis outage_mode", "step screen", "step tone", "outcome holding",
                                    "outcome apology", "test an angry post gets an apology"});
    REQUIRE(result.sources->size() == 2);
    CHECK(outline(result, 1) == std::vector<std::string>{"word list outage", "let angry"});
    CHECK(result.symbols->symbols().size() == 16);

    for (const Symbol& s : result.symbols->symbols()) {
        CAPTURE(s.name);
        if (s.kind == SymbolKind::flow || s.kind == SymbolKind::test) CHECK(text_of(result, s.name_span) == '"' + s.name + '"');
        else CHECK(text_of(result, s.name_span) == s.name);
        CHECK(s.declaration.file == s.name_span.file);
        CHECK(s.declaration.begin <= s.name_span.begin);
        CHECK(s.declaration.end >= s.name_span.end);
    }
    const Symbol* step = result.symbols->find(NameSpace::node, "tone");
    REQUIRE(step != nullptr);
    CHECK(step->kind == SymbolKind::step);
    CHECK(step->title == "How unhappy?");
    CHECK(text_of(result, step->declaration).starts_with("step tone \"How unhappy?\" {"));
    CHECK(text_of(result, step->declaration).ends_with("else -> apology\n}"));
    const Symbol* field = result.symbols->find(NameSpace::value, "author.followers");
    REQUIRE(field != nullptr);
    CHECK(text_of(result, field->declaration) == "author.followers: integer");
    CHECK(field->title.empty());
    CHECK(result.symbols->find(NameSpace::crisis, "outage_mode")->title == "Service outage");
    CHECK(result.symbols->find(NameSpace::hours, "desk")->title == "Care desk");
    CHECK(result.symbols->find(NameSpace::node, "holding")->title == "Holding statement");
    CHECK(result.symbols->find(NameSpace::node, "desk") == nullptr);  // hours are not steps
    CHECK(result.symbols->find(NameSpace::value, "author") == nullptr);
}

TEST_CASE("every kind of use points at its definition, across the include") {
    CompileResult result = compile_care();
    REQUIRE(result.ok());
    using V = std::vector<std::string>;
    // Fields: clock, comparisons (both sides), has, window `by`, test `given`.
    CHECK(uses(result, NameSpace::value, "posted_at") == V{"12:7", "31:6", "50:56"});
    CHECK(uses(result, NameSpace::value, "seen_at") == V{"31:18"});
    CHECK(uses(result, NameSpace::value, "topic") == V{"30:30", "50:41"});
    CHECK(uses(result, NameSpace::value, "text") == V{"22:14", "29:32", "50:11"});
    CHECK(uses(result, NameSpace::value, "author.followers") == V{"36:16"});
    // A use in the included file of a field of the main one, and the other way round.
    CHECK(uses(result, NameSpace::value, "sentiment") == V{"50:24", "other file 2:13"});
    CHECK(uses(result, NameSpace::value, "angry") == V{"other file 30:12", "other file 36:6"});
    CHECK(uses(result, NameSpace::word_list, "outage") == V{"other file 22:27", "other file 29:45"});
    // Steps and outcomes: start, branch and else targets, routes, expect and expect path.
    CHECK(uses(result, NameSpace::node, "screen") == V{"26:7", "53:15"});
    CHECK(uses(result, NameSpace::node, "tone") == V{"23:9", "30:44", "31:29", "32:11", "53:23"});
    CHECK(uses(result, NameSpace::node, "holding") == V{"23:17", "29:55", "37:27"});
    CHECK(uses(result, NameSpace::node, "apology") == V{"36:45", "38:11", "52:10"});
    // Hours: `within hours` and `during` on respond, escalate and follow up.
    CHECK(uses(result, NameSpace::hours, "desk") == V{"37:19", "41:74", "44:38", "45:39", "46:29"});
    // Crises: `in crisis` in a branch and an action's condition, `during crisis` in a test.
    CHECK(uses(result, NameSpace::crisis, "outage_mode") == V{"29:16", "44:60", "51:17"});

    CHECK(result.symbols->unresolved().empty());
    // Nothing else is a use: not tags, teams, enumeration values or the flow's name.
    CHECK(result.symbols->references().size() == 37);
    for (const SymbolReference& r : result.symbols->references()) {
        const Symbol* definition = result.symbols->definition(r);
        REQUIRE(definition != nullptr);
        CHECK(name_space(definition->kind) == r.space);
    }
}

TEST_CASE("the symbol at a position: the first and last character of a name, and just outside") {
    CompileResult result = compile_care();
    REQUIRE(result.ok());
    const SymbolIndex& index = *result.symbols;
    const Symbol* desk = index.find(NameSpace::hours, "desk");
    REQUIRE(desk != nullptr);

    // On the definition's name.
    const Span name = desk->name_span;
    CHECK(index.at(name.file, name.begin).symbol == desk);
    CHECK(index.at(name.file, name.begin).reference == nullptr);
    CHECK(index.at(name.file, name.end - 1).symbol == desk);
    CHECK(index.at(name.file, name.begin - 1).symbol == nullptr);
    CHECK(index.at(name.file, name.end).symbol == nullptr);

    // On each use: the same symbol, and the use itself.
    std::vector<const SymbolReference*> refs = index.references_to(*desk);
    REQUIRE(refs.size() == 5);
    for (const SymbolReference* r : refs) {
        for (std::uint32_t offset : {r->span.begin, r->span.end - 1}) {
            SymbolAt at = index.at(r->span.file, offset);
            CHECK(at.symbol == desk);
            CHECK(at.reference == r);
        }
        SymbolAt before = index.at(r->span.file, r->span.begin - 1);
        SymbolAt after = index.at(r->span.file, r->span.end);
        CHECK(before.symbol == nullptr);
        CHECK(before.reference == nullptr);
        CHECK(after.symbol == nullptr);
        CHECK(after.reference == nullptr);
    }

    // A dotted name is one symbol from its first to its last character.
    const Symbol* followers = index.find(NameSpace::value, "author.followers");
    REQUIRE(followers != nullptr);
    const SymbolReference* use = index.references_to(*followers).at(0);
    CHECK(index.at(use->span.file, use->span.begin + 6).symbol == followers);  // the '.'
    CHECK(index.at(use->span.file, use->span.end - 1).symbol == followers);

    // The same offset in the other file is another place.
    const Symbol* outage = index.find(NameSpace::word_list, "outage");
    REQUIRE(outage != nullptr);
    CHECK(outage->name_span.file == 1);
    CHECK(index.at(1, outage->name_span.begin).symbol == outage);
    CHECK(index.at(0, outage->name_span.begin).symbol != outage);
    CHECK(index.at(7, 0).symbol == nullptr);  // no such file
}

TEST_CASE("a flow with syntax errors still indexes the declarations that parsed") {
    CompileResult result = compile_text(R"(flow "Broken" version 1
fields {
  sentiment: number
  text: text
}
start first
step first "First?" {
  if sentiment < -0.5 -> broken
  else -> last
}
step broken "Broken?" {
  if sentiment < -> last
}
outcome last "Last" { monitor }
step after "After?" { if text contains "x" -> last  else -> last }
)");
    REQUIRE_FALSE(result.ok());
    CHECK(triage::test::codes(result) == std::vector<std::string>{"T001"});
    CHECK(outline(result, 0) == std::vector<std::string>{"flow Broken", "field sentiment", "field text", "step first",
                                                          "step broken", "outcome last", "step after"});
    const Symbol* after = result.symbols->find(NameSpace::node, "after");
    REQUIRE(after != nullptr);
    CHECK_FALSE(after->broken);
    CHECK(result.sources->begin(after->name_span).line == 15);
    CHECK(result.symbols->references_to(*result.symbols->find(NameSpace::node, "last")).size() == 3);
    // The broken step is listed, marked broken, at its name: its use resolves to it.
    const Symbol* broken = result.symbols->find(NameSpace::node, "broken");
    REQUIRE(broken != nullptr);
    CHECK(broken->broken);
    CHECK(broken->kind == SymbolKind::step);
    CHECK(broken->title.empty());
    CHECK(result.sources->text(broken->name_span) == "broken");
    CHECK(result.sources->begin(broken->name_span).line == 11);
    CHECK(result.sources->begin(broken->name_span).column == 6);
    CHECK(result.sources->begin(broken->declaration).line == 11);
    CHECK(result.sources->end(broken->declaration).line == 13);  // to its closing brace, not the blank after
    CHECK(result.symbols->unresolved().empty());
    std::vector<const SymbolReference*> uses = result.symbols->references_to(*broken);
    REQUIRE(uses.size() == 1);
    CHECK(result.sources->begin(uses[0]->span).line == 8);
    CHECK(result.symbols->at(0, broken->name_span.begin + 2).symbol == broken);
}

TEST_CASE("a broken declaration of every kind gives a symbol, and one that parsed wins over it") {
    CompileResult result = compile_text(R"(flow "Broken kinds" version 1
fields {
  score: number
  text: text
}
fields {
  loud: bool
  level: number =
}
words risky = "a", 
let hot = score > > 1
hours desk "Desk" {
  mon 9am-
}
crisis storm "Storm" {
  when
}
outcome done "Done" { monitor
outcome done "Done again" { monitor }
start first
step first "First?" {
  if loud and hot and text has any risky and within hours desk and in crisis storm -> done
  else -> done
}
)");
    REQUIRE_FALSE(result.ok());
    CHECK(result.symbols->unresolved().empty());
    auto kind_of = [&](NameSpace space, std::string_view name) -> std::string {
        const Symbol* s = result.symbols->find(space, name);
        if (s == nullptr) return "none";
        return std::string(kind_name(s->kind)) + (s->broken ? " broken" : "");
    };
    CHECK(kind_of(NameSpace::value, "loud") == "field broken");
    CHECK(kind_of(NameSpace::value, "level") == "field broken");
    CHECK(kind_of(NameSpace::value, "hot") == "let broken");
    CHECK(kind_of(NameSpace::word_list, "risky") == "word list broken");
    CHECK(kind_of(NameSpace::hours, "desk") == "business hours broken");
    CHECK(kind_of(NameSpace::crisis, "storm") == "crisis broken");
    CHECK(kind_of(NameSpace::node, "done") == "outcome");  // the declaration that parsed
    const Symbol* done = result.symbols->find(NameSpace::node, "done");
    REQUIRE(done != nullptr);
    CHECK(done->title == "Done again");
}

TEST_CASE("uses of undeclared names are kept unresolved, and the first of two declarations wins") {
    CompileResult result = compile_text(R"(flow "Typos" version 1
fields { sentiment: number }
start first
step first "First?" {
  if sentimnet < 0 and text has any legal and within hours desk and in crisis storm -> nowhere
  if happy -> twice
  else -> twice
}
outcome twice "One" { monitor }
outcome twice "Two" { monitor }
)");
    REQUIRE_FALSE(result.ok());
    struct Expected {
        const char* name;
        NameSpace space;
    };
    const std::vector<Expected> expected{{"sentimnet", NameSpace::value}, {"text", NameSpace::value},
                                         {"legal", NameSpace::word_list}, {"desk", NameSpace::hours},
                                         {"storm", NameSpace::crisis},     {"nowhere", NameSpace::node},
                                         {"happy", NameSpace::value}};
    std::vector<const SymbolReference*> unresolved = result.symbols->unresolved();
    REQUIRE(unresolved.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(i);
        CHECK(unresolved[i]->name == expected[i].name);
        CHECK(unresolved[i]->space == expected[i].space);
        CHECK(text_of(result, unresolved[i]->span) == expected[i].name);
        SymbolAt at = result.symbols->at(0, unresolved[i]->span.begin);
        CHECK(at.reference == unresolved[i]);
        CHECK(at.symbol == nullptr);
    }
    std::span<const Symbol> symbols = result.symbols->symbols_in(0);
    REQUIRE(symbols.size() == 5);
    const Symbol* first = result.symbols->find(NameSpace::node, "twice");
    REQUIRE(first != nullptr);
    CHECK(first->title == "One");
    CHECK(&symbols[4] != first);
    CHECK(symbols[4].title == "Two");
    CHECK(result.symbols->references_to(*first).size() == 2);
    CHECK(result.symbols->references_to(symbols[4]).empty());
}

TEST_CASE("every use in the bundled examples spells its symbol's name, and resolves") {
    int files = 0;
    std::size_t references = 0;
    for (const auto& entry : std::filesystem::directory_iterator(triage::test::source_dir() / "examples")) {
        if (entry.path().extension() != ".flow") continue;
        CAPTURE(entry.path().string());
        CompileResult result = compile_file(entry.path());
        REQUIRE(result.ok());
        const SymbolIndex& index = *result.symbols;
        CHECK(index.unresolved().empty());
        for (const SymbolReference& r : index.references()) {
            const Symbol* definition = index.definition(r);
            REQUIRE(definition != nullptr);
            CHECK(result.sources->text(r.span) == definition->name);
            CHECK(index.at(r.span.file, r.span.begin).reference == &r);
        }
        for (const Symbol& s : index.symbols())
            if (s.kind != SymbolKind::flow && s.kind != SymbolKind::test) CHECK(result.sources->text(s.name_span) == s.name);
        references += index.references().size();
        ++files;
    }
    CHECK(files >= 4);
    CHECK(references > 100);
}

TEST_CASE("a flow that cannot be read has an empty index, never a null one") {
    CompileResult result = compile_file("/nonexistent/dir/care.flow");
    REQUIRE_FALSE(result.ok());
    REQUIRE(result.symbols != nullptr);
    CHECK(result.symbols->symbols().empty());
    CHECK(result.symbols->references().empty());
    CHECK(result.symbols->at(0, 0).symbol == nullptr);
}
