// Stage 5b: the state of a stream. Each window keeps, per group, a ring of counts per time
// bucket (window_ring.hpp) with running sums of the buckets inside the window and inside its
// baseline, so a mention costs O(1) per window however long the window is: the ring only
// advances, bucket by bucket, as the monitor's clock moves on.
#include "triage/monitor.hpp"

#include "evaluator_state.hpp"
#include "triage/json_writer.hpp"
#include "text_util.hpp"
#include "window_ring.hpp"

#include <simdjson.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>

namespace triage {

namespace detail {

namespace {

constexpr std::uint32_t none = UINT32_MAX;

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = 14695981039346656037ull) {
    for (char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ull;
    }
    return hash;
}

// One group's counts: buckets (head - n_ring, head], in a slice of WindowState::counts.
struct Ring {
    std::uint64_t key = 0;
    std::int64_t born = 0;        // the bucket the group was first seen in: how much history it has
    std::int64_t head = 0;        // the newest bucket
    std::uint64_t recent = 0;     // mentions counted in the window: buckets (head - n_recent, head]
    std::uint64_t baseline = 0;   // in the baseline before it
    std::uint32_t newer = none;   // least-recently-used order, most recent first
    std::uint32_t older = none;
};

struct WindowState {
    const Window* window = nullptr;
    std::int64_t bucket_ms = 1000;
    std::uint32_t n_recent = 1, n_base = 0, n_ring = 2;
    std::vector<Ring> rings;
    std::vector<std::uint32_t> counts;  // rings.size() * n_ring
    std::unordered_map<std::uint64_t, std::uint32_t> by_key;
    std::uint32_t most_recent = none, least_recent = none;
    // The bucket of the first mention time this window saw: a group first seen later has had no
    // mentions since then, which is history too, unless groups have been dropped (one of them may
    // be this one again).
    std::optional<std::int64_t> start;
    bool dropped_any = false;

    std::size_t slot(std::uint32_t ring, std::int64_t bucket) const {
        const auto n = static_cast<std::int64_t>(n_ring);
        return std::size_t{ring} * n_ring + static_cast<std::size_t>(((bucket % n) + n) % n);
    }
    std::uint32_t& count(std::uint32_t ring, std::int64_t bucket) { return counts[slot(ring, bucket)]; }

    void unlink(std::uint32_t i) {
        Ring& r = rings[i];
        (r.newer != none ? rings[r.newer].older : most_recent) = r.older;
        (r.older != none ? rings[r.older].newer : least_recent) = r.newer;
        r.newer = r.older = none;
    }
    void push_front(std::uint32_t i) {
        rings[i].older = most_recent;
        rings[i].newer = none;
        if (most_recent != none) rings[most_recent].newer = i;
        most_recent = i;
        if (least_recent == none) least_recent = i;
    }
    void reset(std::uint32_t i, std::uint64_t key, std::int64_t head) {
        std::fill_n(counts.begin() + static_cast<std::ptrdiff_t>(std::size_t{i} * n_ring), n_ring, 0u);
        Ring& r = rings[i];
        r.key = key;
        r.head = head;
        r.recent = r.baseline = 0;
    }

    // Room for one more group, growing to at most `max_groups` (not past it, as doubling would).
    void grow(std::uint32_t max_groups) {
        if (rings.size() == rings.capacity()) {
            const std::size_t capacity = std::min<std::size_t>(std::max<std::size_t>(rings.capacity() * 2, 4), max_groups);
            rings.reserve(capacity);
            counts.reserve(capacity * n_ring);
        }
        rings.emplace_back();
        counts.resize(counts.size() + n_ring, 0);
    }

    // The ring of `key`, created (or taking the place of the least recently seen group, when
    // `max_groups` are held) if new.
    std::uint32_t ring_for(std::uint64_t key, std::int64_t head, std::uint32_t max_groups, std::uint64_t& dropped) {
        if (auto it = by_key.find(key); it != by_key.end()) {
            if (most_recent != it->second) {
                unlink(it->second);
                push_front(it->second);
            }
            return it->second;
        }
        std::uint32_t i = 0;
        if (rings.size() < max_groups) {
            i = static_cast<std::uint32_t>(rings.size());
            grow(max_groups);
            by_key.emplace(key, i);
        } else {
            // The least recently seen group makes room; its map node is reused, so a full window
            // allocates nothing for a new group.
            i = least_recent;
            unlink(i);
            auto node = by_key.extract(rings[i].key);
            node.key() = key;
            by_key.insert(std::move(node));
            ++dropped;
            dropped_any = true;
        }
        reset(i, key, head);
        rings[i].born = dropped_any || !start ? head : *start;
        push_front(i);
        return i;
    }

