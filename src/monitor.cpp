// Stage 5b: the state of a stream. Each window keeps, per group, a ring of counts per time
// bucket (window_ring.hpp) with running sums of the buckets inside the window and inside its
// baseline, so a mention costs O(1) per window however long the window is: the ring only
// advances, bucket by bucket, as the monitor's clock moves on.
#include "triage/monitor.hpp"

#include "evaluator_state.hpp"
#include "json_writer.hpp"
#include "text_util.hpp"
#include "window_ring.hpp"

#include <simdjson.h>

#include <fmt/format.h>

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
            rings.emplace_back();
            counts.resize(counts.size() + n_ring, 0);
        } else {
            i = least_recent;
            unlink(i);
            by_key.erase(rings[i].key);
            ++dropped;
        }
        reset(i, key, head);
        by_key.emplace(key, i);
        push_front(i);
        return i;
    }

    // Moves ring `i` on to bucket `head`: buckets leave the window for the baseline, the
    // baseline for the tolerance, and the oldest slot is cleared for reuse.
    void advance(std::uint32_t i, std::int64_t head) {
        Ring& r = rings[i];
        if (head <= r.head) return;
        if (head - r.head >= n_ring) {
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
        ++count(i, bucket);
        if (age < n_recent) ++r.recent;
        else if (age < static_cast<std::int64_t>(n_recent) + n_base) ++r.baseline;
    }
};

std::int64_t to_ms(Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

// Years 0000-9999, as JSON records allow: times a host passes beyond them are treated as missing,
// so that no difference of two times can overflow.
constexpr std::int64_t earliest_ms = -62167219200000, latest_ms = 253402300799999;
bool in_range(TimePoint t) {
    const std::int64_t ms = t.time_since_epoch().count();
    return ms >= earliest_ms && ms <= latest_ms;
}

}  // namespace

struct MonitorState {
    MonitorState(const Flow& flow, const Limits& limits)
        : data(flow.data()), max_groups(std::max<std::uint32_t>(limits.groups, 1)), values(flow.windows().size()),
          crises(flow.crises().size()), entered(flow.crises().size(), 0) {
        const Duration tolerance = data.clock ? data.clock->tolerance : Duration(0);
        for (const Window& w : data.windows) {
            WindowState ws;
            ws.window = &w;
            ws.bucket_ms = to_ms(w.bucket);
            auto buckets = [&](Duration d) { return static_cast<std::uint32_t>((d.count() + w.bucket.count() - 1) / w.bucket.count()); };
            ws.n_recent = buckets(w.length);
            ws.n_base = buckets(w.baseline);
            ws.n_ring = ring_buckets(w, tolerance);
            windows.push_back(std::move(ws));
        }
        situation.window_values = values.data();
        situation.crises = crises.data();
        fingerprint = definition_fingerprint(flow);
    }

    // What a snapshot must agree on with the flow that restores it.
    static std::string definition_fingerprint(const Flow& flow) {
        std::string text;
        if (const auto& clock = flow.clock())
            text += fmt::format("clock {} {}\n", flow.fields()[clock->field].name, clock->tolerance.count());
        for (const Window& w : flow.windows())
            text += fmt::format("window {} {} {} {} {} {}\n", to_string(w.kind), w.length.count(), w.baseline.count(),
                                w.unit.count(), w.group ? flow.fields()[*w.group].name : "-",
                                collapse_whitespace(flow.source_text(flow.conditions()[w.condition].span)));
        for (const Crisis& c : flow.crises()) text += fmt::format("crisis {}\n", c.name);
        return fmt::format("{:016x}", fnv1a(text));
    }

    const FlowData& data;
    std::uint32_t max_groups;
    std::vector<WindowState> windows;
    std::vector<double> values;  // per window, for the mention being observed
    std::vector<CrisisState> crises;
    std::vector<char> entered;   // per crisis: started by the mention being observed
    Situation situation;
    std::optional<TimePoint> first;  // the first mention time observed: when the history begins
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
        case WindowKind::rate: return recent * static_cast<double>(w.unit.count()) / static_cast<double>(w.length.count());
        case WindowKind::spike: {
            // Not known until the monitor has seen a whole baseline.
            if (!first || !situation.now || *situation.now - *first < w.length + w.baseline)
                return std::numeric_limits<double>::quiet_NaN();
            // Rates per bucket; an empty baseline counts as one mention, so a first mention is no spike of infinity.
            const double baseline_rate = std::max<double>(static_cast<double>(r.baseline), 1) / ws.n_base;
            return recent / ws.n_recent / baseline_rate;
        }
        }
        return 0;
    }

    std::uint64_t group_key(EvaluatorState& e, const Window& w) {
        if (!w.group) return 0;
        const FieldValue& v = e.field(*w.group);
        switch (v.kind) {
        case ValueKind::text: return fnv1a(v.text);
        case ValueKind::enumeration: return (std::uint64_t{1} << 63) | v.index;
        default: return 1;  // mentions without the field form a group of their own
        }
    }
};

