// Text folded for matching, so that `has any`, `has all` and `contains` compare what a reader
// sees rather than how it was typed: Unicode case folding, compatibility forms and composition by
// utf8proc (CASEFOLD | COMPOSE | COMPAT | LUMP | IGNORE), typographic quotes as ASCII quotes,
// HTML character references and break tags as what they stand for (html_markup.hpp).
// Accents are kept ("café" is not "cafe"). ASCII text without markup is not copied: the matcher
// folds its capitals itself. Folded text remembers where each byte came from, so that a match is shown in
// the text as written.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace triage::detail {

// True when no byte of `text` is 0x80 or above (then the matcher reads it as it is).
[[nodiscard]] bool is_ascii(std::string_view text) noexcept;

// ASCII white space: a run of it matches one space of a phrase. (Folding turns every other
// Unicode white space character into a space.)
[[nodiscard]] constexpr bool is_space_byte(unsigned char b) noexcept {
    return b == ' ' || (b >= '\t' && b <= '\r');
}

// What a code point is read as before utf8proc folds it, where utf8proc's own mappings (LUMP
// turns ‘ ’ ʼ into ' and every space separator into a space) leave a difference a reader would
// not see: the other typographic quotes (‛ “ ” „ ‟), İ (which full case folding would turn into
// i and a combining dot), and the line and paragraph separators.
[[nodiscard]] char32_t fold_premap(char32_t c) noexcept;

// A text as the matcher reads it. Buffers are kept between texts, so that folding the text of
// one mention after another allocates nothing once they are large enough.
class FoldedText {
public:
    // Holds `text` (borrowed: it must outlive its use here), folded when it is not ASCII or has markup.
    void assign(std::string_view text);

    // What the matcher scans: the text itself when ASCII without markup, else its folded form.
    [[nodiscard]] std::string_view view() const noexcept {
        return folded_ ? std::string_view(text_.data(), length_) : original_;
    }
    [[nodiscard]] bool folded() const noexcept { return folded_; }

    // The part of the original text that bytes [begin, end) of view() came from: whole code
    // points (a folded "ss" is the whole "ß"; "é" folded from e and a combining accent is both).
    [[nodiscard]] std::string_view original(std::size_t begin, std::size_t end) const noexcept;

private:
    // One code point on its way through folding, with the original bytes it came from.
    struct Point {
        std::size_t from, to;
        char32_t c;
        unsigned char combining_class;
    };
    // Bytes [out_begin, out_end) of text_ and where they came from: each from the original byte
    // at the same distance from `from` (a copied ASCII run), or all from [from, to) (one code point).
    struct Piece {
        std::size_t out_begin, out_end, from, to;
        bool copied;
    };
    void fold();
    std::size_t copy_ascii(std::size_t at);
    std::size_t fold_code_points(std::size_t before, std::size_t at);
    void order_marks(std::size_t count) noexcept;
    std::size_t compose(std::size_t count) noexcept;
    void encode(std::size_t count);
    void reserve_text(std::size_t more);

    std::string_view original_;
    bool folded_ = false;
    std::vector<Point> points_;  // the code points between two ASCII runs; only grows
    std::string text_;           // only grows: the folded text is its first length_ bytes
    std::size_t length_ = 0;
    std::vector<Piece> pieces_;  // in the order of text_, with no gap
};

// A phrase as the matcher holds it: folded as text is, each run of white space as one space.
// Word list phrases are trimmed too; a `contains` phrase keeps a space at either end.
[[nodiscard]] std::string fold_phrase(std::string_view phrase);
[[nodiscard]] std::string fold_substring(std::string_view phrase);

}  // namespace triage::detail