    // Moves ring `i` on to bucket `head`: buckets leave the window for the baseline, the
    // baseline for the tolerance, and the oldest slot is cleared for reuse.
    void advance(std::uint32_t i, std::int64_t head) {
        Ring& r = rings[i];
        if (head <= r.head) return;
        if (head - r.head >= n_ring) {  // a long quiet spell: nothing left in the ring
            reset(i, r.key, head);
            return;
        }
        for (std::int64_t h = r.head + 1; h <= head; ++h) {
            const std::uint32_t leaving_window = count(i, h - n_recent);
            r.recent -= leaving_window;
            r.baseline += leaving_window;
            r.baseline -= count(i, h - n_recent - n_base);
            count(i, h) = 0;
        }
        r.head = head;
    }

    void add(std::uint32_t i, std::int64_t bucket) {
        Ring& r = rings[i];
        const std::int64_t age = r.head - bucket;
        if (age < 0 || age >= static_cast<std::int64_t>(n_ring) - 1) return;
        std::uint32_t& c = count(i, bucket);
        if (c == UINT32_MAX) return;  // four billion mentions in one bucket: the count stays exact, the rest is not counted
        ++c;
        if (age < n_recent) ++r.recent;
        else if (age < static_cast<std::int64_t>(n_recent) + n_base) ++r.baseline;
    }
};

std::int64_t to_ms(Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

// Years 0000-9999 (in_time_range), as milliseconds in a saved state.
constexpr std::int64_t earliest_ms = earliest_time.time_since_epoch().count();
constexpr std::int64_t latest_ms = latest_time.time_since_epoch().count();

}  // namespace

struct MonitorState {
    MonitorState(const Flow& flow, const Limits& limits)
        : data(detail::data_of(flow)), max_groups(std::max<std::uint32_t>(limits.groups, 1)), values(flow.windows().size()),
          crises(flow.crises().size()), entered(flow.crises().size(), 0) {
        const Duration tolerance = data.clock ? data.clock->tolerance : Duration(0);
        for (const Window& w : data.windows) {
            WindowState ws;
            ws.window = &w;
            ws.bucket_ms = to_ms(w.bucket);
            ws.n_recent = buckets_in(w, w.length);
            ws.n_base = buckets_in(w, w.baseline);
            ws.n_ring = ring_buckets(w, tolerance);
            windows.push_back(std::move(ws));
        }
        situation.window_values = values.data();
        situation.crises = crises.data();
        fingerprint = definition_fingerprint(flow);
    }

    // What a snapshot must agree on with the flow that restores it: the clock, and what each
    // window counts, as resolved (so reformatting the flow changes nothing, while a changed
    // `let`, word list or order of a grouping field's values does).
    static std::string definition_fingerprint(const Flow& flow) {
        std::string text;
        if (const auto& clock = flow.clock())
            text += fmt::format("clock {} {}\n", flow.fields()[clock->field].name, clock->tolerance.count());
        for (const Window& w : flow.windows()) {
            text += fmt::format("window {} {} {} {} ", to_string(w.kind), w.length.count(), w.baseline.count(), w.unit.count());
            if (w.group) text += fmt::format("by {} [{}] ", flow.fields()[*w.group].name, fmt::join(flow.fields()[*w.group].values, ","));
            append_signature(flow, w.condition, text);
            text += '\n';
        }
        for (const Crisis& c : flow.crises()) text += fmt::format("crisis {}\n", c.name);
        return fmt::format("{:016x}", fnv1a(text));
    }

