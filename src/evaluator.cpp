// Stage 5: evaluation (the working state is in evaluator_state.hpp).
#include "triage/evaluator.hpp"

#include "evaluator_state.hpp"

#include <stdexcept>

namespace triage {


Evaluator::Evaluator(Flow flow)
    : flow_(std::move(flow)), state_(std::make_unique<detail::EvaluatorState>(flow_.data())) {}
Evaluator::~Evaluator() = default;
Evaluator::Evaluator(Evaluator&&) noexcept = default;
Evaluator& Evaluator::operator=(Evaluator&&) noexcept = default;

std::uint32_t Evaluator::decide(const RecordView& record) noexcept {
    state_->begin(record, nullptr, nullptr);
    return state_->walk();
}

void Evaluator::evaluate(const RecordView& record, TimePoint reference, Decision& decision) noexcept {
    decision.clear();
    state_->begin(record, &decision, nullptr);
    state_->decide_fully(reference, decision);
}

void Evaluator::explain(const RecordView& record, TimePoint reference, Decision& decision, Trace& trace) noexcept {
    decision.clear();
    trace.clear();
    state_->begin(record, &decision, &trace);
    state_->decide_fully(reference, decision);
}

void Evaluator::check_monitor(const Monitor& monitor) const {
    if (&monitor.flow().data() != &flow_.data())
        throw std::invalid_argument("triage::Evaluator: the monitor belongs to another flow");
}

std::uint32_t Evaluator::decide(const RecordView& record, Monitor& monitor) {
    check_monitor(monitor);
    state_->begin(record, nullptr, nullptr);
    state_->observe(monitor, nullptr);
    return state_->walk();
}

void Evaluator::evaluate(const RecordView& record, TimePoint reference, Decision& decision, Monitor& monitor) {
    check_monitor(monitor);
    decision.clear();
    state_->begin(record, &decision, nullptr);
    state_->observe(monitor, &decision);
    state_->decide_fully(reference, decision);
}

void Evaluator::explain(const RecordView& record, TimePoint reference, Decision& decision, Trace& trace,
                        Monitor& monitor) {
    check_monitor(monitor);
    decision.clear();
    trace.clear();
    state_->begin(record, &decision, &trace);
    state_->observe(monitor, &decision);
    state_->decide_fully(reference, decision);
}

}  // namespace triage
