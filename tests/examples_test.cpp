// The bundled examples are the first thing a policy author reads: they must check clean.
#include "support.hpp"
#include "flow_data.hpp"

using namespace triage;

namespace {

Flow compile_example(const char* name) {
    CompileResult result = compile_file(triage::test::source_dir() / "examples" / name);
    INFO(triage::test::all_text(result));
    REQUIRE(result.ok());
    CHECK(result.diagnostics.empty());  // not even a warning
    return *result.flow;
}

bool has_action(const Flow& flow, ActionKind kind) {
    for (const Outcome& o : flow.outcomes())
        for (const Action& a : o.actions)
            if (a.kind == kind) return true;
    return false;
}

}  // namespace

TEST_CASE("examples/airforce.flow is the Air Force web posting response assessment") {
    Flow flow = compile_example("airforce.flow");
    // Every outcome of the original chart is there.
    for (const char* outcome : {"monitor_only", "fix_facts", "restore", "let_stand", "share_success"}) {
        CAPTURE(outcome);
        auto node = flow.find_node(outcome);
        REQUIRE(node);
        CHECK(node->kind == NodeKind::outcome);
    }
    // The five response considerations appear as notes.
    std::string notes;
    for (const Outcome& o : flow.outcomes())
        for (const Action& a : o.actions)
            if (a.kind == ActionKind::note) notes += a.text + "\n";
    for (const char* consideration : {"ransparen", "ourc", "imel", "one", "nfluen"}) {
        CAPTURE(consideration);
        CHECK(notes.find(consideration) != std::string::npos);
    }
    CHECK(has_action(flow, ActionKind::do_not_respond));
    CHECK(has_action(flow, ActionKind::respond));
    CHECK(has_action(flow, ActionKind::notify));
}

TEST_CASE("examples/customer_care.flow routes legal threats and spam") {
    Flow flow = compile_example("customer_care.flow");
    CHECK(has_action(flow, ActionKind::escalate));
    CHECK(has_action(flow, ActionKind::priority));
    CHECK(has_action(flow, ActionKind::do_not_respond));
    bool legal_from_file = false;
    for (const WordList& list : flow.word_lists()) legal_from_file |= list.phrases.size() > 3;
    CHECK(legal_from_file);
    CHECK_FALSE(triage::detail::data_of(flow).regexes.empty());
}

TEST_CASE("examples/nonprofit.flow covers Owyang's elements") {
    Flow flow = compile_example("nonprofit.flow");
    for (ActionKind kind : {ActionKind::tag, ActionKind::flag, ActionKind::respond,
                            ActionKind::do_not_respond, ActionKind::follow_up}) {
        CAPTURE(to_string(kind));
        CHECK(has_action(flow, kind));
    }
    bool public_reply = false, private_reply = false;
    for (const Outcome& o : flow.outcomes())
        for (const Action& a : o.actions)
            if (a.kind == ActionKind::respond) (a.channel == Channel::publicly ? public_reply : private_reply) = true;
    CHECK(public_reply);
    CHECK(private_reply);
    CHECK(flow.sources().size() >= 2);  // it includes a shared file
}

TEST_CASE("examples/crisis.flow uses windows, a crisis mode and business hours") {
    Flow flow = compile_example("crisis.flow");
    CHECK(flow.keeps_state());
    REQUIRE(flow.clock());
    CHECK(flow.fields()[flow.clock()->field].name == "posted_at");
    CHECK(flow.clock()->tolerance == Duration(300));
    // In the order they are resolved: the step's rate and count by topic, then the crisis's count
    // and spike (each shared by `when` and `leave when`).
    std::vector<WindowKind> kinds;
    for (const Window& w : flow.windows()) kinds.push_back(w.kind);
    CHECK(kinds == std::vector<WindowKind>{WindowKind::rate, WindowKind::count, WindowKind::count, WindowKind::spike});
    CHECK(flow.windows()[1].group == flow.find_field("topic"));
    CHECK_FALSE(flow.windows()[2].group);
    REQUIRE(flow.crises().size() == 1);
    CHECK(flow.crises()[0].routes.size() == 2);
    CHECK(flow.crises()[0].minimum == Duration(3600));
    REQUIRE(flow.hours().size() == 1);
    CHECK(flow.hours()[0].zone == "Europe/London");
    CHECK(flow.hours()[0].openings.size() == 7);  // five weekdays, Saturday and Sunday
    CHECK(flow.hours()[0].holidays.size() == 3);
}

TEST_CASE("examples/brands.flow keeps one crisis mode per brand") {
    Flow flow = compile_example("brands.flow");
    REQUIRE(flow.crises().size() == 1);
    const Crisis& outage = flow.crises()[0];
    REQUIRE(outage.group);
    CHECK(flow.fields()[*outage.group].name == "brand");
    CHECK(outage.routes.size() == 1);
    TestRun run = run_tests(flow);
    CHECK(run.results.size() == 5);
    for (const TestResult& r : run.results) {
        CAPTURE(r.name);
        CHECK(r.passed);
    }
}
