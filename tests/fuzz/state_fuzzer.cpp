// libFuzzer target: any bytes as a saved state (`triage run --state`) for examples/crisis.flow →
// Monitor::restore. A refused state must say why and change nothing; an accepted one must save
// back to a state that restores to itself, and the monitor must go on deciding mentions.
#include "triage/triage.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

struct Fixture {
    triage::Flow flow = [] {
        triage::CompileResult r = triage::compile_file(TRIAGE_SOURCE_DIR "/examples/crisis.flow");
        if (!r.ok()) std::abort();
        return *r.flow;
    }();
    triage::Evaluator evaluator{flow};
    triage::Record record{flow};
    triage::Decision decision;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture f;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    triage::Monitor monitor(f.flow);
    const std::string fresh = monitor.snapshot();
    std::string error;
    if (!monitor.restore(text, error)) {
        if (error.empty() || monitor.snapshot() != fresh) std::abort();
        return 0;
    }
    const std::string saved = monitor.snapshot();
    triage::Monitor again(f.flow);
    if (!again.restore(saved, error) || again.snapshot() != saved) std::abort();
    // Go on from the restored clock (or from 2026 if it has none) with a few mentions.
    triage::TimePoint t = monitor.now().value_or(*triage::parse_time("2026-11-20T00:00:00Z"));
    for (int i = 0; i < 4; ++i) {
        t += std::chrono::minutes(7 * i);
        f.record.clear_all();
        f.record.set("text", i % 2 ? "the app is down" : "thanks").set("sentiment", -0.8).set("posted_at", t);
        f.record.set("topic", i % 2 ? "app" : "delays");
        f.evaluator.evaluate(f.record.view(), t, f.decision, monitor);
    }
    return 0;
}
