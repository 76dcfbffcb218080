#include "text_fold.hpp"

#include "html_markup.hpp"
#include "text_util.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <bit>
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
// but composing a buffer of two is exactly that, Hangul syllables included. Text repeats its
// pairs (an e and its accent, two emoji), so answers are kept, per thread, as utf8proc gave them.
struct ComposedPair {
    char32_t starter = 0, c = 0, composite = 0;  // all 0: empty (c is never 0 when asked)
};
thread_local std::array<ComposedPair, 256> composed_pairs{};

char32_t compose_pair(char32_t starter, char32_t c) noexcept {
    if (c < 0x300 || starter >= raw_byte || c >= raw_byte) return 0;  // U+0300 is the first that combines
    ComposedPair& kept = composed_pairs[((starter * 0x9E3779B1u) ^ c) & 0xFF];
    if (kept.starter == starter && kept.c == c) return kept.composite;
    utf8proc_int32_t pair[2] = {static_cast<utf8proc_int32_t>(starter), static_cast<utf8proc_int32_t>(c)};
    const char32_t composite = utf8proc_normalize_utf32(pair, 2, UTF8PROC_COMPOSE) == 1 ? static_cast<char32_t>(pair[0]) : 0;
    kept = {starter, c, composite};
    return composite;
}

// What one code point folds to on its own (fold_premap, then utf8proc), with each part's
// combining class; returns how many parts.
std::size_t fold_alone(char32_t c, char32_t* parts, unsigned char* classes) noexcept {
    c = fold_premap(c);
    utf8proc_int32_t decomposed[longest_decomposition];
    utf8proc_ssize_t count = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), decomposed, longest_decomposition,
                                                     decompose_options, nullptr);
    if (count < 0 || count > longest_decomposition) {  // not for a valid code point; kept as it is
        decomposed[0] = static_cast<utf8proc_int32_t>(c);
        count = 1;
    }
    for (utf8proc_ssize_t k = 0; k < count; ++k) {
        parts[k] = static_cast<char32_t>(decomposed[k]);
        classes[k] = combining_class(parts[k]);
    }
    return static_cast<std::size_t>(count);
}

// fold_alone's answers for the code points a thread met last, those of up to 4 parts: a post's
// non-ASCII code points are mostly a few repeated (’ é an emoji), each a utf8proc call otherwise.
struct FoldedCodePoint {
    char32_t c = 0;  // 0: empty (0 is ASCII, never folded here)
    unsigned char count = 0;
    std::array<char32_t, 4> parts{};
    std::array<unsigned char, 4> classes{};
};
thread_local std::array<FoldedCodePoint, 256> folded_code_points{};

constexpr std::uint64_t every_byte(unsigned char b) noexcept { return 0x0101010101010101ULL * b; }

// 0x80 in each byte of `word` that is 0, exact up to the first in little-endian memory order:
// after a 0 byte, a 1 byte may be marked too (the borrow), which no caller reads past the first.
constexpr std::uint64_t zero_bytes(std::uint64_t word) noexcept {
    return (word - every_byte(1)) & ~word & every_byte(0x80);
}

// Which byte of a little-endian word is the first with its 0x80 bit set in `marks`.
std::size_t first_marked_byte(std::uint64_t marks) noexcept { return static_cast<std::size_t>(std::countr_zero(marks)) / 8; }

// Eight ASCII bytes with capitals lower-cased: 0x20 added where a byte is from 'A' to 'Z'. (A
// byte above 0x7F may carry into the next one.)
constexpr std::uint64_t lower_case(std::uint64_t word) noexcept {
    const std::uint64_t from_a = word + every_byte(0x80 - 'A');      // high bit: the byte is 'A' or above
    const std::uint64_t past_z = word + every_byte(0x80 - 'Z' - 1);  // high bit: above 'Z'
    return word | ((from_a & ~past_z & every_byte(0x80)) >> 2);
}
static_assert(lower_case(0x405A415B7A61607EULL) == 0x407A615B7A61607EULL);

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
    if (folded_) fold();
}

