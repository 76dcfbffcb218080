// Time formats: the named forms, patterns, zones, and a differential test against Howard
// Hinnant's date::parse, which patterns promise to follow.
#include "time_format.hpp"

#include "allocation_counter.hpp"
#include "support.hpp"
#include "triage/json.hpp"
#include "triage/triage.hpp"

// date's own C-locale reading of names and AM/PM: through libstdc++ 12's std::time_get, which
// does not read %p, date::parse takes "01:00 PM" for 01:00.
#define ONLY_C_LOCALE 1
#include <date/date.h>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using triage::TimePoint;
using triage::detail::TimeFormat;
using triage::detail::TimeZone;

namespace {

TimeFormat compiled(std::string_view spec) {
    TimeFormat::Problem problem;
    std::optional<TimeFormat> format = TimeFormat::compile(spec, problem);
    INFO(spec, ": ", problem.message);
    REQUIRE(format);
    return *format;
}

std::string problem_of(std::string_view spec) {
    TimeFormat::Problem problem;
    CHECK_FALSE(TimeFormat::compile(spec, problem));
    return problem.message;
}

TimePoint at(std::string_view rfc3339) {
    std::optional<TimePoint> t = triage::parse_time(rfc3339);
    REQUIRE(t);
    return *t;
}

std::shared_ptr<const TimeZone> zone(std::string_view name) {
    std::string error;
    std::optional<TimeZone> z = TimeZone::load(name, error);
    INFO(error);
    REQUIRE(z);
    return std::make_shared<const TimeZone>(std::move(*z));
}

}  // namespace

TEST_CASE("time formats: the export's form, RFC 2822, Twitter, unix and unix_ms are the same instant") {
    const TimePoint instant = at("2015-02-24T19:35:52Z");
    CHECK(compiled("%Y-%m-%d %H:%M:%S %z").parse("2015-02-24 11:35:52 -0800") == instant);
    CHECK(compiled("rfc2822").parse("Tue, 24 Feb 2015 11:35:52 -0800") == instant);
    CHECK(compiled("twitter").parse("Tue Feb 24 19:35:52 +0000 2015") == instant);
    CHECK(compiled("unix").parse("1424806552") == instant);
    CHECK(compiled("unix").from_number(1424806552) == instant);
    CHECK(compiled("unix_ms").parse("1424806552000") == instant);
    CHECK(compiled("unix_ms").from_number(1424806552000.0) == instant);
    CHECK(compiled("rfc3339").parse("2015-02-24T11:35:52-08:00") == instant);
    // The default: RFC 3339 text or seconds as a number.
    CHECK(TimeFormat().parse("2015-02-24T19:35:52Z") == instant);
    CHECK(TimeFormat().from_number(1424806552) == instant);
}

TEST_CASE("time formats: RFC 2822 with its optional and obsolete parts") {
    const TimeFormat rfc2822 = compiled("rfc2822");
    CHECK(rfc2822.parse("24 Feb 2015 11:35:52 -0800") == at("2015-02-24T19:35:52Z"));  // no weekday
    CHECK(rfc2822.parse("Tue, 24 Feb 2015 11:35 -0800") == at("2015-02-24T19:35:00Z"));  // no seconds
    CHECK(rfc2822.parse("Tue, 24 Feb 2015 11:35:52 PST") == at("2015-02-24T19:35:52Z"));
    CHECK(rfc2822.parse("Tue, 24 Feb 2015 14:35:52 EDT") == at("2015-02-24T18:35:52Z"));
    CHECK(rfc2822.parse("Tue, 24 Feb 2015 19:35:52 GMT") == at("2015-02-24T19:35:52Z"));
    CHECK(rfc2822.parse("Tue, 24 Feb 2015 19:35:52 Z") == at("2015-02-24T19:35:52Z"));  // military: -0000
    CHECK(rfc2822.parse("Tue, 24 Feb 15 19:35:52 +0000") == at("2015-02-24T19:35:52Z"));   // 2-digit year
    CHECK(rfc2822.parse("Wed, 24 Feb 99 19:35:52 +0000") == at("1999-02-24T19:35:52Z"));
    CHECK(rfc2822.parse("Tue, 24 Feb 2015 19:35:52 +0000 (UTC)") == at("2015-02-24T19:35:52Z"));
    CHECK(rfc2822.parse("tue, 24 feb 2015 19:35:52 +0000") == at("2015-02-24T19:35:52Z"));
    CHECK_FALSE(rfc2822.parse("Wed, 24 Feb 2015 19:35:52 +0000"));  // 24 Feb 2015 was a Tuesday
    CHECK_FALSE(rfc2822.parse("Tue 24 Feb 2015 19:35:52 +0000"));    // a weekday needs its comma
    CHECK_FALSE(rfc2822.parse("Tue, 24 Feb 2015 19:35:52 +0060"));   // minutes of an offset
    CHECK_FALSE(rfc2822.parse("Tue, 24 Feb 2015 19:35:52"));         // no zone
    CHECK_FALSE(rfc2822.parse("Tue, 24 Feb 2015 19:35:52 +0000 (unclosed"));
}

