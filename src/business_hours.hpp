// Opening hours in a time zone: whether an instant is inside them, and deadlines counted in open time.
#pragma once

#include "time_zone.hpp"
#include "triage/flow.hpp"
#include "triage/value.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace triage::detail {

struct OpenInterval {          // one weekday's opening, in local wall-clock time
    std::uint8_t weekday = 0;  // 0 = Monday ... 6 = Sunday
    std::int32_t from = 0;     // seconds since local midnight, 0 <= from < to <= 86400
    std::int32_t to = 0;
};

// An instant is open when its local wall-clock time falls in an interval of its local weekday
// and its local date is no holiday. Time counts in real (UTC) seconds, so an opening on a day
// with a DST change is shorter or longer than it reads, and the repeated hour of a fall-back
// night counts twice when both readings are open. Instants more than about 146 million years
// from the epoch are never open.
class BusinessHours {
public:
    // `holidays`: local dates (days since 1970-01-01) on which it is closed all day.
    // Overlapping or touching intervals are merged; intervals with a weekday past 6 or nothing
    // left once clamped to [0, 86400] are ignored.
    BusinessHours(TimeZone zone, std::vector<OpenInterval> open, std::vector<std::int32_t> holidays);

    [[nodiscard]] const TimeZone& zone() const noexcept;

    [[nodiscard]] bool is_open(TimePoint t) const noexcept;

    // The instant at which `amount` of open time has elapsed counting from `start`: time outside
    // the hours (nights, weekends, holidays) does not count; a start outside the hours counts from
    // the next opening, and an amount used up exactly at a closing gives the closing instant.
    // amount == 0 gives start if open, else the next opening. Returns std::nullopt for a negative
    // amount, or if the amount is not reached within 100 years (an empty calendar never reaches it).
    [[nodiscard]] std::optional<TimePoint> add(TimePoint start, Duration amount) const noexcept;

    // The next instant >= t at which it is open (nullopt if none within 100 years).
    [[nodiscard]] std::optional<TimePoint> next_open(TimePoint t) const noexcept;

private:
    [[nodiscard]] std::optional<std::int64_t> advance(std::int64_t start_ms, std::int64_t amount_ms) const noexcept;
    [[nodiscard]] bool is_holiday(std::int64_t day) const noexcept;

    TimeZone zone_;
    std::vector<OpenInterval> open_;                // merged; sorted by weekday, then from
    std::array<std::uint32_t, 8> weekday_start_{};  // weekday w's intervals: open_[start[w], start[w + 1])
    std::vector<std::int32_t> holidays_;            // sorted, no duplicates
    std::int64_t open_ms_per_week_ = 0;             // in a week without holidays or offset changes
};

}  // namespace triage::detail
