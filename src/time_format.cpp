#include "time_format.hpp"

#include "triage/time.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cmath>

namespace triage::detail {
namespace {

using Instruction = TimeFormat::Instruction;
using Part = TimeFormat::Part;
using Step = TimeFormat::Step;

// Every time is kept between 0000-01-01 and 9999-12-31 (UTC), as parse_time does.
constexpr std::int64_t first_millis = earliest_time.time_since_epoch().count();
constexpr std::int64_t last_millis = latest_time.time_since_epoch().count();

constexpr std::array<std::string_view, 12> month_names = {"january", "february", "march",     "april",
                                                          "may",     "june",     "july",      "august",
                                                          "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> weekday_names = {"sunday",   "monday", "tuesday", "wednesday",
                                                           "thursday", "friday", "saturday"};

bool is_space(char c) noexcept { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

bool starts_with_folded(std::string_view text, std::size_t at, std::string_view lower_word) noexcept {
    if (text.size() - at < lower_word.size()) return false;
    for (std::size_t i = 0; i < lower_word.size(); ++i)
        if (lower(text[at + i]) != lower_word[i]) return false;
    return true;
}

// English names, full or the first three letters, any case; the full name wins when both fit.
template <std::size_t N>
int read_name(std::string_view text, std::size_t& at, const std::array<std::string_view, N>& names) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (starts_with_folded(text, at, names[i])) {
            at += names[i].size();
            return static_cast<int>(i);
        }
    for (std::size_t i = 0; i < N; ++i)
        if (starts_with_folded(text, at, names[i].substr(0, 3))) {
            at += 3;
            return static_cast<int>(i);
        }
    return -1;
}

// The values a pattern has read, as date::parse keeps them.
struct Reading {
    int year = INT_MIN;
    int year2 = INT_MIN;
    int month = 0;
    int day = 0;
    int day_of_year = -1;
    int hour = -1;
    int hour12 = 0;
    int minute = -1;
    std::int64_t millis = -1;  // of the minute
    int weekday = -1;          // 0 = Sunday
    int pm = -1;
    std::int64_t offset_minutes = 0;
    bool has_offset = false;

    void set(Part part, int value) noexcept {
        switch (part) {
        case Part::year: year = value; break;
        case Part::year2: year2 = value; break;
        case Part::month: month = value; break;
        case Part::day: day = value; break;
        case Part::day_of_year: day_of_year = value; break;
        case Part::hour: hour = value; break;
        case Part::hour12: hour12 = value; break;
        case Part::minute: minute = value; break;
        case Part::none: break;
        }
    }
};

class Scanner {
public:
    explicit Scanner(std::string_view text) noexcept : text_(text) {}

    [[nodiscard]] bool at_end() const noexcept { return at_ == text_.size(); }
    [[nodiscard]] bool next_is(char c) const noexcept { return at_ < text_.size() && text_[at_] == c; }

