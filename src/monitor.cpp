// Stage 5b: the state of a stream. Each window keeps, per group, a ring of counts per time
// bucket (window_ring.hpp) with running sums of the buckets inside the window and inside its
// baseline, so a mention costs O(1) per window however long the window is: the ring only
// advances, bucket by bucket, as the monitor's clock moves on.
#include "triage/monitor.hpp"

#include "monitor_state.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

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
        bool created = false;
        const std::uint32_t ring = !ws.window->group && !ws.rings.empty()  // one ring, no look-up
                                       ? 0
                                       : ws.ring_for(m.group_key(e, *ws.window), head, limit, m.stats.groups_dropped, created);
        m.current_ring[w] = ring;
        if (ring == none) {  // a new group, with every group held in crisis: not counted, not known
            m.values[w] = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        if (created && !m.pinned_by[w].empty()) m.pin_new_ring(static_cast<std::uint32_t>(w), ring);
        m.stats.groups += ws.rings.size() - before;
        m.stats.bytes += (ws.rings.size() - before) * group_bytes(*ws.window, m.data.clock ? m.data.clock->tolerance : Duration(0));
        ws.advance(ring, head);
        if (counted && matches) ws.add(ring, m.bucket_of(ws, *t));
        m.values[w] = m.value(ws, ws.rings[ring]);
    }

    bool any = false;
    for (std::uint32_t i = 0; i < m.crises.size(); ++i) {
        if (m.data.crises[i].group) m.update_grouped_crisis(i, e, decision);
        else m.update_crisis(i, e, decision);
        any = any || m.seen[i].active;
    }
    m.situation.any_crisis = any;
    return m.situation;
}

void MonitorState::update_crisis(std::uint32_t i, EvaluatorState& e, Decision* decision) {
    constexpr EvalMode observing = EvalMode::observe();
    CrisisState& state = crises[i];
    const Crisis& crisis = data.crises[i];
    entered[i] = 0;
    if (!state.manual) {
        const TimePoint now = situation.now.value_or(TimePoint{});
        if (!state.active) {
            if (crisis.enter != no_condition && e.eval(crisis.enter, 0, observing)) {
                state = {true, now, stats.mentions, false};
                entered[i] = 1;
                note_fired(i, false, crisis.enter, true, e, decision);
            }
        } else if (now - state.since >= crisis.minimum) {
            const bool leave = crisis.leave != no_condition ? e.eval(crisis.leave, 0, observing)
                                                            : !e.eval(crisis.enter, 0, observing);
            if (leave) {
                state.active = false;
                note_fired(i, true, crisis.leave != no_condition ? crisis.leave : crisis.enter,
                           crisis.leave != no_condition, e, decision);
                if (decision != nullptr) decision->crises_left.push_back({i, state.since, false, {}});
            }
        }
    }
    seen[i] = state;
    if (state.active && decision != nullptr) decision->crises.push_back({i, state.since, entered[i] != 0, {}});
}

// The same for a crisis with `by`: the mention's group's state, created when it enters and
// dropped when it leaves, so idle groups cost nothing.
void MonitorState::update_grouped_crisis(std::uint32_t i, EvaluatorState& e, Decision* decision) {
    constexpr EvalMode observing = EvalMode::observe();
    const Crisis& crisis = data.crises[i];
    GroupedCrisis& g = grouped[i];
    seen[i] = {};
    const auto group = group_of(e, crisis);
    if (!group) return;  // no value for the field: in no group, never in crisis
    const auto [key, name] = *group;
    const TimePoint now = situation.now.value_or(TimePoint{});
    auto it = g.by_key.find(key);
    bool started = false;
    if (it == g.by_key.end()) {
        if (crisis.enter == no_condition || !e.eval(crisis.enter, 0, observing)) return;
        if (g.active.size() >= max_groups) {  // held groups in crisis are never pushed out
            ++stats.crisis_groups_dropped;
            return;
        }
        start_group(i, key, name, {true, now, stats.mentions, false});
        it = g.by_key.find(key);
        started = true;
        note_fired(i, false, crisis.enter, true, e, decision);
    } else if (const CrisisState& state = g.active[it->second].state; !state.manual && now - state.since >= crisis.minimum) {
        const bool leave = crisis.leave != no_condition ? e.eval(crisis.leave, 0, observing)
                                                        : !e.eval(crisis.enter, 0, observing);
        if (leave) {
            note_fired(i, true, crisis.leave != no_condition ? crisis.leave : crisis.enter, crisis.leave != no_condition,
                       e, decision);
            if (decision != nullptr) decision->crises_left.push_back({i, state.since, false, name});
            end_group(i, it->second);
            return;
        }
    }
    seen[i] = g.active[it->second].state;
    if (decision != nullptr) decision->crises.push_back({i, seen[i].since, started, name});
}

std::optional<std::pair<std::uint64_t, std::string_view>> MonitorState::group_of(EvaluatorState& e, const Crisis& c) {
    const FieldValue& v = e.field(*c.group, nullptr);
    const Field& f = data.fields[*c.group];
    switch (v.kind) {
    case ValueKind::text: return std::pair{fnv1a(v.text), v.text};
    case ValueKind::enumeration:
        return std::pair{(std::uint64_t{1} << 63) | v.index, v.index < f.values.size() ? std::string_view(f.values[v.index])
                                                                                        : v.text};
    default: return std::nullopt;
    }
}

std::uint64_t MonitorState::key_of(const Crisis& c, std::string_view group) const {
    const Field& f = data.fields[*c.group];
    if (f.type != FieldType::enumeration) return fnv1a(group);
    return (std::uint64_t{1} << 63) | static_cast<std::uint64_t>(std::find(f.values.begin(), f.values.end(), group) - f.values.begin());
}

