#include "value_spelling.hpp"

#include "text_fold.hpp"

namespace triage::detail {

namespace {

// What a byte of a one-of value is compared as: lower case, and '-' and ' ' as '_'.
constexpr char comparable(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '-') return '_';
    return c;
}

bool same_spelling(std::string_view value, std::string_view text) noexcept {
    if (value.size() != text.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (comparable(value[i]) != comparable(text[i])) return false;
    return true;
}

}  // namespace

std::uint32_t value_spelt_otherwise(std::span<const std::string> values, std::string_view text) noexcept {
    while (!text.empty() && is_space_byte(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && is_space_byte(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    for (std::size_t i = 0; i < values.size(); ++i)
        if (same_spelling(values[i], text)) return static_cast<std::uint32_t>(i);
    return static_cast<std::uint32_t>(values.size());
}

}  // namespace triage::detail
