// `triage diff OLD NEW --prove` (triage/prove.hpp, src/solver_diff.cpp): a proof for flows that
// decide alike, a counterexample that both evaluators decide differently, "unknown" with the
// reason, and "unavailable" without the solver.
#include "support.hpp"

#include "triage/evaluator.hpp"
#include "triage/format.hpp"
#include "triage/json.hpp"
#include "triage/prove.hpp"

#include <fstream>
#include <sstream>

namespace {

using triage::ProofVerdict;

std::string example_text(const std::string& name) {
    return triage::test::read_file(triage::test::source_dir() / "examples" / name);
}

// Compiled as if it were the example itself, so that its includes and word list files resolve.
triage::Flow compile_as_example(const std::string& name, std::string_view text) {
    triage::CompileResult r = triage::compile(text, (triage::test::source_dir() / "examples" / name).string());
    INFO(triage::test::all_text(r));
    REQUIRE(r.ok());
    return *r.flow;
}

// How `flow` decides the mention given as JSON: its outcome's name and the steps it passed.
std::string decided(const triage::Flow& flow, const std::string& mention) {
    triage::JsonRecordReader reader(flow);
    REQUIRE(reader.read(mention));
    triage::Evaluator evaluator(flow);
    triage::Decision d;
    evaluator.evaluate(reader.view(), {}, d);
    std::string out = d.decided() ? flow.outcomes()[d.outcome].name : "(none)";
    for (const triage::PathEntry& p : d.path) out += " " + flow.steps()[p.step].name + ">" + std::string(flow.node_name(p.target));
    return out;
}

constexpr std::string_view thresholds = R"(flow "t" version 1
fields {
  negative: bool
  retweets: integer
}
start triage
step triage "Loud?" {
  if negative and retweets > 3 -> escalate
  else -> fine
}
outcome fine "Fine" { monitor }
outcome escalate "Escalate" { escalate to "press office" }
)";

}  // namespace

TEST_CASE("solver: diff --prove proves each example flow the same as its fmt output") {
    if (!triage::semantic_checks_built()) return;
    for (const std::string name : {"airforce.flow", "crisis.flow", "customer_care.flow", "nonprofit.flow"}) {
        INFO(name);
        const std::string text = example_text(name);
        const triage::FormatResult formatted = triage::format_source(text, name);
        REQUIRE(formatted.text.has_value());
        const triage::DecisionProof proof = triage::prove_same_decisions(compile_as_example(name, text),
                                                                        compile_as_example(name, *formatted.text), {});
        INFO(proof.reason);
        CHECK(proof.verdict == ProofVerdict::same);
    }
}

TEST_CASE("solver: diff --prove finds a mention for one threshold changed that both evaluators decide differently") {
    if (!triage::semantic_checks_built()) return;
    const std::string text = example_text("airforce.flow");
    const std::string from = "if sentiment >= 0.3 -> positive";
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    const std::string changed = std::string(text).replace(at, from.size(), "if sentiment >= 0.4 -> positive");
    const triage::Flow before = compile_as_example("airforce.flow", text);
    const triage::Flow after = compile_as_example("airforce.flow", changed);
    const triage::DecisionProof proof = triage::prove_same_decisions(before, after, {});
    INFO(proof.reason);
    REQUIRE(proof.verdict == ProofVerdict::differs);
    INFO(proof.mention);
    CHECK(decided(before, proof.mention) != decided(after, proof.mention));
    // What the proof says each flow decided is what the public evaluator decides.
    CHECK(decided(before, proof.mention).find(std::string(before.outcomes()[proof.old_decision.outcome].name)) == 0);
    CHECK(decided(after, proof.mention).find(std::string(after.outcomes()[proof.new_decision.outcome].name)) == 0);
    CHECK(proof.old_decision.path.size() != proof.new_decision.path.size());
}

TEST_CASE("solver: diff --prove compares outcomes, paths and actions by name across renumbered fields") {
    if (!triage::semantic_checks_built()) return;
    const triage::Flow before = triage::test::compile_text(thresholds).flow.value();
    std::string swapped(thresholds);  // the same decisions with the fields declared the other way round
    swapped.replace(swapped.find("  negative: bool\n  retweets: integer\n"), 36, "  retweets: integer\n  negative: bool\n");
    CHECK(triage::prove_same_decisions(before, triage::test::compile_text(swapped).flow.value(), {}).verdict ==
          ProofVerdict::same);
    std::string raised(thresholds);
    raised.replace(raised.find("> 3"), 3, "> 4");
    const triage::Flow after = triage::test::compile_text(raised).flow.value();
    const triage::DecisionProof proof = triage::prove_same_decisions(before, after, {});
    REQUIRE(proof.verdict == ProofVerdict::differs);
    CHECK(proof.mention == R"({"negative":true,"retweets":4})");
    CHECK(decided(before, proof.mention) == "escalate triage>escalate");
    CHECK(decided(after, proof.mention) == "fine triage>fine");
    std::string action(thresholds);  // the same outcome and path, another action
    action.replace(action.find("\"press office\""), 14, "\"press office\" if retweets > 10");
    const triage::DecisionProof actions = triage::prove_same_decisions(before, triage::test::compile_text(action).flow.value(), {});
    REQUIRE(actions.verdict == ProofVerdict::differs);
    CHECK(actions.old_decision.actions.size() == 1);
    CHECK(actions.new_decision.actions.empty());
}

