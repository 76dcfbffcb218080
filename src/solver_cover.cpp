// cover_paths: every path through the flow, each with a mention the solver found (PathProbe) and
// the evaluator decided along it. Paths are walked depth first, in normal mode and once per
// crisis mode; a prefix no mention takes is not walked further.
#include "triage/cover.hpp"

#include "triage/record.hpp"
#include "triage/stream.hpp"

#include "flow_data.hpp"
#include "solver.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace triage {

namespace {

using Taken = std::vector<std::pair<std::uint32_t, std::size_t>>;  // (step, branch); else: branches.size()

constexpr int attempts_per_path = 4;  // models the evaluator may reject before a path is given up

class PathCover {
public:
    PathCover(const Flow& flow, const Limits& limits, std::size_t max_paths, const detail::ExampleVerdict& verdict)
        : flow_(flow), data_(detail::data_of(flow)), probe_(data_, limits), max_paths_(max_paths), verdict_(verdict) {
        report_.solver_available = detail::PathProbe::available();
    }

    CoverReport run() {
        if (data_.start == detail::unresolved_node || data_.start.kind != NodeKind::step) return std::move(report_);
        walk(data_.start.index, {});
        for (std::uint32_t c = 0; c < data_.crises.size(); ++c) {
            crisis_ = c;
            walk(data_.start.index, {});
        }
        drop_covered_failures();
        return std::move(report_);
    }

private:
    // Where branch `b` of `step` leads in the current mode: a route of the active crisis applies.
    NodeRef target(const Branch& b, std::uint32_t& routed_by) const {
        routed_by = no_crisis;
        if (!crisis_) return b.target;
        for (const Route& r : data_.crises[*crisis_].routes)
            if (r.node == b.target) {
                routed_by = *crisis_;
                return r.replacement;
            }
        return b.target;
    }

    void walk(std::uint32_t step, Taken taken) {
        const Step& s = data_.steps[step];
        const std::size_t count = s.branches.size() + 1;  // the last: `else`, or falling through
        for (std::size_t b = 0; b < count && !report_.truncated; ++b) {
            Taken here = taken;
            here.emplace_back(step, b);
            const Branch* branch = b < s.branches.size() ? &s.branches[b] : (s.otherwise ? &*s.otherwise : nullptr);
            std::uint32_t routed_by = no_crisis;
            const NodeRef next = branch ? target(*branch, routed_by) : NodeRef{};
            if (branch && next.kind == NodeKind::step) {
                if (possible(here)) {
                    walk(next.index, std::move(here));
                } else {  // no path through here: reported once, as far as it goes
                    UncoveredPath dead;
                    static_cast<FlowPath&>(dead) = expected(here, std::nullopt);
                    dead.path.back().target = next;
                    dead.unreachable = true;
                    report_.uncovered.push_back(std::move(dead));
                }
                continue;
            }
            try_path(here, branch ? std::optional<std::uint32_t>(next.index) : std::nullopt);
        }
    }

    std::vector<std::uint32_t> crises_on() const {
        return crisis_ ? std::vector<std::uint32_t>{*crisis_} : std::vector<std::uint32_t>{};
    }

    // A prefix worth walking on: the solver did not prove that no mention takes it.
    bool possible(const Taken& prefix) {
        return probe_.find(prefix, crises_on()).status != detail::PathWitness::Status::impossible;
    }

    FlowPath expected(const Taken& taken, std::optional<std::uint32_t> outcome) const {
        FlowPath p;
        for (const auto& [step, branch] : taken) {
            PathEntry e;
            e.step = step;
            e.branch = static_cast<std::uint32_t>(branch);
            p.path.push_back(e);
        }
        p.outcome = outcome;
        p.crises = crises_on();
        return p;
    }

    void try_path(const Taken& taken, std::optional<std::uint32_t> outcome);
    Decision decide(const detail::PathWitness& w, Record& record);
    bool takes(const Decision& d, const FlowPath& want) const;
    bool already_covered(const FlowPath& p) const;
    bool falls_through(const PathEntry& e) const {
        const Step& s = data_.steps[e.step];
        return e.branch >= s.branches.size() && !s.otherwise;
    }
    // The same steps, branches and end, whatever the crises.
    bool same_path(const FlowPath& a, const FlowPath& b) const {
        if (a.outcome != b.outcome || a.path.size() != b.path.size()) return false;
        for (std::size_t i = 0; i < a.path.size(); ++i)
            if (a.path[i].step != b.path[i].step || (a.path[i].branch != b.path[i].branch && !falls_through(b.path[i])))
                return false;
        return true;
    }
    void drop_covered_failures();

