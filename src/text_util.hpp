// Small helpers shared by the stages: overload sets for visitors, whitespace folding, escaping.
#pragma once

#include "triage/text.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace triage {

// overloaded{[](A){...}, [](B){...}}: one visitor from several lambdas.
template <typename... Fs>
struct overloaded : Fs... {
    using Fs::operator()...;
};
template <typename... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

// Runs of blanks and line breaks become one space; none at either end.
inline std::string collapse_whitespace(std::string_view s) {
    std::string out;
    bool blank = false;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            blank = true;
            continue;
        }
        if (blank && !out.empty()) out += ' ';
        blank = false;
        out += c;
    }
    return out;
}

// U+FEFF in UTF-8, as some editors write it at the start of a file.
inline constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";

// A-Z as a-z, every other byte as it is: for the words of the flow language, which are ASCII.
inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// What each byte becomes in some output language; an empty replacement keeps the byte.
using EscapeTable = std::array<std::string_view, 256>;
// `text` with every byte replaced as `table` says: the one loop behind each escaper.
[[nodiscard]] std::string escaped(std::string_view text, const EscapeTable& table);

// `text` as a flow's string literal: in double quotes, with " \ and line breaks escaped.
[[nodiscard]] std::string string_literal(std::string_view text);

// The length of the well-formed UTF-8 sequence at `at` (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF), or 0.
inline std::size_t utf8_sequence(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
    const unsigned c = byte(at);
    if (c < 0x80) return 1;
    auto continuation = [&](std::size_t i, unsigned low = 0x80, unsigned high = 0xBF) {
        return byte(i) >= low && byte(i) <= high;
    };
    if (c >= 0xC2 && c <= 0xDF) return continuation(at + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        const unsigned low = c == 0xE0 ? 0xA0 : 0x80, high = c == 0xED ? 0x9F : 0xBF;
        return continuation(at + 1, low, high) && continuation(at + 2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        const unsigned low = c == 0xF0 ? 0x90 : 0x80, high = c == 0xF4 ? 0x8F : 0xBF;
        return continuation(at + 1, low, high) && continuation(at + 2) && continuation(at + 3) ? 4 : 0;
    }
    return 0;
}

// Text from a flow file or a record as a terminal may show it: control characters (C0 but tab,
// DEL, C1 — the escape sequences of a hostile file) and bytes that are not UTF-8 become U+FFFD,
// one code point for one, so that columns still line up.
inline std::string printable(std::string_view text, bool keep_newlines = false) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t n = utf8_sequence(text, i);
        const bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) <= 0x9F;
        if (n == 0 || (c < 0x20 && c != '\t' && !(keep_newlines && c == '\n')) || c == 0x7F || c1) {
            out += "\xEF\xBF\xBD";  // one code point for one, so that columns line up
            i += n == 0 ? 1 : n;
        } else {
            out.append(text, i, n);
            i += n;
        }
    }
    return out;
}

}  // namespace triage
