#include "time_zone.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <functional>
#include <limits>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace triage::detail {

std::optional<ZoneAdvice> legacy_zone_advice(std::string_view name) {
    struct Legacy {
        std::string_view name, city;
    };
    // POSIX-style names kept in the tz database for compatibility, and the cities they are
    // usually written for.
    static constexpr Legacy posix[] = {
        {"EST", "America/New_York"},     {"MST", "America/Denver"},      {"HST", "Pacific/Honolulu"},
        {"EST5EDT", "America/New_York"}, {"CST6CDT", "America/Chicago"}, {"MST7MDT", "America/Denver"},
        {"PST8PDT", "America/Los_Angeles"}, {"CET", "Europe/Paris"},    {"MET", "Europe/Paris"},
        {"EET", "Europe/Athens"},        {"WET", "Europe/Lisbon"},
    };
    for (const Legacy& l : posix)
        if (name == l.name)
            return ZoneAdvice{fmt::format("'{}' is a legacy time zone name: its rules follow no place's law, and may "
                                          "lack or misplace daylight saving time",
                                          name),
                              l.city};
    if (name == "UTC" || name == "Etc/UTC" || name == "GMT" || name == "Etc/GMT") return std::nullopt;
    // Other names of UTC itself.
    static constexpr std::string_view utc_names[] = {"UCT", "Universal", "Zulu", "Greenwich", "GMT0", "GMT+0", "GMT-0",
                                                     "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Etc/Greenwich",
                                                     "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0"};
    for (std::string_view u : utc_names)
        if (name == u) return ZoneAdvice{fmt::format("'{}' is another name for UTC", name), "UTC"};
    if (name.starts_with("Etc/") || name.starts_with("GMT+") || name.starts_with("GMT-"))
        return ZoneAdvice{fmt::format("'{}' is a fixed offset from UTC, with no daylight saving time "
                                      "(and in Etc/GMT+N the sign is reversed: Etc/GMT+5 is UTC-05:00)",
                                      name),
                          {}};
    static constexpr Legacy aliases[] = {
        {"US/Eastern", "America/New_York"},  {"US/Central", "America/Chicago"},  {"US/Mountain", "America/Denver"},
        {"US/Pacific", "America/Los_Angeles"}, {"US/Alaska", "America/Anchorage"}, {"US/Hawaii", "Pacific/Honolulu"},
        {"US/Arizona", "America/Phoenix"},   {"Canada/Eastern", "America/Toronto"}, {"GB", "Europe/London"},
        {"Japan", "Asia/Tokyo"},             {"PRC", "Asia/Shanghai"},           {"ROK", "Asia/Seoul"},
        {"Singapore", "Asia/Singapore"},     {"Hongkong", "Asia/Hong_Kong"},     {"NZ", "Pacific/Auckland"},
        {"Eire", "Europe/Dublin"},           {"Poland", "Europe/Warsaw"},        {"Turkey", "Europe/Istanbul"},
        {"Israel", "Asia/Jerusalem"},        {"Egypt", "Africa/Cairo"},          {"Iran", "Asia/Tehran"},
    };
    for (const Legacy& l : aliases)
        if (name == l.name)
            return ZoneAdvice{fmt::format("'{}' is an old alias kept for compatibility", name), l.city};
    if (name.find('/') == std::string_view::npos)
        return ZoneAdvice{fmt::format("'{}' is not an Area/City zone: an old alias or abbreviation", name), {}};
    return std::nullopt;
}