    static void append_signature(const Flow& flow, ConditionId id, std::string& out) {
        const detail::FlowData& data = detail::data_of(flow);
        const Condition& c = data.conditions[id];
        if (c.kind == ConditionKind::let_ref) return append_signature(flow, data.lets[c.operand].condition, out);
        out += fmt::format("({} {} {} {} {} {:?} [{}] [{}] [{}]", static_cast<int>(c.kind), static_cast<int>(c.op), c.negated,
                           flow.fields().empty() ? std::string() : flow.fields()[c.field].name, c.number, c.text,
                           fmt::join(c.numbers, ","), fmt::join(c.strings, "\x1f"), fmt::join(c.values, ","));
        if (reads_word_list(c.kind))
            out += fmt::format(" words {:?}", fmt::join(flow.word_lists()[c.operand].phrases, "\x1f"));
        if (c.kind == ConditionKind::matches)
            out += fmt::format(" regex {:?} {}", data.regexes[c.operand].pattern, data.regexes[c.operand].case_insensitive);
        if (c.kind == ConditionKind::compare_field) out += " " + flow.fields()[c.operand].name;
        for (ConditionId child : c.children) append_signature(flow, child, out);
        out += ')';
    }

    const FlowData& data;
    std::uint32_t max_groups;
    std::vector<WindowState> windows;
    std::vector<double> values;  // per window, for the mention being observed
    std::vector<CrisisState> crises;
    std::vector<char> entered;   // per crisis: started by the mention being observed
    Situation situation;
    std::optional<TimePoint> latest;  // set_latest(): mention times after it are not believed
    MonitorStats stats;
    std::string fingerprint;

    std::int64_t bucket_of(const WindowState& ws, TimePoint t) const {
        const std::int64_t ms = t.time_since_epoch().count();
        return ms >= 0 ? ms / ws.bucket_ms : -((-ms + ws.bucket_ms - 1) / ws.bucket_ms);
    }

    double value(const WindowState& ws, const Ring& r) const {
        const Window& w = *ws.window;
        const auto recent = static_cast<double>(r.recent);
        switch (w.kind) {
        case WindowKind::count: return recent;
        case WindowKind::rate: return rate_of(w, recent);
        case WindowKind::spike: {
            // Not known until the group has a whole window and baseline of history.
            if (r.head - r.born < static_cast<std::int64_t>(ws.n_recent) + ws.n_base)
                return std::numeric_limits<double>::quiet_NaN();
            // The mentions the baseline leads one to expect in the window, at least one: after a
            // quiet baseline a single mention is no spike, five are a factor of five.
            const double expected = std::max(static_cast<double>(r.baseline) * ws.n_recent / ws.n_base, 1.0);
            return recent / expected;
        }
        }
        return 0;
    }

    std::uint64_t group_key(EvaluatorState& e, const Window& w) {
        if (!w.group) return 0;
        const FieldValue& v = e.field(*w.group, nullptr);
        switch (v.kind) {
        case ValueKind::text: return fnv1a(v.text);
        case ValueKind::enumeration: return (std::uint64_t{1} << 63) | v.index;
        default: return 1;  // mentions without the field form a group of their own
        }
    }
};

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

// {"triage_state": 1, "flow", "definition", "now", "stats": {...},
//  "crises": [{"name", "active", "since", "entered_by", "manual"}],
//  "windows": [{"groups": [{"key", "born", "head", "counts": [[age, count], ...]}, ...]}]}
// Groups are listed most recently seen first; keys are hex strings (they are hashes).
std::string Monitor::snapshot() const {
    const detail::MonitorState& m = *state_;
    JsonWriter json;
    auto time_or_null = [&](const std::optional<TimePoint>& t) {
        if (t) json.number(static_cast<std::int64_t>(t->time_since_epoch().count()));
        else json.null();
    };
    json.begin_object();
    json.key("triage_state").number(std::int64_t{1});
    json.key("flow").string(flow_.name());
    json.key("definition").string(m.fingerprint);
    json.key("now");
    time_or_null(m.situation.now);
    json.key("stats").begin_object();
    json.key("mentions").number(static_cast<std::int64_t>(m.stats.mentions));
    json.key("late").number(static_cast<std::int64_t>(m.stats.late));
    json.key("without_time").number(static_cast<std::int64_t>(m.stats.without_time));
    json.key("future").number(static_cast<std::int64_t>(m.stats.future));
    json.key("groups_dropped").number(static_cast<std::int64_t>(m.stats.groups_dropped));
    json.end_object();
    json.key("crises").begin_array();
    for (std::size_t i = 0; i < m.crises.size(); ++i) {
        const CrisisState& c = m.crises[i];
        json.begin_object();
        json.key("name").string(flow_.crises()[i].name);
        json.key("active").boolean(c.active);
        json.key("since").number(static_cast<std::int64_t>(c.since.time_since_epoch().count()));
        json.key("entered_by").number(static_cast<std::int64_t>(c.entered_by));
        json.key("manual").boolean(c.manual);
        json.end_object();
    }
    json.end_array();
    json.key("windows").begin_array();
    for (const detail::WindowState& ws : m.windows) {
        json.begin_object();
        json.key("start");
        if (ws.start) json.number(static_cast<std::int64_t>(*ws.start));
        else json.null();
        json.key("dropped").boolean(ws.dropped_any);
        json.key("groups").begin_array();
        for (std::uint32_t i = ws.most_recent; i != detail::none; i = ws.rings[i].older) {
            const detail::Ring& r = ws.rings[i];
            json.begin_object();
            json.key("key").string(fmt::format("{:016x}", r.key));
            json.key("born").number(static_cast<std::int64_t>(r.born));
            json.key("head").number(static_cast<std::int64_t>(r.head));
            json.key("counts").begin_array();
            for (std::uint32_t age = 0; age + 1 < ws.n_ring; ++age) {
                const std::uint32_t n = ws.counts[ws.slot(i, r.head - age)];
                if (n != 0) json.begin_array().number(age).number(n).end_array();
            }
            json.end_array();
            json.end_object();
        }
        json.end_array().end_object();
    }
    json.end_array();
    json.end_object();
    return json.take();
}

namespace detail {
namespace {

// Reads the parts of a snapshot (see Monitor::snapshot) into a fresh state, checking each against
// the flow; a part that cannot be read sets `error` and returns false.
struct SnapshotReader {
    MonitorState& m;
    std::string& error;

