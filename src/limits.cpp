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
};

constexpr LimitField fields[] = {
    {"file-size", &Limits::file_bytes, nullptr, true},
    {"nesting", nullptr, &Limits::nesting, false},
    {"steps", nullptr, &Limits::steps, false},
    {"words", nullptr, &Limits::words, false},
    {"automaton-memory", &Limits::automaton_bytes, nullptr, true},
    {"regex-memory", &Limits::regex_bytes, nullptr, true},
    {"include-depth", nullptr, &Limits::include_depth, false},
};

}  // namespace

std::optional<std::uint64_t> parse_limit_value(std::string_view text, bool bytes) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
    std::uint64_t scale = 1;
    if (bytes && (suffix == "K" || suffix == "k")) scale = 1u << 10;
    else if (bytes && suffix == "M") scale = 1u << 20;
    else if (bytes && suffix == "G") scale = 1u << 30;
    else if (!suffix.empty()) return std::nullopt;
    if (value > std::numeric_limits<std::uint64_t>::max() / scale) return std::nullopt;
    return value * scale;
}

std::optional<std::string> set_limit(Limits& limits, std::string_view name, std::string_view value) {
    for (const LimitField& f : fields) {
        if (f.name != name) continue;
        std::optional<std::uint64_t> v = parse_limit_value(value, f.bytes);
        if (!v || *v == 0)
            return fmt::format("limit {} takes a positive whole number{}, not '{}'", name,
                               f.bytes ? " of bytes (suffixes K, M, G)" : "", value);
        if (f.wide != nullptr) {
            limits.*f.wide = *v;
        } else {
            if (*v > std::numeric_limits<std::uint32_t>::max()) return fmt::format("limit {} is at most 4294967295", name);
            limits.*f.narrow = static_cast<std::uint32_t>(*v);
        }
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