const Situation& observe_mention(MonitorState& m, EvaluatorState& e, Decision* decision) {
    Trace* const trace = e.trace;
    e.trace = nullptr;
    e.situation = &m.situation;
    ++m.stats.mentions;

    std::optional<TimePoint> t;
    if (m.data.clock) {
        e.decision = decision;  // a missing clock value is reported
        const FieldValue& v = e.field(m.data.clock->field);
        if (v.kind == ValueKind::time && in_range(v.time)) t = v.time;
    }
    e.decision = nullptr;  // what windows and crises read is not the mention's path
    bool counted = true;
    if (!t) {
        ++m.stats.without_time;
        t = m.situation.now;
        counted = t.has_value();
    } else {
        if (!m.situation.now || *t > *m.situation.now) m.situation.now = *t;
        if (!m.first) m.first = *t;
        if (*m.situation.now - *t > m.data.clock->tolerance) {
            counted = false;
            ++m.stats.late;
            if (decision != nullptr) decision->late = true;
        }
    }

    for (std::size_t w = 0; w < m.windows.size(); ++w) {
        WindowState& ws = m.windows[w];
        const bool matches = e.eval(ws.window->condition, 0);
        if (!m.situation.now) {  // no time seen yet: an empty window
            m.values[w] = ws.window->kind == WindowKind::spike ? std::numeric_limits<double>::quiet_NaN() : 0;
            continue;
        }
        const std::int64_t head = m.bucket_of(ws, *m.situation.now);
        const std::uint32_t limit = ws.window->group ? m.max_groups : 1;
        const std::size_t before = ws.rings.size();
        const std::uint32_t ring = ws.ring_for(m.group_key(e, *ws.window), head, limit, m.stats.groups_dropped);
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
                if (crisis.enter != no_condition && e.eval(crisis.enter, 0)) {
                    state = {true, now, m.stats.mentions, false};
                    m.entered[i] = 1;
                }
            } else if (now - state.since >= crisis.minimum) {
                const bool leave = crisis.leave != no_condition ? e.eval(crisis.leave, 0) : !e.eval(crisis.enter, 0);
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

    e.decision = decision;
    e.trace = trace;
    return m.situation;
}

}  // namespace detail

Monitor::Monitor(Flow flow, const Limits& limits)
    : flow_(std::move(flow)), state_(std::make_unique<detail::MonitorState>(flow_, limits)) {}
Monitor::~Monitor() = default;
Monitor::Monitor(Monitor&&) noexcept = default;
Monitor& Monitor::operator=(Monitor&&) noexcept = default;

std::optional<TimePoint> Monitor::now() const noexcept { return state_->situation.now; }
std::span<const CrisisState> Monitor::crises() const noexcept { return state_->crises; }
MonitorStats Monitor::stats() const noexcept { return state_->stats; }

void Monitor::set_crisis(std::uint32_t crisis, bool active, TimePoint since) {
    if (crisis >= state_->crises.size()) throw std::out_of_range("Monitor::set_crisis: no such crisis");
    if (!detail::in_range(since)) throw std::out_of_range("Monitor::set_crisis: a time outside years 0000-9999");
    state_->crises[crisis] = {active, since, state_->stats.mentions, active};
    state_->situation.any_crisis = std::any_of(state_->crises.begin(), state_->crises.end(),
                                               [](const CrisisState& c) { return c.active; });
}

