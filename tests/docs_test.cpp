// Documentation that shows a whole flow must show one that compiles cleanly.
#include "support.hpp"

#include <fstream>
#include <regex>
#include <sstream>

TEST_CASE("every complete flow in the README and docs/ compiles without a diagnostic") {
    int checked = 0;
    for (const char* doc : {"README.md", "docs/language.md", "docs/embedding.md", "docs/cli.md"}) {
        std::ifstream in(triage::test::source_dir() / doc);
        std::stringstream text;
        text << in.rdbuf();
        std::string all = text.str();
        static const std::regex block("```\\n(flow \"[\\s\\S]*?)```");
        for (std::sregex_iterator it(all.begin(), all.end(), block), end; it != end; ++it) {
            std::string name = doc;
            CAPTURE(name);
            std::string flow = (*it)[1];
            if (flow.find("\nstart ") == std::string::npos) continue;  // a fragment, not a flow
            triage::CompileResult result = triage::compile(flow, doc);
            INFO(triage::test::all_text(result));
            CHECK(result.ok());
            CHECK(result.diagnostics.empty());
            ++checked;
        }
    }
    CHECK(checked >= 2);  // the README example and the language guide's complete flow
}
