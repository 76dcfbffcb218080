#include "triage/time.hpp"

#include "time_format.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace triage {

namespace {

// `n` decimal digits of `s` at `i` into `out`, moving `i` past them. Inlined: every time field of
// every mention is read through here, and a call per group of digits was half of the reading.
[[gnu::always_inline]] inline bool read_digits(std::string_view s, std::size_t& i, std::size_t n, int& out) noexcept {
    if (i + n > s.size()) return false;
    out = 0;
    for (std::size_t k = 0; k < n; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
    }
    i += n;
    return true;
}

}  // namespace

std::optional<TimePoint> parse_time(std::string_view s) noexcept {
    TimePoint t;
    if (!detail::read_rfc3339(s, t)) return std::nullopt;
    return t;
}

bool detail::read_rfc3339(std::string_view s, TimePoint& out) noexcept {
    std::size_t i = 0;
    auto expect = [&](char c) {
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(s, i, 4, year) || !expect('-') || !read_digits(s, i, 2, month) || !expect('-') ||
        !read_digits(s, i, 2, day))
        return false;
    if (!(expect('T') || expect('t') || expect(' '))) return false;
    if (!read_digits(s, i, 2, hour) || !expect(':') || !read_digits(s, i, 2, minute) || !expect(':') ||
        !read_digits(s, i, 2, second))
        return false;
    std::int64_t millis = 0;
    if (expect('.')) {
        int scale = 100;
        std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            millis += (s[i] - '0') * scale;
            scale /= 10;
            ++i;
        }
        if (i == start) return false;
    }
    int offset_minutes = 0;
    if (expect('Z') || expect('z')) {
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1;
        ++i;
        int oh = 0, om = 0;
        if (!read_digits(s, i, 2, oh) || !expect(':') || !read_digits(s, i, 2, om) || oh > 23 || om > 59)
            return false;
        offset_minutes = sign * (oh * 60 + om);
    } else {
        return false;  // a time without a zone is ambiguous
    }
    if (i != s.size()) return false;
    using namespace std::chrono;
    year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                        std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return false;
    sys_days days(date);
    const TimePoint t(duration_cast<milliseconds>(days.time_since_epoch()) + hours(hour) + minutes(minute) +
                      seconds(second) + milliseconds(millis) - minutes(offset_minutes));
    // An offset can carry 0000-01-01 or 9999-12-31 out of the years times are kept in.
    if (!in_time_range(t)) return false;
    out = t;
    return true;
}

std::string_view format_time(TimePoint time, TextBuffer& buffer) noexcept {
    using namespace std::chrono;
    sys_days days = floor<std::chrono::days>(time);
    year_month_day date(days);
    auto rest = time - days;
    auto h = duration_cast<hours>(rest);
    auto m = duration_cast<minutes>(rest - h);
    auto s = duration_cast<seconds>(rest - h - m);
    auto ms = duration_cast<milliseconds>(rest - h - m - s);
    int year = static_cast<int>(date.year());
    if (year < 0 || year > 9999) {  // outside RFC 3339; written plainly rather than truncated
        auto r = fmt::format_to_n(buffer.data(), buffer.size(), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", year,
                                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), h.count(),
                                  m.count(), s.count());
        return {buffer.data(), std::min(r.size, buffer.size())};
    }
    // Fixed-width digits by hand: this runs for every deadline of every decision.
    char* out = buffer.data();
    auto put = [&](long value, int width) {
        for (int i = width - 1; i >= 0; --i) {
            out[i] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
        out += width;
    };
    put(year, 4);
    *out++ = '-';
    put(static_cast<unsigned>(date.month()), 2);
    *out++ = '-';
    put(static_cast<unsigned>(date.day()), 2);
    *out++ = 'T';
    put(h.count(), 2);
    *out++ = ':';
    put(m.count(), 2);
    *out++ = ':';
    put(s.count(), 2);
    if (ms.count() != 0) {
        *out++ = '.';
        put(ms.count(), 3);
    }
    *out++ = 'Z';
    return {buffer.data(), static_cast<std::size_t>(out - buffer.data())};
}

std::string format_time(TimePoint time) {
    TextBuffer buffer;
    return std::string(format_time(time, buffer));
}

std::string_view format_duration(Duration duration, TextBuffer& buffer) noexcept {
    std::int64_t s = duration.count();
    struct Unit {
        std::int64_t seconds;
        char name;
    };
    static constexpr Unit units[] = {{604800, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    char* out = buffer.data();
    char* const end = buffer.data() + buffer.size();
    for (const Unit& u : units) {
        if (s >= u.seconds) {
            if (out != buffer.data() && out < end) *out++ = ' ';
            auto r = fmt::format_to_n(out, static_cast<std::size_t>(end - out), "{}{}", s / u.seconds, u.name);
            out += std::min(r.size, static_cast<std::size_t>(end - out));
            s %= u.seconds;
        }
    }
    if (out == buffer.data()) return "0s";
    return {buffer.data(), static_cast<std::size_t>(out - buffer.data())};
}

std::string format_duration(Duration duration) {
    TextBuffer buffer;
    return std::string(format_duration(duration, buffer));
}

std::optional<Duration> parse_duration(std::string_view text) noexcept {
    const auto longest = static_cast<std::uint64_t>(longest_duration.count());
    std::uint64_t total = 0;
    bool any = false;
    while (!text.empty()) {
        if (any) {  // one space between parts, as format_duration writes them
            if (text.front() != ' ') return std::nullopt;
            text.remove_prefix(1);
        }
        std::uint64_t amount = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
        if (ec != std::errc() || end == text.data() + text.size()) return std::nullopt;
        std::uint64_t unit = 0;
        switch (*end) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case 'w': unit = 7 * 86400; break;
        default: return std::nullopt;
        }
        if (amount > longest / unit || total > longest - amount * unit) return std::nullopt;
        total += amount * unit;
        text.remove_prefix(static_cast<std::size_t>(end - text.data()) + 1);
        any = true;
    }
    if (total == 0) return std::nullopt;
    return Duration(static_cast<std::int64_t>(total));
}

}  // namespace triage
