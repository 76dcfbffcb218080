// The flow's own tests, run in the editor: a code lens above each `test` saying whether it
// passes, and the custom request `triage/runTests` with each test's result and problems.
#include "lsp/handlers.hpp"
#include "lsp/locations.hpp"
#include "triage/testing.hpp"

#include <fmt/format.h>

namespace triage::lsp {

namespace {

// The document's tests with their results; none run (nullopt) when the flow has errors.
std::optional<TestRun> run_document_tests(const CompileResult& result) {
    if (!result.flow) return std::nullopt;
    return triage::run_tests(*result.flow);
}

std::string lens_title(const TestResult& test) {
    if (test.passed) return "✓ passes";
    std::string title = "✗ fails";
    if (!test.problems.empty()) title += ": " + test.problems.front();
    if (test.problems.size() > 1) title += fmt::format(" (and {} more)", test.problems.size() - 1);
    return title;
}

}  // namespace

std::optional<RequestError> code_lenses(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<OpenDocument> open = open_document(request, error);
    if (!open) return error;
    Locator locator(*open->result->sources, open->uri);
    std::optional<TestRun> run = run_document_tests(*open->result);
    out.begin_array();
    auto lens = [&](Span span, std::string_view title) {
        out.begin_object().key("range");
        locator.write_range(out, span);
        out.key("command").begin_object().key("title").string(title).key("command").string("triage.runTests");
        out.key("arguments").begin_array().string(open->uri).end_array().end_object().end_object();
    };
    if (run) {
        for (const TestResult& test : run->results)
            if (test.name_span.file == 0) lens(test.name_span, lens_title(test));
    } else {
        for (const Symbol& symbol : open->result->symbols->symbols_in(0))
            if (symbol.kind == SymbolKind::test) lens(symbol.name_span, "tests not run: the flow has errors");
    }
    out.end_array();
    return std::nullopt;
}

std::optional<RequestError> run_flow_tests(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<OpenDocument> open = open_document(request, error);
    if (!open) return error;
    std::optional<TestRun> run = run_document_tests(*open->result);
    if (!run) return RequestError{request_failed, "the flow has errors: fix them to run its tests"};
    Locator locator(*open->result->sources, open->uri);
    out.begin_object().key("passed").number(std::int64_t(run->results.size() - run->failed()));
    out.key("failed").number(std::int64_t(run->failed())).key("tests").begin_array();
    for (const TestResult& test : run->results) {
        out.begin_object().key("name").string(test.name).key("passed").boolean(test.passed).key("location");
        locator.write_location(out, test.name_span);
        out.key("problems").begin_array();
        for (const std::string& problem : test.problems) out.string(problem);
        out.end_array().key("explanation").string(test.explanation).end_object();
    }
    out.end_array().end_object();
    return std::nullopt;
}

}  // namespace triage::lsp
