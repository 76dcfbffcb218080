#include "html_markup.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace triage::detail {

namespace {

struct NamedReference {
    std::string_view name;
    char32_t c;
};

// Sorted by name: the references exports write (escaping, quotes, dashes, a few symbols).
constexpr std::array<NamedReference, 19> named_references{{
    {"amp", '&'},       {"apos", '\''},     {"bull", 0x2022},  {"copy", 0xA9},    {"euro", 0x20AC},
    {"gt", '>'},        {"hellip", 0x2026}, {"laquo", 0xAB},   {"ldquo", 0x201C}, {"lsquo", 0x2018},
    {"lt", '<'},        {"mdash", 0x2014},  {"nbsp", 0xA0},    {"ndash", 0x2013}, {"quot", '"'},
    {"raquo", 0xBB},    {"rdquo", 0x201D},  {"reg", 0xAE},     {"rsquo", 0x2019},
}};
static_assert(std::is_sorted(named_references.begin(), named_references.end(),
                             [](const NamedReference& a, const NamedReference& b) { return a.name < b.name; }));

constexpr std::size_t longest_name = 6;

int digit_value(char ch, bool hex) noexcept {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (!hex) return -1;
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

// &#DDD; or &#xHHH; at `at` (which holds '&').
Markup numeric_reference(std::string_view text, std::size_t at) noexcept {
    std::size_t i = at + 2;
    const bool hex = i < text.size() && (text[i] == 'x' || text[i] == 'X');
    if (hex) ++i;
    const std::size_t first = i;
    char32_t value = 0;
    for (; i < text.size() && i - first < 8; ++i) {
        const int d = digit_value(text[i], hex);
        if (d < 0) break;
        value = value * (hex ? 16 : 10) + static_cast<char32_t>(d);
    }
    const bool scalar = value != 0 && value <= 0x10FFFF && (value < 0xD800 || value > 0xDFFF);
    if (i == first || i >= text.size() || text[i] != ';' || !scalar) return {};
    // 128-159 are C1 controls in Unicode, but HTML reads them as Windows-1252, as the documents that
    // write them mean (&#146; is ’): the HTML standard's table, where it maps one.
    if (value >= 0x80 && value <= 0x9F) {
        static constexpr char16_t windows_1252[32] = {
            0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
            0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
            0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
        value = windows_1252[value - 0x80];
    }
    return {i + 1 - at, value};
}

Markup named_reference(std::string_view text, std::size_t at) noexcept {
    // Looked for only as far as the longest name: a text with '&' and no ';' is not read to its end.
    const std::size_t length = text.substr(at + 1, longest_name + 1).find(';');
    if (length == std::string_view::npos) return {};
    const std::string_view name = text.substr(at + 1, length);
    const auto* found = std::lower_bound(named_references.begin(), named_references.end(), name,
                                         [](const NamedReference& r, std::string_view n) { return r.name < n; });
    if (found == named_references.end() || found->name != name) return {};
    return {length + 2, found->c};
}

// <br>, <br/>, <br />, <p>, </p>, in any case, at `at` (which holds '<').
Markup break_tag(std::string_view text, std::size_t at) noexcept {
    // Looked for only as far as the longest tag: a text of '<' and no '>' is read once, not once a '<'.
    const std::size_t n = text.substr(at + 1, 5).find('>');
    if (n == std::string_view::npos) return {};
    std::array<char, 4> tag{};
    if (n > tag.size()) return {};
    for (std::size_t k = 0; k < n; ++k) {
        const char ch = text[at + 1 + k];
        tag[k] = ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32) : ch;
    }
    const std::string_view inside(tag.data(), n);
    if (inside == "br" || inside == "br/" || inside == "br /" || inside == "p" || inside == "/p") return {n + 2, ' '};
    return {};
}

}  // namespace

Markup markup_at(std::string_view text, std::size_t at) noexcept {
    if (at + 1 >= text.size()) return {};
    if (text[at] == '<') return break_tag(text, at);
    if (text[at] != '&') return {};
    return text[at + 1] == '#' ? numeric_reference(text, at) : named_reference(text, at);
}

bool has_markup(std::string_view text) noexcept {
    // memchr for each of the two bytes: most texts have neither, and this runs on every text.
    for (const char start : {'&', '<'}) {
        for (std::size_t at = 0; at < text.size();) {
            const void* hit = std::memchr(text.data() + at, start, text.size() - at);
            if (hit == nullptr) break;
            at = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
            if (markup_at(text, at).length != 0) return true;
            ++at;
        }
    }
    return false;
}

}  // namespace triage::detail
