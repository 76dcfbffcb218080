// Time zones from the tz database (TZif files), since GCC 12's libstdc++ has no chrono zone database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::detail {

// Why a zone name that the tz database knows is still a poor choice for business hours, or
// nothing: a legacy POSIX-style name (`EST`, `EST5EDT`, `CET`: fixed rules that follow no
// place's law), a fixed offset (`Etc/GMT+5`: no daylight saving time at all) or an old alias
// (`Japan`, `US/Eastern`). `city` is then the zone to suggest, when one is clearly meant.
struct ZoneAdvice {
    std::string why;
    std::string_view city;  // empty: no single city is meant
};
[[nodiscard]] std::optional<ZoneAdvice> legacy_zone_advice(std::string_view name);

class TimeZone {
public:
    // "UTC" (also "Etc/UTC") needs no file. Others are read from the tz database: the directory in
    // the TZDIR environment variable if set, else /usr/share/zoneinfo. Names come from untrusted
    // flow files: accept only [A-Za-z0-9_+-] components separated by single '/', no leading '/',
    // no "." or ".." component, at most 128 bytes; anything else is an error, as is a file that is
    // not valid TZif (versions 1 to 4; the 64-bit data block is read when present), that has leap
    // seconds (the "right/" zones) or that is larger than 1 MiB.
    // On failure returns std::nullopt and sets `error` to a one-line, lower-case message such as
    // "no time zone 'Europe/Lodnon' in /usr/share/zoneinfo" or "'../etc/passwd' is not a time zone name".
    static std::optional<TimeZone> load(std::string_view name, std::string& error);
    static TimeZone utc();

    // What load() does in steps, for a caller that reads the file itself (the checker reads it
    // through CompileOptions::read_file). Whether `name` may name a zone file; else `error` says why.
    [[nodiscard]] static bool valid_name(std::string_view name, std::string& error);
    // Where zone files are read: $TZDIR if set and not empty, else /usr/share/zoneinfo. A zone's
    // file is directory() + "/" + its name.
    [[nodiscard]] static std::string directory();
    // The zone `name` from the bytes of its TZif file (`path` names it in messages). Checks the
    // format only: `name` is taken as given.
    static std::optional<TimeZone> from_tzif(std::string_view name, std::string_view tzif, std::string_view path,
                                             std::string& error);

    [[nodiscard]] const std::string& name() const noexcept;

    // Offset of local time from UTC, in seconds, at a UTC instant (seconds since the Unix epoch).
    [[nodiscard]] std::int32_t offset_at(std::int64_t utc_seconds) const noexcept;

    // The UTC instant of a local wall-clock time (seconds since 1970-01-01T00:00 local).
    // In a gap (spring forward) the local time does not exist: returns the instant the clock jumps
    // (01:30 in London on the spring-forward day gives 01:00 UTC = 02:00 BST). In an overlap
    // (fall back) returns the earlier of the two instants.
    [[nodiscard]] std::int64_t to_utc(std::int64_t local_seconds) const noexcept;

    // A stretch of UTC time [begin, end) over which the offset does not change. The first and
    // last periods are open-ended: begin is INT64_MIN, end is INT64_MAX. Adjacent periods may
    // have the same offset (a change of name or of DST flag only).
    struct Period {
        std::int64_t begin = 0;
        std::int64_t end = 0;
        std::int32_t offset = 0;
    };
    [[nodiscard]] Period period_at(std::int64_t utc_seconds) const noexcept;

    // A day and time of a POSIX TZ rule (RFC 8536 section 3.3.1) at which DST starts or ends.
    struct RuleDate {
        enum class Form : std::uint8_t { julian_skipping_leap_day, zero_based_day, month_week_weekday };
        Form form = Form::month_week_weekday;
        std::uint16_t day = 0;      // 1-365 for Jn, 0-365 for n
        std::uint8_t month = 0;     // Mm.w.d: 1-12
        std::uint8_t week = 0;      // 1-5, 5 meaning the last
        std::uint8_t weekday = 0;   // 0 = Sunday
        std::int32_t time = 7200;   // seconds after local midnight, -167h to 167h; 02:00 if not given
    };
    // The TZif footer: the rule for instants after the last transition of the table.
    struct PosixRule {
        std::int32_t standard_offset = 0;  // seconds east of UTC (the opposite sign of the TZ string)
        std::int32_t daylight_offset = 0;
        bool has_daylight = false;
        RuleDate daylight_start;  // in local standard time
        RuleDate daylight_end;    // in local daylight time
    };

private:
    [[nodiscard]] Period rule_period_at(std::int64_t utc_seconds, std::int64_t table_end) const noexcept;

    std::string name_;
    std::vector<std::int64_t> transitions_;  // UTC seconds, strictly increasing
    std::vector<std::int32_t> offsets_;      // offsets_[i] applies from transitions_[i] on
    std::int32_t initial_offset_ = 0;        // before the first transition
    std::optional<PosixRule> rule_;          // after the last transition (or always, if none)
};

}  // namespace triage::detail