    void skip_spaces() noexcept {
        while (at_ < text_.size() && is_space(text_[at_])) ++at_;
    }
    bool take(char c) noexcept {
        if (!next_is(c)) return false;
        ++at_;
        return true;
    }
    // date::parse's read_unsigned: up to `max` digits, failing under `min`.
    bool unsigned_number(unsigned min, unsigned max, int& out) noexcept {
        unsigned count = 0;
        int value = 0;
        while (count < max && at_ < text_.size() && is_digit(text_[at_])) {
            value = value * 10 + (text_[at_] - '0');
            ++at_;
            ++count;
        }
        out = value;
        return count >= min;
    }
    // read_signed: an optional '+' or '-', then at least one digit.
    bool signed_number(unsigned min, unsigned max, int& out) noexcept {
        if (at_ >= text_.size()) return false;
        const char c = text_[at_];
        if (!is_digit(c) && c != '-' && c != '+') return false;
        if (!is_digit(c)) ++at_;
        if (!unsigned_number(std::max(min, 1U), max, out)) return false;
        if (c == '-') out = -out;
        return true;
    }
    // read_long_double then round to milliseconds, exactly as date::parse computes it.
    bool seconds(unsigned max, std::int64_t& millis) noexcept {
        unsigned count = 0, fraction_digits = 0;
        unsigned long long whole = 0, fraction = 0;
        bool in_fraction = false, point_seen = false;
        while (count < max && at_ < text_.size()) {
            const char c = text_[at_];
            if (c == '.' && !point_seen) {
                point_seen = in_fraction = true;
            } else if (is_digit(c)) {
                if (in_fraction) {
                    fraction = fraction * 10 + static_cast<unsigned>(c - '0');
                    ++fraction_digits;
                } else {
                    whole = whole * 10 + static_cast<unsigned>(c - '0');
                }
            } else {
                break;
            }
            ++at_;
            ++count;
        }
        if (count == 0) return false;
        if (fraction_digits == 0) {
            millis = static_cast<std::int64_t>(whole) * 1000;
            return true;
        }
        const long double value = whole + fraction / std::pow(10.L, fraction_digits);
        millis = std::chrono::round<std::chrono::milliseconds>(std::chrono::duration<long double>(value)).count();
        return true;
    }
    template <std::size_t N>
    int name(const std::array<std::string_view, N>& names) noexcept {
        return read_name(text_, at_, names);
    }
    bool am_pm(int& pm) noexcept {
        if (starts_with_folded(text_, at_, "am")) pm = 0;
        else if (starts_with_folded(text_, at_, "pm")) pm = 1;
        else return false;
        at_ += 2;
        return true;
    }
    // %z (+hh or +hhmm) and %Ez (+h, +hh or +hh:mm), as date::parse reads them.
    bool offset(bool colon, std::int64_t& minutes) noexcept {
        const bool negative = next_is('-');
        int hours = 0;
        if (!signed_number(colon ? 1 : 2, 2, hours)) return false;
        minutes = std::int64_t{std::abs(hours)} * 60;
        if (colon ? take(':') : (at_ < text_.size() && is_digit(text_[at_]))) {
            int extra = 0;
            if (!unsigned_number(2, 2, extra)) return false;
            minutes += extra;
        }
        if (negative) minutes = -minutes;
        return true;
    }
    // %Z: the characters date::parse allows in a zone abbreviation.
    bool abbreviation() noexcept {
        const std::size_t start = at_;
        while (at_ < text_.size()) {
            const char c = text_[at_];
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '/' ||
                            c == '-' || c == '+';
            if (!ok) break;
            ++at_;
        }
        return at_ > start;
    }
    bool rfc2822_weekday(int& weekday) noexcept {
        const std::size_t start = at_;
        skip_spaces();
        if (at_ >= text_.size() || is_digit(text_[at_])) {
            at_ = start;
            return true;  // no weekday: it is optional
        }
        weekday = name(weekday_names);
        if (weekday < 0) return false;
        skip_spaces();
        return take(',');
    }
    // RFC 5322 section 4.3: two-digit years below 50 are 20xx, others and three-digit years 19xx.
    bool rfc2822_year(int& year) noexcept {
        const std::size_t start = at_;
        if (!unsigned_number(2, 4, year)) return false;
        const std::size_t digits = at_ - start;
        if (digits == 2) year += year < 50 ? 2000 : 1900;
        else if (digits == 3) year += 1900;
        return true;
    }
    bool rfc2822_zone(std::int64_t& minutes) noexcept {
        if (next_is('+') || next_is('-')) {
            const bool negative = next_is('-');
            ++at_;
            int hhmm = 0;
            if (!unsigned_number(4, 4, hhmm) || hhmm % 100 > 59) return false;
            minutes = (hhmm / 100) * 60 + hhmm % 100;
            if (negative) minutes = -minutes;
            return true;
        }
        static constexpr std::array<std::pair<std::string_view, int>, 10> names = {
            {{"gmt", 0}, {"ut", 0}, {"est", -5}, {"edt", -4}, {"cst", -6}, {"cdt", -5}, {"mst", -7},
             {"mdt", -6}, {"pst", -8}, {"pdt", -7}}};
        for (const auto& [zone, hours] : names)
            if (starts_with_folded(text_, at_, zone)) {
                at_ += zone.size();
                minutes = hours * 60;
                return true;
            }
        // Military letters (not J): RFC 5322 says to read them as -0000, an unknown offset.
        if (at_ < text_.size()) {
            const char c = lower(text_[at_]);
            if (c >= 'a' && c <= 'z' && c != 'j') {
                ++at_;
                minutes = 0;
                return true;
            }
        }
        return false;
    }
    bool rfc2822_comment() noexcept {
        if (!take('(')) return true;
        int depth = 1;
        while (at_ < text_.size() && depth > 0) {
            if (text_[at_] == '(') ++depth;
            else if (text_[at_] == ')') --depth;
            ++at_;
        }
        return depth == 0;
    }
    bool unix_time(bool millis_only, std::int64_t& millis) noexcept {
        const bool negative = take('-');
        std::int64_t whole = 0;
        std::size_t digits = 0;
        while (at_ < text_.size() && is_digit(text_[at_])) {
            if (++digits > 15) return false;  // far outside the years kept
            whole = whole * 10 + (text_[at_] - '0');
            ++at_;
        }
        if (digits == 0) return false;
        std::int64_t fraction = 0;
        if (!millis_only && take('.')) {
            std::size_t fraction_digits = 0;
            while (at_ < text_.size() && is_digit(text_[at_])) {
                if (fraction_digits < 3) fraction = fraction * 10 + (text_[at_] - '0');
                ++fraction_digits;
                ++at_;
            }
            if (fraction_digits == 0) return false;
            for (std::size_t k = fraction_digits; k < 3; ++k) fraction *= 10;
        }
        millis = millis_only ? whole : whole * 1000 + fraction;
        if (negative) millis = -millis;
        return true;
    }
    [[nodiscard]] std::string_view rest() const noexcept { return text_.substr(at_); }

private:
    std::string_view text_;
    std::size_t at_ = 0;
};

std::optional<TimePoint> in_range(std::int64_t millis) noexcept {
    if (millis < first_millis || millis > last_millis) return std::nullopt;
    return TimePoint(std::chrono::milliseconds(millis));
}

// Puts the date and time together as date::parse does: milliseconds since the epoch on the wall
// clock the text was written in, or nothing when the parts make no date or time.
std::optional<std::int64_t> wall_millis(Reading r) noexcept {
    using namespace std::chrono;
    if (r.year2 != INT_MIN) {
        if (r.year2 < 0 || r.year2 > 99) return std::nullopt;
        r.year = (r.year2 >= 69 ? 1900 : 2000) + r.year2;
    }
    if (r.day_of_year >= 0) {
        const year_month_day trial{local_days(year{r.year} / January / 1) + days{r.day_of_year - 1}};
        r.month = static_cast<int>(static_cast<unsigned>(trial.month()));
        r.day = static_cast<int>(static_cast<unsigned>(trial.day()));
    }
    const year_month_day date = year{r.year} / month{static_cast<unsigned>(r.month)} / day{static_cast<unsigned>(r.day)};
    if (!date.ok()) return std::nullopt;
    if (r.weekday >= 0 && weekday(sys_days(date)).c_encoding() != static_cast<unsigned>(r.weekday)) return std::nullopt;
    if (r.hour12 != 0) r.hour = r.hour12 % 12 + 12 * r.pm;  // 1-12, and %p came with it
    const int hour = r.hour < 0 ? 0 : r.hour;
    const int minute = r.minute < 0 ? 0 : r.minute;
    const std::int64_t millis = r.millis < 0 ? 0 : r.millis;
    if (hour > 23 || minute > 59 || millis >= 60000) return std::nullopt;
    return sys_days(date).time_since_epoch().count() * 86400000LL + hour * 3600000LL + minute * 60000LL + millis;
}

// ---- compiling a pattern ------------------------------------------------------------------

// What a conversion sets, to refuse patterns that set one thing twice.
enum class Sets : std::uint8_t { year, month, day, day_of_year, hour, hour12, minute, second, weekday, am_pm, offset };

constexpr Instruction digits(Part part, bool sign, std::uint8_t min, std::uint8_t max) {
    return {Step::digits, part, sign, min, max, 0};
}
constexpr Instruction literal(char c) { return {Step::literal, Part::none, false, 1, 1, c}; }
constexpr Instruction step(Step s) { return {s, Part::none, false, 1, 1, 0}; }
// Milliseconds: two digits, a point and three more, as date::parse reads %S into them.
constexpr Instruction seconds_and_millis{Step::seconds, Part::none, false, 1, 6, 0};

// The %-conversions triage reads: the letters that write one, what it sets (checked in this
// order), and how it reads. %Ez and %Oz read %z's offset with a colon.
struct Conversion {
    std::string_view letters;
    std::vector<Sets> sets;
    std::vector<Instruction> program;
};
const std::vector<Conversion>& conversions() {
    static const std::vector<Conversion> table = {
        {"Y", {Sets::year}, {digits(Part::year, true, 1, 4)}},
        {"y", {Sets::year}, {digits(Part::year2, false, 1, 2)}},
        {"m", {Sets::month}, {digits(Part::month, true, 1, 2)}},
        {"de", {Sets::day}, {digits(Part::day, true, 1, 2)}},
        {"j", {Sets::day_of_year}, {digits(Part::day_of_year, false, 1, 3)}},
        {"H", {Sets::hour}, {digits(Part::hour, false, 1, 2)}},
        {"I", {Sets::hour12}, {digits(Part::hour12, true, 1, 2)}},
        {"M", {Sets::minute}, {digits(Part::minute, false, 1, 2)}},
        {"S", {Sets::second}, {seconds_and_millis}},
        {"p", {Sets::am_pm}, {step(Step::am_pm)}},
        {"T",
         {Sets::hour, Sets::minute, Sets::second},
         {digits(Part::hour, false, 1, 2), literal(':'), digits(Part::minute, false, 1, 2), literal(':'), seconds_and_millis}},
        {"R", {Sets::hour, Sets::minute}, {digits(Part::hour, false, 1, 2), literal(':'), digits(Part::minute, false, 1, 2)}},
        {"F",
         {Sets::year, Sets::month, Sets::day},
         {digits(Part::year, true, 1, 4), literal('-'), digits(Part::month, false, 1, 2), literal('-'),
          digits(Part::day, false, 1, 2)}},
        {"D",
         {Sets::month, Sets::day, Sets::year},
         {digits(Part::month, false, 1, 2), literal('/'), digits(Part::day, false, 1, 2), literal('/'),
          digits(Part::year2, true, 1, 2)}},
        {"bBh", {Sets::month}, {step(Step::month_name)}},
        {"aA", {Sets::weekday}, {step(Step::weekday_name)}},
        {"z", {Sets::offset}, {step(Step::offset)}},
        {"Z", {}, {step(Step::abbreviation)}},
        {"n", {}, {step(Step::one_space)}},
        {"t", {}, {step(Step::optional_space)}},
        {"%", {}, {literal('%')}},
    };
    return table;
}

// "%Y %y %m ...": the conversions as a message lists them.
std::string conversion_list() {
    std::string list;
    for (const Conversion& conversion : conversions())
        for (char letter : conversion.letters) {
            list += fmt::format("{}%{}", list.empty() ? "" : " ", letter);
            if (letter == 'z') list += " %Ez";
        }
    return list;
}

class PatternCompiler {
public:
    PatternCompiler(std::string_view pattern, TimeFormat::Problem& problem) : pattern_(pattern), problem_(problem) {}

