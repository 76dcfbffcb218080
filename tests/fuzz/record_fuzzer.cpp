// libFuzzer target: any bytes as one JSON line → record → decision → the JSON `triage run`
// writes and the explanation `triage explain` prints, against examples/customer_care.flow.
#include "triage/decision_format.hpp"
#include "triage/triage.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

struct Fixture {
    triage::Flow flow = [] {
        triage::CompileResult r = triage::compile_file(TRIAGE_SOURCE_DIR "/examples/customer_care.flow");
        if (!r.ok()) std::abort();
        return *r.flow;
    }();
    triage::JsonRecordReader reader{flow, {.renames = {{"user.name", "text"}}, .id_key = "id"}};
    triage::Evaluator evaluator{flow};
    triage::DecisionJson json{flow};
    triage::Decision decision;
    triage::Trace trace;
    std::string out;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture f;
    std::string_view line(reinterpret_cast<const char*>(data), size);
    if (!f.reader.read(line)) return 0;
    f.evaluator.explain(f.reader.view(), triage::TimePoint{}, f.decision, f.trace);
    f.out.clear();
    f.json.append(f.out, f.decision, 1, f.reader.id());
    (void)triage::explain_text(f.flow, f.decision, f.trace);
    return 0;
}
