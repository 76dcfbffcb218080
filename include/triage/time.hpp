// Times and durations as flows, records and decisions write them: RFC 3339 times, "2d 4h"
// durations. (A time field's own format, `time "%d/%m/%Y"`, is read by the record readers.)
#pragma once

#include "triage/value.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace triage {

using Duration = std::chrono::seconds;
// The longest duration a flow (or a command line) may write: 10 years.
inline constexpr Duration longest_duration{10ll * 365 * 24 * 3600};

// RFC 3339 / ISO 8601 date-time to a TimePoint ("2026-11-22T09:30:00Z", "...+01:00",
// "...T09:30:00.250Z", "2026-11-22 09:30:00Z"); nullopt when it is not one, when its offset is
// past ±23:59, or when it falls outside the years 0000-9999 (UTC).
[[nodiscard]] std::optional<TimePoint> parse_time(std::string_view text) noexcept;
// "2026-11-22T09:30:00Z" (milliseconds shown only when non-zero).
[[nodiscard]] std::string format_time(TimePoint time);
// "4h", "30m", "2d 4h" — the way durations are written in flows.
[[nodiscard]] std::string format_duration(Duration duration);
// The reverse: "10m", "90s", "1h", "2d 4h" (whole numbers with a unit s, m, h, d or w, separated
// by spaces when there are several), longer than zero and at most longest_duration, as in a flow;
// nullopt otherwise.
[[nodiscard]] std::optional<Duration> parse_duration(std::string_view text) noexcept;

// The same into a caller's buffer, without allocating: for writing decisions on a hot path.
using TextBuffer = std::array<char, 64>;
[[nodiscard]] std::string_view format_time(TimePoint time, TextBuffer& buffer) noexcept;
[[nodiscard]] std::string_view format_duration(Duration duration, TextBuffer& buffer) noexcept;

}  // namespace triage
