// The semantic checks (src/solver.cpp): what they prove, that an example is shown only once the
// evaluator agrees, the note when the solver gives up or is not built in, and --werror on notes.
#include "support.hpp"

#include "flow_data.hpp"
#include "solver.hpp"

#include <stop_token>
#include <tuple>

namespace {

using triage::Code;
using triage::CompileOptions;
using triage::Diagnostic;
using triage::SemanticChecks;
using triage::Severity;

constexpr std::string_view broader_first = R"(flow "t" version 1
fields {
  negative: bool
  retweets: number
}
start triage
step triage "Negative?" {
  if negative -> fine
  if negative and retweets > 3 -> escalate
  else -> fine
}
outcome fine "Fine" { monitor }
outcome escalate "Escalate" { escalate to "press office" }
)";

constexpr std::string_view text_covered = R"(flow "t" version 1
fields { text: text }
words bad = "awful", "terrible"
start triage
step triage "Bad?" {
  if text has any bad -> angry
  if text has any bad and text contains "refund" -> money
  else -> calm
}
outcome angry "Angry" { monitor }
outcome money "Money" { monitor }
outcome calm "Calm" { monitor }
)";

triage::CompileResult compile_without_solver(std::string_view text) {
    CompileOptions options;
    options.semantic_checks = SemanticChecks::off;
    triage::CompileResult r = triage::compile(text, "t.flow", options);
    REQUIRE(r.ok());
    return r;
}

// The semantic checks of a compiled flow, with the evaluator's verdict on examples replaced.
std::vector<Diagnostic> semantic_diagnostics(const triage::CompileResult& r, const triage::detail::ExampleVerdict& verdict) {
    std::vector<Diagnostic> out;
    CompileOptions options;
    options.semantic_checks = SemanticChecks::available;
    triage::detail::check_semantics(triage::detail::data_of(*r.flow), options, out, verdict);
    return out;
}

std::size_t count(const std::vector<Diagnostic>& ds, Code code, Severity severity) {
    return static_cast<std::size_t>(std::count_if(ds.begin(), ds.end(), [&](const Diagnostic& d) { return d.code == code && d.severity == severity; }));
}

}  // namespace

TEST_CASE("solver: a narrower branch after a broader one is T033 with an example the evaluator confirmed") {
    if (!triage::semantic_checks_built()) return;
    CompileOptions options;
    options.semantic_checks = SemanticChecks::available;
    triage::CompileResult r = triage::compile(broader_first, "t.flow", options);
    INFO(triage::test::all_text(r));
    const Diagnostic* shadowed = triage::test::find(r, Code::shadowed_branch);
    REQUIRE(shadowed != nullptr);
    CHECK(shadowed->message.find("taken first by the branch on line 8") != std::string::npos);
    REQUIRE(shadowed->notes.size() == 2);
    CHECK(shadowed->notes[1].message.find("negative = true") != std::string::npos);
    CHECK(triage::test::find(r, Code::unreachable) != nullptr);  // the outcome only that branch led to
    // Nothing of it when the checks are off.
    CHECK(compile_without_solver(broader_first).diagnostics.empty());
}

TEST_CASE("solver: when the evaluator disagrees about an exact example, an internal-error note and no warning") {
    if (!triage::semantic_checks_built()) return;
    triage::CompileResult r = compile_without_solver(broader_first);
    std::vector<Diagnostic> ds = semantic_diagnostics(r, [](bool) { return false; });
    CHECK(count(ds, Code::shadowed_branch, Severity::warning) == 0);
    REQUIRE(count(ds, Code::semantic_check_skipped, Severity::note) == 1);
    const auto note = std::find_if(ds.begin(), ds.end(), [](const Diagnostic& d) { return d.code == Code::semantic_check_skipped; });
    CHECK(note->message.starts_with("internal error: the solver and the evaluator disagree"));
    CHECK(r.sources->begin(note->span).line == 9);
    // The evaluator's own verdict agrees: the warning, no note.
    ds = semantic_diagnostics(r, {});
    CHECK(count(ds, Code::shadowed_branch, Severity::warning) == 1);
    CHECK(count(ds, Code::semantic_check_skipped, Severity::note) == 0);
}

TEST_CASE("solver: an example through over-approximated text that the evaluator rejects is retried, then left out") {
    if (!triage::semantic_checks_built()) return;
    triage::CompileResult r = compile_without_solver(text_covered);
    int asked = 0;
    std::vector<Diagnostic> ds = semantic_diagnostics(r, [&](bool) { ++asked; return false; });
    CHECK(asked >= 1);
    CHECK(count(ds, Code::shadowed_branch, Severity::warning) == 0);
    CHECK(count(ds, Code::semantic_check_skipped, Severity::note) == 0);  // not an internal error: text is approximated
    // With the evaluator's verdict the written text ("awful refund") is decided as claimed.
    ds = semantic_diagnostics(r, {});
    REQUIRE(count(ds, Code::shadowed_branch, Severity::warning) == 1);
    const auto w = std::find_if(ds.begin(), ds.end(), [](const Diagnostic& d) { return d.code == Code::shadowed_branch; });
    CHECK(w->notes.back().message.find("text = \"awful refund\"") != std::string::npos);
}