    const Flow& flow_;
    const detail::FlowData& data_;
    detail::PathProbe probe_;
    std::size_t max_paths_;
    const detail::ExampleVerdict& verdict_;
    std::optional<std::uint32_t> crisis_;
    std::size_t tried_ = 0;
    CoverReport report_;
};

void PathCover::try_path(const Taken& taken, std::optional<std::uint32_t> outcome) {
    if (++tried_ > max_paths_) {
        report_.truncated = true;
        return;
    }
    UncoveredPath failed;
    static_cast<FlowPath&>(failed) = expected(taken, outcome);
    for (int attempt = 0; attempt < attempts_per_path; ++attempt) {
        const detail::PathWitness w = probe_.find(taken, crises_on());
        if (w.status != detail::PathWitness::Status::found) {
            failed.unreachable = w.status == detail::PathWitness::Status::impossible;
            failed.reason = w.reason;
            break;
        }
        Record record(flow_);
        const Decision d = decide(w, record);
        const bool agrees = takes(d, failed);
        if (!(verdict_ ? verdict_(agrees) : agrees)) {  // the evaluator took another path: never a mention that says what it does not do
            probe_.reject_last();
            ++report_.rejected_models;
            failed.reason = "the evaluator decided every mention the solver found differently";
            continue;
        }
        // In crisis mode, only what the crisis changes: the rest is covered in normal mode.
        if (crisis_ && already_covered(failed)) return;
        CoveredPath p;
        static_cast<FlowPath&>(p) = failed;
        p.path = d.path;
        p.repeat = w.repeat;
        for (std::uint32_t i = 0; i < w.values.size(); ++i)
            if (w.values[i].kind != ValueKind::missing) p.given.push_back({i, w.values[i], w.texts[i]});
        report_.covered.push_back(std::move(p));
        return;
    }
    report_.uncovered.push_back(std::move(failed));
}

// A path one mode could not take and another did is covered; one no mode takes is said once.
void PathCover::drop_covered_failures() {
    std::vector<UncoveredPath> kept;
    for (UncoveredPath& u : report_.uncovered) {
        const bool prefix = !u.outcome && !falls_through(u.path.back());  // ends at a step
        const bool through = prefix && std::any_of(report_.covered.begin(), report_.covered.end(), [&](const CoveredPath& c) {
            return c.path.size() > u.path.size() &&
                   std::equal(u.path.begin(), u.path.end(), c.path.begin(),
                              [](const PathEntry& a, const PathEntry& b) { return a.step == b.step && a.branch == b.branch; });
        });
        if (through || already_covered(u)) continue;
        auto same = std::find_if(kept.begin(), kept.end(), [&](const UncoveredPath& k) { return same_path(k, u); });
        if (same == kept.end()) kept.push_back(std::move(u));
        else if (same->unreachable && !u.unreachable) *same = std::move(u);  // a crisis mode may have tried harder
    }
    report_.uncovered = std::move(kept);
}

// The evaluator's decision on the witness, as `triage test` makes it (a fresh stream, the crisis
// set by hand, the mention given w.repeat times).
Decision PathCover::decide(const detail::PathWitness& w, Record& record) {
    for (std::uint32_t i = 0; i < w.values.size(); ++i) {
        const std::string& name = data_.fields[i].name;
        if (w.values[i].kind == ValueKind::text) record.set(name, std::string_view(w.texts[i]));
        else if (w.values[i].kind != ValueKind::missing) record.set(name, w.values[i]);
    }
    StreamOptions options;
    options.now = TimePoint{};
    options.future_margin = std::nullopt;
    Stream stream(flow_, options);
    if (crisis_) {
        const std::optional<std::uint32_t> group = data_.crises[*crisis_].group;
        if (!group) {
            stream.monitor()->set_crisis(*crisis_, true, TimePoint{});
        } else {
            const FieldValue& v = w.values[*group];
            stream.monitor()->set_crisis(*crisis_,
                                         v.kind == ValueKind::enumeration ? std::string_view(data_.fields[*group].values[v.index])
                                                                          : std::string_view(w.texts[*group]),
                                         true, TimePoint{});
        }
    }
    Decision d;
    for (std::uint32_t i = 0; i < w.repeat; ++i) stream.decide(record.view(), d);  // as `given N times`: the last counts
    return d;
}

// Whether the decision went the way of `want`: the same steps and branches (a fall-through takes
// none), and the same end.
bool PathCover::takes(const Decision& d, const FlowPath& want) const {
    if (d.path.size() != want.path.size()) return false;
    for (std::size_t i = 0; i < d.path.size(); ++i) {
        const bool falls = falls_through(want.path[i]);
        if (d.path[i].step != want.path[i].step || (!falls && d.path[i].branch != want.path[i].branch)) return false;
    }
    return want.outcome ? d.decided() && d.outcome == *want.outcome : !d.decided();
}

bool PathCover::already_covered(const FlowPath& p) const {
    return std::any_of(report_.covered.begin(), report_.covered.end(), [&](const CoveredPath& c) { return same_path(c, p); });
}

}  // namespace

CoverReport cover_paths(const Flow& flow, const Limits& limits, std::size_t max_paths) {
    return PathCover(flow, limits, max_paths, {}).run();
}

CoverReport detail::cover_paths_judged(const Flow& flow, const Limits& limits, std::size_t max_paths,
                                       const ExampleVerdict& verdict) {
    return PathCover(flow, limits, max_paths, verdict).run();
}

}  // namespace triage