    bool compile(std::vector<Instruction>& program, bool& carries_offset) {
        for (std::size_t i = 0; i < pattern_.size(); ++i) {
            const char c = pattern_[i];
            if (c == '%') {
                if (!conversion(i)) return false;
            } else if (is_space(c)) {
                if (program_.empty() || program_.back().step != Step::spaces) program_.push_back({Step::spaces});
            } else {
                program_.push_back(literal(c));
            }
        }
        if (!complete()) return false;
        program = std::move(program_);
        carries_offset = set_[static_cast<int>(Sets::offset)];
        return true;
    }

private:
    bool fail(std::size_t offset, std::size_t length, std::string message) {
        problem_ = {std::move(message), offset, length};
        return false;
    }

    bool mark(Sets what, std::size_t at, std::size_t length) {
        const auto index = static_cast<std::size_t>(what);
        if (set_[index]) {
            static constexpr std::array<std::string_view, 11> names = {
                "the year", "the month", "the day", "the day of the year", "the hour", "the hour",
                "the minute", "the second", "the weekday", "AM/PM", "the offset from UTC"};
            return fail(at, length,
                        fmt::format("this pattern reads {} twice (first with {})", names[index], where_[index]));
        }
        set_[index] = true;
        where_[index] = std::string(pattern_.substr(at, length));
        return true;
    }

