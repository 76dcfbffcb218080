// Case-folded, word-bounded phrase matching for `has any` / `has all` / `contains`.
//
// Text is folded once per mention when it holds non-ASCII bytes (ASCII capitals are folded by
// the automaton's byte classes, so plain ASCII text is scanned as it is) (simple Unicode case folding for Latin, Greek and Cyrillic
// scripts; other code points pass through), then scanned once by an Aho-Corasick automaton that
// holds every phrase of every word list used with that field. A phrase matches only on word
// boundaries: "usaf" is found in "Go USAF!" but not in "usafe".
#pragma once

#include "text_fold.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace triage::detail {

// Appends the case-folded form of UTF-8 `text` to `out` (invalid bytes are copied unchanged).
void fold_case(std::string_view text, std::string& out);
[[nodiscard]] std::string fold_case(std::string_view text);

// Letters, digits, marks and '_' are word characters; so is any code point outside the ASCII
// and general-punctuation/symbol ranges (CJK, etc.).
[[nodiscard]] bool is_word_code_point(char32_t c) noexcept;

// Case-insensitive substring search in already-folded text.
[[nodiscard]] inline bool contains_folded(std::string_view folded_text, std::string_view folded_phrase) noexcept {
    return folded_text.find(folded_phrase) != std::string_view::npos;
}

class PhraseMatcher {
public:
    // Phrases are added before build(); the returned id is the phrase's position in the match set.
    std::uint32_t add_phrase(std::string_view phrase);
    void build();

    [[nodiscard]] std::size_t phrase_count() const noexcept { return phrases_.size(); }

    // Marks in `matched` (one bit per phrase, resized by the caller to words()) every phrase
    // found in `text` on word boundaries. `text` must be folded, or ASCII (see is_ascii).
    void scan(std::string_view text, std::vector<std::uint64_t>& matched) const noexcept;
    [[nodiscard]] std::size_t words() const noexcept { return (phrases_.size() + 63) / 64; }

private:
    std::vector<std::string> phrases_;  // folded
    std::unordered_map<std::string, std::uint32_t> phrase_ids_;  // folded phrase → its index, until build()
    std::vector<std::uint8_t> byte_class_;
    std::uint32_t classes_ = 1;
    std::vector<std::uint32_t> next_;        // states × classes, a complete DFA of row offsets
    std::vector<std::uint8_t> ends_phrase_;  // parallel to next_, set at the rows of final states
    std::vector<std::uint32_t> out_begin_;   // per state: range into out_
    std::vector<std::uint32_t> out_;         // phrase ids ending at a state (suffixes included)
};

}  // namespace triage::detail
