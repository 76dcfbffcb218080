// Phrase matching over text as FoldedText presents it (ASCII text as it is, other text folded;
// text_fold.hpp): word-bounded for `has any` / `has all`, anywhere for `contains`.
//
// Every phrase of every word list used with a field, and every `contains` of it, is in one
// Aho-Corasick automaton that scans the text once per mention. Its byte classes fold ASCII
// capitals and read every ASCII white space byte as a space, and a state just past a space stays
// where it is on more white space: a run of white space in the text matches one space of a
// phrase, and ASCII text is scanned without a copy. The automaton reports every place a phrase
// ends; a word list phrase counts only on word boundaries ("usaf" is found in "Go USAF!" but not
// in "usafe"), a `contains` phrase anywhere ("crew" in "Aircrew").
#pragma once

#include "teddy_scan.hpp"
#include "text_fold.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace triage::detail {

// Letters, marks, digits and connector punctuation ('_') are word characters (Unicode general
// categories L, M, N and Pc).
[[nodiscard]] bool is_word_code_point(char32_t c) noexcept;

// Scripts written without spaces between words, where no word boundary can be seen: Han (with
// its radicals, strokes and iteration marks), Hiragana, Katakana, Bopomofo, Thai, Lao, Tibetan,
// Myanmar, Khmer, Tai Le, New Tai Lue, Tai Tham and Tai Viet. A phrase matches text in them as
// a substring.
[[nodiscard]] bool written_without_spaces(char32_t c) noexcept;

// Whether a phrase may start or end between two code points: unless both are word characters
// of scripts written with spaces. (At either end of a text, pass a code point that is neither.)
[[nodiscard]] bool word_boundary(char32_t before, char32_t after) noexcept;

// Bytes [begin, end) of a text as the matcher read it (FoldedText::view()).
struct TextSpan {
    std::size_t begin = 0;
    std::size_t end = 0;
};

// Where a scan met runs of white space, so that the start of a phrase that holds a space (whose
// match may be longer than it) is found without walking back over it: read forward once, as far
// as the scan needs, whatever the number of phrases and their lengths. Kept by the caller, so
// that a matcher shared by threads stays const, and nothing is allocated once it has held as
// many runs as a text has.
class WhiteSpaceRuns {
public:
    void reset() noexcept;
    // Where the match that ends at `end` and holds `length` bytes, each run of white space in the
    // text counting as one, begins. Calls for one text come with `end` never decreasing.
    [[nodiscard]] std::size_t start(std::string_view text, std::size_t end, std::size_t length);

private:
    struct Run {
        std::size_t first;  // its first byte, counted as the scan reads the text (runs as one byte)
        std::size_t extra;  // the bytes read past, this run's included
    };
    std::vector<Run> runs_;
    std::size_t read_ = 0;   // text read up to here
    std::size_t extra_ = 0;  // bytes of runs past their first, before read_
};

class PhraseMatcher {
public:
    // Phrases are added before build(); the returned id is the phrase's position in the match set.
    // A word list phrase is folded by fold_phrase and found on word boundaries; a `contains`
    // phrase (a substring) by fold_substring and found anywhere. Phrases of one kind that fold
    // alike share an id; a word and a substring never do.
    std::uint32_t add_phrase(std::string_view phrase);
    std::uint32_t add_substring(std::string_view phrase);

    // How scan() reads a text, chosen per field here: the Teddy filter (teddy_scan.hpp) where
    // the field's phrases suit it (at most 16, of 3 to 64 bytes, none holding white space)
    // and the processor has AVX2 or SSSE3 (the widest is used), else the automaton. Tests force
    // a kernel (used where the processor runs it and the phrases suit, even shorter than 3 bytes) or
    // the automaton. find() always uses the automaton.
    enum class Engine : std::uint8_t { automatic, automaton, ssse3, avx2 };
    void build(Engine engine = Engine::automatic);
    [[nodiscard]] TeddyScan::Kernel teddy_kernel() const noexcept { return teddy_.kernel(); }

    [[nodiscard]] std::size_t phrase_count() const noexcept { return phrases_.size(); }

    // Marks in `matched` (one bit per phrase, resized by the caller to words()) every phrase
    // found in `text` (a FoldedText's view): words on word boundaries, substrings anywhere.
    void scan(std::string_view text, std::vector<std::uint64_t>& matched, WhiteSpaceRuns& runs) const;
    [[nodiscard]] std::size_t words() const noexcept { return (phrases_.size() + 63) / 64; }

    // Where phrase `id` is first found in `text`, as scan() finds it. A substring that ends with
    // a space takes the whole run of white space there.
    [[nodiscard]] std::optional<TextSpan> find(std::string_view text, std::uint32_t id, WhiteSpaceRuns& runs) const;

private:
    // Whether phrase `id`, which the automaton reached at `end`, is found there, and where.
    [[nodiscard]] std::optional<TextSpan> accept(std::string_view text, std::uint32_t id, std::size_t end,
                                                 WhiteSpaceRuns& runs) const;
    template <typename Found>
    void each_match(std::string_view text, WhiteSpaceRuns& runs, Found&& found) const;

    std::uint32_t add_folded(std::string folded, bool word);
    void choose_teddy(Engine engine);

    std::vector<std::string> phrases_;  // folded
    std::vector<std::uint8_t> edges_;   // per phrase: which ends need a word boundary; where it has spaces
    std::unordered_map<std::string, std::uint32_t> word_ids_;       // folded word phrase → its index, until build()
    std::unordered_map<std::string, std::uint32_t> substring_ids_;  // folded substring → its index, likewise
    void lay_out(const std::vector<std::uint32_t>& next, const std::vector<std::vector<std::uint32_t>>& outputs);

    std::vector<std::uint8_t> byte_class_;  // from 1: the cell of a row that the byte goes to
    std::uint32_t classes_ = 1;
    std::vector<std::uint32_t> next_;       // states × (1 + classes): a complete DFA of row offsets (lay_out)
    std::vector<std::uint32_t> out_begin_;  // per final state and one more: ranges into out_
    std::vector<std::uint32_t> out_;        // phrase ids ending at a final state (suffixes included)
    std::vector<std::uint32_t> depth_;      // per state: the phrase bytes that lead to it
    bool spaced_ = false;                   // some phrase holds a space
    TeddyScan teddy_;                       // used by scan() unless its kernel is none
};

}  // namespace triage::detail