    bool conversion(std::size_t& i) {
        const std::size_t start = i;
        if (++i == pattern_.size()) return fail(start, 1, "the pattern ends with a lone '%'; write '%%' for a percent sign");
        char modifier = 0;
        if (pattern_[i] == 'E' || pattern_[i] == 'O') {
            modifier = pattern_[i];
            if (++i == pattern_.size()) return fail(start, 2, fmt::format("'%{}' needs a conversion after it, as in '%{}z'", modifier, modifier));
        }
        const char c = pattern_[i];
        const std::size_t length = i - start + 1;
        if (is_digit(c))
            return fail(start, length, "field widths such as '%4Y' are not supported; the widths date::parse uses are built in");
        if (modifier != 0 && c != 'z')
            return fail(start, length, fmt::format("'%{}' is only read before 'z' ('%{}z', an offset such as +05:30)", modifier, modifier));
        const auto& table = conversions();
        auto it = std::find_if(table.begin(), table.end(),
                               [&](const Conversion& k) { return k.letters.find(c) != std::string_view::npos; });
        if (it == table.end())
            return fail(start, length, fmt::format("'%{}' is not a conversion triage reads; it reads {}", c, conversion_list()));
        for (Sets what : it->sets)
            if (!mark(what, start, length)) return false;
        program_.insert(program_.end(), it->program.begin(), it->program.end());
        if (modifier != 0) program_.back().step = Step::offset_colon;  // %Ez, %Oz: checked above
        return true;
    }