TEST_CASE("time formats: unix and unix_ms") {
    const TimeFormat unix_seconds = compiled("unix");
    CHECK(unix_seconds.parse("1424806552.250") == at("2015-02-24T19:35:52.250Z"));
    CHECK(unix_seconds.parse("-1") == at("1969-12-31T23:59:59Z"));
    CHECK_FALSE(unix_seconds.parse("1424806552x"));
    CHECK_FALSE(unix_seconds.parse(""));
    CHECK_FALSE(unix_seconds.parse("1."));
    CHECK_FALSE(unix_seconds.parse("999999999999999"));  // after 9999
    CHECK_FALSE(unix_seconds.from_number(1e300));
    const TimeFormat unix_ms = compiled("unix_ms");
    CHECK_FALSE(unix_ms.parse("1424806552.5"));
    CHECK_FALSE(unix_ms.from_number(1424806552000.5));
    CHECK(unix_ms.accepts_numbers());
    CHECK_FALSE(compiled("twitter").accepts_numbers());
    CHECK_FALSE(compiled("rfc3339").accepts_numbers());
}

TEST_CASE("time formats: a pattern without an offset reads wall-clock times in its zone") {
    TimeFormat format = compiled("%d/%m/%Y %H:%M");
    CHECK_FALSE(format.carries_offset());
    CHECK(compiled("%Y-%m-%d %H:%M:%S %z").carries_offset());
    format.set_zone(zone("America/New_York"));
    CHECK(format.parse("24/02/2015 11:35") == at("2015-02-24T16:35:00Z"));  // EST
    CHECK(format.parse("24/07/2015 11:35") == at("2015-07-24T15:35:00Z"));  // EDT
    // The fall-back overlap takes the earlier instant; the spring-forward gap, the moment of the jump.
    CHECK(format.parse("01/11/2026 01:30") == at("2026-11-01T05:30:00Z"));
    CHECK(format.parse("08/03/2026 02:30") == at("2026-03-08T07:00:00Z"));
    TimeFormat with_millis = compiled("%Y-%m-%d %H:%M:%S");
    with_millis.set_zone(zone("Europe/London"));
    CHECK(with_millis.parse("2026-07-01 12:00:00.250") == at("2026-07-01T11:00:00.250Z"));
}

TEST_CASE("time formats: patterns that cannot be compiled say why") {
    CHECK(problem_of("%Y-%m-%d %Q").find("'%Q' is not a conversion") != std::string::npos);
    CHECK(problem_of("%H:%M").find("no year") != std::string::npos);
    CHECK(problem_of("%Y %H:%M").find("no month and day") != std::string::npos);
    CHECK(problem_of("%Y-%m-%d %m").find("reads the month twice (first with %m)") != std::string::npos);
    CHECK(problem_of("%F %Y").find("reads the year twice") != std::string::npos);
    CHECK(problem_of("%Y-%m-%d %I:%M").find("needs both %I and %p") != std::string::npos);
    CHECK(problem_of("%Y-%m-%d %").find("lone '%'") != std::string::npos);
    CHECK(problem_of("%4Y-%m-%d").find("widths") != std::string::npos);
    CHECK(problem_of("%EY-%m-%d").find("only read before 'z'") != std::string::npos);
    CHECK(problem_of("").find("cannot be empty") != std::string::npos);
    TimeFormat::Problem problem;
    CHECK_FALSE(TimeFormat::compile("%Y-%m-%d %Q", problem));
    CHECK(problem.offset == 9);
    CHECK(problem.length == 2);
}

