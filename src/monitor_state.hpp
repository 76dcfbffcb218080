// The state a Monitor keeps (see monitor.cpp): per window, a ring of counts per group with
// running sums; per crisis, its state. Shared by monitor.cpp (counting) and monitor_snapshot.cpp
// (saving and restoring).
#pragma once

#include "evaluator_state.hpp"
#include "text_util.hpp"
#include "window_ring.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <limits>
#include <unordered_map>

namespace triage::detail {

constexpr std::uint32_t none = UINT32_MAX;

inline std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = 14695981039346656037ull) {
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
    // Grouped crises this group is in (crisis.group is the window's field): while it is in any, it
    // is out of the least-recently-used order and never dropped for room.
    std::uint32_t pinned = 0;
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
    // `max_groups` are held) if new; `none` (the group dropped) when every group held is pinned.
    std::uint32_t ring_for(std::uint64_t key, std::int64_t head, std::uint32_t max_groups, std::uint64_t& dropped,
                           bool& created) {
        created = false;
        if (auto it = by_key.find(key); it != by_key.end()) {
            if (rings[it->second].pinned == 0 && most_recent != it->second) {
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
        } else if (least_recent == none) {  // every group held is in a crisis: keep them all
            ++dropped;
            return none;
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
        rings[i].pinned = 0;
        push_front(i);
        created = true;
        return i;
    }

    void pin(std::uint32_t i) {
        if (rings[i].pinned++ == 0) unlink(i);
    }
    void unpin(std::uint32_t i) {
        if (--rings[i].pinned == 0) push_front(i);
    }
    [[nodiscard]] std::uint32_t find(std::uint64_t key) const {
        auto it = by_key.find(key);
        return it == by_key.end() ? none : it->second;
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

inline std::int64_t to_ms(Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

// Years 0000-9999 (in_time_range), as milliseconds in a saved state.
constexpr std::int64_t earliest_ms = earliest_time.time_since_epoch().count();
constexpr std::int64_t latest_ms = latest_time.time_since_epoch().count();

struct MonitorState {
    MonitorState(const Flow& flow, const Limits& limits)
        : data(detail::data_of(flow)), max_groups(std::max<std::uint32_t>(limits.groups, 1)), values(flow.windows().size()),
          crises(flow.crises().size()), entered(flow.crises().size(), 0), grouped(flow.crises().size()),
          pinned_by(flow.windows().size()), pins(flow.crises().size()), current_ring(flow.windows().size(), none),
          seen(flow.crises().size()) {
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
        for (std::uint32_t w = 0; w < data.windows.size(); ++w)
            for (std::uint32_t c = 0; c < data.crises.size(); ++c)
                if (data.crises[c].group && data.windows[w].group == data.crises[c].group) {
                    pinned_by[w].push_back(c);
                    pins[c].push_back(w);
                }
        situation.crises = seen.data();
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
        for (const Crisis& c : flow.crises())
            text += c.group ? fmt::format("crisis {} by {} [{}]\n", c.name, flow.fields()[*c.group].name,
                                          fmt::join(flow.fields()[*c.group].values, ","))
                            : fmt::format("crisis {}\n", c.name);
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
    // Grouped crises (`by`): per crisis, the groups in crisis now (idle groups hold nothing).
    struct ActiveGroup {
        std::uint64_t key = 0;
        std::string name;
        CrisisState state;
    };
    struct GroupedCrisis {
        std::vector<ActiveGroup> active;
        std::unordered_map<std::uint64_t, std::uint32_t> by_key;  // into active
    };
    std::vector<GroupedCrisis> grouped;                // per crisis (empty for one not grouped)
    std::vector<std::vector<std::uint32_t>> pinned_by;  // per window: grouped crises by its field
    std::vector<std::vector<std::uint32_t>> pins;       // per crisis: windows grouped by its field
    std::vector<std::uint32_t> current_ring;            // per window: the observed mention's group
    std::vector<CrisisState> seen;  // per crisis as the observed mention sees it: its group's, if grouped
    Trace trace;                    // re-evaluating a `when` that fired, to say which part did
    Situation situation;
    std::optional<TimePoint> latest;  // set_latest(): mention times after it are not believed
    MonitorStats stats;
    std::string fingerprint;

    // ---- crisis modes (monitor.cpp) ----
    // The observed mention's group in grouped crisis `c`: its key (as a window's group_key) and
    // its name; nullopt when the mention has no value for the field (it belongs to no group).
    std::optional<std::pair<std::uint64_t, std::string_view>> group_of(EvaluatorState& e, const Crisis& c);
    // A group's key from its name, as group_of would give it.
    std::uint64_t key_of(const Crisis& c, std::string_view group) const;
    void update_crisis(std::uint32_t i, EvaluatorState& e, Decision* decision);
    void update_grouped_crisis(std::uint32_t i, EvaluatorState& e, Decision* decision);
    // Puts a group into grouped crisis `i` (its rings pinned), or takes it out.
    void start_group(std::uint32_t i, std::uint64_t key, std::string_view name, const CrisisState& state);
    void end_group(std::uint32_t i, std::uint32_t index);
    void pin_group(std::uint32_t i, std::uint64_t key, bool pin);
    // A ring just made for `key` in window `w` is pinned by the grouped crises that group is in.
    void pin_new_ring(std::uint32_t w, std::uint32_t ring);
    // Records in the decision the leaves of `condition` that held (or, `held` false, did not).
    void note_fired(std::uint32_t i, bool leaving, ConditionId condition, bool held, EvaluatorState& e,
                    Decision* decision);

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

}  // namespace triage::detail
