// ReportData: the report's aggregates, collected one decision at a time in bounded memory.
#include "triage/report.hpp"

#include "triage/decision_format.hpp"
#include "triage/text.hpp"
#include "text_fold.hpp"

#include <algorithm>
#include <numeric>

namespace triage {

namespace {

constexpr std::int64_t hour_seconds = 3600;
constexpr std::size_t most_crisis_periods = 1000;  // later periods are counted, not listed
constexpr std::string_view other_value = "other";
constexpr std::string_view no_value = "(none)";

std::int64_t hour_of(TimePoint t) noexcept {
    const std::int64_t s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    return s >= 0 ? s / hour_seconds : -((-s + hour_seconds - 1) / hour_seconds);
}

// splitmix64: the same numbers on every platform, unlike the standard distributions.
std::uint64_t next_random(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// The text as a reader compares two posts: folded, ASCII lowercased, spaces collapsed.
std::string fold_for_dedup(std::string_view text) {
    static thread_local detail::FoldedText folded;
    folded.assign(text);
    std::string out;
    bool space = false;
    for (char c : folded.view()) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

std::string joined_fired(const Flow& flow, const Decision& decision, std::uint32_t crisis, bool leaving) {
    std::string out;
    for (const FiredCondition& f : decision.fired) {
        if (f.crisis != crisis || f.leaving != leaving) continue;
        if (!out.empty()) out += "; ";
        out += describe(flow, f);
    }
    return out;
}

std::string_view kind_name(ActionKind kind) { return to_string(kind); }

}  // namespace

ReportData::ReportData(const Flow& flow, ReportSettings settings)
    : flow_(&flow), settings_(std::move(settings)), traffic_(Traffic::for_flow(flow)),
      columns_(flow.outcomes().size() + 1), values_(settings_.by.size()),
      examples_(flow.outcomes().size()), random_(settings_.seed) {
    for (FieldValues& v : values_) {
        v.names.emplace_back(other_value);
        v.counts.emplace_back(columns_, 0);
    }
    for (Reservoir& r : examples_) r.limit = settings_.examples;
    sample_.limit = settings_.sample;
}

std::optional<TimePoint> ReportData::first() const noexcept { return first_; }
std::optional<TimePoint> ReportData::last() const noexcept { return last_; }

std::uint32_t ReportData::value_index(std::size_t by, const FieldValue& value) {
    FieldValues& v = values_[by];
    std::string name;
    if (value.kind == ValueKind::text) name = value.text;
    else if (value.kind == ValueKind::enumeration) name = flow_->fields()[settings_.by[by]].values[value.index];
    else if (value.kind == ValueKind::boolean) name = value.boolean ? "true" : "false";
    else name = no_value;  // missing (--by takes text and one-of fields only)
    if (auto it = v.index.find(name); it != v.index.end()) return it->second;
    if (v.names.size() > settings_.tracked_values) return 0;
    const auto index = static_cast<std::uint32_t>(v.names.size());
    v.index.emplace(name, index);
    v.names.push_back(std::move(name));
    v.counts.emplace_back(columns_, 0);
    return index;
}

void ReportData::record(const Decision& decision, const ReportMention& mention) {
    traffic_.record(decision);
    if (!first_ || mention.time < *first_) first_ = mention.time;
    if (!last_ || mention.time > *last_) last_ = mention.time;
    const std::uint32_t column = decision.decided() ? decision.outcome : static_cast<std::uint32_t>(columns_ - 1);
    const std::int64_t hour = hour_of(mention.time);
    std::vector<std::uint64_t>& at = hours_[hour];
    if (at.empty()) at.assign(columns_, 0);
    ++at[column];

    ReportExample example{mention.time, std::string(mention.id), {}, decision.outcome, {}};
    for (std::size_t b = 0; b < settings_.by.size() && b < mention.by.size(); ++b) {
        const std::uint32_t value = value_index(b, mention.by[b]);
        ++values_[b].counts[value][column];
        count_cell(hour, column, b, value);
        example.by.push_back(values_[b].names[value]);
    }
    example.text.assign(mention.text.substr(0, utf8_cut(mention.text, 200)));

    std::string path;
    for (const PathEntry& p : decision.path) path += flow_->steps()[p.step].name + " → ";
    path += decision.decided() ? flow_->outcomes()[decision.outcome].name : "(no outcome)";
    ++paths_[path];
    for (const DecidedAction& a : decision.actions)
        if (a.kind == ActionKind::escalate) ++escalations_[std::string(a.text)];
    record_deadlines(decision, mention);
    record_crises(decision, mention);

    const std::string folded = fold_for_dedup(mention.text);
    Kept kept{std::move(example), folded};
    if (decision.decided()) offer(examples_[decision.outcome], mention, decision.outcome, folded);
    // The filter's sample: the same reservoir rule over every mention.
    Reservoir& s = sample_;
    ++s.seen;
    if (s.limit == 0) return;
    if (s.kept.size() < s.limit) {
        s.kept.push_back(std::move(kept));
        return;
    }
    const std::uint64_t slot = next_random(random_) % s.seen;
    if (slot < s.limit) s.kept[slot] = std::move(kept);
}

// Reservoir sampling (Algorithm R), skipping a text the reservoir already holds: each distinct
// post has the same chance to be kept, wherever it falls in the span.
void ReportData::offer(Reservoir& r, const ReportMention& mention, std::uint32_t outcome, const std::string& folded) {
    if (r.limit == 0) return;
    if (std::any_of(r.kept.begin(), r.kept.end(), [&](const Kept& k) { return k.folded == folded; })) return;
    ++r.seen;
    ReportExample example{mention.time, std::string(mention.id),
                          std::string(mention.text.substr(0, utf8_cut(mention.text, 200))), outcome, {}};
    if (r.kept.size() < r.limit) {
        r.kept.push_back({std::move(example), folded});
        return;
    }
    const std::uint64_t slot = next_random(random_) % r.seen;
    if (slot < r.limit) r.kept[slot] = {std::move(example), folded};
}

// One mention in the filter's cells, within ReportSettings::cells: at the bound the hours roll up
// to days; at the bound again a value without a cell that day counts as "other" (index 0).
void ReportData::count_cell(std::int64_t hour, std::uint32_t column, std::size_t by, std::uint32_t value) {
    auto day_of = [](std::int64_t h) { return (h >= 0 ? h / 24 : -((-h + 23) / 24)) * 24; };
    std::array<std::int64_t, 4> key{cells_by_day_ ? day_of(hour) : hour, column, static_cast<std::int64_t>(by), value};
    if (hour_cells_.size() >= settings_.cells && !hour_cells_.contains(key)) {
        if (!cells_by_day_) {
            std::map<std::array<std::int64_t, 4>, std::uint64_t> days;
            for (const auto& [k, count] : hour_cells_) days[{day_of(k[0]), k[1], k[2], k[3]}] += count;
            hour_cells_ = std::move(days);
            cells_by_day_ = true;
            key[0] = day_of(hour);
        }
        if (hour_cells_.size() >= settings_.cells && !hour_cells_.contains(key)) key[3] = 0;
    }
    ++hour_cells_[key];
}

void ReportData::record_deadlines(const Decision& decision, const ReportMention& mention) {
    for (const DecidedAction& a : decision.actions) {
        if (!a.deadline) continue;
        DeadlineCounts& counts = deadlines_[a.kind];
        const Duration after = std::chrono::duration_cast<Duration>(*a.deadline - mention.time);
        const auto bucket = after <= std::chrono::hours(1)    ? DeadlineBucket::hour
                            : after <= std::chrono::hours(4)  ? DeadlineBucket::four_hours
                            : after <= std::chrono::hours(24) ? DeadlineBucket::day
                                                              : DeadlineBucket::longer;
        ++counts.within[static_cast<std::size_t>(bucket)];
        // `within 2h during office`: a deadline later than the plain duration waited for opening.
        if (!a.hours.empty() && a.duration && after > *a.duration) ++counts.next_opening;
    }
}

void ReportData::record_crises(const Decision& decision, const ReportMention& mention) {
    if (!decision.crises.empty()) ++in_crisis_;
    for (const ActiveCrisis& c : decision.crises) {
        auto key = std::make_pair(c.crisis, std::string(c.group));
        auto open = open_periods_.find(key);
        if (open == open_periods_.end()) {
            if (periods_.size() >= most_crisis_periods) {
                ++periods_dropped_;
                continue;
            }
            CrisisPeriod period{c.crisis, key.second, c.since, std::nullopt, {}, {}, 0};
            if (c.entered) period.entered_because = joined_fired(*flow_, decision, c.crisis, false);
            periods_.push_back(std::move(period));
            open = open_periods_.emplace(std::move(key), periods_.size() - 1).first;
        }
        ++periods_[open->second].mentions;
    }
    for (const ActiveCrisis& c : decision.crises_left) {
        auto open = open_periods_.find(std::make_pair(c.crisis, std::string(c.group)));
        if (open == open_periods_.end()) continue;
        CrisisPeriod& period = periods_[open->second];
        period.left = mention.time;
        period.left_because = joined_fired(*flow_, decision, c.crisis, true);
        open_periods_.erase(open);
    }
}

Duration ReportData::bucket_length() const noexcept {
    if (!cells_by_day_ && (!first_ || *last_ - *first_ <= std::chrono::hours(72))) return std::chrono::hours(1);
    return std::chrono::hours(24);
}

std::uint32_t ReportData::bucket_of(std::int64_t hour) const noexcept {
    const std::int64_t per = bucket_length().count() / hour_seconds;
    auto floor_div = [](std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
    return static_cast<std::uint32_t>(floor_div(hour, per) - floor_div(hour_of(*first_), per));
}

std::vector<ReportData::Bucket> ReportData::buckets() const {
    std::vector<Bucket> out;
    if (!first_) return out;
    const std::int64_t per = bucket_length().count() / hour_seconds;
    const std::uint32_t count = bucket_of(hour_of(*last_)) + 1;
    std::int64_t start_hour = hour_of(*first_);
    start_hour = start_hour >= 0 ? start_hour / per * per : -((-start_hour + per - 1) / per) * per;
    for (std::uint32_t b = 0; b < count; ++b)
        out.push_back({TimePoint(std::chrono::seconds((start_hour + b * per) * hour_seconds)), std::vector<std::uint64_t>(columns_, 0)});
    for (const auto& [hour, counts] : hours_)
        for (std::size_t c = 0; c < columns_; ++c) out[bucket_of(hour)].outcomes[c] += counts[c];
    return out;
}

// Per --by field: the value indices shown, busiest first (ties by name); "other" (index 0) last
// when it holds anything.
std::vector<std::vector<std::uint32_t>> ReportData::shown_values() const {
    std::vector<std::vector<std::uint32_t>> shown;
    for (const FieldValues& v : values_) {
        auto total = [&](std::uint32_t i) { return std::accumulate(v.counts[i].begin(), v.counts[i].end(), std::uint64_t{0}); };
        std::vector<std::uint32_t> order(v.names.size() - 1);
        std::iota(order.begin(), order.end(), 1u);
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            const std::uint64_t ta = total(a), tb = total(b);
            return ta != tb ? ta > tb : v.names[a] < v.names[b];
        });
        const bool overflow = order.size() > settings_.top_values || total(0) > 0;
        if (order.size() > settings_.top_values) order.resize(settings_.top_values);
        if (overflow) order.push_back(0);
        shown.push_back(std::move(order));
    }
    return shown;
}

std::vector<ReportData::Breakdown> ReportData::breakdowns() const {
    std::vector<Breakdown> out;
    const auto shown = shown_values();
    for (std::size_t b = 0; b < values_.size(); ++b) {
        const FieldValues& v = values_[b];
        Breakdown breakdown{settings_.by[b], {}, {}};
        std::vector<std::uint64_t> other(columns_, 0);
        std::vector<bool> is_shown(v.names.size(), false);
        for (std::uint32_t i : shown[b]) is_shown[i] = i != 0;
        for (std::uint32_t i = 0; i < v.names.size(); ++i)
            if (!is_shown[i])
                for (std::size_t c = 0; c < columns_; ++c) other[c] += v.counts[i][c];
        for (std::uint32_t i : shown[b]) {
            breakdown.values.push_back(v.names[i]);
            breakdown.counts.push_back(i == 0 ? other : v.counts[i]);
        }
        out.push_back(std::move(breakdown));
    }
    return out;
}

std::vector<ReportData::Cell> ReportData::cells() const {
    const auto shown = shown_values();
    // value index → position among the shown values (the "other" row for the rest)
    std::vector<std::vector<std::uint32_t>> position(values_.size());
    for (std::size_t b = 0; b < values_.size(); ++b) {
        const auto other = static_cast<std::uint32_t>(shown[b].size() - (shown[b].empty() ? 0 : 1));
        position[b].assign(values_[b].names.size(), other);
        for (std::uint32_t p = 0; p < shown[b].size(); ++p) position[b][shown[b][p]] = p;
    }
    std::map<std::array<std::uint32_t, 4>, std::uint64_t> merged;
    for (const auto& [key, count] : hour_cells_) {
        const auto by = static_cast<std::size_t>(key[2]);
        merged[{bucket_of(key[0]), static_cast<std::uint32_t>(key[1]), static_cast<std::uint32_t>(by),
                position[by][static_cast<std::size_t>(key[3])]}] += count;
    }
    std::vector<Cell> out;
    out.reserve(merged.size());
    for (const auto& [key, count] : merged) out.push_back({key[0], key[1], key[2], key[3], count});
    return out;
}

std::vector<std::vector<ReportExample>> ReportData::examples() const {
    std::vector<std::vector<ReportExample>> out;
    for (const Reservoir& r : examples_) {
        std::vector<ReportExample> shown;
        for (const Kept& k : r.kept) shown.push_back(k.example);
        std::stable_sort(shown.begin(), shown.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
        out.push_back(std::move(shown));
    }
    return out;
}

std::vector<ReportExample> ReportData::sample() const {
    std::vector<ReportExample> out;
    for (const Kept& k : sample_.kept) out.push_back(k.example);
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
    return out;
}

std::vector<std::pair<std::string, std::uint64_t>> ReportData::busiest_paths() const {
    std::vector<std::pair<std::string, std::uint64_t>> busiest(paths_.begin(), paths_.end());
    std::stable_sort(busiest.begin(), busiest.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (busiest.size() > 10) busiest.resize(10);
    return busiest;
}

namespace {

std::int64_t as_json(std::uint64_t n) { return static_cast<std::int64_t>(n); }

void write_columns(JsonWriter& json, const Flow& flow, const std::vector<std::uint64_t>& counts) {
    json.begin_object();
    for (std::size_t o = 0; o < flow.outcomes().size(); ++o)
        if (counts[o] > 0) json.key(flow.outcomes()[o].name).number(as_json(counts[o]));
    if (counts.back() > 0) json.key("(no outcome)").number(as_json(counts.back()));
    json.end_object();
}

}  // namespace

// long because: one key after another, in the order docs/cli.md lists them
void ReportData::write_json(JsonWriter& json) const {
    json.key("range").begin_object();
    if (first_) json.key("first").string(format_time(*first_)).key("last").string(format_time(*last_));
    json.end_object();
    json.key("bucket").string(format_duration(bucket_length()));
    json.key("over_time").begin_array();
    for (const Bucket& b : buckets()) {
        json.begin_object().key("start").string(format_time(b.start)).key("outcomes");
        write_columns(json, *flow_, b.outcomes);
        json.end_object();
    }
    json.end_array();
    json.key("by").begin_object();
    for (const Breakdown& b : breakdowns()) {
        json.key(flow_->fields()[b.field].name).begin_array();
        for (std::size_t v = 0; v < b.values.size(); ++v) {
            const std::uint64_t total = std::accumulate(b.counts[v].begin(), b.counts[v].end(), std::uint64_t{0});
            json.begin_object().key("value").string(b.values[v]).key("total").number(as_json(total)).key("outcomes");
            write_columns(json, *flow_, b.counts[v]);
            json.end_object();
        }
        json.end_array();
    }
    json.end_object();
    json.key("deadlines").begin_object();
    for (const auto& [kind, counts] : deadlines_) {
        json.key(kind_name(kind)).begin_object();
        json.key("1h").number(as_json(counts.within[0])).key("4h").number(as_json(counts.within[1]));
        json.key("1d").number(as_json(counts.within[2])).key("longer").number(as_json(counts.within[3]));
        json.key("next_opening").number(as_json(counts.next_opening)).end_object();
    }
    json.end_object();
    json.key("crises").begin_array();
    for (const CrisisPeriod& p : periods_) {
        json.begin_object().key("name").string(flow_->crises()[p.crisis].name);
        if (!p.group.empty()) json.key("group").string(p.group);
        json.key("entered").string(format_time(p.entered));
        if (p.left) json.key("left").string(format_time(*p.left));
        json.key("when").string(p.entered_because).key("leave_when").string(p.left_because);
        json.key("mentions").number(as_json(p.mentions)).end_object();
    }
    json.end_array();
    json.key("crisis_periods_dropped").number(as_json(periods_dropped_));
    json.key("in_crisis").number(as_json(in_crisis_));
    json.key("examples").begin_object();
    const auto shown = examples();
    for (std::size_t o = 0; o < shown.size(); ++o) {
        if (shown[o].empty()) continue;
        json.key(flow_->outcomes()[o].name).begin_array();
        for (const ReportExample& e : shown[o])
            json.begin_object().key("time").string(format_time(e.time)).key("id").string(e.id).key("text").string(e.text).end_object();
        json.end_array();
    }
    json.end_object();
}

}  // namespace triage
