// Showing mention and flow text to people: what a host needs to print a record's text safely.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace triage {

// Text from a flow or a record as a terminal may show it: control characters (C0 but tab, DEL,
// C1: the escape sequences of hostile input) and bytes that are not UTF-8 become U+FFFD.
[[nodiscard]] std::string terminal_text(std::string_view text);

// Text for HTML and XML content and attribute values: & < > " ' escaped, control characters but
// tab and line feed (which XML 1.0 cannot carry) written as spaces.
[[nodiscard]] std::string markup_escape(std::string_view text);

// The length of the longest prefix of `text` of at most `max` bytes that ends between UTF-8
// sequences: where to cut text short without leaving half a character.
[[nodiscard]] constexpr std::size_t utf8_cut(std::string_view text, std::size_t max) noexcept {
    if (text.size() <= max) return text.size();
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return cut;
}

}  // namespace triage
