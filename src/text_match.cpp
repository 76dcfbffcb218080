#include "text_match.hpp"

#include "compile_work.hpp"

#include <algorithm>
#include <deque>
#include <map>

namespace triage::detail {

namespace {

// Decodes one UTF-8 code point at `i`; returns the replacement marker 0xFFFFFFFF for a bad byte
// (which then counts as one byte).
char32_t decode(std::string_view s, std::size_t i, std::size_t& length) noexcept {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b = byte(i);
    if (b < 0x80) {
        length = 1;
        return b;
    }
    std::size_t n = b >= 0xF0 && b < 0xF8 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
    if (n == 0 || i + n > s.size()) {
        length = 1;
        return 0xFFFFFFFF;
    }
    char32_t c = b & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            length = 1;
            return 0xFFFFFFFF;
        }
        c = (c << 6) | (byte(i + k) & 0x3F);
    }
    length = n;
    return c;
}

void encode(char32_t c, std::string& out) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

char32_t fold(char32_t c) noexcept {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c < 0xC0) return c;
    if (c <= 0xDE) return c == 0xD7 ? c : c + 32;                       // Latin-1: À-Þ except ×
    if (c >= 0x100 && c <= 0x17F) {                                     // Latin Extended-A
        if (c == 0x130) return 'i';                                     // İ
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))   // odd/even swapped here
            return (c % 2 == 1) ? c + 1 : c;
        if (c == 0x178) return 0xFF;                                    // Ÿ
        return (c % 2 == 0) ? c + 1 : c;
    }
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;          // Greek capitals
    if (c == 0x3C2) return 0x3C3;                                       // final sigma
    if (c >= 0x410 && c <= 0x42F) return c + 32;                        // Cyrillic А-Я
    if (c >= 0x400 && c <= 0x40F) return c + 80;                        // Cyrillic Ѐ-Џ
    return c;
}

}  // namespace

void fold_case(std::string_view text, std::string& out) {
    for (std::size_t i = 0; i < text.size();) {
        unsigned char b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {  // the common case, without decoding
            out += static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
            ++i;
            continue;
        }
        std::size_t length = 1;
        char32_t c = decode(text, i, length);
        if (c == 0xFFFFFFFF) out += text[i];
        else encode(fold(c), out);
        i += length;
    }
}

std::string fold_case(std::string_view text) {
    std::string out;
    fold_case(text, out);
    return out;
}

bool is_word_code_point(char32_t c) noexcept {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (c == 0xFFFFFFFF) return false;
    if (c <= 0xBF) return c == 0xAA || c == 0xB5 || c == 0xBA;           // Latin-1 punctuation, symbols
    if (c == 0xD7 || c == 0xF7) return false;                            // × ÷
    if (c >= 0x2000 && c <= 0x2BFF) return false;                        // punctuation, arrows, symbols
    if (c >= 0x3000 && c <= 0x303F) return false;                        // CJK punctuation
    if (c >= 0xFE10 && c <= 0xFE6F) return false;                        // vertical/small forms
    if (c >= 0xFF00 && c <= 0xFF0F) return false;                        // fullwidth punctuation
    if (c >= 0x1F000 && c <= 0x1FAFF) return false;                      // emoji and pictographs
    return true;
}

std::uint32_t PhraseMatcher::add_phrase(std::string_view phrase) {
    count_compile_work(phrase.size());
    std::string folded = fold_case(phrase);
    // A hash of the phrases seen: a list of n phrases used in k branches costs n·k, not n²·k.
    auto [it, added] = phrase_ids_.try_emplace(folded, static_cast<std::uint32_t>(phrases_.size()));
    if (added) phrases_.push_back(std::move(folded));
    return it->second;
}