// ASCII bytes are copied a run at a time, lower-cased; the code points between two runs go through
// decompose, mark ordering, composition and encoding together with the ASCII byte just before them
// (an e followed by a combining acute is é). Nothing reaches across an ASCII byte: it ends every
// run of marks, and no later code point composes with it as a starter's partner (none below U+0300
// does), so each stretch folds alone exactly as the whole text would.
void FoldedText::fold() {
    length_ = 0;
    pieces_.clear();
    for (std::size_t i = 0; i < original_.size();) {
        const std::size_t run = i, out = length_;
        i = copy_ascii(i);
        // The ASCII byte just before code points that are not is taken back: a mark among them
        // may compose with it.
        const std::size_t before = i > run && i < original_.size() ? i - 1 : i;
        length_ = out + (before - run);
        if (before > run) pieces_.push_back({out, length_, run, before, true});
        if (i == original_.size()) break;
        i = fold_code_points(before, i);
    }
}

void FoldedText::reserve_text(std::size_t more) {
    if (text_.size() < length_ + more) text_.resize(2 * (length_ + more));
}

// Writes after text_'s length_ bytes, lower-cased, the ASCII bytes from `at` up to the first byte
// that is not ASCII or starts markup, 8 a step; returns where it stopped.
std::size_t FoldedText::copy_ascii(std::size_t at) {
    reserve_text(original_.size() - at);
    const char* in = original_.data();
    char* out = text_.data() + length_;
    for (;;) {
        std::size_t plain = 0;  // bytes from `at` that are neither above 0x7F nor & or <
        // Words only where a borrow or carry runs from a byte to those after it in memory.
        if (std::endian::native == std::endian::little && at + 8 <= original_.size()) {
            std::uint64_t word;
            std::memcpy(&word, in + at, 8);
            const std::uint64_t stops = (word & every_byte(0x80)) | zero_bytes(word ^ every_byte('&')) |
                                        zero_bytes(word ^ every_byte('<'));
            word = lower_case(word);  // the bytes past `plain` are written over or not counted
            std::memcpy(out, &word, 8);
            plain = stops == 0 ? 8 : first_marked_byte(stops);
        } else {
            while (at + plain < original_.size() && static_cast<unsigned char>(in[at + plain]) < 0x80 &&
                   in[at + plain] != '&' && in[at + plain] != '<') {
                const auto b = static_cast<unsigned char>(in[at + plain]);
                out[plain++] = static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
            }
        }
        at += plain;
        out += plain;
        if (plain == 8) continue;
        if (at == original_.size()) break;
        // An & or < that starts no markup is copied as it is.
        if (static_cast<unsigned char>(in[at]) >= 0x80 || markup_at(original_, at).length != 0) break;
        *out++ = in[at++];
    }
    return at;
}