TEST_CASE("time formats: reading a pattern allocates nothing") {
    TimeFormat format = compiled("%a %b %d %H:%M:%S %z %Y");
    TimeFormat zoned = compiled("%Y-%m-%d %H:%M:%S");
    zoned.set_zone(zone("Europe/London"));
    std::optional<TimePoint> a, b;
    const std::uint64_t before = triage::test::allocations();
    a = format.parse("Tue Feb 24 19:35:52 +0000 2015");
    b = zoned.parse("2015-02-24 19:35:52.125");
    CHECK(triage::test::allocations() == before);
    CHECK(a == at("2015-02-24T19:35:52Z"));
    CHECK(b == at("2015-02-24T19:35:52.125Z"));
}

// ---- differential test against date::parse --------------------------------------------------

namespace {

using Millis = std::chrono::milliseconds;
using SysMillis = date::sys_time<Millis>;

// What date::parse makes of `text`, required to read all of it (triage's formats must).
std::optional<TimePoint> date_parse(const std::string& pattern, const std::string& text) {
    std::istringstream in(text);
    in.imbue(std::locale::classic());
    SysMillis t;
    in >> date::parse(pattern, t);
    if (in.fail()) return std::nullopt;
    if (in.peek() != std::char_traits<char>::eof()) return std::nullopt;
    return TimePoint(t.time_since_epoch());
}

struct Piece {
    std::string pattern;
    bool offset = false;  // text written by the generator, not by date::format
};

// A random pattern: a date, maybe a time, maybe an offset, with random separators.
std::vector<Piece> random_pattern(std::mt19937_64& rng) {
    auto pick = [&](const std::vector<std::string>& options) { return options[rng() % options.size()]; };
    std::vector<Piece> pieces;
    const std::string date = pick({"%Y-%m-%d", "%F", "%d/%m/%Y", "%m/%d/%y", "%D", "%a %b %d %Y", "%d %b %Y",
                                   "%B %d, %Y", "%Y%m%d", "%Y-%j", "%A, %e %B %Y", "%b %e %y", "%h-%d-%Y"});
    const std::string time = pick({"", "%H:%M:%S", "%T", "%H:%M", "%R", "%I:%M:%S %p", "%H%M%S", "%I:%M %p",
                                   "%H.%M.%S", "%Hh%M"});
    const std::string separator = pick({" ", "T", ", ", " at ", "  ", "%n", "%t"});
    const bool time_first = rng() % 5 == 0;
    if (time.empty()) {
        pieces.push_back({date});
    } else if (time_first) {
        pieces.push_back({time});
        pieces.push_back({separator == "T" ? " " : separator});
        pieces.push_back({date});
    } else {
        pieces.push_back({date});
        pieces.push_back({separator});
        pieces.push_back({time});
    }
    switch (rng() % 5) {
    case 0: break;
    case 1: pieces.push_back({" "}); pieces.push_back({"%z", true}); break;
    case 2: pieces.push_back({"%z", true}); break;
    case 3: pieces.push_back({" "}); pieces.push_back({"%Ez", true}); break;
    case 4: pieces.push_back({" %Z "}); pieces.push_back({"%z", true}); break;
    }
    if (rng() % 8 == 0) pieces.push_back({" [%%]"});
    return pieces;
}

std::string offset_text(std::int64_t minutes, bool colon, std::mt19937_64& rng) {
    const char sign = minutes < 0 ? '-' : '+';
    const std::int64_t m = minutes < 0 ? -minutes : minutes;
    if (colon) {
        if (m % 60 == 0 && rng() % 2 == 0) return fmt::format("{}{}", sign, m / 60);  // +5
        return fmt::format("{}{:02}:{:02}", sign, m / 60, m % 60);
    }
    if (m % 60 == 0 && rng() % 3 == 0) return fmt::format("{}{:02}", sign, m / 60);  // +05
    return fmt::format("{}{:02}{:02}", sign, m / 60, m % 60);
}

// One byte deleted, inserted or replaced: mostly texts that should fail, some that still parse.
std::string mutated(std::string text, std::mt19937_64& rng) {
    static constexpr std::string_view alphabet = "0123456789 :-+./TZAPMaFebJunWed,%\t";
    const char c = alphabet[rng() % alphabet.size()];
    const std::size_t at = text.empty() ? 0 : rng() % text.size();
    switch (rng() % 3) {
    case 0:
        if (!text.empty()) text.erase(at, 1);
        break;
    case 1: text.insert(at, 1, c); break;
    default:
        if (!text.empty()) text[at] = c;
        break;
    }
    return text;
}

// True when a name's three-letter form runs straight into the next letter of its full form
// ("MonDec 29": "Mon", then "D" as in "Monday"). date::parse scans names greedily and cannot
// take the "D" back, so it fails where triage reads "Mon" and then "Dec".
bool glued_name(std::string_view text) {
    static constexpr std::string_view names[] = {"sunday", "monday",  "tuesday", "wednesday", "thursday",
                                                 "friday", "saturday", "january", "february", "march",
                                                 "april",  "june",    "july",    "august",    "september",
                                                 "october", "november", "december"};
    auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
    for (std::size_t i = 0; i + 3 < text.size(); ++i)
        for (std::string_view name : names) {
            std::size_t k = 0;
            while (k < name.size() && i + k < text.size() && lower(text[i + k]) == name[k]) ++k;
            if (k >= 4 && k < name.size()) return true;
        }
    return false;
}

}  // namespace