    bool fail(std::string message) {
        error = std::move(message);
        return false;
    }

    bool header(simdjson::dom::element root) {
        std::int64_t version = 0;
        if (root["triage_state"].get(version) || version != 1) return fail("not a triage state file (version 1)");
        std::string_view definition;
        if (root["definition"].get(definition)) return fail("the state has no flow definition");
        if (definition != m.fingerprint)
            return fail("the state was saved by a flow whose clock, windows or crises differ from this one's");
        return true;
    }

    // The monitor's clock: null before it has seen a time.
    bool now(simdjson::dom::element root) {
        simdjson::dom::element saved;
        if (root["now"].get(saved)) return fail("the state's times are unreadable");
        if (saved.is_null()) return true;
        std::int64_t ms = 0;
        if (saved.get(ms) || ms < earliest_ms || ms > latest_ms) return fail("the state's times are unreadable");
        m.situation.now = TimePoint(std::chrono::milliseconds(ms));
        return true;
    }

    bool stats(simdjson::dom::element root) {
        simdjson::dom::object saved;
        std::uint64_t mentions = 0, late = 0, without_time = 0, future = 0, dropped = 0;
        if (root["stats"].get(saved) || saved["mentions"].get(mentions) || saved["late"].get(late) ||
            saved["without_time"].get(without_time) || saved["future"].get(future) || saved["groups_dropped"].get(dropped))
            return fail("the state's counts are unreadable");
        m.stats.mentions = mentions;
        m.stats.late = late;
        m.stats.without_time = without_time;
        m.stats.future = future;
        m.stats.groups_dropped = dropped;
        return true;
    }

    bool crises(simdjson::dom::element root) {
        simdjson::dom::array saved;
        if (root["crises"].get(saved) || saved.size() != m.crises.size()) return fail("the state's crises do not match the flow");
        std::size_t ci = 0;
        for (simdjson::dom::element c : saved) {
            CrisisState& state = m.crises[ci++];
            std::int64_t since = 0;
            std::uint64_t entered_by = 0;
            // A crisis can only have started by a time the monitor has seen, and only an active one
            // can be held by hand.
            if (c["active"].get(state.active) || c["since"].get(since) || c["entered_by"].get(entered_by) ||
                c["manual"].get(state.manual) || since < earliest_ms || since > latest_ms ||
                (state.manual && !state.active) || (state.active && !state.manual && (!m.situation.now ||
                                                     since > m.situation.now->time_since_epoch().count())))
                return fail("a crisis in the state is unreadable");
            state.since = TimePoint(std::chrono::milliseconds(since));
            state.entered_by = entered_by;
        }
        return true;
    }

