#include "triage/limits.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace triage {

namespace {

struct LimitField {
    std::string_view name;
    std::uint64_t Limits::*wide = nullptr;
    std::uint32_t Limits::*narrow = nullptr;
    bool bytes = false;  // accepts K/M/G suffixes
    std::uint64_t max = 0;  // 0: what the member's type holds
};

constexpr LimitField fields[] = {
    {"file-size", &Limits::file_bytes, nullptr, true},
    {"total-size", &Limits::total_bytes, nullptr, true},
    // The parser, the checker and the evaluator recurse once per level: 4096 levels fit the
    // 8 MiB stack of a main thread in an optimised build with room to spare (10,000 do not).
    {"nesting", nullptr, &Limits::nesting, false, max_nesting},
    {"steps", nullptr, &Limits::steps, false},
    {"words", nullptr, &Limits::words, false},
    {"automaton-memory", &Limits::automaton_bytes, nullptr, true},
    {"regex-memory", &Limits::regex_bytes, nullptr, true},
    {"include-depth", nullptr, &Limits::include_depth, false},
    {"groups", nullptr, &Limits::groups, false},
    {"state-memory", &Limits::state_bytes, nullptr, true},
    {"reorder-buffer", nullptr, &Limits::reorder_buffer, false},
    {"solver-rlimit", &Limits::solver_rlimit, nullptr, false},
    {"solver-memory", &Limits::solver_bytes, nullptr, true},
};

}  // namespace

std::optional<std::uint64_t> limit_value(std::string_view name, std::string_view text, bool bytes, std::uint64_t max,
                                         std::string& error) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
    std::uint64_t scale = 1;
    if (bytes && (suffix == "K" || suffix == "k")) scale = 1u << 10;
    else if (bytes && suffix == "M") scale = 1u << 20;
    else if (bytes && suffix == "G") scale = 1u << 30;
    else if (!suffix.empty()) ec = std::errc::invalid_argument;
    if (ec != std::errc() || end == text.data() || value == 0 || value > max / scale) {
        error = value > 0 && ec == std::errc() && value > max / scale
                    ? fmt::format("limit {} is at most {}", name, max)
                    : fmt::format("limit {} takes a positive whole number{}, not '{}'", name,
                                  bytes ? " of bytes (suffixes K, M, G)" : "", text);
        return std::nullopt;
    }
    return value * scale;
}

std::optional<std::string> set_limit(Limits& limits, std::string_view name, std::string_view value) {
    for (const LimitField& f : fields) {
        if (f.name != name) continue;
        std::string error;
        const std::uint64_t max = f.max != 0          ? f.max
                                  : f.wide != nullptr ? std::numeric_limits<std::uint64_t>::max()
                                                      : std::numeric_limits<std::uint32_t>::max();
        std::optional<std::uint64_t> v = limit_value(name, value, f.bytes, max, error);
        if (!v) return error;
        if (f.wide != nullptr) limits.*f.wide = *v;
        else limits.*f.narrow = static_cast<std::uint32_t>(*v);
        return std::nullopt;
    }
    return fmt::format("unknown limit '{}'; the limits are {}", name, limit_names());
}

std::string limit_names() {
    std::string out;
    for (const LimitField& f : fields) {
        if (!out.empty()) out += ", ";
        out += f.name;
    }
    return out;
}

}  // namespace triage
