// libFuzzer target: any bytes as a flow file → compile → diagnostics formatted, and for a flow
// that compiles: its pictures, its tests, and one evaluation of an empty record.
#include "triage/triage.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    triage::CompileOptions options;
    // One readable file, so that `include` and `words ... = file` are exercised too.
    options.read_file = [](const std::filesystem::path& path, std::uint64_t) -> triage::FileRead {
        if (path.filename() == "words.txt") return {std::string("alpha\nbeta gamma\n# comment\n"), {}};
        if (path.filename() == "lists.flow") return {std::string("words shared = \"one\", \"two\"\n"), {}};
        return {std::nullopt, "No such file or directory"};
    };
    options.limits.solver_rlimit = 20'000;  // the semantic checks run, briefly: a give-up is a note
    triage::CompileResult result = triage::compile(text, "fuzz.flow", options);
    for (const triage::Diagnostic& d : result.diagnostics) (void)triage::format_text(d, *result.sources);
    (void)triage::format_json(result.diagnostics, *result.sources);
    if (!result.ok()) return 0;
    const triage::Flow& flow = *result.flow;
    (void)triage::to_dot(flow);
    (void)triage::to_mermaid(flow);
    (void)triage::run_tests(flow);
    triage::Record empty(flow);
    triage::Evaluator evaluator(flow);
    triage::Decision decision;
    triage::Trace trace;
    evaluator.explain(empty.view(), triage::TimePoint{}, decision, trace);
    return 0;
}