void MonitorState::start_group(std::uint32_t i, std::uint64_t key, std::string_view name, const CrisisState& state) {
    GroupedCrisis& g = grouped[i];
    g.by_key.emplace(key, static_cast<std::uint32_t>(g.active.size()));
    g.active.push_back({key, std::string(name), state});
    crises[i].active = true;
    pin_group(i, key, true);
}

void MonitorState::end_group(std::uint32_t i, std::uint32_t index) {
    GroupedCrisis& g = grouped[i];
    pin_group(i, g.active[index].key, false);
    g.by_key.erase(g.active[index].key);
    if (index + 1 != g.active.size()) {  // the last group takes its place
        g.active[index] = std::move(g.active.back());
        g.by_key[g.active[index].key] = index;
    }
    g.active.pop_back();
    crises[i].active = !g.active.empty();
}

void MonitorState::pin_group(std::uint32_t i, std::uint64_t key, bool pin) {
    for (std::uint32_t w : pins[i]) {
        WindowState& ws = windows[w];
        if (const std::uint32_t ring = ws.find(key); ring != none) {
            if (pin) ws.pin(ring);
            else ws.unpin(ring);
        }
    }
}

void MonitorState::pin_new_ring(std::uint32_t w, std::uint32_t ring) {
    WindowState& ws = windows[w];
    for (std::uint32_t c : pinned_by[w])
        if (grouped[c].by_key.contains(ws.rings[ring].key)) ws.pin(ring);
}

void MonitorState::note_fired(std::uint32_t i, bool leaving, ConditionId condition, bool held, EvaluatorState& e,
                              Decision* decision) {
    if (decision == nullptr) return;
    trace.clear();
    e.eval(condition, 0, EvalMode{nullptr, &trace, true, false});
    auto composite = [&](ConditionId id) {
        const ConditionKind k = data.conditions[id].kind;
        return k == ConditionKind::conjunction || k == ConditionKind::disjunction || k == ConditionKind::negation ||
               k == ConditionKind::let_ref;
    };
    for (std::size_t k = 0; k < trace.entries.size(); ++k) {
        const TraceEntry& t = trace.entries[k];
        const Condition& c = data.conditions[t.condition];
        const TraceEntry* leaf = &t;
        // `not LEAF` reads as one leaf: `not spike(...) > 2x` held.
        if (c.kind == ConditionKind::negation && !composite(c.children[0]) && k + 1 < trace.entries.size()) leaf = &trace.entries[++k];
        else if (composite(t.condition)) continue;
        if (t.result != held) continue;
        const bool window = data.conditions[leaf->condition].kind == ConditionKind::window;
        decision->fired.push_back({i, leaving, t.condition, held,
                                   window ? leaf->value.number : std::numeric_limits<double>::quiet_NaN()});
    }
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
MonitorStats Monitor::stats() const {
    MonitorStats stats = state_->stats;
    for (std::uint32_t i = 0; i < state_->grouped.size(); ++i) {
        const std::size_t first = stats.crisis_groups.size();
        for (const auto& g : state_->grouped[i].active) stats.crisis_groups.push_back({i, g.name, g.state});
        std::sort(stats.crisis_groups.begin() + static_cast<std::ptrdiff_t>(first), stats.crisis_groups.end(),
                  [](const CrisisGroup& a, const CrisisGroup& b) {
                      return std::tie(a.state.since, a.group) < std::tie(b.state.since, b.group);
                  });
    }
    return stats;
}

CrisisState Monitor::crisis_group(std::uint32_t crisis, std::string_view group) const {
    if (crisis >= state_->crises.size()) throw std::out_of_range("Monitor::crisis_group: no such crisis");
    const Crisis& c = flow_.crises()[crisis];
    if (!c.group) throw std::invalid_argument("Monitor::crisis_group: the crisis is not grouped");
    const auto& g = state_->grouped[crisis];
    auto it = g.by_key.find(state_->key_of(c, group));
    return it == g.by_key.end() ? CrisisState{} : g.active[it->second].state;
}

void Monitor::set_latest(std::optional<TimePoint> latest) {
    if (latest && !in_time_range(*latest)) throw std::out_of_range("Monitor::set_latest: a time outside years 0000-9999");
    state_->latest = latest;
}

void Monitor::set_crisis(std::uint32_t crisis, bool active, TimePoint since) {
    if (crisis >= state_->crises.size()) throw std::out_of_range("Monitor::set_crisis: no such crisis");
    if (!in_time_range(since)) throw std::out_of_range("Monitor::set_crisis: a time outside years 0000-9999");
    if (flow_.crises()[crisis].group)
        throw std::invalid_argument("Monitor::set_crisis: the crisis is grouped; name the group");
    state_->crises[crisis] = {active, since, state_->stats.mentions, active};
    state_->seen[crisis] = state_->crises[crisis];
}

void Monitor::set_crisis(std::uint32_t crisis, std::string_view group, bool active, TimePoint since) {
    if (crisis >= state_->crises.size()) throw std::out_of_range("Monitor::set_crisis: no such crisis");
    if (!in_time_range(since)) throw std::out_of_range("Monitor::set_crisis: a time outside years 0000-9999");
    const Crisis& c = flow_.crises()[crisis];
    if (!c.group) throw std::invalid_argument("Monitor::set_crisis: the crisis is not grouped");
    detail::MonitorState& m = *state_;
    const std::uint64_t key = m.key_of(c, group);
    if (auto it = m.grouped[crisis].by_key.find(key); it != m.grouped[crisis].by_key.end()) m.end_group(crisis, it->second);
    if (active) m.start_group(crisis, key, group, {true, since, m.stats.mentions, true});
}

}  // namespace triage
