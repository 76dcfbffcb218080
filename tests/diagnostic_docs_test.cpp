// docs/diagnostics.md as the library carries it (triage/diagnostic_docs.hpp), and the SARIF built
// from it: rule help, helpUri, artifact URIs.
#include "support.hpp"

#include "triage/diagnostic_docs.hpp"

#include <simdjson.h>

using namespace triage;

TEST_CASE("the embedded docs are docs/diagnostics.md as it is in the tree") {
    CHECK(diagnostics_markdown() == triage::test::read_file(triage::test::source_dir() / "docs" / "diagnostics.md"));
}

TEST_CASE("every code has its section of docs/diagnostics.md, found by the anchor the docs link to") {
    for (Code code : all_codes()) {
        CAPTURE(code_name(code));
        const CodeDocumentation doc = code_documentation(code);
        const std::string heading = "## " + code_name(code) + " — " + std::string(code_title(code)) + "\n";
        CHECK(doc.markdown.starts_with(heading));
        CHECK((doc.summary.starts_with("**Error.**") || doc.summary.starts_with("**Warning.**") ||
               doc.summary.starts_with("**Note.**")));
        CHECK(doc.summary.find("\n\n") == std::string_view::npos);
        // The table at the top of the docs links each code's section by this anchor.
        CHECK(diagnostics_markdown().find("(#" + doc.anchor + ")") != std::string_view::npos);
        // A section ends where the next begins, whatever '#' lines its code blocks hold.
        CHECK(doc.markdown.find("\n## ") == std::string_view::npos);
        CHECK(doc.markdown.find("**How to fix it:**") != std::string_view::npos);
    }
}

TEST_CASE("a '#' comment in a code block does not end a code's section") {
    const CodeDocumentation missing_header = code_documentation(Code::missing_header);
    REQUIRE(missing_header.markdown.find("\n# No flow header anywhere.\n") != std::string_view::npos);
    CHECK(missing_header.markdown.find("**How to fix it:**") != std::string_view::npos);
}

TEST_CASE("markdown_anchor makes the anchors GitHub makes") {
    CHECK(markdown_anchor("T012 — unknown step or outcome") == "t012--unknown-step-or-outcome");
    CHECK(markdown_anchor("T052 — step where an outcome is expected, or the reverse") ==
          "t052--step-where-an-outcome-is-expected-or-the-reverse");
    CHECK(markdown_anchor("Fixes") == "fixes");
}

namespace {

const std::string unknown_target =
    "flow \"t\" version 1\nfields { urgent: bool }\nstart s\nstep s \"S\" {\n  if urgent -> asess\n  else -> done\n}\n"
        "outcome done \"Done\" { monitor }\noutcome assess \"A\" { monitor }\n";

// The SARIF of compiling `text` as the file `path`, as a parsed document.
simdjson::dom::element sarif_of(simdjson::dom::parser& parser, std::string& json, const std::string& path,
                                const SarifOptions& options = {}, const std::string& text = unknown_target) {
    CompileResult result = compile(text, path);
    REQUIRE_FALSE(result.ok());
    DiagnosticSet set{result.diagnostics, result.sources.get()};
    json = format_sarif(std::span<const DiagnosticSet>(&set, 1), options);
    simdjson::dom::element doc;
    REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
    return doc;
}

std::string_view first_uri(simdjson::dom::element doc) {
    return doc["runs"].at(0)["results"].at(0)["locations"].at(0)["physicalLocation"]["artifactLocation"]["uri"];
}

}  // namespace

TEST_CASE("SARIF artifact URIs: relative paths percent-encoded, absolute ones file:// URIs") {
    simdjson::dom::parser parser;
    std::string json;
    CHECK(first_uri(sarif_of(parser, json, "flows/care.flow")) == "flows/care.flow");
    CHECK(first_uri(sarif_of(parser, json, "my flows/ü#1 100%.flow")) == "my%20flows/%C3%BC%231%20100%25.flow");
    CHECK(first_uri(sarif_of(parser, json, "/srv/policy repo/care.flow")) == "file:///srv/policy%20repo/care.flow");
    // The fix's artifactChanges name the file the same way.
    simdjson::dom::element doc = sarif_of(parser, json, "/srv/a b.flow");
    simdjson::dom::element change = doc["runs"].at(0)["results"].at(0)["fixes"].at(0)["artifactChanges"].at(0);
    CHECK(std::string_view(change["artifactLocation"]["uri"]) == "file:///srv/a%20b.flow");
}

TEST_CASE("SARIF rules: helpUri from the help base, fullDescription, help in Markdown with absolute links") {
    simdjson::dom::parser parser;
    std::string json;
    const std::string base = "https://example.org/triage/0.2/docs/diagnostics.md";
    simdjson::dom::element rule = sarif_of(parser, json, "care.flow", {base})["runs"].at(0)["tool"]["driver"]["rules"].at(0);
    CHECK(std::string_view(rule["id"]) == "T012");
    CHECK(std::string_view(rule["helpUri"]) == base + "#t012--unknown-step-or-outcome");
    CHECK(std::string_view(rule["fullDescription"]["text"]) ==
          "A branch (`-> name`), an `else`, or `start` names a step or outcome that does not exist.");
    std::string_view markdown = rule["help"]["markdown"];
    CHECK(markdown.starts_with("**Error.** A branch"));  // the heading is the rule's name
    CHECK(markdown.find("**How to fix it:** Fix the spelling") != std::string_view::npos);
    CHECK(std::string_view(rule["help"]["text"]).ends_with("See " + base + "#t012--unknown-step-or-outcome"));

    // Relative links in the docs point into the published docs: T001's "[fix](#fixes)".
    simdjson::dom::element syntax = sarif_of(parser, json, "care.flow", {base}, "flow \"t\" version 1\nstart s\nstep s \"S\" {\n  if x s\n}\n");
    std::string_view syntax_help = syntax["runs"].at(0)["tool"]["driver"]["rules"].at(0)["help"]["markdown"];
    CHECK(syntax_help.find("[fix](" + base + "#fixes)") != std::string_view::npos);
    CHECK(syntax_help.find("](#") == std::string_view::npos);
}

TEST_CASE("SARIF rules: the default help base is the docs this build names, and with none the help stands alone") {
    simdjson::dom::parser parser;
    std::string json;
    // T001's section links to "#fixes" and other pages of the docs.
    simdjson::dom::element rule = sarif_of(parser, json, "care.flow", {}, "flow \"t\" version 1\nstart s\nstep s \"S\" {\n  if x s\n}\n")
                                      ["runs"].at(0)["tool"]["driver"]["rules"].at(0);
    std::string_view markdown = rule["help"]["markdown"];
    std::string_view text = rule["help"]["text"];
    const std::string_view base = default_sarif_help_base();
    if (base.empty()) {
        // A build that names no published docs (the default): nothing points anywhere made up.
        CHECK(rule["helpUri"].error() == simdjson::NO_SUCH_FIELD);
        CHECK(text.ends_with("The whole page: triage help T001"));
        CHECK(markdown.find("](") == std::string_view::npos);
        CHECK(markdown.find("fix") != std::string_view::npos);  // the link's words stay
    } else {
        CHECK(std::string_view(rule["helpUri"]).starts_with(std::string(base) + "#t001--"));
        CHECK(base.starts_with("https://"));
        CHECK(base.ends_with("/diagnostics.md"));
        CHECK(markdown.find("[fix](" + std::string(base) + "#fixes)") != std::string_view::npos);
    }
}
