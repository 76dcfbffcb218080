#include "error_allowance.hpp"

#include "triage/decision_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace triage::cli {

namespace {

// The reasons, most frequent first; ties in order of their first line.
std::vector<const ErrorReason*> by_frequency(const ErrorTally& tally) {
    std::vector<const ErrorReason*> order;
    for (const ErrorReason& r : tally.reasons()) order.push_back(&r);
    std::stable_sort(order.begin(), order.end(), [](const ErrorReason* a, const ErrorReason* b) { return a->count > b->count; });
    return order;
}

}  // namespace

std::string with_thousands(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

namespace {

void add_allowance_option(CLI::App& command, ErrorAllowance& allowance, const std::string& name,
                          const std::string& description) {
    command
        .add_option_function<std::string>(
            name,
            [&allowance, name](const std::string& text) {
                std::string_view number = text;
                const bool percent = !number.empty() && number.back() == '%';
                if (percent) number.remove_suffix(1);
                double value = -1;
                auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
                // Range first: casting an infinite, NaN or negative value to an integer is undefined.
                const bool in_range = ec == std::errc() && end == number.data() + number.size() && !number.empty() &&
                                      std::isfinite(value) && value >= 0 && value <= (percent ? 100.0 : 1e18);
                if (!in_range || (!percent && value != std::floor(value)))
                    throw CLI::ValidationError(name,
                                               "takes a number of lines (100) or a percentage of them (0.5%), not '" + text + "'");
                allowance.written = text;
                allowance.percent = percent ? value : -1;
                allowance.count = percent ? 0 : static_cast<std::uint64_t>(value);
            },
            description)
        ->type_name("N|P%");
}

}  // namespace

bool ErrorAllowance::allows(std::uint64_t n, std::uint64_t lines) const noexcept {
    // n / lines <= percent / 100, multiplied out: 29 of 100 is within 29% (29 / 100 * 100 is not 29 in doubles).
    return percent >= 0 ? 100.0 * static_cast<double>(n) <= percent * static_cast<double>(lines) : n <= count;
}

std::uint64_t ErrorAllowance::most(std::uint64_t lines) const noexcept {
    if (percent < 0) return std::min(count, lines);
    // From the product, then exactly as allows() decides, whatever the rounding.
    auto n = static_cast<std::uint64_t>(percent * static_cast<double>(lines) / 100.0);
    n = std::min(n, lines);
    while (n > 0 && !allows(n, lines)) --n;
    while (n < lines && allows(n + 1, lines)) ++n;
    return n;
}

void add_max_errors_option(CLI::App& command, ErrorAllowance& allowance) {
    add_allowance_option(command, allowance, "--max-errors",
                         "Lines that are no mention (error records) allowed before the exit status is 1: a count, or a "
                         "percentage of the lines such as 0.5% (default 0)");
}

void add_max_late_option(CLI::App& command, ErrorAllowance& allowance) {
    allowance = {0, 1.0, "1%"};
    add_allowance_option(command, allowance, "--max-late",
                         "Mentions older than the flow's clock tolerance (decided, not counted in windows) allowed "
                         "before the exit status is 1: a count or a percentage (default 1%)");
}

bool errors_allowed(const ErrorAllowance& allowance, std::uint64_t errors, std::uint64_t lines) {
    if (allowance.allows(errors, lines)) return true;
    fmt::print(stderr, "triage: {} of {} lines are no mention (more than --max-errors {}); allow some with "
                       "--max-errors N or --max-errors P%\n",
               with_thousands(errors), with_thousands(lines), allowance.written);
    return false;
}

void print_error_reasons(const ErrorTally& tally) {
    if (tally.total() == 0) return;
    const std::vector<const ErrorReason*> order = by_frequency(tally);
    constexpr std::size_t shown = 10;
    fmt::print(stderr, "lines that are no mention, by reason:\n");
    for (std::size_t i = 0; i < order.size() && i < shown; ++i)
        fmt::print(stderr, "  {} line{}: {}; first at line {}\n", with_thousands(order[i]->count),
                   order[i]->count == 1 ? "" : "s", terminal_text(order[i]->example), order[i]->first_line);
    std::uint64_t rest = tally.other_count();
    for (std::size_t i = shown; i < order.size(); ++i) rest += order[i]->count;
    if (rest > 0) fmt::print(stderr, "  {} more line{} for other reasons\n", with_thousands(rest), rest == 1 ? "" : "s");
    // A first line that is no JSON object is a CSV header, an array's '[' or a document printed
    // over lines: the whole input is in another shape, which simdjson's message does not say.
    const bool first_not_an_object = std::any_of(order.begin(), order.end(), [](const ErrorReason* r) {
        return r->first_line == 1 &&
               (r->example.starts_with("invalid JSON") || r->example == "a mention must be a JSON object");
    });
    if (first_not_an_object)
        fmt::print(stderr, "help: line 1 is not a JSON object: mentions are read as JSON Lines, one object per line. "
                           "Convert a CSV export first (e.g. `mlr --icsv --ojsonl cat FILE.csv`), a JSON array with "
                           "`jq -c '.[]'`, a document that lists the posts under a key with `jq -c '.KEY[]'` "
                           "(`.data[]` for Facebook's Graph API, `.items[]` YouTube's API, `.feed[].post` Bluesky's, "
                           "`.messages[]` a Discord export)\n");
}

void write_error_reasons(JsonWriter& json, const ErrorTally& tally) {
    json.key("error_reasons").begin_array();
    for (const ErrorReason* r : by_frequency(tally))
        json.begin_object()
            .key("count").number(static_cast<std::int64_t>(r->count))
            .key("first_line").number(static_cast<std::int64_t>(r->first_line))
            .key("example").string(r->example)
            .end_object();
    json.end_array();
    json.key("other_errors").number(static_cast<std::int64_t>(tally.other_count()));
}

}  // namespace triage::cli