TEST_CASE("time formats: patterns read what date::parse reads, on random instants, patterns and damaged texts") {
#ifdef NDEBUG
    constexpr int cases = 1'000'000;
#else
    constexpr int cases = 40'000;  // the sanitizer builds are Debug builds, many times slower
#endif
    std::mt19937_64 rng(20261130);
    // Instants over the years 0001 to 9998, and offsets within a day.
    const std::int64_t first = date::sys_days(date::year(1) / 1 / 1).time_since_epoch().count() * 86400000LL;
    const std::int64_t last = date::sys_days(date::year(9998) / 12 / 31).time_since_epoch().count() * 86400000LL;
    std::uniform_int_distribution<std::int64_t> instant(first, last);
    std::uniform_int_distribution<std::int64_t> offset_minutes(-23 * 60 - 59, 23 * 60 + 59);
    int parsed = 0, refused = 0, mismatches = 0;
    for (int i = 0; i < cases; ++i) {
        const std::vector<Piece> pieces = random_pattern(rng);
        std::int64_t millis = instant(rng);
        if (rng() % 2 == 0) millis -= millis % 1000;  // whole seconds: "05", not "05.123"
        const std::int64_t offset = rng() % 3 == 0 ? 0 : offset_minutes(rng);
        const SysMillis local{Millis(millis + offset * 60000)};
        std::string pattern, text;
        for (const Piece& p : pieces) {
            pattern += p.pattern;
            text += p.offset ? offset_text(offset, p.pattern == "%Ez", rng) : date::format(p.pattern, local);
        }
        if (rng() % 4 == 0) text = mutated(text, rng);
        TimeFormat::Problem problem;
        std::optional<TimeFormat> format = TimeFormat::compile(pattern, problem);
        INFO("pattern: ", pattern, "  text: ", text, "  ", problem.message);
        REQUIRE(format);
        const std::optional<TimePoint> ours = format->parse(text);
        TimePoint into{};  // the overload records are read with says the same
        const bool read = format->parse(text, into);
        CHECK(read == ours.has_value());
        if (read && ours) CHECK(into == *ours);
        std::optional<TimePoint> theirs = date_parse(pattern, text);
        // Times are kept in the years 0000-9999 (UTC); date::parse knows no such bound.
        if (theirs && (theirs->time_since_epoch().count() < -62167219200000 ||
                       theirs->time_since_epoch().count() > 253402300799999))
            theirs.reset();
        if (ours != theirs && !(ours && !theirs && glued_name(text))) {
            ++mismatches;
            if (mismatches <= 10) {
                CHECK(ours.has_value() == theirs.has_value());
                if (ours && theirs) CHECK(ours->time_since_epoch().count() == theirs->time_since_epoch().count());
            }
        }
        (ours ? parsed : refused) += 1;
    }
    CHECK(mismatches == 0);
    // Both kinds of text were met in numbers.
    CHECK(parsed > cases / 2);
    CHECK(refused > cases / 20);
}

TEST_CASE("time formats: the default format reads RFC 3339 as parse_time does, into a time point too") {
    const TimeFormat rfc3339;
    for (const char* text : {"2026-11-22T09:30:00Z", "2026-11-22t09:30:00.250+01:30", "2026-11-22 09:30:00-05:00",
                             "0000-01-01T00:00:00Z", "0000-01-01T00:00:00+00:01", "2026-02-30T09:30:00Z",
                             "2026-11-22T09:30:00", "2026-11-22T24:00:00Z", "yesterday", ""}) {
        CAPTURE(text);
        const std::optional<TimePoint> expected = triage::parse_time(text);
        CHECK(rfc3339.parse(text) == expected);
        TimePoint into{};
        CHECK(rfc3339.parse(text, into) == expected.has_value());
        if (expected) CHECK(into == *expected);
    }
    TimePoint into{};
    REQUIRE(rfc3339.parse("2026-11-22T09:30:00.250+01:30", into));
    CHECK(into.time_since_epoch().count() == 1795305600000 + 9 * 3600000 + 1800000 + 250 - 5400000);
}

