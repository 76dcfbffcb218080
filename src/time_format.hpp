// How a time field's text becomes an instant: `posted_at: time "%Y-%m-%d %H:%M:%S %z"`.
//
// A format is compiled once, when the flow is, into a short list of steps (read 1 to 4 digits
// into the year, match '-', ...); reading a record runs those steps over the text with no
// allocation. Patterns follow Howard Hinnant's date::parse (the C++20 std::chrono::parse),
// conversion by conversion, so that a pattern means what its documentation says; the named
// formats (rfc2822, twitter, unix, unix_ms, rfc3339) are built from the same steps.
#pragma once

#include "time_zone.hpp"
#include "triage/value.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::detail {

// parse_time (RFC 3339) into `out`; false where parse_time gives std::nullopt.
[[nodiscard]] bool read_rfc3339(std::string_view text, TimePoint& out) noexcept;

class TimeFormat {
public:
    // The format of a time field that declares none: RFC 3339 text, or seconds since 1970 as a
    // JSON number.
    TimeFormat() = default;

    // Why a format could not be compiled, and where in its text (a byte offset and length).
    struct Problem {
        std::string message;
        std::size_t offset = 0;
        std::size_t length = 0;
    };
    // A named format ("rfc2822", "twitter", "unix", "unix_ms", "rfc3339") or a pattern of
    // %-conversions and literal text. On failure returns std::nullopt and fills `problem`.
    static std::optional<TimeFormat> compile(std::string_view spec, Problem& problem);
    // The names, for messages and suggestions.
    static const std::vector<std::string_view>& named_formats();

    // As written in the flow; empty for the default format.
    [[nodiscard]] const std::string& spec() const noexcept { return spec_; }
    [[nodiscard]] bool is_default() const noexcept { return spec_.empty(); }
    // True when the text says its own offset from UTC (or is UTC by definition, as unix times
    // are); otherwise the field needs a zone to place its wall-clock times.
    [[nodiscard]] bool carries_offset() const noexcept { return carries_offset_; }
    // A JSON number is read as seconds (default, unix) or milliseconds (unix_ms) since 1970.
    [[nodiscard]] bool accepts_numbers() const noexcept;

    // The zone of wall-clock times without an offset.
    void set_zone(std::shared_ptr<const TimeZone> zone) { zone_ = std::move(zone); }
    [[nodiscard]] const TimeZone* zone() const noexcept { return zone_.get(); }

    // The instant `text` stands for, or std::nullopt when it does not follow the format or
    // names no instant in the years 0000 to 9999 (UTC).
    [[nodiscard]] std::optional<TimePoint> parse(std::string_view text) const noexcept;
    // The same into `out`, false where parse() gives std::nullopt: for reading records, where an
    // optional returned through the stack (GCC builds it there) was read back in one wider move
    // than its two stores, a store-forwarding stall per time field (perf).
    [[nodiscard]] bool parse(std::string_view text, TimePoint& out) const noexcept;
    // A JSON number, for formats that accept them.
    [[nodiscard]] std::optional<TimePoint> from_number(double number) const noexcept;

    // One step of a compiled format (public so that the parser's helper can see it; not API).
    enum class Part : std::uint8_t { year, year2, month, day, day_of_year, hour, hour12, minute, none };
    enum class Step : std::uint8_t {
        literal,          // the byte `literal`
        spaces,           // zero or more white-space bytes (a space in the pattern)
        one_space,        // %n: exactly one
        optional_space,   // %t: zero or one
        digits,           // `min` to `max` digits into `part`, after a sign if `sign`
        seconds,          // %S: up to `max` characters of digits and one '.', rounded to ms
        month_name,       // %b %B %h: English, full or abbreviated, any case
        weekday_name,     // %a %A
        am_pm,            // %p
        offset,           // %z: +hh or +hhmm
        offset_colon,     // %Ez %Oz: +h, +hh or +hh:mm
        abbreviation,     // %Z: a zone abbreviation, read and not used
        rfc2822_weekday,  // optional "Tue," before an RFC 2822 date
        rfc2822_year,     // 4 digits, or the obsolete 2 and 3 digit years
        rfc2822_seconds,  // optional ":ss"
        rfc2822_zone,     // +hhmm, UT, GMT, EST ... PDT, or a military letter (-0000)
        rfc2822_comment,  // an optional "(comment)"
        unix_seconds,     // [-]digits[.digits]
        unix_millis,      // [-]digits
        rfc3339,          // 2026-11-22T09:30:00Z and its kin
    };
    struct Instruction {
        Step step = Step::literal;
        Part part = Part::none;
        bool sign = false;
        std::uint8_t min = 1;
        std::uint8_t max = 1;
        char literal = 0;
    };

private:
    std::string spec_;
    std::vector<Instruction> program_;
    bool carries_offset_ = true;
    bool numbers_ = true;
    std::shared_ptr<const TimeZone> zone_;
};

}  // namespace triage::detail