TEST_CASE("solver: diff --prove is unknown when crises differ or the resource limit is reached") {
    if (!triage::semantic_checks_built()) return;
    const std::string text = example_text("crisis.flow");
    const std::string from = "over 15m > 20";
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    const triage::DecisionProof crisis = triage::prove_same_decisions(
        compile_as_example("crisis.flow", text), compile_as_example("crisis.flow", std::string(text).replace(at, from.size(), "over 15m > 30")), {});
    CHECK(crisis.verdict == ProofVerdict::unknown);
    CHECK(crisis.reason.find("crisis definitions differ") != std::string::npos);
    triage::Limits tiny;
    tiny.solver_rlimit = 1;
    const triage::Flow flow = compile_as_example("airforce.flow", example_text("airforce.flow"));
    const triage::DecisionProof gave_up = triage::prove_same_decisions(flow, flow, tiny);
    CHECK(gave_up.verdict == ProofVerdict::unknown);
    CHECK(gave_up.reason.find("--limit solver-rlimit=N (now 1)") != std::string::npos);
}

TEST_CASE("solver: without the solver diff --prove says it is unavailable, with it the exit status says the verdict") {
    triage::test::TempDir dir;
    const auto old_flow = dir.path / "old.flow", new_flow = dir.path / "new.flow";
    triage::test::write_file(old_flow, thresholds);
    std::string raised(thresholds);
    raised.replace(raised.find("> 3"), 3, "> 4");
    triage::test::write_file(new_flow, raised);
    const std::string files = triage::test::quoted(old_flow.string()) + " " + triage::test::quoted(new_flow.string());
    const triage::test::CliRun same = triage::test::run_triage("diff --prove " + triage::test::quoted(old_flow.string()) + " " +
                                                               triage::test::quoted(old_flow.string()) + " 2>&1");
    const triage::test::CliRun differs = triage::test::run_triage("diff --prove --format json " + files + " 2>&1");
    INFO(same.output);
    INFO(differs.output);
    CHECK(triage::test::run_triage("diff " + files + " 2>&1").status == 2);  // neither --mentions nor --prove
    if (!triage::semantic_checks_built()) {
        CHECK(same.status == 4);
        CHECK(same.output.find("unavailable: this triage was built without the Z3 solver") != std::string::npos);
        CHECK(differs.output.find(R"("verdict":"unknown")") != std::string::npos);
        return;
    }
    CHECK(same.status == 0);
    CHECK(same.output.find("no mention is decided differently") == 0);
    CHECK(differs.status == 3);
    CHECK(differs.output.find(R"({"verdict":"differs","mention":{"negative":true,"retweets":4},"old":{"outcome":"escalate")") == 0);
}

namespace {

constexpr std::string_view replies = R"(flow "t" version 1
fields {
  negative: bool
  retweets: integer
}
start triage
step triage "Loud?" {
  if retweets > 100 -> loud
  else -> quiet
}
outcome loud "Loud" {
  respond publicly within 1h if retweets > 1000
  do not respond because "it passes" if retweets < 500
}
outcome quiet "Quiet" { monitor }
)";

}  // namespace

TEST_CASE("solver: without the solver two conditions are T040 unless one is the other's not, with it only when both can hold") {
    const triage::CompileResult exclusive = triage::compile(replies, "t.flow");
    INFO(triage::test::all_text(exclusive));
    if (triage::semantic_checks_built()) CHECK(exclusive.ok());
    else CHECK((!exclusive.ok() && triage::test::find(exclusive, triage::Code::conflicting_actions) != nullptr));
    std::string overlapping(replies);
    overlapping.replace(overlapping.find("retweets < 500"), 14, "retweets < 5000 and negative");
    const triage::CompileResult both = triage::compile(overlapping, "t.flow");
    INFO(triage::test::all_text(both));
    REQUIRE(triage::test::codes(both) == std::vector<std::string>{"T040"});
    CHECK_FALSE(both.ok());
    if (!triage::semantic_checks_built()) return;
    // The mention in the message: the outcome with both replies, as the evaluator decides it.
    const std::string& message = triage::test::find(both, triage::Code::conflicting_actions)->message;
    const std::size_t from = message.find('{'), to = message.find(" (checked with the evaluator)");
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    const std::string mention = message.substr(from, to - from);
    CHECK(mention.find(R"("negative":true)") != std::string::npos);
    std::string accepted(overlapping);  // the same flow without the do not respond, to decide the mention with
    accepted.replace(accepted.find("do not respond"), 14, "note \"x\" ");
    accepted.replace(accepted.find("because \"it passes\" "), 20, "");
    const triage::CompileResult decidable = triage::compile(accepted, "t.flow");
    INFO(triage::test::all_text(decidable));
    REQUIRE(decidable.ok());
    triage::JsonRecordReader reader(*decidable.flow);
    REQUIRE(reader.read(mention));
    triage::Evaluator evaluator(*decidable.flow);
    triage::Decision d;
    evaluator.evaluate(reader.view(), {}, d);
    REQUIRE(d.decided());
    CHECK(decidable.flow->outcomes()[d.outcome].name == "loud");
    CHECK(d.actions.size() == 2);  // the respond and the note that stands for the do not respond
}
