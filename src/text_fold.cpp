#include "text_fold.hpp"

#include "html_markup.hpp"
#include "text_util.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace triage::detail {

namespace {

// What utf8proc_map(CASEFOLD | COMPOSE | COMPAT | LUMP | IGNORE) does to each code point on its
// own. Composition needs the code points around it, so it is done afterwards (compose()), and
// each step keeps track of where in the original text its code points came from.
constexpr auto decompose_options = static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
                                                                   UTF8PROC_COMPAT | UTF8PROC_LUMP | UTF8PROC_IGNORE);

// The longest folded decomposition of one code point is 18 (U+FDFA under COMPAT).
constexpr utf8proc_ssize_t longest_decomposition = 32;

// A byte that is not valid UTF-8 is kept as it is; held as a "code point" past Unicode's last.
constexpr char32_t raw_byte = 0x110000;

// The code point of the valid UTF-8 sequence of `length` bytes at `at` (see utf8_sequence).
char32_t decode(std::string_view s, std::size_t at, std::size_t length) noexcept {
    auto byte = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[at + k])); };
    char32_t c = byte(0) & (0x7Fu >> length);
    for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (byte(k) & 0x3F);
    return c;
}

unsigned char combining_class(char32_t c) noexcept {
    if (c < 0x300 || c >= raw_byte) return 0;  // nothing below U+0300 combines
    return static_cast<unsigned char>(utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class);
}

// The primary composite of `starter` followed by `c`, or 0. utf8proc has no call for one pair,
// but composing a buffer of two is exactly that, Hangul syllables included.
char32_t compose_pair(char32_t starter, char32_t c) noexcept {
    if (c < 0x300 || starter >= raw_byte || c >= raw_byte) return 0;  // U+0300 is the first that combines
    utf8proc_int32_t pair[2] = {static_cast<utf8proc_int32_t>(starter), static_cast<utf8proc_int32_t>(c)};
    return utf8proc_normalize_utf32(pair, 2, UTF8PROC_COMPOSE) == 1 ? static_cast<char32_t>(pair[0]) : 0;
}

}  // namespace

bool is_ascii(std::string_view text) noexcept {
    auto word_at = [&](std::size_t at) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + at, 8);
        return word;
    };
    std::size_t i = 0;
    // 32 bytes a step, their high bits tested once: a post is a few hundred bytes, read per mention.
    for (; i + 32 <= text.size(); i += 32)
        if (((word_at(i) | word_at(i + 8) | word_at(i + 16) | word_at(i + 24)) & 0x8080808080808080ULL) != 0) return false;
    for (; i + 8 <= text.size(); i += 8)
        if ((word_at(i) & 0x8080808080808080ULL) != 0) return false;
    for (; i < text.size(); ++i)
        if (static_cast<unsigned char>(text[i]) >= 0x80) return false;
    return true;
}

char32_t fold_premap(char32_t c) noexcept {
    switch (c) {
    case 0x0130: return 'i';   // İ: as Turkish lower-cases it, not i and a combining dot above
    case 0x201B: return '\'';  // ‛ (LUMP maps ‘ ’ ʼ; COMPAT maps ＇)
    case 0x201C:               // “
    case 0x201D:               // ”
    case 0x201E:               // „
    case 0x201F: return '"';   // ‟ (COMPAT maps ＂)
    case 0x0085:               // next line
    case 0x2028:               // line separator
    case 0x2029: return ' ';   // paragraph separator (LUMP maps the space separators)
    default: return c;
    }
}

void FoldedText::assign(std::string_view text) {
    original_ = text;
    folded_ = !is_ascii(text) || has_markup(text);
    if (!folded_) return;
    decompose();
    if (has_marks_) order_marks();
    if (may_compose_) compose();
    encode();
}

void FoldedText::decompose() {
    // Written by index into a vector kept large enough (one point a byte, and room for the
    // longest decomposition): push_back per code point was most of the time spent here.
    std::size_t n = 0;
    may_compose_ = false;
    has_marks_ = false;
    if (points_.size() < original_.size() + longest_decomposition) points_.resize(original_.size() + longest_decomposition);
    utf8proc_int32_t parts[longest_decomposition];
    for (std::size_t i = 0; i < original_.size();) {
        const auto b = static_cast<unsigned char>(original_[i]);
        const Markup markup = b == '&' || b == '<' ? markup_at(original_, i) : Markup{};
        if (b < 0x80 && markup.length == 0) {  // folds to itself or its lower case; no utf8proc call
            points_[n++] = {i, i + 1, static_cast<char32_t>(b >= 'A' && b <= 'Z' ? b + 32 : b), 0};
            ++i;
            continue;
        }
        const std::size_t length = markup.length != 0 ? markup.length : utf8_sequence(original_, i);
        if (length == 0) {
            points_[n++] = {i, i + 1, static_cast<char32_t>(raw_byte + b), 0};
            ++i;
            continue;
        }
        const char32_t c = fold_premap(markup.length != 0 ? markup.c : decode(original_, i, length));
        utf8proc_ssize_t count = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), parts, longest_decomposition,
                                                         decompose_options, nullptr);
        if (count < 0 || count > longest_decomposition) {  // not for a valid code point; kept as it is
            parts[0] = static_cast<utf8proc_int32_t>(c);
            count = 1;
        }
        // A code point of `length` bytes had `length` points of room; a longer decomposition needs more.
        const std::size_t left = original_.size() - i - length;
        if (points_.size() < n + static_cast<std::size_t>(count) + left + longest_decomposition)
            points_.resize(2 * (n + static_cast<std::size_t>(count) + left + longest_decomposition));
        for (utf8proc_ssize_t k = 0; k < count; ++k) {
            const auto part = static_cast<char32_t>(parts[k]);
            const unsigned char mark = combining_class(part);
            may_compose_ = may_compose_ || part >= 0x300;
            has_marks_ = has_marks_ || mark != 0;
            points_[n++] = {i, i + length, part, mark};
        }
        i += length;
    }
    points_.resize(n);
}

