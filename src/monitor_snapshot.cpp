// Saving and restoring a Monitor's state (see Monitor::snapshot): a JSON document tied to the
// flow's clock, windows and crises by a fingerprint of their definitions.
#include "triage/monitor.hpp"

#include "monitor_state.hpp"
#include "triage/json_writer.hpp"

#include <simdjson.h>

#include <charconv>

namespace triage {

// {"triage_state": 2, "flow", "definition", "now", "stats": {...},
//  "crises": [{"name", "active", "since", "entered_by", "manual"}, or for a grouped crisis
//             {"name", "groups": [{"key", "group", "since", "entered_by", "manual"}, ...]}],
//  "windows": [{"groups": [{"key", "born", "head", "counts": [[age, count], ...]}, ...]}]}
// A window's groups are listed most recently seen first, then those held by a crisis; keys are
// hex strings (they are hashes). Version 1 had no grouped crises.
std::string Monitor::snapshot() const {
    const detail::MonitorState& m = *state_;
    JsonWriter json;
    auto time_or_null = [&](const std::optional<TimePoint>& t) {
        if (t) json.number(static_cast<std::int64_t>(t->time_since_epoch().count()));
        else json.null();
    };
    json.begin_object();
    json.key("triage_state").number(std::int64_t{2});
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
    json.key("crisis_groups_dropped").number(static_cast<std::int64_t>(m.stats.crisis_groups_dropped));
    json.end_object();
    json.key("crises").begin_array();
    for (std::size_t i = 0; i < m.crises.size(); ++i) {
        const CrisisState& c = m.crises[i];
        json.begin_object();
        json.key("name").string(flow_.crises()[i].name);
        if (flow_.crises()[i].group) {
            json.key("groups").begin_array();
            for (const auto& g : m.grouped[i].active) {
                json.begin_object();
                json.key("key").string(fmt::format("{:016x}", g.key));
                json.key("group").string(g.name);
                json.key("since").number(static_cast<std::int64_t>(g.state.since.time_since_epoch().count()));
                json.key("entered_by").number(static_cast<std::int64_t>(g.state.entered_by));
                json.key("manual").boolean(g.state.manual);
                json.end_object();
            }
            json.end_array().end_object();
            continue;
        }
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
        std::vector<std::uint32_t> order;
        for (std::uint32_t i = ws.most_recent; i != detail::none; i = ws.rings[i].older) order.push_back(i);
        for (std::uint32_t i = 0; i < ws.rings.size(); ++i)
            if (ws.rings[i].pinned != 0) order.push_back(i);
        for (std::uint32_t i : order) {
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
        if (root["triage_state"].get(version)) return fail("not a triage state file");
        if (version == 1)
            return fail("the state was saved by an earlier triage (state version 1, before grouped crises); this one "
                        "reads version 2: start without the state, or decide with the triage that saved it");
        if (version != 2) return fail(fmt::format("the state is version {}; this triage reads version 2", version));
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
        std::uint64_t mentions = 0, late = 0, without_time = 0, future = 0, dropped = 0, crisis_dropped = 0;
        if (root["stats"].get(saved) || saved["mentions"].get(mentions) || saved["late"].get(late) ||
            saved["without_time"].get(without_time) || saved["future"].get(future) || saved["groups_dropped"].get(dropped) ||
            saved["crisis_groups_dropped"].get(crisis_dropped))
            return fail("the state's counts are unreadable");
        m.stats.crisis_groups_dropped = crisis_dropped;
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
            if (m.data.crises[ci].group) {
                if (!grouped_crisis(c, static_cast<std::uint32_t>(ci++))) return false;
                continue;
            }
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

    // The groups in crisis of grouped crisis `i`; their rings are pinned once the windows are read.
    bool grouped_crisis(simdjson::dom::element c, std::uint32_t i) {
        simdjson::dom::array groups;
        if (c["groups"].get(groups)) return fail("a crisis in the state is unreadable");
        MonitorState::GroupedCrisis& g = m.grouped[i];
        for (simdjson::dom::element saved : groups) {
            std::string_view key_text, name;
            std::int64_t since = 0;
            std::uint64_t entered_by = 0, key = 0;
            bool manual = false;
            if (saved["key"].get(key_text) || saved["group"].get(name) || saved["since"].get(since) ||
                saved["entered_by"].get(entered_by) || saved["manual"].get(manual) || since < earliest_ms ||
                since > latest_ms || (!manual && (!m.situation.now || since > m.situation.now->time_since_epoch().count())))
                return fail("a crisis group in the state is unreadable");
            auto [end, ec] = std::from_chars(key_text.data(), key_text.data() + key_text.size(), key, 16);
            if (ec != std::errc() || end != key_text.data() + key_text.size() || g.by_key.contains(key))
                return fail("a crisis group key in the state is unreadable or repeated");
            if (!manual && g.active.size() >= m.max_groups) return fail("the state holds more crisis groups than allowed");
            g.by_key.emplace(key, static_cast<std::uint32_t>(g.active.size()));
            g.active.push_back({key, std::string(name), {true, TimePoint(std::chrono::milliseconds(since)), entered_by, manual}});
        }
        m.crises[i].active = !g.active.empty();
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
    // Groups in crisis keep their windows' rings (see Ring::pinned).
    for (std::uint32_t i = 0; i < m.grouped.size(); ++i)
        for (const auto& g : m.grouped[i].active) m.pin_group(i, g.key, true);
    for (std::uint32_t i = 0; i < m.crises.size(); ++i)
        if (!flow_.crises()[i].group) m.seen[i] = m.crises[i];
    state_ = std::move(fresh);
    return true;
}

}  // namespace triage