namespace {

constexpr std::size_t max_name_bytes = 128;
constexpr std::size_t max_file_bytes = std::size_t{1} << 20;
constexpr std::int64_t day_seconds = 86'400;
// RFC 8536 offsets stay within ±25:59:59; a bound lets to_utc look only a day either side.
constexpr std::int32_t offset_bound = 26 * 3600;
// Beyond ±2^60 s (36 billion years) the offset is frozen, so the calendar arithmetic of the
// footer rule never comes near overflow.
constexpr std::int64_t seconds_bound = std::int64_t{1} << 60;
constexpr std::int64_t earliest = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t latest = std::numeric_limits<std::int64_t>::max();

using RuleDate = TimeZone::RuleDate;
using PosixRule = TimeZone::PosixRule;

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

constexpr bool is_leap(std::int64_t year) noexcept { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) noexcept {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = floor_div(year, 400);
    const auto year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146'097 + static_cast<std::int64_t>(day_of_era) - 719'468;
}

// The Gregorian year of a day counted from 1970-01-01 (H. Hinnant's civil_from_days).
constexpr std::int64_t year_of_day(std::int64_t days) noexcept {
    days += 719'468;
    const std::int64_t era = floor_div(days, 146'097);
    const auto day_of_era = static_cast<unsigned>(days - era * 146'097);
    const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned shifted_month = (5 * day_of_year + 2) / 153;  // 0 = March
    return static_cast<std::int64_t>(year_of_era) + era * 400 + (shifted_month >= 10 ? 1 : 0);
}

constexpr unsigned days_in_month(std::int64_t year, unsigned month) noexcept {
    constexpr std::array<unsigned, 12> lengths{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : lengths[month - 1];
}

// The local day (days since 1970-01-01) on which a rule date falls in `year`.
constexpr std::int64_t rule_day(const RuleDate& date, std::int64_t year) noexcept {
    const std::int64_t january_first = days_from_civil(year, 1, 1);
    switch (date.form) {
    case RuleDate::Form::julian_skipping_leap_day:
        return january_first + date.day - 1 + (is_leap(year) && date.day >= 60 ? 1 : 0);
    case RuleDate::Form::zero_based_day:
        return january_first + date.day;
    case RuleDate::Form::month_week_weekday:
        break;
    }
    const std::int64_t first = days_from_civil(year, date.month, 1);
    const auto first_weekday = static_cast<unsigned>(first - floor_div(first + 4, 7) * 7 + 4);  // 1970-01-01 was a Thursday
    std::int64_t day = first + (date.weekday + 7 - first_weekday) % 7 + (date.week - 1) * 7;
    if (day >= first + days_in_month(year, date.month)) day -= 7;  // week 5 means the last one
    return day;
}

bool is_name_char(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
           c == '-';
}

// '.' is not a name character, so "." and ".." components cannot occur.
bool is_zone_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > max_name_bytes) return false;
    bool component_start = true;
    for (char c : name) {
        if (c == '/') {
            if (component_start) return false;
            component_start = true;
        } else if (is_name_char(c)) {
            component_start = false;
        } else {
            return false;
        }
    }
    return !component_start;
}

// An untrusted name, quoted for a one-line message.
std::string quoted(std::string_view text) {
    constexpr std::size_t shown = 64;
    std::string out = "'";
    for (char c : text.substr(0, shown)) out += c >= ' ' && c <= '~' ? c : '?';
    if (text.size() > shown) out += "...";
    return out + "'";
}

// The POSIX TZ string of a TZif footer, with the RFC 8536 extensions (signed transition hours up
// to 167). Returns nullopt if it is malformed.
class PosixParser {
public:
    explicit PosixParser(std::string_view text) : text_(text) {}

    std::optional<PosixRule> parse() {
        PosixRule rule;
        std::int32_t offset = 0;
        if (!designation() || !duration(24, offset)) return std::nullopt;
        rule.standard_offset = -offset;  // the TZ string counts hours west of Greenwich
        if (done()) return rule;
        if (!designation()) return std::nullopt;
        rule.has_daylight = true;
        rule.daylight_offset = rule.standard_offset + 3600;
        if (!done() && peek() != ',') {
            if (!duration(24, offset)) return std::nullopt;
            rule.daylight_offset = -offset;
        }
        // TZif footers always spell out the rule; POSIX's implementation-defined default is not guessed.
        if (!accept(',') || !date(rule.daylight_start) || !accept(',') || !date(rule.daylight_end) || !done())
            return std::nullopt;
        return rule;
    }

private:
    [[nodiscard]] bool done() const { return pos_ == text_.size(); }
    [[nodiscard]] char peek() const { return done() ? '\0' : text_[pos_]; }
    bool accept(char c) {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
    static bool is_digit(char c) { return c >= '0' && c <= '9'; }

    // "EST", or "<+0530>" in angle brackets; at least three characters either way.
    bool designation() {
        std::size_t length = 0;
        if (accept('<')) {
            while (is_alpha(peek()) || is_digit(peek()) || peek() == '+' || peek() == '-') ++pos_, ++length;
            return accept('>') && length >= 3;
        }
        while (is_alpha(peek())) ++pos_, ++length;
        return length >= 3;
    }

    bool number(int max_digits, int max, int& out) {
        out = 0;
        int digits = 0;
        while (is_digit(peek()) && digits < max_digits) out = out * 10 + (text_[pos_++] - '0'), ++digits;
        return digits > 0 && !is_digit(peek()) && out <= max;
    }

    // [+-]hh[:mm[:ss]] in seconds: offsets allow 24 hours, rule times 167.
    bool duration(int max_hours, std::int32_t& out) {
        bool negative = accept('-');
        if (!negative) accept('+');
        int hours = 0, minutes = 0, seconds = 0;
        if (!number(3, max_hours, hours)) return false;
        if (accept(':') && (!number(2, 59, minutes) || (accept(':') && !number(2, 59, seconds)))) return false;
        out = hours * 3600 + minutes * 60 + seconds;
        if (negative) out = -out;
        return true;
    }

    // Jn, n or Mm.w.d, then an optional /time (02:00 by default).
    bool date(RuleDate& out) {
        int a = 0, b = 0, c = 0;
        if (accept('J')) {
            if (!number(3, 365, a) || a < 1) return false;
            out.form = RuleDate::Form::julian_skipping_leap_day;
            out.day = static_cast<std::uint16_t>(a);
        } else if (accept('M')) {
            if (!number(2, 12, a) || a < 1 || !accept('.') || !number(1, 5, b) || b < 1 || !accept('.') ||
                !number(1, 6, c))
                return false;
            out.form = RuleDate::Form::month_week_weekday;
            out.month = static_cast<std::uint8_t>(a);
            out.week = static_cast<std::uint8_t>(b);
            out.weekday = static_cast<std::uint8_t>(c);
        } else {
            if (!number(3, 365, a)) return false;
            out.form = RuleDate::Form::zero_based_day;
            out.day = static_cast<std::uint16_t>(a);
        }
        return !accept('/') || duration(167, out.time);
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

// Big-endian fields of a TZif file, bounds-checked.
class Reader {
public:
    explicit Reader(std::string_view data) : data_(data) {}
    [[nodiscard]] std::size_t left() const { return data_.size() - pos_; }
    [[nodiscard]] std::size_t position() const { return pos_; }
    std::string_view take(std::size_t n) {
        std::string_view out = data_.substr(pos_, n);
        pos_ += n;
        return out;
    }
    std::uint64_t unsigned_field(std::size_t bytes) {
        std::uint64_t value = 0;
        for (char c : take(bytes)) value = value << 8 | static_cast<unsigned char>(c);
        return value;
    }
    // Two's complement of a 4- or 8-byte field.
    std::int64_t signed_field(std::size_t bytes) {
        std::uint64_t value = unsigned_field(bytes);
        if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
        return static_cast<std::int64_t>(value);
    }

private:
    std::string_view data_;
    std::size_t pos_ = 0;
};

struct Header {
    char version = 0;
    std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

    [[nodiscard]] std::uint64_t data_bytes(std::size_t time_bytes) const {
        return std::uint64_t{timecnt} * (time_bytes + 1) + std::uint64_t{typecnt} * 6 + charcnt +
               std::uint64_t{leapcnt} * (time_bytes + 4) + isstdcnt + isutcnt;
    }
};

constexpr std::size_t header_bytes = 44;

const char* read_header(Reader& in, Header& out) {
    if (in.left() < 4 || in.take(4) != "TZif") return "no TZif magic";
    if (in.left() < header_bytes - 4) return "truncated header";
    out.version = in.take(1)[0];
    if (out.version != '\0' && (out.version < '2' || out.version > '4')) return "unknown version";
    in.take(15);
    auto count = [&in] { return static_cast<std::uint32_t>(in.unsigned_field(4)); };
    out.isutcnt = count();
    out.isstdcnt = count();
    out.leapcnt = count();
    out.timecnt = count();
    out.typecnt = count();
    out.charcnt = count();
    return nullptr;
}

struct Table {
    std::vector<std::int64_t> transitions;
    std::vector<std::int32_t> offsets;
    std::int32_t initial_offset = 0;
    std::optional<PosixRule> rule;
};

// The data block that follows `header`; returns why it is invalid, or nullptr.
const char* read_data_block(Reader& in, const Header& header, std::size_t time_bytes, Table& out) {
    if (header.typecnt == 0 || header.charcnt == 0) return "no local time types";
    if ((header.isutcnt != 0 && header.isutcnt != header.typecnt) ||
        (header.isstdcnt != 0 && header.isstdcnt != header.typecnt))
        return "inconsistent counts";
    if (header.leapcnt != 0) return "leap seconds are not supported";
    if (in.left() < header.data_bytes(time_bytes)) return "truncated data block";

    out.transitions.resize(header.timecnt);
    for (std::int64_t& t : out.transitions) t = in.signed_field(time_bytes);
    if (std::adjacent_find(out.transitions.begin(), out.transitions.end(), std::greater_equal<>()) !=
        out.transitions.end())
        return "transition times out of order";
    std::string_view type_indexes = in.take(header.timecnt);

    std::vector<std::int32_t> type_offsets(header.typecnt);
    for (std::int32_t& offset : type_offsets) {
        std::int64_t utoff = in.signed_field(4);
        auto isdst = in.unsigned_field(1);
        auto desigidx = in.unsigned_field(1);
        if (utoff <= -offset_bound || utoff >= offset_bound) return "offset of 26 hours or more";
        if (isdst > 1 || desigidx >= header.charcnt) return "bad local time type";
        offset = static_cast<std::int32_t>(utoff);
    }
    for (char index : type_indexes) {
        auto i = static_cast<unsigned char>(index);
        if (i >= header.typecnt) return "transition to an unknown local time type";
        out.offsets.push_back(type_offsets[i]);
    }
    // RFC 8536 section 3.2: time type 0 applies before the first transition.
    out.initial_offset = type_offsets[0];
    in.take(header.charcnt + header.isstdcnt + header.isutcnt);
    return nullptr;
}

// Returns why `data` is not valid TZif, or nullptr.
const char* read_tzif(std::string_view data, Table& out) {
    Reader in(data);
    Header header;
    if (const char* error = read_header(in, header)) return error;
    if (header.version == '\0') return read_data_block(in, header, 4, out);

    // Version 2+: skip the 32-bit block, whose counts may be minimal, and read the 64-bit one.
    if (in.left() < header.data_bytes(4)) return "truncated version 1 data block";
    in.take(static_cast<std::size_t>(header.data_bytes(4)));
    Header wide;
    if (const char* error = read_header(in, wide)) return error;
    if (wide.version != header.version) return "headers disagree on the version";
    if (const char* error = read_data_block(in, wide, 8, out)) return error;

    std::string_view rest = in.take(in.left());
    std::size_t end = rest.find('\n', 1);
    if (rest.empty() || rest[0] != '\n' || end == std::string_view::npos) return "no footer";
    std::string_view tz = rest.substr(1, end - 1);
    if (tz.empty()) return nullptr;
    out.rule = PosixParser(tz).parse();
    return out.rule ? nullptr : "bad TZ string in the footer";
}

enum class ReadStatus : std::uint8_t { ok, missing, too_large, failed };

ReadStatus read_small_file(const std::string& path, std::string& out) {
    // O_NONBLOCK: opening a FIFO planted in the directory must not hang.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return errno == ENOENT || errno == ENOTDIR ? ReadStatus::missing : ReadStatus::failed;
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat info {};
    if (::fstat(fd, &info) != 0) return ReadStatus::failed;
    if (!S_ISREG(info.st_mode)) return ReadStatus::missing;  // "Europe" is a directory, not a zone
    if (static_cast<std::uint64_t>(info.st_size) > max_file_bytes) return ReadStatus::too_large;

    out.assign(static_cast<std::size_t>(info.st_size) + 1, '\0');
    std::size_t used = 0;
    for (;;) {
        if (used == out.size()) {
            if (out.size() > max_file_bytes) return ReadStatus::too_large;  // it grew while we read
            out.resize(std::min(out.size() * 2, max_file_bytes + 1));
        }
        ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return ReadStatus::failed;
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    out.resize(used);
    return ReadStatus::ok;
}

}  // namespace

std::optional<TimeZone> TimeZone::load(std::string_view name, std::string& error) {
    if (name == "UTC" || name == "Etc/UTC") {
        TimeZone zone = utc();
        zone.name_ = name;
        return zone;
    }
    if (!valid_name(name, error)) return std::nullopt;
    const std::string directory = TimeZone::directory();
    const std::string path = directory + "/" + std::string(name);

    std::string data;
    switch (read_small_file(path, data)) {
    case ReadStatus::ok: break;
    case ReadStatus::missing: error = "no time zone " + quoted(name) + " in " + directory; return std::nullopt;
    case ReadStatus::too_large: error = "time zone file '" + path + "' is larger than 1 MiB"; return std::nullopt;
    case ReadStatus::failed: error = "cannot read time zone file '" + path + "'"; return std::nullopt;
    }
    return from_tzif(name, data, path, error);
}

bool TimeZone::valid_name(std::string_view name, std::string& error) {
    if (is_zone_name(name)) return true;
    error = quoted(name) + " is not a time zone name";
    return false;
}

std::string TimeZone::directory() {
    const char* tzdir = std::getenv("TZDIR");
    return tzdir != nullptr && *tzdir != '\0' ? tzdir : "/usr/share/zoneinfo";
}

std::optional<TimeZone> TimeZone::from_tzif(std::string_view name, std::string_view tzif, std::string_view path,
                                            std::string& error) {
    Table table;
    if (const char* why = read_tzif(tzif, table)) {
        error = "time zone file '" + std::string(path) + "' is not valid TZif: " + why;
        return std::nullopt;
    }
    TimeZone zone;
    zone.name_ = name;
    zone.transitions_ = std::move(table.transitions);
    zone.offsets_ = std::move(table.offsets);
    zone.initial_offset_ = table.initial_offset;
    zone.rule_ = table.rule;
    return zone;
}

TimeZone TimeZone::utc() {
    TimeZone zone;
    zone.name_ = "UTC";
    return zone;
}

const std::string& TimeZone::name() const noexcept { return name_; }

std::int32_t TimeZone::offset_at(std::int64_t utc_seconds) const noexcept { return period_at(utc_seconds).offset; }

TimeZone::Period TimeZone::period_at(std::int64_t utc_seconds) const noexcept {
    const std::int64_t at = std::clamp(utc_seconds, -seconds_bound, seconds_bound);
    Period period;
    auto after = std::upper_bound(transitions_.begin(), transitions_.end(), at);
    if (after == transitions_.end()) {
        const std::int64_t table_end = transitions_.empty() ? earliest : transitions_.back();
        if (rule_) period = rule_period_at(at, table_end);
        else if (transitions_.empty()) period = {earliest, latest, initial_offset_};
        else period = {table_end, latest, offsets_.back()};
    } else if (after == transitions_.begin()) {
        period = {earliest, *after, initial_offset_};
    } else {
        auto i = static_cast<std::size_t>(after - transitions_.begin()) - 1;
        period = {transitions_[i], *after, offsets_[i]};
    }
    // Past the bound the offset is frozen: the period reaches the end of time.
    if (utc_seconds > seconds_bound) period.end = latest;
    if (utc_seconds < -seconds_bound) period.begin = earliest;
    return period;
}

TimeZone::Period TimeZone::rule_period_at(std::int64_t utc_seconds, std::int64_t table_end) const noexcept {
    const PosixRule& rule = *rule_;
    if (!rule.has_daylight) return {table_end, latest, rule.standard_offset};

    // A rule's transitions stay within about eight days of its year (times up to 167 hours,
    // offsets under 26), so two years either side surely hold the last one at or before the
    // instant and the first one after it.
    const std::int64_t year = year_of_day(floor_div(utc_seconds, day_seconds));
    std::int64_t previous = earliest;
    std::int64_t next = latest;
    bool daylight = false;
    auto consider = [&](std::int64_t instant, bool starts_daylight) {
        if (instant > utc_seconds) {
            next = std::min(next, instant);
        } else if (instant >= previous) {  // on a tie the later one considered wins
            previous = instant;
            daylight = starts_daylight;
        }
    };
    for (std::int64_t y = year - 2; y <= year + 2; ++y) {
        // The end before the start: in a rule with DST all year, DST ends exactly when it
        // restarts, and must stay on.
        consider(rule_day(rule.daylight_end, y) * day_seconds + rule.daylight_end.time - rule.daylight_offset, false);
        consider(rule_day(rule.daylight_start, y) * day_seconds + rule.daylight_start.time - rule.standard_offset,
                 true);
    }
    return {std::max(previous, table_end), next, daylight ? rule.daylight_offset : rule.standard_offset};
}

std::int64_t TimeZone::to_utc(std::int64_t local_seconds) const noexcept {
    const std::int64_t local = std::clamp(local_seconds, -seconds_bound, seconds_bound);
    // Every instant that reads `local` lies within offset_bound of it. Walk the periods from the
    // earliest candidate on: the first period holding local - offset gives the earliest instant,
    // and a period that starts after its candidate means the clock jumped over `local`.
    Period period = period_at(local - offset_bound);
    for (;;) {
        const std::int64_t candidate = local - period.offset;
        if (candidate < period.begin) return period.begin;
        if (candidate < period.end) return candidate;
        period = period_at(period.end);
    }
}

}  // namespace triage::detail