// ---- in a flow: declarations, records, tests, the command line -------------------------------

namespace {

const char* airline_flow = R"(flow "Airlines" version 1
fields {
  posted_at: time "%Y-%m-%d %H:%M:%S %z"
  local_at: time "%d/%m/%Y %H:%M"
  sent: time "rfc2822"
  text: text
}
zone "Europe/London"
clock posted_at
start s
step s "Late?" {
  if text contains "late" and local_at < posted_at and sent < posted_at -> late
  else -> other
}
outcome late "Late" { monitor }
outcome other "Other" { monitor }
test "times in the fields' own formats" {
  given { posted_at: "2015-02-24 11:35:52 -0800", local_at: "24/02/2015 19:30", sent: "24 Feb 2015 11:00 PST", text: "late" }
  expect late
}
)";

triage::Flow compile_ok(const char* source, const triage::CompileOptions& options = {}) {
    triage::CompileResult result = triage::compile(source, "airlines.flow", options);
    for (const triage::Diagnostic& d : result.diagnostics) INFO(d.message);
    REQUIRE(result.ok());
    return *result.flow;
}

}  // namespace

TEST_CASE("time formats: a flow's fields read records in their formats, and say which format a text missed") {
    triage::Flow flow = compile_ok(airline_flow);
    CHECK(flow.fields()[0].time_format == "%Y-%m-%d %H:%M:%S %z");
    CHECK(flow.fields()[1].time_zone == "Europe/London");  // from the flow's zone
    CHECK(flow.fields()[0].time_zone.empty());             // its format carries the offset
    triage::JsonRecordReader reader(flow, {});
    REQUIRE(reader.read(R"({"posted_at": "2015-02-24 11:35:52 -0800", "local_at": "24/02/2015 19:35", "sent": "Tue, 24 Feb 2015 11:35:52 -0800"})"));
    CHECK(reader.value(0).time == at("2015-02-24T19:35:52Z"));
    CHECK(reader.value(1).time == at("2015-02-24T19:35:00Z"));  // GMT in February
    CHECK(reader.value(2).time == at("2015-02-24T19:35:52Z"));
    CHECK_FALSE(reader.read(R"({"posted_at": "Feb 24"})"));
    CHECK(reader.error() == R"('posted_at' does not match its time format "%Y-%m-%d %H:%M:%S %z": "Feb 24")");
    CHECK_FALSE(reader.read(R"({"posted_at": 1424806552})"));
    CHECK(reader.error() == "'posted_at' must be a string in its time format for field 'posted_at' (time), not a number");
    // The flow's own test gives its times in the same formats, and passes.
    triage::TestRun tests = triage::run_tests(flow);
    CHECK(tests.results.size() == 1);
    CHECK(tests.failed() == 0);
}

TEST_CASE("time formats: a field's own zone wins over the flow's, and --time-zone over both") {
    std::string source = airline_flow;
    source.replace(source.find(R"("%d/%m/%Y %H:%M")"), 16, R"("%d/%m/%Y %H:%M" zone "America/New_York")");
    triage::Flow own = compile_ok(source.c_str());
    CHECK(own.fields()[1].time_zone == "America/New_York");
    triage::CompileOptions options;
    options.time_zone = "Asia/Tokyo";
    triage::Flow overridden = compile_ok(source.c_str(), options);
    CHECK(overridden.fields()[1].time_zone == "Asia/Tokyo");
    triage::JsonRecordReader reader(overridden, {});
    REQUIRE(reader.read(R"({"local_at": "24/02/2015 19:35"})"));
    CHECK(reader.value(1).time == at("2015-02-24T10:35:00Z"));
}

