// triage/text.hpp: what hosts use to show mention text, and the escapers behind the writers.
#include "support.hpp"

#include "text_util.hpp"

TEST_CASE("markup_escape: the five markup characters, control characters as spaces, tab and newline kept") {
    CHECK(triage::markup_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
    CHECK(triage::markup_escape(std::string("x\x01y\x1Fz\tw\n\0!", 10)) == std::string("x y z\tw\n !"));
    CHECK(triage::markup_escape("café — ok") == "café — ok");  // UTF-8 passes through
    CHECK(triage::markup_escape("") == "");
}

TEST_CASE("string_literal writes a flow string that reads back as the same text") {
    CHECK(triage::string_literal("say \"hi\"\\now\n\t") == "\"say \\\"hi\\\"\\\\now\\n\\t\"");
    const std::string text = "a \"quoted\" \\ back\nslash\tand tab";
    const std::string flow = "flow \"t\" version 1\nfields {\n  x: text\n}\nstart s\nstep s " +
                             triage::string_literal(text) + " {\n  else -> o\n}\noutcome o \"O\" { monitor }\n";
    triage::CompileResult result = triage::compile(flow, "t.flow");
    REQUIRE(result.ok());
    CHECK(result.flow->steps()[0].question == text);
}

TEST_CASE("utf8_cut never splits a character, terminal_text replaces what a terminal would obey") {
    const std::string text = "ab\xC3\xA9";  // "abé": é is two bytes
    CHECK(triage::utf8_cut(text, 3) == 2);
    CHECK(triage::utf8_cut(text, 4) == 4);
    CHECK(triage::utf8_cut(text, 0) == 0);
    CHECK(triage::terminal_text("a\x1B[31mb") == "a\xEF\xBF\xBD[31mb");
}