// Canonical ordering: each run of combining marks sorted by combining class, stably, so that
// marks typed in any order compose alike.
void FoldedText::order_marks() noexcept {
    auto by_class = [](const Point& a, const Point& b) { return a.combining_class < b.combining_class; };
    for (std::size_t i = 0; i < points_.size();) {
        if (points_[i].combining_class == 0) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < points_.size() && points_[end].combining_class != 0) ++end;
        // Runs are a mark or two in real text; a hostile run of thousands is not sorted in n².
        if (end - i <= 16) {
            for (std::size_t k = i + 1; k < end; ++k)
                for (std::size_t j = k; j > i && by_class(points_[j], points_[j - 1]); --j) std::swap(points_[j], points_[j - 1]);
        } else {
            std::stable_sort(points_.begin() + static_cast<std::ptrdiff_t>(i), points_.begin() + static_cast<std::ptrdiff_t>(end),
                             by_class);
        }
        i = end;
    }
}

// Canonical composition, as utf8proc_normalize_utf32 does it, one pair at a time: a mark joins
// the last starter unless a mark of the same or a higher class stands between them; two starters
// join only side by side. The composite spans the original bytes of both.
void FoldedText::compose() noexcept {
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t starter = none;
    int highest_class = -1;  // of the marks kept since the starter; -1: none, a starter may join
    std::size_t kept = 0;
    for (std::size_t i = 0; i < points_.size(); ++i) {
        const Point& p = points_[i];
        if (starter != none && p.c >= 0x300 && static_cast<int>(p.combining_class) > highest_class) {
            if (const char32_t composite = compose_pair(points_[starter].c, p.c)) {
                Point& s = points_[starter];
                s.c = composite;
                s.from = std::min(s.from, p.from);
                s.to = std::max(s.to, p.to);
                continue;
            }
        }
        if (kept != i) points_[kept] = p;
        if (points_[kept].combining_class != 0) {
            highest_class = std::max(highest_class, static_cast<int>(points_[kept].combining_class));
        } else {
            starter = kept;
            highest_class = -1;
        }
        ++kept;
    }
    points_.resize(kept);
}

void FoldedText::encode() {
    // Written in place, at most 4 bytes a code point, then cut to size: no append per byte.
    const std::size_t most = points_.size() * 4;
    text_.resize(most);
    from_.resize(most);
    to_.resize(most);
    std::size_t n = 0;
    for (const Point& p : points_) {
        auto* out = reinterpret_cast<utf8proc_uint8_t*>(text_.data() + n);
        std::size_t length = 1;
        if (p.c < 0x80) out[0] = static_cast<utf8proc_uint8_t>(p.c);
        else if (p.c >= raw_byte) out[0] = static_cast<utf8proc_uint8_t>(p.c - raw_byte);
        else length = static_cast<std::size_t>(utf8proc_encode_char(static_cast<utf8proc_int32_t>(p.c), out));
        for (std::size_t k = 0; k < length; ++k) {
            from_[n + k] = p.from;
            to_[n + k] = p.to;
        }
        n += length;
    }
    text_.resize(n);
    from_.resize(n);
    to_.resize(n);
}

std::string_view FoldedText::original(std::size_t begin, std::size_t end) const noexcept {
    if (!folded_) return original_.substr(begin, end - begin);
    if (begin >= end || end > text_.size()) return {};
    // Reordered marks may come from before the first byte's code point: take every byte's range.
    std::size_t from = from_[begin], to = to_[begin];
    for (std::size_t i = begin + 1; i < end; ++i) {
        from = std::min(from, from_[i]);
        to = std::max(to, to_[i]);
    }
    return original_.substr(from, to - from);
}

namespace {

std::string fold_words(std::string_view phrase, bool trim) {
    FoldedText folded;
    folded.assign(phrase);
    std::string out;
    bool space = false;
    for (char ch : folded.view()) {
        const auto b = static_cast<unsigned char>(ch);
        if (is_space_byte(b)) {
            space = true;
            continue;
        }
        if (space && (!trim || !out.empty())) out += ' ';
        space = false;
        out += b >= 'A' && b <= 'Z' ? static_cast<char>(b + 32) : ch;
    }
    if (space && !trim) out += ' ';
    return out;
}

}  // namespace

std::string fold_phrase(std::string_view phrase) { return fold_words(phrase, true); }
std::string fold_substring(std::string_view phrase) { return fold_words(phrase, false); }

}  // namespace triage::detail