TEST_CASE("solver: a tiny resource limit gives a note, not a warning or an error") {
    if (!triage::semantic_checks_built()) return;
    CompileOptions options;
    options.semantic_checks = SemanticChecks::available;
    options.limits.solver_rlimit = 1;
    triage::CompileResult r = triage::compile(broader_first, "t.flow", options);
    INFO(triage::test::all_text(r));
    CHECK(r.ok());
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].severity == Severity::note);
    CHECK(r.diagnostics[0].code == Code::semantic_check_skipped);
    CHECK(r.diagnostics[0].help.find("--limit solver-rlimit=N (now 1)") != std::string::npos);
}

TEST_CASE("solver: without the solver the checks say so only when wanted") {
    CompileOptions wanted;
    wanted.semantic_checks = SemanticChecks::wanted;
    triage::CompileResult r = triage::compile(broader_first, "t.flow", wanted);
    REQUIRE(r.ok());
    if (triage::semantic_checks_built()) {
        CHECK(triage::test::find(r, Code::shadowed_branch) != nullptr);
        return;
    }
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].severity == Severity::note);
    CHECK(r.diagnostics[0].message.find("built without the Z3 solver") != std::string::npos);
    CHECK(triage::compile(broader_first, "t.flow").diagnostics.empty());  // the default: quietly left out
}

TEST_CASE("solver, run later on a compiled flow: what compile() gives with the checks, allow comments honoured, nothing once stopped") {
    auto spans = [](const std::vector<Diagnostic>& ds) {
        std::vector<std::tuple<Code, std::uint32_t, std::uint32_t>> out;
        for (const Diagnostic& d : ds) out.emplace_back(d.code, d.span.file, d.span.begin);
        return out;
    };
    CompileOptions with_checks;
    with_checks.semantic_checks = SemanticChecks::available;
    const std::string allowed = std::string(broader_first).replace(std::string(broader_first).find("step triage"), 0,
                                                                   "# triage: allow(T033)\n");
    for (std::string_view text : {broader_first, text_covered, std::string_view(allowed)}) {
        INFO(text);
        const triage::CompileResult plain = compile_without_solver(text);
        const std::vector<Diagnostic> later = triage::detail::with_semantic_checks(plain, triage::Limits{}, {});
        CHECK(spans(later) == spans(triage::compile(text, "t.flow", with_checks).diagnostics));
        if (triage::semantic_checks_built() && text == broader_first) CHECK(count(later, Code::shadowed_branch, Severity::warning) == 1);
        if (text == allowed) CHECK(count(later, Code::shadowed_branch, Severity::warning) == 0);
        // A stop asked for before the solver starts: the plain diagnostics, nothing added.
        std::stop_source stop;
        stop.request_stop();
        CHECK(spans(triage::detail::with_semantic_checks(plain, triage::Limits{}, stop.get_token())) == spans(plain.diagnostics));
    }
    if (triage::semantic_checks_built()) {  // the allowed one still has the unreachable outcome
        const triage::CompileResult plain = compile_without_solver(allowed);
        CHECK(count(triage::detail::with_semantic_checks(plain, triage::Limits{}, {}), Code::unreachable, Severity::warning) == 1);
    }
}

TEST_CASE("solver: check --werror passes with notes and fails with warnings, JSON counts notes") {
    triage::test::TempDir dir;
    const auto flow = dir.path / "t.flow";
    triage::test::write_file(flow, broader_first);
    const std::string quoted = triage::test::quoted(flow.string());
    triage::test::CliRun tiny = triage::test::run_triage("check --werror --limit solver-rlimit=1 --format json " + quoted + " 2>&1");
    INFO(tiny.output);
    CHECK(tiny.status == 0);
    CHECK(tiny.output.find("\"severity\":\"note\"") != std::string::npos);
    CHECK(tiny.output.find("\"notes\":1") != std::string::npos);
    triage::test::CliRun sarif = triage::test::run_triage("check --limit solver-rlimit=1 --format sarif " + quoted + " 2>&1");
    CHECK(sarif.output.find("\"level\":\"note\"") != std::string::npos);
    if (!triage::semantic_checks_built()) return;
    CHECK(triage::test::run_triage("check --werror " + quoted + " 2>&1").status == 1);
}
