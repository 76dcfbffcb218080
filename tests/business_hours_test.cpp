// Time zones read from the tz database and deadlines counted in business hours. The expected
// instants were checked with `zdump -v ZONE` and `TZ=... date -d @SECONDS` (tzdata 2025b).
#include "allocation_counter.hpp"
#include "business_hours.hpp"
#include "time_zone.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace std::chrono_literals;
using std::chrono::days;
using std::chrono::duration_cast;
using std::chrono::floor;
using std::chrono::hh_mm_ss;
using std::chrono::hours;
using std::chrono::January;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;
using triage::Duration;
using triage::TimePoint;
using triage::detail::BusinessHours;
using triage::detail::OpenInterval;
using triage::detail::TimeZone;

namespace {

int digits(std::string_view text, std::size_t at, std::size_t count) {
    int value = 0;
    std::from_chars(text.data() + at, text.data() + at + count, value);
    return value;
}

// "2026-03-30T09:00:00Z", optionally with ".mmm" before the Z. Without the Z the same arithmetic
// gives a local wall-clock time as TimeZone::to_utc takes it.
TimePoint instant(std::string_view iso) {
    REQUIRE(iso.size() >= 19);
    sys_days date{year{digits(iso, 0, 4)} / digits(iso, 5, 2) / digits(iso, 8, 2)};
    milliseconds fraction{iso.size() >= 23 && iso[19] == '.' ? digits(iso, 20, 3) : 0};
    return date + hours{digits(iso, 11, 2)} + minutes{digits(iso, 14, 2)} + seconds{digits(iso, 17, 2)} + fraction;
}

std::int64_t unix_seconds(std::string_view iso) {
    return duration_cast<seconds>(instant(iso).time_since_epoch()).count();
}

std::int32_t day_number(std::string_view iso_date) {
    return static_cast<std::int32_t>(
        floor<days>(instant(std::string(iso_date) + "T00:00:00Z")).time_since_epoch().count());
}

// The other way, so that failures print readable instants: "2026-03-30T09:00:00Z" (".250" only
// when there are milliseconds), or "none".
std::string iso(std::optional<TimePoint> t) {
    if (!t) return "none";
    sys_days day = floor<days>(*t);
    year_month_day date{day};
    hh_mm_ss<milliseconds> time{*t - day};
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02lld", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<long long>(time.seconds().count()));
    std::string out = text;
    if (time.subseconds().count() != 0) {
        std::snprintf(text, sizeof text, ".%03lld", static_cast<long long>(time.subseconds().count()));
        out += text;
    }
    return out + "Z";
}

std::string iso_seconds(std::int64_t unix) { return iso(TimePoint(seconds(unix))); }

TimeZone zone(std::string_view name) {
    std::string error;
    std::optional<TimeZone> loaded = TimeZone::load(name, error);
    INFO(error);
    REQUIRE(loaded);
    return *loaded;
}

std::string load_error(std::string_view name) {
    std::string error;
    CHECK_FALSE(TimeZone::load(name, error));
    return error;
}

std::string zoneinfo_directory() {
    const char* tzdir = std::getenv("TZDIR");
    return tzdir != nullptr && *tzdir != '\0' ? tzdir : "/usr/share/zoneinfo";
}

// A private tz directory in TZDIR for the life of the object; the old TZDIR comes back after.
class ScratchZoneDirectory {
public:
    ScratchZoneDirectory() {
        std::string pattern = (std::filesystem::temp_directory_path() / "triage-tz-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
        if (const char* old = std::getenv("TZDIR")) saved_ = old;
        setenv("TZDIR", path_.c_str(), 1);
    }
    ~ScratchZoneDirectory() {
        if (saved_) setenv("TZDIR", saved_->c_str(), 1);
        else unsetenv("TZDIR");
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchZoneDirectory(const ScratchZoneDirectory&) = delete;
    ScratchZoneDirectory& operator=(const ScratchZoneDirectory&) = delete;

    [[nodiscard]] const std::string& path() const { return path_; }
    void write(const std::string& name, const std::string& bytes) const {
        std::filesystem::create_directories(std::filesystem::path(path_ + "/" + name).parent_path());
        std::ofstream(path_ + "/" + name, std::ios::binary) << bytes;
    }

private:
    std::string path_;
    std::optional<std::string> saved_;
};

void put_big_endian(std::string& out, std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

struct Transition {
    std::int64_t at;
    std::uint8_t type;
};

// A TZif file whose local time types have the given offsets, all named "ZZZ". Version '\0'
// writes only the 32-bit block; later versions a minimal 32-bit block, the 64-bit one and the footer.
std::string tzif(char version, const std::vector<std::int32_t>& offsets, const std::vector<Transition>& transitions,
                 std::string_view footer) {
    std::string out;
    auto block = [&out, &offsets](char v, const std::vector<Transition>& ts, int time_bytes) {
        out += "TZif";
        out += v;
        out += std::string(15, '\0');
        for (std::size_t count : {std::size_t{0}, std::size_t{0}, std::size_t{0}, ts.size(), offsets.size(),
                                  std::size_t{4}})
            put_big_endian(out, count, 4);
        for (const Transition& t : ts) put_big_endian(out, static_cast<std::uint64_t>(t.at), time_bytes);
        for (const Transition& t : ts) out += static_cast<char>(t.type);
        for (std::int32_t offset : offsets) {
            put_big_endian(out, static_cast<std::uint32_t>(offset), 4);
            out += '\0';  // isdst
            out += '\0';  // designation index
        }
        out += std::string("ZZZ\0", 4);
    };
    if (version == '\0') {
        block(version, transitions, 4);
        return out;
    }
    block(version, {}, 4);
    block(version, transitions, 8);
    return out + "\n" + std::string(footer) + "\n";
}

// A file with no transitions: the footer's TZ string decides every instant.
TimeZone footer_zone(const ScratchZoneDirectory& directory, std::string_view tz_string) {
    directory.write("Footer", tzif('3', {0}, {}, tz_string));
    return zone("Footer");
}

}  // namespace

TEST_CASE("time zone: UTC needs no file") {
    ScratchZoneDirectory empty;
    TimeZone utc = zone("UTC");
    CHECK(utc.name() == "UTC");
    CHECK(zone("Etc/UTC").name() == "Etc/UTC");
    CHECK(TimeZone::utc().name() == "UTC");
    for (std::int64_t t : {std::int64_t{0}, unix_seconds("2026-03-29T01:00:00Z"), unix_seconds("2100-07-01T00:00:00Z")}) {
        CHECK(utc.offset_at(t) == 0);
        CHECK(utc.to_utc(t) == t);
    }
}

TEST_CASE("time zone: Europe/London around the 2026 changes") {
    TimeZone london = zone("Europe/London");
    CHECK(london.name() == "Europe/London");
    // Spring forward at 01:00 UTC: 01:00 GMT becomes 02:00 BST.
    CHECK(london.offset_at(unix_seconds("2026-03-29T00:59:59Z")) == 0);
    CHECK(london.offset_at(unix_seconds("2026-03-29T01:00:00Z")) == 3600);
    // Fall back at 01:00 UTC: 02:00 BST becomes 01:00 GMT.
    CHECK(london.offset_at(unix_seconds("2026-10-25T00:59:59Z")) == 3600);
    CHECK(london.offset_at(unix_seconds("2026-10-25T01:00:00Z")) == 0);
    CHECK(london.offset_at(unix_seconds("2026-07-01T12:00:00Z")) == 3600);
    CHECK(london.to_utc(unix_seconds("2026-07-01T13:00:00")) == unix_seconds("2026-07-01T12:00:00Z"));
    CHECK(london.to_utc(unix_seconds("2026-12-01T13:00:00")) == unix_seconds("2026-12-01T13:00:00Z"));
}

TEST_CASE("time zone: America/New_York around the 2026 changes") {
    TimeZone new_york = zone("America/New_York");
    // 02:00 EST becomes 03:00 EDT on 2026-03-08; 02:00 EDT becomes 01:00 EST on 2026-11-01.
    CHECK(new_york.offset_at(unix_seconds("2026-03-08T06:59:59Z")) == -5 * 3600);
    CHECK(new_york.offset_at(unix_seconds("2026-03-08T07:00:00Z")) == -4 * 3600);
    CHECK(new_york.offset_at(unix_seconds("2026-11-01T05:59:59Z")) == -4 * 3600);
    CHECK(new_york.offset_at(unix_seconds("2026-11-01T06:00:00Z")) == -5 * 3600);
}

TEST_CASE("time zone: dates past 2037 follow the footer rule") {
    // Fat files list transitions up to 2037 and slim ones fewer: later years come from the
    // footer (GMT0BST,M3.5.0/1,M10.5.0 and EST5EDT,M3.2.0,M11.1.0).
    TimeZone london = zone("Europe/London");
    CHECK(london.offset_at(unix_seconds("2100-07-01T00:00:00Z")) == 3600);
    CHECK(london.offset_at(unix_seconds("2100-01-01T00:00:00Z")) == 0);
    CHECK(london.offset_at(unix_seconds("2100-03-28T00:59:59Z")) == 0);
    CHECK(london.offset_at(unix_seconds("2100-03-28T01:00:00Z")) == 3600);
    CHECK(london.offset_at(unix_seconds("2100-10-31T00:59:59Z")) == 3600);
    CHECK(london.offset_at(unix_seconds("2100-10-31T01:00:00Z")) == 0);
    CHECK(london.offset_at(unix_seconds("2400-03-26T01:00:00Z")) == 3600);  // 2400 is a leap year
    CHECK(london.offset_at(unix_seconds("2400-10-29T00:59:59Z")) == 3600);
    CHECK(london.offset_at(unix_seconds("2400-10-29T01:00:00Z")) == 0);
    TimeZone new_york = zone("America/New_York");
    CHECK(new_york.offset_at(unix_seconds("2100-03-14T06:59:59Z")) == -5 * 3600);
    CHECK(new_york.offset_at(unix_seconds("2100-03-14T07:00:00Z")) == -4 * 3600);
    CHECK(new_york.offset_at(unix_seconds("2100-11-07T05:59:59Z")) == -4 * 3600);
    CHECK(new_york.offset_at(unix_seconds("2100-11-07T06:00:00Z")) == -5 * 3600);
    CHECK(new_york.to_utc(unix_seconds("2100-03-14T02:30:00")) == unix_seconds("2100-03-14T07:00:00Z"));
}

TEST_CASE("time zone: half-hour offsets") {
    TimeZone kolkata = zone("Asia/Kolkata");
    CHECK(kolkata.offset_at(unix_seconds("2026-03-29T01:00:00Z")) == 5 * 3600 + 1800);
    CHECK(kolkata.to_utc(unix_seconds("2026-03-29T06:30:00")) == unix_seconds("2026-03-29T01:00:00Z"));
    // Lord Howe moves its clocks by 30 minutes: +11 to +10:30 on 2026-04-05, back on 2026-10-04.
    TimeZone lord_howe = zone("Australia/Lord_Howe");
    CHECK(lord_howe.offset_at(unix_seconds("2026-04-04T14:59:59Z")) == 11 * 3600);
    CHECK(lord_howe.offset_at(unix_seconds("2026-04-04T15:00:00Z")) == 10 * 3600 + 1800);
    CHECK(lord_howe.offset_at(unix_seconds("2026-10-03T15:29:59Z")) == 10 * 3600 + 1800);
    CHECK(lord_howe.offset_at(unix_seconds("2026-10-03T15:30:00Z")) == 11 * 3600);
    // Past 2037, from the footer <+1030>-10:30<+11>-11,M10.1.0,M4.1.0: 2100-10-03 is the first Sunday.
    CHECK(lord_howe.offset_at(unix_seconds("2100-10-02T15:29:59Z")) == 10 * 3600 + 1800);
    CHECK(lord_howe.offset_at(unix_seconds("2100-10-02T15:30:00Z")) == 11 * 3600);
    // 02:15 on 2026-10-04 is skipped (02:00 jumps to 02:30); 01:45 on 2026-04-05 happens twice.
    CHECK(iso_seconds(lord_howe.to_utc(unix_seconds("2026-10-04T02:15:00"))) == "2026-10-03T15:30:00Z");
    CHECK(iso_seconds(lord_howe.to_utc(unix_seconds("2026-04-05T01:45:00"))) == "2026-04-04T14:45:00Z");
}

TEST_CASE("time zone: to_utc in a gap and in an overlap") {
    TimeZone london = zone("Europe/London");
    // 01:30 does not exist on 2026-03-29: the clock jumps from 01:00 GMT to 02:00 BST at 01:00Z.
    CHECK(iso_seconds(london.to_utc(unix_seconds("2026-03-29T01:30:00"))) == "2026-03-29T01:00:00Z");
    CHECK(iso_seconds(london.to_utc(unix_seconds("2026-03-29T00:59:59"))) == "2026-03-29T00:59:59Z");
    CHECK(iso_seconds(london.to_utc(unix_seconds("2026-03-29T02:00:00"))) == "2026-03-29T01:00:00Z");
    // 01:30 happens twice on 2026-10-25, at 00:30Z (BST) and at 01:30Z (GMT): the earlier wins.
    CHECK(iso_seconds(london.to_utc(unix_seconds("2026-10-25T01:30:00"))) == "2026-10-25T00:30:00Z");
    CHECK(iso_seconds(london.to_utc(unix_seconds("2026-10-25T02:00:00"))) == "2026-10-25T02:00:00Z");
    TimeZone new_york = zone("America/New_York");
    CHECK(iso_seconds(new_york.to_utc(unix_seconds("2026-03-08T02:30:00"))) == "2026-03-08T07:00:00Z");
    CHECK(iso_seconds(new_york.to_utc(unix_seconds("2026-11-01T01:30:00"))) == "2026-11-01T05:30:00Z");
}

TEST_CASE("time zone: rejected names") {
    CHECK(load_error("../etc/passwd") == "'../etc/passwd' is not a time zone name");
    CHECK(load_error("/etc/passwd") == "'/etc/passwd' is not a time zone name");
    CHECK(load_error("Europe/../../x") == "'Europe/../../x' is not a time zone name");
    CHECK(load_error("") == "'' is not a time zone name");
    CHECK(load_error("Europe//London") == "'Europe//London' is not a time zone name");
    CHECK(load_error("Europe/London/") == "'Europe/London/' is not a time zone name");
    CHECK(load_error("./UTC") == "'./UTC' is not a time zone name");
    CHECK(load_error("Europe/Lon\ndon") == "'Europe/Lon?don' is not a time zone name");
    CHECK(load_error(std::string(129, 'A')).find("is not a time zone name") != std::string::npos);
    CHECK(load_error("Europe/Lodnon") == "no time zone 'Europe/Lodnon' in " + zoneinfo_directory());
    CHECK(load_error("Europe") == "no time zone 'Europe' in " + zoneinfo_directory());  // a directory
}

TEST_CASE("time zone: files that are not valid TZif are errors") {
    ScratchZoneDirectory directory;
    const std::string prefix = "time zone file '" + directory.path() + "/";
    directory.write("Garbage", "root:x:0:0:root:/root:/bin/bash\n");
    CHECK(load_error("Garbage") == prefix + "Garbage' is not valid TZif: no TZif magic");
    directory.write("Truncated", tzif('2', {0}, {}, "UTC0").substr(0, 50));
    CHECK(load_error("Truncated") == prefix + "Truncated' is not valid TZif: truncated version 1 data block");
    std::string future = tzif('2', {0}, {}, "UTC0");
    future[4] = '5';
    directory.write("Future", future);
    CHECK(load_error("Future") == prefix + "Future' is not valid TZif: unknown version");
    directory.write("Unordered", tzif('2', {0, 3600}, {{2000, 1}, {1000, 0}}, ""));
    CHECK(load_error("Unordered") == prefix + "Unordered' is not valid TZif: transition times out of order");
    directory.write("BadType", tzif('2', {0}, {{1000, 1}}, ""));
    CHECK(load_error("BadType") == prefix + "BadType' is not valid TZif: transition to an unknown local time type");
    directory.write("NoRule", tzif('2', {-5 * 3600}, {}, "EST5EDT"));
    CHECK(load_error("NoRule") == prefix + "NoRule' is not valid TZif: bad TZ string in the footer");
    std::string no_footer = tzif('2', {0}, {}, "");
    no_footer.resize(no_footer.size() - 2);  // the footer's two newlines
    directory.write("NoFooter", no_footer);
    CHECK(load_error("NoFooter") == prefix + "NoFooter' is not valid TZif: no footer");
    directory.write("Huge", tzif('2', {0}, {}, "UTC0") + std::string(std::size_t{1} << 20, '\0'));
    CHECK(load_error("Huge") == prefix + "Huge' is larger than 1 MiB");
    CHECK(load_error("Europe/London") == "no time zone 'Europe/London' in " + directory.path());
}

TEST_CASE("time zone: TZif versions 1 to 4") {
    ScratchZoneDirectory directory;
    // Version 1: 32-bit times and no footer, so the last type holds for ever.
    directory.write("V1", tzif('\0', {0, 3600}, {{1'000'000'000, 1}, {1'100'000'000, 0}}, ""));
    TimeZone v1 = zone("V1");
    CHECK(v1.offset_at(999'999'999) == 0);
    CHECK(v1.offset_at(1'000'000'000) == 3600);
    CHECK(v1.offset_at(1'099'999'999) == 3600);
    CHECK(v1.offset_at(1'100'000'000) == 0);
    CHECK(v1.offset_at(unix_seconds("2100-07-01T00:00:00Z")) == 0);
    // Before the first transition: time type 0 (RFC 8536 section 3.2).
    directory.write("Early", tzif('2', {-1800, 7200}, {{-2'000'000'000'000, 1}}, ""));
    CHECK(zone("Early").offset_at(-3'000'000'000'000) == -1800);
    CHECK(zone("Early").offset_at(0) == 7200);
    for (char version : {'2', '3', '4'}) {
        directory.write("Vn", tzif(version, {0, 3600}, {{1'000'000'000, 1}}, "<+01>-1"));
        CHECK(zone("Vn").offset_at(unix_seconds("2100-01-01T00:00:00Z")) == 3600);
    }
}

TEST_CASE("time zone: footer TZ string forms") {
    ScratchZoneDirectory directory;
    SUBCASE("Jn counts 1 to 365 and never February 29") {
        TimeZone jn = footer_zone(directory, "AAA3BBB,J60/2,J300/2");
        CHECK(jn.offset_at(unix_seconds("2028-03-01T04:59:59Z")) == -3 * 3600);  // J60 is March 1, leap year or not
        CHECK(jn.offset_at(unix_seconds("2028-03-01T05:00:00Z")) == -2 * 3600);
        CHECK(jn.offset_at(unix_seconds("2028-10-27T03:59:59Z")) == -2 * 3600);
        CHECK(jn.offset_at(unix_seconds("2028-10-27T04:00:00Z")) == -3 * 3600);
    }
    SUBCASE("n counts 0 to 365 and February 29 too") {
        TimeZone n = footer_zone(directory, "AAA3BBB,59/2,299/2");
        CHECK(n.offset_at(unix_seconds("2027-03-01T04:59:59Z")) == -3 * 3600);
        CHECK(n.offset_at(unix_seconds("2027-03-01T05:00:00Z")) == -2 * 3600);
        CHECK(n.offset_at(unix_seconds("2028-02-29T04:59:59Z")) == -3 * 3600);
        CHECK(n.offset_at(unix_seconds("2028-02-29T05:00:00Z")) == -2 * 3600);
        CHECK(n.offset_at(unix_seconds("2028-10-26T04:00:00Z")) == -3 * 3600);
    }
    SUBCASE("negative transition times") {
        // Nuuk: -1:00 on the last Sunday of March is 23:00 the day before.
        TimeZone nuuk = footer_zone(directory, "<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
        CHECK(nuuk.offset_at(unix_seconds("2026-03-29T00:59:59Z")) == -2 * 3600);
        CHECK(nuuk.offset_at(unix_seconds("2026-03-29T01:00:00Z")) == -1 * 3600);
        CHECK(nuuk.offset_at(unix_seconds("2026-10-25T00:59:59Z")) == -1 * 3600);
        CHECK(nuuk.offset_at(unix_seconds("2026-10-25T01:00:00Z")) == -2 * 3600);
    }
    SUBCASE("transition times past 24 hours") {
        // Israel: 26:00 on the fourth Thursday of March (2026-03-26) is Friday 02:00.
        TimeZone israel = footer_zone(directory, "IST-2IDT,M3.4.4/26,M10.5.0");
        CHECK(israel.offset_at(unix_seconds("2026-03-26T23:59:59Z")) == 2 * 3600);
        CHECK(israel.offset_at(unix_seconds("2026-03-27T00:00:00Z")) == 3 * 3600);
        CHECK(israel.offset_at(unix_seconds("2026-10-24T22:59:59Z")) == 3 * 3600);
        CHECK(israel.offset_at(unix_seconds("2026-10-24T23:00:00Z")) == 2 * 3600);
    }
    SUBCASE("offsets and times with minutes and seconds") {
        CHECK(footer_zone(directory, "<+0545>-5:45").offset_at(0) == 5 * 3600 + 45 * 60);
        TimeZone odd = footer_zone(directory, "<-0330>3:30<-0230>,M3.2.0/-1:30:15,M11.1.0/2:00:30");
        // Second Sunday of March 2026 is the 8th; -1:30:15 local standard time is 7th 22:29:45 = 8th 01:59:45Z.
        CHECK(odd.offset_at(unix_seconds("2026-03-08T01:59:44Z")) == -(3 * 3600 + 1800));
        CHECK(odd.offset_at(unix_seconds("2026-03-08T01:59:45Z")) == -(2 * 3600 + 1800));
        // First Sunday of November 2026 is the 1st; 02:00:30 at -02:30 is 04:30:30Z.
        CHECK(odd.offset_at(unix_seconds("2026-11-01T04:30:29Z")) == -(2 * 3600 + 1800));
        CHECK(odd.offset_at(unix_seconds("2026-11-01T04:30:30Z")) == -(3 * 3600 + 1800));
    }
    SUBCASE("DST all year") {
        // RFC 8536 section 3.3.1: starting January 1 at 00:00 and ending December 31 at 24:00
        // plus the DST shift means DST never ends. (glibc, which works one UTC year at a time,
        // reads EST for the first five hours of each UTC year.)
        TimeZone always = footer_zone(directory, "EST5EDT,0/0,J365/25");
        CHECK(always.offset_at(unix_seconds("2026-07-01T00:00:00Z")) == -4 * 3600);
        CHECK(always.offset_at(unix_seconds("2026-01-01T04:59:59Z")) == -4 * 3600);
        CHECK(always.offset_at(unix_seconds("2026-01-01T05:00:00Z")) == -4 * 3600);
    }
}

TEST_CASE("time zone: lookups do not allocate") {
    TimeZone london = zone("Europe/London");
    const std::int64_t from = unix_seconds("2020-01-01T00:00:00Z");
    const std::int64_t until = unix_seconds("2120-01-01T00:00:00Z");
    std::int64_t sum = 0;
    std::uint64_t before = triage::test::allocations();
    for (std::int64_t t = from; t < until; t += 86'400 * 7) sum += london.offset_at(t) + london.to_utc(t);
    CHECK(triage::test::allocations() == before);
    CHECK(sum != 0);
}

namespace {

std::vector<OpenInterval> weekdays(std::int32_t from, std::int32_t to) {
    std::vector<OpenInterval> out;
    for (std::uint8_t day = 0; day < 5; ++day) out.push_back({day, from, to});
    return out;
}

std::vector<OpenInterval> every_day(std::int32_t from, std::int32_t to) {
    std::vector<OpenInterval> out = weekdays(from, to);
    out.push_back({5, from, to});
    out.push_back({6, from, to});
    return out;
}

constexpr std::int32_t nine = 9 * 3600;
constexpr std::int32_t six_pm = 18 * 3600;
constexpr std::int32_t midnight = 24 * 3600;

BusinessHours london_office(std::vector<std::int32_t> holidays = {}) {
    return BusinessHours(zone("Europe/London"), weekdays(nine, six_pm), std::move(holidays));
}

// Monday to Friday 09:00-18:00 counted day by day through TimeZone::to_utc, independently of
// BusinessHours: no London DST change falls inside those hours, so each day is one UTC interval.
std::optional<TimePoint> office_add_day_by_day(const TimeZone& zone, TimePoint start, hours amount,
                                               const std::vector<std::int32_t>& holidays) {
    milliseconds remaining = amount;
    std::int64_t start_day = floor<days>(start).time_since_epoch().count() - 1;
    for (std::int64_t day = start_day; day < start_day + 36'525; ++day) {
        std::int64_t weekday = (day % 7 + 7 + 3) % 7;  // 1970-01-01 was a Thursday; 0 = Monday
        if (weekday >= 5 || std::find(holidays.begin(), holidays.end(), day) != holidays.end()) continue;
        TimePoint open{seconds(zone.to_utc(day * 86'400 + nine))};
        TimePoint close{seconds(zone.to_utc(day * 86'400 + six_pm))};
        open = std::max(open, start);
        if (open >= close) continue;
        if (close - open >= remaining) return open + remaining;
        remaining -= duration_cast<milliseconds>(close - open);
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("business hours: is_open on a London office week") {
    BusinessHours office = london_office();
    CHECK(office.zone().name() == "Europe/London");
    // 2026-06-05 is a Friday in BST: 17:59 local is 16:59Z.
    CHECK(office.is_open(instant("2026-06-05T16:59:00Z")));
    CHECK(office.is_open(instant("2026-06-05T16:59:59.999Z")));
    CHECK_FALSE(office.is_open(instant("2026-06-05T17:00:00Z")));  // 18:00 BST
    CHECK_FALSE(office.is_open(instant("2026-06-06T11:00:00Z")));  // Saturday noon
    CHECK_FALSE(office.is_open(instant("2026-06-08T07:59:59.999Z")));
    CHECK(office.is_open(instant("2026-06-08T08:00:00Z")));  // Monday 09:00 BST
    // In GMT local time is UTC.
    CHECK_FALSE(office.is_open(instant("2026-12-07T08:59:59Z")));
    CHECK(office.is_open(instant("2026-12-07T09:00:00Z")));
}

TEST_CASE("business hours: a holiday is closed all day") {
    // 2026-12-25 is a Friday.
    CHECK(london_office().is_open(instant("2026-12-25T12:00:00Z")));
    BusinessHours office = london_office({day_number("2026-12-28"), day_number("2026-12-25"), day_number("2026-12-25")});
    CHECK_FALSE(office.is_open(instant("2026-12-25T12:00:00Z")));
    CHECK(office.is_open(instant("2026-12-24T12:00:00Z")));
    // Thursday 17:00: one hour on Thursday, Friday and Monday are holidays, one hour on Tuesday.
    CHECK(iso(office.add(instant("2026-12-24T17:00:00Z"), hours(2))) == "2026-12-29T10:00:00Z");
    CHECK(iso(office.next_open(instant("2026-12-24T18:00:00Z"))) == "2026-12-29T09:00:00Z");
}

TEST_CASE("business hours: add across a weekend") {
    BusinessHours office = london_office();
    // Friday 16:00 BST + 4h: two hours on Friday, two on Monday from 09:00 BST.
    CHECK(iso(office.add(instant("2026-06-05T15:00:00Z"), hours(4))) == "2026-06-08T10:00:00Z");
    // Used up exactly at closing: the deadline is the closing instant, not Monday's opening.
    CHECK(iso(office.add(instant("2026-06-05T15:00:00Z"), hours(2))) == "2026-06-05T17:00:00Z");
    CHECK(iso(office.add(instant("2026-06-05T15:00:00Z"), hours(2) + seconds(1))) == "2026-06-08T08:00:01Z");
    // Milliseconds in, milliseconds out.
    CHECK(iso(office.add(instant("2026-06-05T16:59:59.750Z"), seconds(1))) == "2026-06-08T08:00:00.750Z");
}

TEST_CASE("business hours: add across the weekend of the spring-forward change") {
    // Friday 2026-03-27 17:00 GMT + 2h: one hour on Friday, then Monday 09:00-10:00 BST = 08:00-09:00Z.
    CHECK(iso(london_office().add(instant("2026-03-27T17:00:00Z"), hours(2))) == "2026-03-30T09:00:00Z");
    // Back again on the fall-back weekend: Friday 2026-10-23 17:00 BST, Monday 10:00 GMT.
    CHECK(iso(london_office().add(instant("2026-10-23T16:00:00Z"), hours(2))) == "2026-10-26T10:00:00Z");
}

TEST_CASE("business hours: a start outside the hours counts from the next opening") {
    BusinessHours office = london_office();
    CHECK(iso(office.add(instant("2026-06-06T10:00:00Z"), hours(1))) == "2026-06-08T09:00:00Z");  // from Saturday
    CHECK(iso(office.add(instant("2026-06-08T06:00:00Z"), minutes(30))) == "2026-06-08T08:30:00Z");  // Monday 07:00
    CHECK(iso(office.add(instant("2026-06-08T20:00:00Z"), hours(9))) == "2026-06-09T17:00:00Z");  // Monday night
}

TEST_CASE("business hours: amount zero and next_open") {
    BusinessHours office = london_office();
    CHECK(iso(office.add(instant("2026-06-05T12:34:56.789Z"), Duration::zero())) == "2026-06-05T12:34:56.789Z");
    CHECK(iso(office.add(instant("2026-06-05T17:00:00Z"), Duration::zero())) == "2026-06-08T08:00:00Z");
    CHECK(iso(office.next_open(instant("2026-06-05T17:00:00Z"))) == "2026-06-08T08:00:00Z");
    CHECK(iso(office.next_open(instant("2026-06-08T08:00:00Z"))) == "2026-06-08T08:00:00Z");
    CHECK(iso(office.next_open(instant("2026-06-08T07:59:59.999Z"))) == "2026-06-08T08:00:00Z");
    CHECK(iso(office.add(instant("2026-06-05T12:00:00Z"), seconds(-1))) == "none");
}

TEST_CASE("business hours: an all-day opening counts real hours across DST changes") {
    BusinessHours always(zone("Europe/London"), every_day(0, midnight), {});
    // Open around the clock, so business time is real time: 24h from Saturday 2026-03-28 00:00Z
    // (00:00 GMT) is Sunday 00:00Z, and 48h is Monday 2026-03-30 00:00Z. Sunday the 29th has only
    // 23 real hours, so that instant reads 01:00 BST, not Monday midnight.
    CHECK(iso(always.add(instant("2026-03-28T00:00:00Z"), hours(24))) == "2026-03-29T00:00:00Z");
    CHECK(iso(always.add(instant("2026-03-28T00:00:00Z"), hours(48))) == "2026-03-30T00:00:00Z");
    CHECK(always.is_open(instant("2026-03-29T01:00:00Z")));

    // Open on Sundays only: 2026-03-29 runs from 00:00Z to 24:00 BST = 23:00Z, 23 real hours; the
    // 24th hour is the first of the next Sunday, which starts at 2026-04-04T23:00Z (00:00 BST).
    BusinessHours sundays(zone("Europe/London"), {{6, 0, midnight}}, {});
    CHECK(iso(sundays.add(instant("2026-03-29T00:00:00Z"), hours(23))) == "2026-03-29T23:00:00Z");
    CHECK(iso(sundays.add(instant("2026-03-29T00:00:00Z"), hours(24))) == "2026-04-05T00:00:00Z");
    // Sunday 2026-10-25 runs from 00:00 BST = 10-24T23:00Z to 24:00 GMT = 10-26T00:00Z: 25 real hours.
    CHECK(iso(sundays.add(instant("2026-10-24T23:00:00Z"), hours(25))) == "2026-10-26T00:00:00Z");
    CHECK(iso(sundays.add(instant("2026-10-24T23:00:00Z"), hours(26))) == "2026-11-01T01:00:00Z");
}

TEST_CASE("business hours: the repeated hour of a fall-back night counts twice") {
    // Sundays 00:00-01:30 local. On 2026-10-25 the clock reads 00:00-01:30 from 10-24T23:00Z to
    // 00:30Z (BST), then 01:00-01:30 again from 01:00Z to 01:30Z (GMT): two real hours in all.
    BusinessHours early(zone("Europe/London"), {{6, 0, 5400}}, {});
    CHECK(early.is_open(instant("2026-10-25T00:15:00Z")));        // 01:15 BST
    CHECK_FALSE(early.is_open(instant("2026-10-25T00:45:00Z")));  // 01:45 BST
    CHECK(early.is_open(instant("2026-10-25T01:15:00Z")));        // 01:15 GMT
    CHECK_FALSE(early.is_open(instant("2026-10-25T01:30:00Z")));
    CHECK(iso(early.add(instant("2026-10-24T23:00:00Z"), minutes(90))) == "2026-10-25T00:30:00Z");
    CHECK(iso(early.add(instant("2026-10-24T23:00:00Z"), minutes(91))) == "2026-10-25T01:01:00Z");
    CHECK(iso(early.add(instant("2026-10-24T23:00:00Z"), hours(2))) == "2026-10-25T01:30:00Z");
}

TEST_CASE("business hours: large amounts match a day-by-day count") {
    std::vector<std::int32_t> holidays;
    for (const char* date : {"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
                             "2026-12-25", "2026-12-28", "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03",
                             "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"})
        holidays.push_back(day_number(date));
    BusinessHours office = london_office(holidays);
    for (const char* start : {"2026-01-05T09:00:00Z", "2026-03-27T17:30:00Z", "2026-10-24T12:00:00Z"})
        for (hours amount : {hours(1), hours(45), hours(46), hours(2000), hours(10'000)}) {
            CAPTURE(start);
            CAPTURE(amount.count());
            CHECK(iso(office.add(instant(start), amount)) ==
                  iso(office_add_day_by_day(office.zone(), instant(start), amount, holidays)));
        }
    // 2000 hours are 222 days of 9 hours and 2 hours more: counting from Monday 2026-01-05 and
    // past five holidays, the 223rd working day is Wednesday 2026-11-18, in GMT again.
    CHECK(iso(office.add(instant("2026-01-05T09:00:00Z"), hours(2000))) == "2026-11-18T11:00:00Z");
    // From Friday 17:30 GMT before the spring-forward weekend, in GMT when it ends.
    CHECK(iso(office.add(instant("2026-03-27T17:30:00Z"), hours(2000))) == "2027-02-15T10:30:00Z");

    // In UTC with no holidays, 10,000h is 222 weeks of 45h (from Monday 09:00 to Monday 09:00)
    // and 10h more: Monday 09:00-18:00 and one hour on Tuesday.
    BusinessHours utc_office(TimeZone::utc(), weekdays(nine, six_pm), {});
    TimePoint monday = sys_days{2026y / January / 5} + hours(9);
    CHECK(iso(utc_office.add(monday, hours(10'000))) == iso(monday + days(222 * 7 + 1) + hours(1)));
}

TEST_CASE("business hours: amounts past 100 years give none") {
    // One second a week: 5000 seconds take about 96 years, 5300 about 102.
    BusinessHours sparse(TimeZone::utc(), {{0, nine, nine + 1}}, {});
    TimePoint monday = sys_days{2026y / January / 5};
    CHECK(iso(sparse.add(monday, seconds(5000))) == iso(monday + days(4999 * 7) + seconds(nine + 1)));
    CHECK(iso(sparse.add(monday, seconds(5300))) == "none");
    CHECK(iso(london_office().add(monday, hours(24 * 365 * 101))) == "none");
    CHECK(iso(london_office().add(monday, Duration::max())) == "none");
}

TEST_CASE("business hours: an empty calendar never opens") {
    BusinessHours closed(TimeZone::utc(), {}, {});
    CHECK_FALSE(closed.is_open(instant("2026-06-05T12:00:00Z")));
    CHECK(iso(closed.add(instant("2026-06-05T12:00:00Z"), hours(1))) == "none");
    CHECK(iso(closed.add(instant("2026-06-05T12:00:00Z"), Duration::zero())) == "none");
    CHECK(iso(closed.next_open(instant("2026-06-05T12:00:00Z"))) == "none");
    // Intervals with nothing in them, or on no weekday, leave it empty.
    BusinessHours invalid(TimeZone::utc(), {{0, nine, nine}, {7, 0, midnight}, {2, midnight, midnight + 5}}, {});
    CHECK(iso(invalid.next_open(instant("2026-06-05T12:00:00Z"))) == "none");
}

TEST_CASE("business hours: overlapping and touching intervals merge") {
    // Monday 09:00-12:00, 11:00-13:00 and 13:00-14:00 make one 09:00-14:00.
    BusinessHours monday(TimeZone::utc(), {{0, 13 * 3600, 14 * 3600}, {0, nine, 12 * 3600}, {0, 11 * 3600, 13 * 3600}},
                         {});
    CHECK(iso(monday.add(instant("2026-06-08T09:00:00Z"), hours(5))) == "2026-06-08T14:00:00Z");
    CHECK(iso(monday.add(instant("2026-06-08T09:00:00Z"), hours(5) + minutes(1))) == "2026-06-15T09:01:00Z");
    CHECK(monday.is_open(instant("2026-06-08T13:00:00Z")));
}

TEST_CASE("business hours: extreme instants are closed, not undefined") {
    BusinessHours office = london_office();
    CHECK_FALSE(office.is_open(TimePoint::max()));
    CHECK_FALSE(office.is_open(TimePoint::min()));
    CHECK(iso(office.next_open(TimePoint::max())) == "none");
}

TEST_CASE("business hours: queries do not allocate") {
    BusinessHours office = london_office({day_number("2026-12-25")});
    TimePoint start = instant("2026-03-27T17:00:00Z");
    std::uint64_t before = triage::test::allocations();
    int open = 0;
    for (int hour = 0; hour < 24 * 7; ++hour) open += office.is_open(start + hours(hour));
    std::optional<TimePoint> deadline = office.add(start, hours(10'000));
    std::optional<TimePoint> next = office.next_open(start);
    CHECK(triage::test::allocations() == before);
    CHECK(open == 46);  // Friday 17:00, then Monday to Friday 08:00Z-16:00Z
    CHECK(deadline);
    CHECK(next);
}
