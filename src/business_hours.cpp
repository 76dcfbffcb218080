#include "business_hours.hpp"

#include <algorithm>
#include <utility>

namespace triage::detail {

namespace {

constexpr std::int64_t ms_per_second = 1000;
constexpr std::int64_t seconds_per_day = 86'400;
constexpr std::int64_t ms_per_day = seconds_per_day * ms_per_second;
constexpr std::int64_t days_per_week = 7;
constexpr std::int64_t ms_per_week = days_per_week * ms_per_day;
constexpr std::int64_t horizon_ms = 36'525 * ms_per_day;  // 100 years
// ±2^62 ms (146 million years) leaves room to add offsets and the horizon without overflow.
constexpr std::int64_t instant_bound_ms = std::int64_t{1} << 62;

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// 0 = Monday; day 0 (1970-01-01) was a Thursday.
constexpr std::size_t weekday_of(std::int64_t day) noexcept {
    return static_cast<std::size_t>(day + 3 - floor_div(day + 3, days_per_week) * days_per_week);
}

}  // namespace

BusinessHours::BusinessHours(TimeZone zone, std::vector<OpenInterval> open, std::vector<std::int32_t> holidays)
    : zone_(std::move(zone)), holidays_(std::move(holidays)) {
    for (OpenInterval& interval : open) {
        interval.from = std::clamp<std::int32_t>(interval.from, 0, seconds_per_day);
        interval.to = std::clamp<std::int32_t>(interval.to, 0, seconds_per_day);
    }
    std::erase_if(open, [](const OpenInterval& i) { return i.weekday > 6 || i.from >= i.to; });
    std::sort(open.begin(), open.end(), [](const OpenInterval& a, const OpenInterval& b) {
        return a.weekday != b.weekday ? a.weekday < b.weekday : a.from < b.from;
    });
    for (const OpenInterval& interval : open) {
        if (!open_.empty() && open_.back().weekday == interval.weekday && interval.from <= open_.back().to)
            open_.back().to = std::max(open_.back().to, interval.to);
        else
            open_.push_back(interval);
    }
    for (std::size_t weekday = 0; weekday < weekday_start_.size(); ++weekday) {
        auto first = std::find_if(open_.begin(), open_.end(),
                                  [weekday](const OpenInterval& i) { return i.weekday >= weekday; });
        weekday_start_[weekday] = static_cast<std::uint32_t>(first - open_.begin());
    }
    for (const OpenInterval& interval : open_) open_ms_per_week_ += (interval.to - interval.from) * ms_per_second;
    std::sort(holidays_.begin(), holidays_.end());
    holidays_.erase(std::unique(holidays_.begin(), holidays_.end()), holidays_.end());
}

const TimeZone& BusinessHours::zone() const noexcept { return zone_; }

bool BusinessHours::is_holiday(std::int64_t day) const noexcept {
    return std::binary_search(holidays_.begin(), holidays_.end(), day);
}

bool BusinessHours::is_open(TimePoint t) const noexcept {
    const std::int64_t ms = t.time_since_epoch().count();
    if (ms < -instant_bound_ms || ms > instant_bound_ms) return false;
    const std::int64_t local = ms + std::int64_t{zone_.offset_at(floor_div(ms, ms_per_second))} * ms_per_second;
    const std::int64_t day = floor_div(local, ms_per_day);
    if (is_holiday(day)) return false;
    const std::int64_t time_of_day = local - day * ms_per_day;
    const std::size_t weekday = weekday_of(day);
    for (std::uint32_t i = weekday_start_[weekday]; i < weekday_start_[weekday + 1]; ++i)
        if (open_[i].from * ms_per_second <= time_of_day && time_of_day < open_[i].to * ms_per_second) return true;
    return false;
}

std::optional<TimePoint> BusinessHours::add(TimePoint start, Duration amount) const noexcept {
    if (amount < Duration::zero() || amount.count() > horizon_ms / ms_per_second) return std::nullopt;
    std::optional<std::int64_t> end = advance(start.time_since_epoch().count(), amount.count() * ms_per_second);
    if (!end) return std::nullopt;
    return TimePoint(std::chrono::milliseconds(*end));
}

std::optional<TimePoint> BusinessHours::next_open(TimePoint t) const noexcept { return add(t, Duration::zero()); }

std::optional<std::int64_t> BusinessHours::advance(std::int64_t start_ms, std::int64_t amount_ms) const noexcept {
    if (open_ms_per_week_ == 0 || start_ms < -instant_bound_ms || start_ms > instant_bound_ms) return std::nullopt;
    const std::int64_t limit_ms = start_ms + horizon_ms;
    std::int64_t remaining = amount_ms;
    // Within one period of the zone local time is UTC shifted by a fixed offset, so the local
    // intervals map to UTC exactly; between periods local time jumps (a gap is never walked) or
    // goes back (a repeated hour is walked twice, as is_open sees it).
    for (std::int64_t at = start_ms; at < limit_ms;) {
        const TimeZone::Period period = zone_.period_at(floor_div(at, ms_per_second));
        const std::int64_t offset_ms = std::int64_t{period.offset} * ms_per_second;
        const std::int64_t end_ms =
            period.end > floor_div(limit_ms, ms_per_second) ? limit_ms : period.end * ms_per_second;
        const std::int64_t local_begin = at + offset_ms;
        const std::int64_t local_end = end_ms + offset_ms;
        for (std::int64_t day = floor_div(local_begin, ms_per_day); day * ms_per_day < local_end; ++day) {
            std::int64_t day_start = day * ms_per_day;
            if (day_start >= local_begin && remaining > open_ms_per_week_) {
                // Whole weeks without a holiday hold exactly a week's opening. Leave some of the
                // amount over, so that an amount used up at a closing ends there and not at the
                // next opening.
                std::int64_t weeks = std::min((remaining - 1) / open_ms_per_week_, (local_end - day_start) / ms_per_week);
                auto holiday = std::lower_bound(holidays_.begin(), holidays_.end(), day);
                if (holiday != holidays_.end()) weeks = std::min(weeks, (*holiday - day) / days_per_week);
                remaining -= weeks * open_ms_per_week_;
                day += weeks * days_per_week;
                day_start = day * ms_per_day;
                if (day_start >= local_end) break;
            }
            if (is_holiday(day)) continue;
            const std::size_t weekday = weekday_of(day);
            for (std::uint32_t i = weekday_start_[weekday]; i < weekday_start_[weekday + 1]; ++i) {
                const std::int64_t from = std::max(day_start + open_[i].from * ms_per_second, local_begin);
                const std::int64_t to = std::min(day_start + open_[i].to * ms_per_second, local_end);
                if (from >= to) continue;
                if (to - from >= remaining) return from + remaining - offset_ms;
                remaining -= to - from;
            }
        }
        at = end_ms;
    }
    return std::nullopt;
}

}  // namespace triage::detail