// Folds the original from `before` (an ASCII byte, or `at` when there is none) up to the next ASCII
// byte that starts no markup, appends it to text_ and returns where it stopped.
std::size_t FoldedText::fold_code_points(std::size_t before, std::size_t at) {
    std::array<FoldedCodePoint, 256>& cache = folded_code_points;
    std::size_t n = 0;
    bool may_compose = false;  // some point is U+0300 or above: below it nothing combines
    bool has_marks = false;    // some point has a combining class: marks may need reordering
    auto room = [&](std::size_t more) {
        if (points_.size() < n + more) points_.resize(2 * (n + more));
    };
    auto add = [&](std::size_t from, std::size_t to, char32_t c, unsigned char mark) {
        may_compose = may_compose || c >= 0x300;
        has_marks = has_marks || mark != 0;
        points_[n++] = {from, to, c, mark};
    };
    room(1);
    if (before < at) {
        const auto b = static_cast<unsigned char>(original_[before]);
        add(before, at, static_cast<char32_t>(b >= 'A' && b <= 'Z' ? b + 32 : b), 0);
    }
    std::size_t i = at;
    while (i < original_.size()) {
        const auto b = static_cast<unsigned char>(original_[i]);
        const Markup markup = b == '&' || b == '<' ? markup_at(original_, i) : Markup{};
        if (b < 0x80 && markup.length == 0) break;
        const std::size_t length = markup.length != 0 ? markup.length : utf8_sequence(original_, i);
        if (length == 0) {
            room(1);
            add(i, i + 1, raw_byte + b, 0);
            ++i;
            continue;
        }
        const char32_t c = markup.length != 0 ? markup.c : decode(original_, i, length);
        FoldedCodePoint& kept = cache[(c ^ (c >> 8)) & 0xFF];
        if (kept.c != c) {
            char32_t parts[longest_decomposition];
            unsigned char classes[longest_decomposition];
            const std::size_t count = fold_alone(c, parts, classes);
            room(count);
            for (std::size_t k = 0; k < count; ++k) add(i, i + length, parts[k], classes[k]);
            if (count <= kept.parts.size()) {
                kept.c = c;
                kept.count = static_cast<unsigned char>(count);
                std::copy_n(parts, count, kept.parts.begin());
                std::copy_n(classes, count, kept.classes.begin());
            }
        } else {
            room(kept.count);
            for (std::size_t k = 0; k < kept.count; ++k) add(i, i + length, kept.parts[k], kept.classes[k]);
        }
        i += length;
    }
    if (has_marks) order_marks(n);
    if (may_compose) n = compose(n);
    encode(n);
    return i;
}

// Canonical ordering: each run of combining marks sorted by combining class, stably, so that
// marks typed in any order compose alike.
void FoldedText::order_marks(std::size_t count) noexcept {
    auto by_class = [](const Point& a, const Point& b) { return a.combining_class < b.combining_class; };
    for (std::size_t i = 0; i < count;) {
        if (points_[i].combining_class == 0) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < count && points_[end].combining_class != 0) ++end;
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
// join only side by side. The composite spans the original bytes of both. Returns the points left.
std::size_t FoldedText::compose(std::size_t count) noexcept {
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t starter = none;
    int highest_class = -1;  // of the marks kept since the starter; -1: none, a starter may join
    std::size_t kept = 0;
    for (std::size_t i = 0; i < count; ++i) {
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
    return kept;
}

void FoldedText::encode(std::size_t count) {
    reserve_text(4 * count);  // at most 4 bytes a code point
    for (std::size_t i = 0; i < count; ++i) {
        const Point& p = points_[i];
        auto* out = reinterpret_cast<utf8proc_uint8_t*>(text_.data() + length_);
        std::size_t length = 1;
        if (p.c < 0x80) out[0] = static_cast<utf8proc_uint8_t>(p.c);
        else if (p.c >= raw_byte) out[0] = static_cast<utf8proc_uint8_t>(p.c - raw_byte);
        else length = static_cast<std::size_t>(utf8proc_encode_char(static_cast<utf8proc_int32_t>(p.c), out));
        // The parts of one code point (the two s of ß) share one piece.
        if (!pieces_.empty() && !pieces_.back().copied && pieces_.back().from == p.from && pieces_.back().to == p.to)
            pieces_.back().out_end += length;
        else
            pieces_.push_back({length_, length_ + length, p.from, p.to, false});
        length_ += length;
    }
}

std::string_view FoldedText::original(std::size_t begin, std::size_t end) const noexcept {
    if (!folded_) return original_.substr(begin, end - begin);
    if (begin >= end || end > length_) return {};
    // Reordered marks may come from before the first byte's code point: take every piece's range.
    auto piece = std::partition_point(pieces_.begin(), pieces_.end(), [&](const Piece& p) { return p.out_end <= begin; });
    std::size_t from = original_.size(), to = 0;
    for (; piece != pieces_.end() && piece->out_begin < end; ++piece) {
        if (piece->copied) {
            from = std::min(from, piece->from + (std::max(begin, piece->out_begin) - piece->out_begin));
            to = std::max(to, piece->from + (std::min(end, piece->out_end) - piece->out_begin));
        } else {
            from = std::min(from, piece->from);
            to = std::max(to, piece->to);
        }
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
