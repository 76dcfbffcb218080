// Stage 5b: the state of a stream. Each window keeps, per group, a ring of counts per time
// bucket (window_ring.hpp) with running sums of the buckets inside the window and inside its
// baseline, so a mention costs O(1) per window however long the window is: the ring only
// advances, bucket by bucket, as the monitor's clock moves on.
#include "triage/monitor.hpp"

#include "monitor_state.hpp"

#include <stdexcept>

namespace triage {

namespace detail {

// Counts the mention `e` is evaluating in the windows and updates the crisis modes: the first
// half of deciding a mention with a Monitor (Evaluator::evaluate decides it next). Windows and
// crises evaluate their conditions in observing mode; only a missing clock value is reported to
// the decision.
const Situation& observe_mention(MonitorState& m, EvaluatorState& e, Decision* decision) {
    e.situation = &m.situation;
    ++m.stats.mentions;

    std::optional<TimePoint> t;
    if (m.data.clock) {
        const FieldValue& v = e.field(m.data.clock->field, decision);  // a missing clock value is reported
        if (v.kind == ValueKind::time && in_time_range(v.time)) t = v.time;
    }
    constexpr EvalMode observing = EvalMode::observe();
    bool counted = true;
    if (!t) {
        ++m.stats.without_time;
        t = m.situation.now;
        counted = t.has_value();
    } else if (m.latest && *t > *m.latest) {
        // Dated after what the host says is now: a scraped date in the future would otherwise
        // move the clock on and leave every real mention behind it late.
        ++m.stats.future;
        if (decision != nullptr) decision->future = true;
        t = m.situation.now;
        counted = false;
    } else {
        if (!m.situation.now || *t > *m.situation.now) m.situation.now = *t;
        if (*m.situation.now - *t > m.data.clock->tolerance) {
            counted = false;
            ++m.stats.late;
            if (decision != nullptr) decision->late = true;
        }
    }

    for (std::size_t w = 0; w < m.windows.size(); ++w) {
        WindowState& ws = m.windows[w];
        const bool matches = e.eval(ws.window->condition, 0, observing);
        if (!m.situation.now) {  // no time seen yet: an empty window
            m.values[w] = ws.window->kind == WindowKind::spike ? std::numeric_limits<double>::quiet_NaN() : 0;
            continue;
        }
        const std::int64_t head = m.bucket_of(ws, *m.situation.now);
        if (!ws.start) ws.start = head;
        const std::uint32_t limit = ws.window->group ? m.max_groups : 1;
        const std::size_t before = ws.rings.size();
        const std::uint32_t ring = !ws.window->group && !ws.rings.empty()  // one ring, no look-up
                                       ? 0
                                       : ws.ring_for(m.group_key(e, *ws.window), head, limit, m.stats.groups_dropped);
        m.stats.groups += ws.rings.size() - before;
        m.stats.bytes += (ws.rings.size() - before) * group_bytes(*ws.window, m.data.clock ? m.data.clock->tolerance : Duration(0));
        ws.advance(ring, head);
        if (counted && matches) ws.add(ring, m.bucket_of(ws, *t));
        m.values[w] = m.value(ws, ws.rings[ring]);
    }

    bool any = false;
    for (std::uint32_t i = 0; i < m.crises.size(); ++i) {
        CrisisState& state = m.crises[i];
        const Crisis& crisis = m.data.crises[i];
        m.entered[i] = 0;
        if (!state.manual) {
            const TimePoint now = m.situation.now.value_or(TimePoint{});
            if (!state.active) {
                if (crisis.enter != no_condition && e.eval(crisis.enter, 0, observing)) {
                    state = {true, now, m.stats.mentions, false};
                    m.entered[i] = 1;
                }
            } else if (now - state.since >= crisis.minimum) {
                const bool leave = crisis.leave != no_condition ? e.eval(crisis.leave, 0, observing)
                                                                : !e.eval(crisis.enter, 0, observing);
                if (leave) {
                    state.active = false;
                    if (decision != nullptr) decision->crises_left.push_back(i);
                }
            }
        }
        any = any || state.active;
        if (state.active && decision != nullptr) decision->crises.push_back({i, state.since, m.entered[i] != 0});
    }
    m.situation.any_crisis = any;
    return m.situation;
}

}  // namespace detail

const detail::Situation& Monitor::observe(detail::EvaluatorState& evaluator, Decision* decision) {
    return detail::observe_mention(*state_, evaluator, decision);
}

Monitor::Monitor(Flow flow, const Limits& limits)
    : flow_(std::move(flow)), state_(std::make_unique<detail::MonitorState>(flow_, limits)) {}
Monitor::~Monitor() = default;
Monitor::Monitor(Monitor&&) noexcept = default;
Monitor& Monitor::operator=(Monitor&&) noexcept = default;

std::optional<TimePoint> Monitor::now() const noexcept { return state_->situation.now; }
std::span<const CrisisState> Monitor::crises() const noexcept { return state_->crises; }
MonitorStats Monitor::stats() const noexcept { return state_->stats; }

void Monitor::set_latest(std::optional<TimePoint> latest) {
    if (latest && !in_time_range(*latest)) throw std::out_of_range("Monitor::set_latest: a time outside years 0000-9999");
    state_->latest = latest;
}

void Monitor::set_crisis(std::uint32_t crisis, bool active, TimePoint since) {
    if (crisis >= state_->crises.size()) throw std::out_of_range("Monitor::set_crisis: no such crisis");
    if (!in_time_range(since)) throw std::out_of_range("Monitor::set_crisis: a time outside years 0000-9999");
    state_->crises[crisis] = {active, since, state_->stats.mentions, active};
    state_->situation.any_crisis = std::any_of(state_->crises.begin(), state_->crises.end(),
                                               [](const CrisisState& c) { return c.active; });
}

}  // namespace triage