    // A time needs a date; %I needs %p (and %p %I) to say which half of the day.
    bool complete() {
        auto has = [&](Sets s) { return set_[static_cast<std::size_t>(s)]; };
        const std::size_t all = pattern_.size();
        if (!has(Sets::year)) return fail(0, all, "the pattern has no year (%Y, %y, %F or %D)");
        if (has(Sets::day_of_year)) {
            if (has(Sets::month) || has(Sets::day))
                return fail(0, all, "the pattern reads both a day of the year (%j) and a month or day");
        } else if (!has(Sets::month) || !has(Sets::day)) {
            return fail(0, all, "the pattern has no month and day (%m and %d, %b, %F or %D) or day of the year (%j)");
        }
        if (has(Sets::hour12) != has(Sets::am_pm))
            return fail(0, all, "a 12-hour clock needs both %I and %p");
        if (has(Sets::hour12) && has(Sets::hour)) return fail(0, all, "the pattern reads the hour twice (%H and %I)");
        return true;
    }

    std::string_view pattern_;
    TimeFormat::Problem& problem_;
    std::vector<Instruction> program_;
    std::array<bool, 11> set_{};
    std::array<std::string, 11> where_{};
};

}  // namespace

const std::vector<std::string_view>& TimeFormat::named_formats() {
    static const std::vector<std::string_view> names = {"rfc3339", "rfc2822", "twitter", "unix", "unix_ms"};
    return names;
}

std::optional<TimeFormat> TimeFormat::compile(std::string_view spec, Problem& problem) {
    TimeFormat format;
    format.spec_ = std::string(spec);
    format.numbers_ = false;
    auto only = [&](Step s) { format.program_ = {Instruction{s}}; };
    if (spec.empty()) {
        problem = {"a time format cannot be empty; write a pattern such as \"%Y-%m-%d %H:%M:%S %z\" or a name such as \"rfc2822\"", 0, 0};
        return std::nullopt;
    }
    if (spec == "rfc3339") {
        only(Step::rfc3339);
    } else if (spec == "unix" || spec == "unix_ms") {
        only(spec == "unix" ? Step::unix_seconds : Step::unix_millis);
        format.numbers_ = true;
    } else if (spec == "rfc2822") {
        // [Tue,] 24 Feb 2015 11:35[:52] -0800 [(comment)], with the obsolete forms RFC 5322 keeps.
        format.program_ = {{Step::rfc2822_weekday},
                           {Step::spaces},
                           {Step::digits, Part::day, false, 1, 2},
                           {Step::spaces},
                           {Step::month_name},
                           {Step::spaces},
                           {Step::rfc2822_year},
                           {Step::spaces},
                           {Step::digits, Part::hour, false, 2, 2},
                           {Step::literal, Part::none, false, 1, 1, ':'},
                           {Step::digits, Part::minute, false, 2, 2},
                           {Step::rfc2822_seconds},
                           {Step::spaces},
                           {Step::rfc2822_zone},
                           {Step::spaces},
                           {Step::rfc2822_comment},
                           {Step::spaces}};
    } else if (spec != "twitter" && spec.find('%') == std::string_view::npos) {
        problem = {fmt::format("\"{}\" is neither a named format (rfc3339, rfc2822, twitter, unix, unix_ms) nor a "
                               "pattern of %-conversions such as \"%Y-%m-%d %H:%M:%S %z\"",
                               spec),
                   0, spec.size()};
        return std::nullopt;
    } else {
        // Twitter's API writes created_at as "Wed Feb 25 11:35:52 +0000 2015".
        std::string_view pattern = spec == "twitter" ? std::string_view("%a %b %d %H:%M:%S %z %Y") : spec;
        if (!PatternCompiler(pattern, problem).compile(format.program_, format.carries_offset_)) return std::nullopt;
    }
    return format;
}

bool TimeFormat::accepts_numbers() const noexcept { return numbers_; }

std::optional<TimePoint> TimeFormat::from_number(double number) const noexcept {
    if (!numbers_) return std::nullopt;
    const bool millis = !program_.empty() && program_.front().step == Step::unix_millis;
    const double scaled = millis ? number : number * 1000;
    // NaN fails both comparisons.
    if (!(scaled >= static_cast<double>(first_millis) && scaled <= static_cast<double>(last_millis))) return std::nullopt;
    if (millis && scaled != std::floor(scaled)) return std::nullopt;  // milliseconds are whole
    return TimePoint(std::chrono::milliseconds(static_cast<std::int64_t>(scaled)));
}

bool TimeFormat::parse(std::string_view text, TimePoint& out) const noexcept {
    if (program_.empty()) return read_rfc3339(text, out);  // the default format
    const std::optional<TimePoint> t = parse(text);
    if (t) out = *t;
    return t.has_value();
}

std::optional<TimePoint> TimeFormat::parse(std::string_view text) const noexcept {
    if (program_.empty()) return parse_time(text);  // the default format
    Scanner in(text);
    Reading r;
    for (const Instruction& ins : program_) {
        bool ok = true;
        switch (ins.step) {
        case Step::literal: ok = in.take(ins.literal); break;
        case Step::spaces: in.skip_spaces(); break;
        case Step::one_space:
            ok = !in.at_end() && is_space(in.rest().front());
            if (ok) in.take(in.rest().front());
            break;
        case Step::optional_space:
            if (!in.at_end() && is_space(in.rest().front())) in.take(in.rest().front());
            break;
        case Step::digits: {
            int value = 0;
            ok = ins.sign ? in.signed_number(ins.min, ins.max, value) : in.unsigned_number(ins.min, ins.max, value);
            if (ins.part == Part::hour12 && (value < 1 || value > 12)) ok = false;  // refused as it is read
            r.set(ins.part, value);
            break;
        }
        case Step::seconds: ok = in.seconds(ins.max, r.millis); break;
        case Step::month_name: {
            const int m = in.name(month_names);
            ok = m >= 0;
            r.month = m + 1;
            break;
        }
        case Step::weekday_name:
            r.weekday = in.name(weekday_names);
            ok = r.weekday >= 0;
            break;
        case Step::am_pm: ok = in.am_pm(r.pm); break;
        case Step::offset:
        case Step::offset_colon:
            ok = in.offset(ins.step == Step::offset_colon, r.offset_minutes);
            r.has_offset = true;
            break;
        case Step::abbreviation: ok = in.abbreviation(); break;
        case Step::rfc2822_weekday: ok = in.rfc2822_weekday(r.weekday); break;
        case Step::rfc2822_year: ok = in.rfc2822_year(r.year); break;
        case Step::rfc2822_seconds:
            if (in.take(':')) {
                int s = 0;
                ok = in.unsigned_number(2, 2, s);
                r.millis = std::int64_t{s} * 1000;
            }
            break;
        case Step::rfc2822_zone:
            ok = in.rfc2822_zone(r.offset_minutes);
            r.has_offset = true;
            break;
        case Step::rfc2822_comment: ok = in.rfc2822_comment(); break;
        case Step::unix_seconds:
        case Step::unix_millis: {
            std::int64_t millis = 0;
            if (!in.unix_time(ins.step == Step::unix_millis, millis) || !in.at_end()) return std::nullopt;
            return in_range(millis);
        }
        case Step::rfc3339: return parse_time(text);
        }
        if (!ok) return std::nullopt;
    }
    if (!in.at_end()) return std::nullopt;
    const std::optional<std::int64_t> wall = wall_millis(r);
    if (!wall) return std::nullopt;
    if (r.has_offset || zone_ == nullptr) return in_range(*wall - r.offset_minutes * 60000);
    // A wall-clock time in the field's zone; its milliseconds ride along.
    const std::int64_t wall_seconds = *wall >= 0 ? *wall / 1000 : -((-*wall + 999) / 1000);
    return in_range(zone_->to_utc(wall_seconds) * 1000 + (*wall - wall_seconds * 1000));
}

}  // namespace triage::detail