    bool windows(simdjson::dom::element root, Duration tolerance) {
        simdjson::dom::array saved;
        if (root["windows"].get(saved) || saved.size() != m.windows.size()) return fail("the state's windows do not match the flow");
        std::size_t wi = 0;
        for (simdjson::dom::element w : saved) {
            WindowState& ws = m.windows[wi++];
            simdjson::dom::array groups;
            simdjson::dom::element start;
            if (w["groups"].get(groups) || w["start"].get(start) || w["dropped"].get(ws.dropped_any))
                return fail("a window in the state is unreadable");
            if (!start.is_null()) {
                std::int64_t bucket = 0;
                if (start.get(bucket) || !m.situation.now || bucket > m.bucket_of(ws, *m.situation.now) ||
                    bucket < earliest_ms / ws.bucket_ms - 1)
                    return fail("a window in the state is unreadable");
                ws.start = bucket;
            }
            std::vector<std::uint32_t> order;  // most recent first
            for (simdjson::dom::element g : groups)
                if (!group(g, ws, order)) return false;
            for (auto it = order.rbegin(); it != order.rend(); ++it) ws.push_front(*it);
            m.stats.groups += ws.rings.size();
            m.stats.bytes += ws.rings.size() * group_bytes(*ws.window, tolerance);
        }
        return true;
    }

    // One group of window `ws`, appended to `order`.
    bool group(simdjson::dom::element g, WindowState& ws, std::vector<std::uint32_t>& order) {
        std::string_view key_text;
        std::int64_t head = 0, born = 0;
        simdjson::dom::array counts;
        // Groups exist only once the clock has started, and no later than it.
        if (g["key"].get(key_text) || g["born"].get(born) || g["head"].get(head) || g["counts"].get(counts) ||
            !m.situation.now || !ws.start || head > m.bucket_of(ws, *m.situation.now) || head < *ws.start ||
            born > head || born < *ws.start)
            return fail("a group in the state is unreadable");
        std::uint64_t key = 0;
        auto [end, ec] = std::from_chars(key_text.data(), key_text.data() + key_text.size(), key, 16);
        if (ec != std::errc() || end != key_text.data() + key_text.size() || ws.by_key.contains(key) ||
            (!ws.window->group && key != 0))
            return fail("a group key in the state is unreadable or repeated");
        if (ws.rings.size() >= (ws.window->group ? m.max_groups : 1u)) return fail("the state holds more groups than allowed");
        const auto i = static_cast<std::uint32_t>(ws.rings.size());
        ws.grow(m.max_groups);
        ws.reset(i, key, head);
        ws.rings[i].born = born;
        ws.by_key.emplace(key, i);
        order.push_back(i);
        for (simdjson::dom::element pair : counts) {
            simdjson::dom::array a;
            std::uint64_t age = 0, n = 0;
            if (pair.get(a) || a.size() != 2 || a.at(0).get(age) || a.at(1).get(n) || age + 1 >= ws.n_ring ||
                n >= UINT32_MAX || ws.count(i, head - static_cast<std::int64_t>(age)) != 0)
                return fail("a count in the state is unreadable or repeated");
            ws.count(i, head - static_cast<std::int64_t>(age)) = static_cast<std::uint32_t>(n);
            if (age < ws.n_recent) ws.rings[i].recent += n;
            else if (age < std::uint64_t{ws.n_recent} + ws.n_base) ws.rings[i].baseline += n;
        }
        return true;
    }
};

}  // namespace
}  // namespace detail

bool Monitor::restore(std::string_view snapshot, std::string& error) {
    auto fresh = std::make_unique<detail::MonitorState>(flow_, Limits{});
    fresh->max_groups = state_->max_groups;
    detail::MonitorState& m = *fresh;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto e = parser.parse(snapshot.data(), snapshot.size()).get(root); e) {
        error = fmt::format("the state is not valid JSON: {}", simdjson::error_message(e));
        return false;
    }
    const Duration tolerance = flow_.clock() ? flow_.clock()->tolerance : Duration(0);
    detail::SnapshotReader reader{m, error};
    if (!reader.header(root) || !reader.now(root) || !reader.stats(root) || !reader.crises(root) ||
        !reader.windows(root, tolerance))
        return false;
    m.situation.any_crisis =
        std::any_of(m.crises.begin(), m.crises.end(), [](const CrisisState& c) { return c.active; });
    state_ = std::move(fresh);
    return true;
}

}  // namespace triage