// {"triage_state": 1, "flow", "definition", "now", "first", "stats": {...},
//  "crises": [{"name", "active", "since", "entered_by", "manual"}],
//  "windows": [{"groups": [{"key", "head", "counts": [[age, count], ...]}, ...]}]}
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
    json.key("first");
    time_or_null(m.first);
    json.key("stats").begin_object();
    json.key("mentions").number(static_cast<std::int64_t>(m.stats.mentions));
    json.key("late").number(static_cast<std::int64_t>(m.stats.late));
    json.key("without_time").number(static_cast<std::int64_t>(m.stats.without_time));
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
        json.begin_object().key("groups").begin_array();
        for (std::uint32_t i = ws.most_recent; i != detail::none; i = ws.rings[i].older) {
            const detail::Ring& r = ws.rings[i];
            json.begin_object();
            json.key("key").string(fmt::format("{:016x}", r.key));
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
    auto fail = [&](std::string message) {
        error = std::move(message);
        return false;
    };
    std::int64_t version = 0;
    if (root["triage_state"].get(version) || version != 1) return fail("not a triage state file (version 1)");
    std::string_view definition;
    if (root["definition"].get(definition)) return fail("the state has no flow definition");
    if (definition != m.fingerprint)
        return fail("the state was saved by a flow whose clock, windows or crises differ from this one's");
    auto read_time = [&](const char* key, std::optional<TimePoint>& out) {
        simdjson::dom::element v;
        if (root[key].get(v)) return false;
        if (v.is_null()) return true;
        std::int64_t ms = 0;
        if (v.get(ms) || ms < detail::earliest_ms || ms > detail::latest_ms) return false;
        out = TimePoint(std::chrono::milliseconds(ms));
        return true;
    };
    if (!read_time("now", m.situation.now) || !read_time("first", m.first)) return fail("the state's times are unreadable");
    simdjson::dom::object stats;
    std::uint64_t mentions = 0, late = 0, without_time = 0, dropped = 0;
    if (root["stats"].get(stats) || stats["mentions"].get(mentions) || stats["late"].get(late) ||
        stats["without_time"].get(without_time) || stats["groups_dropped"].get(dropped))
        return fail("the state's counts are unreadable");
    m.stats.mentions = mentions;
    m.stats.late = late;
    m.stats.without_time = without_time;
    m.stats.groups_dropped = dropped;

    simdjson::dom::array crises;
    if (root["crises"].get(crises) || crises.size() != m.crises.size()) return fail("the state's crises do not match the flow");
    std::size_t ci = 0;
    for (simdjson::dom::element c : crises) {
        CrisisState& state = m.crises[ci++];
        std::int64_t since = 0;
        std::uint64_t entered_by = 0;
        if (c["active"].get(state.active) || c["since"].get(since) || c["entered_by"].get(entered_by) ||
            c["manual"].get(state.manual) || since < detail::earliest_ms || since > detail::latest_ms)
            return fail("a crisis in the state is unreadable");
        state.since = TimePoint(std::chrono::milliseconds(since));
        state.entered_by = entered_by;
    }

    simdjson::dom::array windows;
    if (root["windows"].get(windows) || windows.size() != m.windows.size()) return fail("the state's windows do not match the flow");
    const Duration tolerance = flow_.clock() ? flow_.clock()->tolerance : Duration(0);
    std::size_t wi = 0;
    for (simdjson::dom::element w : windows) {
        detail::WindowState& ws = m.windows[wi++];
        simdjson::dom::array groups;
        if (w["groups"].get(groups)) return fail("a window in the state is unreadable");
        std::vector<std::uint32_t> order;  // most recent first
        for (simdjson::dom::element g : groups) {
            std::string_view key_text;
            std::int64_t head = 0;
            simdjson::dom::array counts;
            if (g["key"].get(key_text) || g["head"].get(head) || g["counts"].get(counts) ||
                head < detail::earliest_ms / ws.bucket_ms - 1 || head > detail::latest_ms / ws.bucket_ms)
                return fail("a group in the state is unreadable");
            std::uint64_t key = 0;
            auto [end, ec] = std::from_chars(key_text.data(), key_text.data() + key_text.size(), key, 16);
            if (ec != std::errc() || end != key_text.data() + key_text.size() || ws.by_key.contains(key))
                return fail("a group key in the state is unreadable or repeated");
            if (ws.rings.size() >= (ws.window->group ? m.max_groups : 1u)) return fail("the state holds more groups than allowed");
            const auto i = static_cast<std::uint32_t>(ws.rings.size());
            ws.rings.emplace_back();
            ws.counts.resize(ws.counts.size() + ws.n_ring, 0);
            ws.reset(i, key, head);
            ws.by_key.emplace(key, i);
            order.push_back(i);
            for (simdjson::dom::element pair : counts) {
                simdjson::dom::array a;
                std::uint64_t age = 0, n = 0;
                if (pair.get(a) || a.size() != 2 || a.at(0).get(age) || a.at(1).get(n) || age + 1 >= ws.n_ring ||
                    n > UINT32_MAX || ws.count(i, head - static_cast<std::int64_t>(age)) != 0)
                    return fail("a count in the state is unreadable or repeated");
                ws.count(i, head - static_cast<std::int64_t>(age)) = static_cast<std::uint32_t>(n);
                if (age < ws.n_recent) ws.rings[i].recent += n;
                else if (age < std::uint64_t{ws.n_recent} + ws.n_base) ws.rings[i].baseline += n;
            }
        }
        for (auto it = order.rbegin(); it != order.rend(); ++it) ws.push_front(*it);
        m.stats.groups += ws.rings.size();
        m.stats.bytes += ws.rings.size() * detail::group_bytes(*ws.window, tolerance);
    }
    m.situation.any_crisis =
        std::any_of(m.crises.begin(), m.crises.end(), [](const CrisisState& c) { return c.active; });
    state_ = std::move(fresh);
    return true;
}

}  // namespace triage