TEST_CASE("time formats: --time-format replaces a field's format for records, not for the flow's tests") {
    triage::CompileOptions options;
    options.time_formats["posted_at"] = "unix";
    triage::Flow flow = compile_ok(airline_flow, options);
    CHECK(flow.fields()[0].time_format == "unix");
    triage::JsonRecordReader reader(flow, {});
    REQUIRE(reader.read(R"({"posted_at": 1424806552})"));
    CHECK(reader.value(0).time == at("2015-02-24T19:35:52Z"));
    CHECK(triage::run_tests(flow).failed() == 0);  // the test still writes "2015-02-24 11:35:52 -0800"

    options.time_formats = {{"text", "unix"}};
    triage::CompileResult wrong_field = triage::compile(airline_flow, "airlines.flow", options);
    REQUIRE(triage::test::find(wrong_field, triage::Code::invalid_time_format) != nullptr);
    CHECK(triage::test::find(wrong_field, triage::Code::invalid_time_format)->message ==
          "--time-format text=unix: the flow has no time field 'text'");
}

TEST_CASE("time formats: the checker refuses formats it cannot read, and wall-clock times with no zone") {
    auto diagnostics_of = [](std::string fields, std::string extra = "") {
        std::string source = "flow \"t\" version 1\nfields {\n" + fields + "\n}\n" + extra +
                             "start s\nstep s \"q\" {\n  else -> o\n}\noutcome o \"O\" { monitor }\n";
        return triage::compile(source, "t.flow");
    };
    auto has = [](const triage::CompileResult& r, triage::Code code, std::string_view part) {
        for (const triage::Diagnostic& d : r.diagnostics)
            if (d.code == code && d.message.find(part) != std::string::npos) return true;
        return false;
    };
    CHECK(has(diagnostics_of("  at: time \"%Y-%m-%d %q\""), triage::Code::invalid_time_format, "'%q' is not a conversion"));
    CHECK(has(diagnostics_of("  at: time \"%Y-%m-%d\""), triage::Code::time_zone_needed, "no offset from UTC"));
    CHECK(diagnostics_of("  at: time \"%Y-%m-%d\"", "zone \"UTC\"\n").ok());
    CHECK(has(diagnostics_of("  at: time \"%Y-%m-%d\" zone \"Mars/Olympus\""), triage::Code::unknown_time_zone, "Mars/Olympus"));
    CHECK(has(diagnostics_of("  at: time \"%Y-%m-%d\" zone \"EST\""), triage::Code::legacy_time_zone, "EST"));
    CHECK(has(diagnostics_of("  n: number \"%Y\""), triage::Code::invalid_time_format, "only time fields have a format"));
    CHECK(has(diagnostics_of("  at: time zone \"UTC\""), triage::Code::invalid_time_format, "a zone but no format"));
    CHECK(has(diagnostics_of("  at: time \"rfc822\""), triage::Code::invalid_time_format, "neither a named format"));
    CHECK(has(diagnostics_of("  at: time", "zone \"UTC\"\nzone \"UTC\"\n"), triage::Code::duplicate_singleton, "only one 'zone'"));
    // A field named `zone` after a time field is still a field.
    CHECK(diagnostics_of("  at: time \"%Y-%m-%d\"\n  zone: text", "zone \"UTC\"\n").ok());

    // --time-zone is checked as the flow's own zone is: unknown is an error, legacy a warning.
    auto with_option_zone = [](std::string zone) {
        triage::CompileOptions options;
        options.time_zone = std::move(zone);
        options.time_formats["at"] = "%Y-%m-%d";
        return triage::compile("flow \"t\" version 1\nfields {\n  at: time\n}\nstart s\n"
                               "step s \"q\" {\n  else -> o\n}\noutcome o \"O\" { monitor }\n",
                               "t.flow", options);
    };
    triage::CompileResult legacy = with_option_zone("EST");
    CHECK(legacy.ok());
    REQUIRE(triage::test::find(legacy, triage::Code::legacy_time_zone) != nullptr);
    CHECK(triage::test::find(legacy, triage::Code::legacy_time_zone)->message.starts_with("--time-zone: "));
    CHECK(triage::test::find(legacy, triage::Code::legacy_time_zone)->help.find("--time-zone ") != std::string::npos);
    CHECK(has(with_option_zone("Mars/Olympus"), triage::Code::unknown_time_zone, "--time-zone: "));
    triage::CompileResult city = with_option_zone("Europe/London");
    CHECK(city.ok());
    CHECK(triage::test::find(city, triage::Code::legacy_time_zone) == nullptr);
    CHECK(city.flow->fields()[0].time_zone == "Europe/London");
}
