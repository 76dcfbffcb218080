// Runs a compiled flow against mentions. One Evaluator per thread; many may share one Flow.
#pragma once

#include "triage/decision.hpp"
#include "triage/flow.hpp"
#include "triage/monitor.hpp"
#include "triage/record.hpp"
#include "triage/value.hpp"

#include <memory>

namespace triage {

namespace detail {
struct EvaluatorState;
}

class Evaluator {
public:
    explicit Evaluator(Flow flow);
    ~Evaluator();
    Evaluator(Evaluator&&) noexcept;
    Evaluator& operator=(Evaluator&&) noexcept;

    [[nodiscard]] const Flow& flow() const noexcept { return flow_; }

    // When on, evaluate() also lists in Decision::matched each text condition that held, what
    // matched it and where (`triage run --matches`). Off by default: it costs a second search
    // for the span (the regex's, or the phrase's in the text as written).
    void record_matches(bool on) noexcept;

    // The outcome only (an index into Flow::outcomes(), or no_outcome): the hot-loop path.
    [[nodiscard]] std::uint32_t decide(const RecordView& record) noexcept;

    // The full decision: outcome, applicable actions with deadlines counted from `reference`
    // (the mention's time, or now: the evaluator has no clock of its own), path, missing fields.
    void evaluate(const RecordView& record, TimePoint reference, Decision& decision) noexcept;

    // As evaluate(), and also records each condition with the values it compared.
    void explain(const RecordView& record, TimePoint reference, Decision& decision, Trace& trace) noexcept;

    // The same, for a flow that keeps state (Flow::keeps_state(): windows, crisis modes): the
    // monitor first counts the mention in its windows and updates its crisis modes, then the
    // mention is decided in that situation. Give the mentions of one stream in order, to one
    // monitor. Without a monitor, a window sees only the mention itself and no crisis is active.
    // Throws std::invalid_argument if the monitor was made for another Flow.
    [[nodiscard]] std::uint32_t decide(const RecordView& record, Monitor& monitor);
    void evaluate(const RecordView& record, TimePoint reference, Decision& decision, Monitor& monitor);
    void explain(const RecordView& record, TimePoint reference, Decision& decision, Trace& trace, Monitor& monitor);

private:
    void check_monitor(const Monitor& monitor) const;
    Flow flow_;
    std::unique_ptr<detail::EvaluatorState> state_;
};

}  // namespace triage
