// Stage 5: evaluation (the working state is in evaluator_state.hpp).
#include "triage/evaluator.hpp"

#include "evaluator_state.hpp"

#include <stdexcept>

namespace triage {


Evaluator::Evaluator(Flow flow)
    : flow_(std::move(flow)), state_(std::make_unique<detail::EvaluatorState>(detail::data_of(flow_))) {}
Evaluator::~Evaluator() = default;
Evaluator::Evaluator(Evaluator&&) noexcept = default;
Evaluator& Evaluator::operator=(Evaluator&&) noexcept = default;

void Evaluator::record_matches(bool on) noexcept { state_->record_matches = on; }

std::uint32_t Evaluator::decide(const RecordView& record) noexcept {
    state_->begin(record);
    return state_->walk({});
}

void Evaluator::evaluate(const RecordView& record, TimePoint reference, Decision& decision) noexcept {
    decision.clear();
    state_->begin(record);
    state_->decide_fully(reference, decision, nullptr);
}

void Evaluator::explain(const RecordView& record, TimePoint reference, Decision& decision, Trace& trace) noexcept {
    decision.clear();
    trace.clear();
    state_->begin(record);
    state_->decide_fully(reference, decision, &trace);
}

void Evaluator::check_monitor(const Monitor& monitor) const {
    if (&detail::data_of(monitor.flow()) != &detail::data_of(flow_))
        throw std::invalid_argument("triage::Evaluator: the monitor belongs to another flow");
}

// With a monitor, each mention is counted first (its windows and crisis modes updated), then
// decided against what the monitor then knows.
std::uint32_t Evaluator::decide(const RecordView& record, Monitor& monitor) {
    check_monitor(monitor);
    state_->begin(record);
    state_->situation = &monitor.observe(*state_, nullptr);
    return state_->walk({});
}

void Evaluator::evaluate(const RecordView& record, TimePoint reference, Decision& decision, Monitor& monitor) {
    check_monitor(monitor);
    decision.clear();
    state_->begin(record);
    state_->situation = &monitor.observe(*state_, &decision);
    state_->decide_fully(reference, decision, nullptr);
}

void Evaluator::explain(const RecordView& record, TimePoint reference, Decision& decision, Trace& trace,
                        Monitor& monitor) {
    check_monitor(monitor);
    decision.clear();
    trace.clear();
    state_->begin(record);
    state_->situation = &monitor.observe(*state_, &decision);
    state_->decide_fully(reference, decision, &trace);
}

}  // namespace triage