void PhraseMatcher::build() {
    phrase_ids_ = {};  // only adding phrases needs it: not kept in the compiled flow
    // Bytes that occur in phrases get classes of their own; every other byte shares class 0.
    // Phrases are folded, so an ASCII capital shares its lower-case letter's class: ASCII text
    // needs no folding pass before the scan.
    byte_class_.assign(256, 0);
    classes_ = 1;
    for (const std::string& p : phrases_)
        for (char ch : p) {
            auto b = static_cast<unsigned char>(ch);
            if (byte_class_[b] == 0) byte_class_[b] = static_cast<std::uint8_t>(classes_++);
        }
    for (unsigned char upper = 'A'; upper <= 'Z'; ++upper) byte_class_[upper] = byte_class_[upper + 32];
    // A trie first (0 = no edge yet), then failure links turn it into a complete DFA.
    std::vector<std::vector<std::uint32_t>> outputs(1);
    std::vector<std::uint32_t> next(classes_, 0);
    for (std::uint32_t id = 0; id < phrases_.size(); ++id) {
        std::uint32_t state = 0;
        for (char ch : phrases_[id]) {
            std::size_t at = state * classes_ + byte_class_[static_cast<unsigned char>(ch)];
            if (next[at] == 0) {
                next[at] = static_cast<std::uint32_t>(outputs.size());
                outputs.emplace_back();
                next.resize(next.size() + classes_, 0);
            }
            state = next[at];
        }
        outputs[state].push_back(id);
    }
    std::vector<std::uint32_t> fail(outputs.size(), 0);
    std::deque<std::uint32_t> queue;
    for (std::uint32_t c = 0; c < classes_; ++c)
        if (std::uint32_t s = next[c]; s != 0) queue.push_back(s);
    while (!queue.empty()) {
        std::uint32_t state = queue.front();
        queue.pop_front();
        const auto& inherited = outputs[fail[state]];
        outputs[state].insert(outputs[state].end(), inherited.begin(), inherited.end());
        for (std::uint32_t c = 0; c < classes_; ++c) {
            std::uint32_t& edge = next[state * classes_ + c];
            std::uint32_t fallback = next[fail[state] * classes_ + c];
            if (edge != 0) {
                fail[edge] = fallback;
                queue.push_back(edge);
            } else {
                edge = fallback;
            }
        }
    }
    // Transitions hold the target's row offset, so the scan loop does no multiply; a row's first
    // cell in ends_phrase_ says whether reaching it ends a phrase.
    next_.resize(next.size());
    for (std::size_t i = 0; i < next.size(); ++i) next_[i] = next[i] * classes_;
    ends_phrase_.assign(next.size(), 0);
    for (std::size_t s = 0; s < outputs.size(); ++s) ends_phrase_[s * classes_] = outputs[s].empty() ? 0 : 1;
    out_begin_.assign(outputs.size() + 1, 0);
    out_.clear();
    for (std::size_t s = 0; s < outputs.size(); ++s) {
        out_begin_[s] = static_cast<std::uint32_t>(out_.size());
        out_.insert(out_.end(), outputs[s].begin(), outputs[s].end());
    }
    out_begin_[outputs.size()] = static_cast<std::uint32_t>(out_.size());
    count_compile_work(next_.size() + out_.size());
}

namespace {

// Is the code point that ends just before byte `end` (or starts at `begin`) a word character?
bool word_before(std::string_view s, std::size_t end) noexcept {
    if (end == 0) return false;
    std::size_t start = end - 1;
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t length = 1;
    char32_t c = decode(s, start, length);
    return is_word_code_point(c);
}
bool word_at(std::string_view s, std::size_t begin) noexcept {
    if (begin >= s.size()) return false;
    std::size_t length = 1;
    return is_word_code_point(decode(s, begin, length));
}

}  // namespace

void PhraseMatcher::scan(std::string_view text, std::vector<std::uint64_t>& matched) const noexcept {
    std::uint32_t row = 0;
    const std::uint32_t* next = next_.data();
    const std::uint8_t* ends_phrase = ends_phrase_.data();
    const std::uint8_t* byte_class = byte_class_.data();
    for (std::size_t i = 0; i < text.size(); ++i) {
        row = next[row + byte_class[static_cast<unsigned char>(text[i])]];
        if (ends_phrase[row] == 0) continue;
        const std::uint32_t state = row / classes_;
        for (std::uint32_t k = out_begin_[state]; k < out_begin_[state + 1]; ++k) {
            std::uint32_t id = out_[k];
            const std::string& phrase = phrases_[id];
            std::size_t end = i + 1;
            std::size_t begin = end - phrase.size();
            // A boundary is needed only where the phrase itself starts/ends with a word character.
            if (word_at(phrase, 0) && word_before(text, begin)) continue;
            if (word_before(phrase, phrase.size()) && word_at(text, end)) continue;
            matched[id / 64] |= std::uint64_t{1} << (id % 64);
        }
    }
}

}  // namespace triage::detail
