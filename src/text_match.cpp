#include "text_match.hpp"

#include "compile_work.hpp"
#include "text_util.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <deque>
#include <iterator>

namespace triage::detail {

namespace {

// Stands for the start or end of a text, and for a byte that is not UTF-8: no word character.
constexpr char32_t no_code_point = 0xFFFFFFFF;

bool is_ascii_word(unsigned char b) noexcept {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_';
}

// The code point starting at byte `at`, or no_code_point (past the end, or not UTF-8).
char32_t code_point_at(std::string_view s, std::size_t at) noexcept {
    if (at >= s.size()) return no_code_point;
    const auto b = static_cast<unsigned char>(s[at]);
    if (b < 0x80) return b;
    const std::size_t length = utf8_sequence(s, at);
    if (length == 0) return no_code_point;
    char32_t c = b & (0x7Fu >> length);
    for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (static_cast<unsigned char>(s[at + k]) & 0x3F);
    return c;
}

// The code point that ends just before byte `end`, or no_code_point.
char32_t code_point_before(std::string_view s, std::size_t end) noexcept {
    if (end == 0) return no_code_point;
    if (static_cast<unsigned char>(s[end - 1]) < 0x80) return static_cast<unsigned char>(s[end - 1]);
    std::size_t start = end - 1;
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    return utf8_sequence(s, start) == end - start ? code_point_at(s, start) : no_code_point;
}

// A word character of a script written with spaces: next to one, a boundary is missing.
bool joins_words(char32_t c) noexcept {
    if (c < 0x80) return is_ascii_word(static_cast<unsigned char>(c));
    return is_word_code_point(c) && !written_without_spaces(c);
}

// Scripts written without spaces (see written_without_spaces), by block, in code point order.
struct Block {
    char32_t first, last;
};
constexpr Block blocks_without_spaces[] = {
    {0x0E00, 0x0E7F},    // Thai
    {0x0E80, 0x0EFF},    // Lao
    {0x0F00, 0x0FFF},    // Tibetan
    {0x1000, 0x109F},    // Myanmar
    {0x1780, 0x17FF},    // Khmer
    {0x1950, 0x197F},    // Tai Le
    {0x1980, 0x19DF},    // New Tai Lue
    {0x19E0, 0x19FF},    // Khmer symbols
    {0x1A20, 0x1AAF},    // Tai Tham
    {0x2E80, 0x2FDF},    // CJK radicals, Kangxi radicals
    {0x3005, 0x3007},    // 々 〆 〇
    {0x3021, 0x3029},    // Hangzhou numerals
    {0x3031, 0x3035},    // kana repeat marks
    {0x3038, 0x303C},    // Hangzhou numerals, ideographic iteration marks
    {0x3040, 0x30FF},    // Hiragana, Katakana
    {0x3100, 0x312F},    // Bopomofo
    {0x31A0, 0x31FF},    // Bopomofo extended, CJK strokes, Katakana phonetic extensions
    {0x3400, 0x4DBF},    // CJK unified ideographs extension A
    {0x4E00, 0x9FFF},    // CJK unified ideographs
    {0xA9E0, 0xA9FF},    // Myanmar extended-B
    {0xAA60, 0xAADF},    // Myanmar extended-A, Tai Viet
    {0xF900, 0xFAFF},    // CJK compatibility ideographs
    {0xFF66, 0xFF9F},    // halfwidth Katakana
    {0x1B000, 0x1B16F},  // Kana supplement, Kana extended-A, small Kana extension
    {0x20000, 0x3FFFF},  // CJK unified ideographs extensions B to H, compatibility supplement
};

}  // namespace

bool is_word_code_point(char32_t c) noexcept {
    if (c < 0x80) return is_ascii_word(static_cast<unsigned char>(c));
    if (c > 0x10FFFF) return false;
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_PC: return true;
    default: return false;
    }
}

bool written_without_spaces(char32_t c) noexcept {
    if (c < blocks_without_spaces[0].first) return false;
    const auto* block = std::upper_bound(std::begin(blocks_without_spaces), std::end(blocks_without_spaces), c,
                                         [](char32_t x, const Block& b) { return x < b.first; });
    return c <= std::prev(block)->last;
}

bool word_boundary(char32_t before, char32_t after) noexcept { return !joins_words(before) || !joins_words(after); }

namespace {

// PhraseMatcher::edges_ bits.
constexpr std::uint8_t bounded_start = 1;  // starts with a word character of a script written with spaces
constexpr std::uint8_t bounded_end = 2;    // ends with one
constexpr std::uint8_t holds_space = 4;    // its matches in text may be longer than it (runs of white space)
constexpr std::uint8_t ends_with_space = 8;  // a substring whose match takes the whole run of white space at its end

}  // namespace

std::uint32_t PhraseMatcher::add_phrase(std::string_view phrase) {
    count_compile_work(phrase.size());
    return add_folded(fold_phrase(phrase), true);
}

std::uint32_t PhraseMatcher::add_substring(std::string_view phrase) {
    count_compile_work(phrase.size());
    return add_folded(fold_substring(phrase), false);
}

std::uint32_t PhraseMatcher::add_folded(std::string folded, bool word) {
    // A hash of the phrases seen: a list of n phrases used in k branches costs n·k, not n²·k.
    auto& ids = word ? word_ids_ : substring_ids_;
    auto [it, added] = ids.try_emplace(folded, static_cast<std::uint32_t>(phrases_.size()));
    if (added) {
        std::uint8_t edges = 0;
        if (word && joins_words(code_point_at(folded, 0))) edges |= bounded_start;
        if (word && joins_words(code_point_before(folded, folded.size()))) edges |= bounded_end;
        if (folded.find(' ') != std::string::npos) edges |= holds_space;
        if (!folded.empty() && folded.back() == ' ') edges |= ends_with_space;
        edges_.push_back(edges);
        phrases_.push_back(std::move(folded));
    }
    return it->second;
}

void PhraseMatcher::build(Engine engine) {
    word_ids_ = {};  // only adding phrases needs them: not kept in the compiled flow
    substring_ids_ = {};
    // Bytes that occur in phrases get classes of their own; every other byte shares class 0.
    // Phrases are folded, so an ASCII capital shares its lower-case letter's class, and ASCII
    // white space the class of the space: ASCII text needs no folding pass before the scan.
    byte_class_.assign(256, 0);
    classes_ = 1;
    for (const std::string& p : phrases_)
        for (char ch : p) {
            auto b = static_cast<unsigned char>(ch);
            if (byte_class_[b] == 0) byte_class_[b] = static_cast<std::uint8_t>(classes_++);
        }
    for (unsigned char upper = 'A'; upper <= 'Z'; ++upper) byte_class_[upper] = byte_class_[upper + 32];
    const std::uint8_t space = byte_class_[' '];
    for (unsigned char b = '\t'; b <= '\r'; ++b) byte_class_[b] = space;
    // A trie first (0 = no edge yet), then failure links turn it into a complete DFA.
    std::vector<std::vector<std::uint32_t>> outputs(1);
    std::vector<std::uint8_t> after_space(1, 0);  // per state: reached by a space
    depth_.assign(1, 0);
    std::vector<std::uint32_t> next(classes_, 0);
    for (std::uint32_t id = 0; id < phrases_.size(); ++id) {
        if (phrases_[id].empty()) continue;  // folded to nothing (only ignorable characters): never found
        std::uint32_t state = 0;
        for (char ch : phrases_[id]) {
            std::size_t at = state * classes_ + byte_class_[static_cast<unsigned char>(ch)];
            if (next[at] == 0) {
                next[at] = static_cast<std::uint32_t>(outputs.size());
                outputs.emplace_back();
                after_space.push_back(ch == ' ' ? 1 : 0);
                depth_.push_back(depth_[state] + 1);
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
    // More white space after a space leaves the state as it is: the automaton then reads the text
    // as if each run of white space were one space. (Phrases hold no two spaces in a row, so no
    // trie edge is overwritten. A substring that ends with a space is reported again at each
    // further byte of the run: harmless, the first report is the one that counts.)
    if (space != 0)
        for (std::uint32_t s = 1; s < outputs.size(); ++s)
            if (after_space[s] != 0) next[s * classes_ + space] = s;
    spaced_ = space != 0;
    lay_out(next, outputs);
    count_compile_work(next_.size() + out_.size());
    choose_teddy(engine);
}

void PhraseMatcher::choose_teddy(Engine engine) {
    using Kernel = TeddyScan::Kernel;
    Kernel kernel = Kernel::none;
    if (engine == Engine::automatic && TeddyScan::fingerprint_length(phrases_) >= 3)
        kernel = TeddyScan::best_kernel();  // a shorter fingerprint lets most bytes of text through
    if (engine == Engine::ssse3) kernel = Kernel::ssse3;
    if (engine == Engine::avx2) kernel = Kernel::avx2;
    if (kernel == Kernel::none || !TeddyScan::runs(kernel) || !TeddyScan::suits(phrases_)) {
        teddy_ = {};
        return;
    }
    std::vector<bool> checked(phrases_.size());
    for (std::size_t id = 0; id < phrases_.size(); ++id)
        checked[id] = (edges_[id] & (bounded_start | bounded_end)) != 0;
    teddy_.build(phrases_, checked, kernel);
}

void PhraseMatcher::lay_out(const std::vector<std::uint32_t>& next, const std::vector<std::vector<std::uint32_t>>& outputs) {
    // A state's row is a cell saying which phrases end there (0: none; k: those of final state k,
    // out_[out_begin_[k - 1], out_begin_[k])), then one per byte class holding the target's row
    // offset: the scan does one load per byte and no multiply or divide. Byte classes count from
    // 1 to skip the first cell; they fit a byte, since ASCII capitals and white space have none.
    const std::uint32_t stride = classes_ + 1;
    for (std::uint8_t& c : byte_class_) ++c;
    next_.assign(outputs.size() * stride, 0);
    out_begin_.assign(1, 0);
    out_.clear();
    for (std::size_t s = 0; s < outputs.size(); ++s) {
        if (!outputs[s].empty()) {
            out_.insert(out_.end(), outputs[s].begin(), outputs[s].end());
            out_begin_.push_back(static_cast<std::uint32_t>(out_.size()));
            next_[s * stride] = static_cast<std::uint32_t>(out_begin_.size() - 1);
        }
        for (std::uint32_t c = 0; c < classes_; ++c) next_[s * stride + 1 + c] = next[s * classes_ + c] * stride;
    }
}

void WhiteSpaceRuns::reset() noexcept {
    runs_.clear();
    read_ = 0;
    extra_ = 0;
}

std::size_t WhiteSpaceRuns::start(std::string_view text, std::size_t end, std::size_t length) {
    auto space = [&](std::size_t i) { return is_space_byte(static_cast<unsigned char>(text[i])); };
    for (; read_ < end; ++read_) {
        if (read_ == 0 || !space(read_) || !space(read_ - 1)) continue;
        if (read_ == 1 || !space(read_ - 2)) runs_.push_back({read_ - 1 - extra_, 0});  // a run's second byte
        runs_.back().extra = ++extra_;
    }
    // The match's first byte as the scan counts bytes, then as the text does: past the extra
    // bytes of every run that began before it.
    const std::size_t first = end - extra_ - length;
    const auto before = std::partition_point(runs_.begin(), runs_.end(), [&](const Run& r) { return r.first < first; });
    return before == runs_.begin() ? first : first + std::prev(before)->extra;
}

namespace {

// Whether a short phrase that holds a space ends at `end` with one white space byte for each of
// its spaces (and, if it starts with one, no more white space before it): then it starts
// phrase.size() bytes before, and the runs need not be read. (A long one is not compared: for
// each of many candidates, that would be phrase × text again.)
bool written_as_is(std::string_view text, std::size_t end, std::string_view phrase) noexcept {
    if (phrase.size() > 64 || end < phrase.size()) return false;
    const std::size_t begin = end - phrase.size();
    if (phrase.front() == ' ' && begin > 0 && is_space_byte(static_cast<unsigned char>(text[begin - 1]))) return false;
    const char* t = text.data() + begin;
    for (std::size_t k = 0; k < phrase.size(); ++k)
        if (phrase[k] == ' ' ? !is_space_byte(static_cast<unsigned char>(t[k]))
                             : is_space_byte(static_cast<unsigned char>(t[k])))
            return false;
    return true;
}

}  // namespace

namespace {

// Where a scan reached a final state: which (its cell), and the end of what it read.
struct Hit {
    std::uint32_t final;
    std::size_t end;
};

// Two scans side by side, over [0, half) and [half, 2 half), at byte i of each.
struct TwoStreams {
    std::uint32_t first, second;  // their rows
    std::size_t i, half;
};

// Runs both scans on until the middle or until `hits` is nearly full, and says how many hits it
// wrote. Not inlined, and calls nothing: both rows stay in registers. (Kept on the stack across
// the calls that check each hit, they cost a store and a load per byte on each chain.)
[[gnu::noinline]] std::size_t run_two_streams(const std::uint32_t* next, const std::uint8_t* byte_class,
                                              const unsigned char* t, TwoStreams& s, std::array<Hit, 64>& hits) noexcept {
    std::uint32_t first = s.first, second = s.second;
    std::size_t i = s.i, n = 0;
    const std::size_t half = s.half;
    for (; i < half && n + 2 <= hits.size(); ++i) {
        first = next[first + byte_class[t[i]]];
        second = next[second + byte_class[t[half + i]]];
        const std::uint32_t a = next[first], b = next[second];
        if ((a | b) == 0) continue;
        hits[n] = {a, i + 1};
        n += a != 0;
        hits[n] = {b, half + i + 1};
        n += b != 0;
    }
    s.first = first;
    s.second = second;
    s.i = i;
    return n;
}

}  // namespace

std::optional<TextSpan> PhraseMatcher::accept(std::string_view text, std::uint32_t id, std::size_t end,
                                              WhiteSpaceRuns& runs) const {
    // The text's side of each end of the phrase decides: the phrase's side is a word character
    // of a script written with spaces (else there is no boundary to check).
    const std::uint8_t edges = edges_[id];
    if ((edges & bounded_end) != 0 && joins_words(code_point_at(text, end))) return std::nullopt;
    const std::string& phrase = phrases_[id];
    std::size_t begin = end - phrase.size();
    if ((edges & holds_space) != 0 && !written_as_is(text, end, phrase)) begin = runs.start(text, end, phrase.size());
    if ((edges & bounded_start) != 0 && joins_words(code_point_before(text, begin))) return std::nullopt;
    return TextSpan{begin, end};
}

template <typename Found>
void PhraseMatcher::each_match(std::string_view text, WhiteSpaceRuns& runs, Found&& found) const {
    runs.reset();
    std::uint32_t row = 0;
    const std::uint32_t* next = next_.data();
    const std::uint8_t* byte_class = byte_class_.data();
    for (std::size_t i = 0; i < text.size(); ++i) {
        row = next[row + byte_class[static_cast<unsigned char>(text[i])]];
        const std::uint32_t final = next[row];
        if (final == 0) continue;
        for (std::uint32_t k = out_begin_[final - 1]; k < out_begin_[final]; ++k)
            if (const std::optional<TextSpan> span = accept(text, out_[k], i + 1, runs); span && found(out_[k], *span))
                return;
    }
}

void PhraseMatcher::scan(std::string_view text, std::vector<std::uint64_t>& matched, WhiteSpaceRuns& runs) const {
    auto mark = [&](std::uint32_t id, TextSpan) {
        matched[id / 64] |= std::uint64_t{1} << (id % 64);
        return false;
    };
    if (teddy_.kernel() != TeddyScan::Kernel::none) {  // phrases without white space: no runs to read
        struct Context {
            const PhraseMatcher* matcher;
            std::string_view text;
            WhiteSpaceRuns* runs;
        };
        runs.reset();
        const Context context{this, text, &runs};
        auto accepted = [](const void* c, std::uint32_t id, std::size_t end) {
            const Context& in = *static_cast<const Context*>(c);
            return in.matcher->accept(in.text, id, end, *in.runs).has_value();
        };
        return teddy_.scan(text, matched.data(), accepted, &context);
    }
    // Phrases with spaces need the runs of white space read in order: one stream.
    if (spaced_ || text.size() < 32) return each_match(text, runs, mark);
    // Two halves side by side: each step is a load that depends on the one before, so two
    // independent chains take little longer than one. The second starts afresh at the middle;
    // the first goes on past it while its state is deeper than what it read past the middle
    // (a phrase that began before the middle may still end there: the second cannot see it).
    const auto* t = reinterpret_cast<const unsigned char*>(text.data());
    const std::uint32_t* next = next_.data();
    const std::uint8_t* byte_class = byte_class_.data();
    auto report = [&](std::uint32_t final, std::size_t end) {
        for (std::uint32_t k = out_begin_[final - 1]; k < out_begin_[final]; ++k)
            if (accept(text, out_[k], end, runs)) mark(out_[k], {});
    };
    TwoStreams streams{0, 0, 0, text.size() / 2};
    std::array<Hit, 64> hits;
    while (streams.i < streams.half) {
        const std::size_t n = run_two_streams(next, byte_class, t, streams, hits);
        for (std::size_t h = 0; h < n; ++h) report(hits[h].final, hits[h].end);
    }
    const std::size_t half = streams.half;
    std::uint32_t first = streams.first, second = streams.second;
    for (std::size_t i = 2 * half; i < text.size(); ++i) {  // the last byte of an odd length
        second = next[second + byte_class[t[i]]];
        if (next[second] != 0) report(next[second], i + 1);
    }
    const std::uint32_t stride = classes_ + 1;
    for (std::size_t i = half; i < text.size() && depth_[first / stride] > i - half; ++i) {
        first = next[first + byte_class[t[i]]];
        if (next[first] != 0) report(next[first], i + 1);
    }
}

std::optional<TextSpan> PhraseMatcher::find(std::string_view text, std::uint32_t id, WhiteSpaceRuns& runs) const {
    std::optional<TextSpan> first;
    each_match(text, runs, [&](std::uint32_t found, TextSpan span) {
        if (found == id) first = span;
        return first.has_value();
    });
    // Here, not in the scan: there, a run of white space would be walked once per byte of it.
    if (first && (edges_[id] & ends_with_space) != 0)
        while (first->end < text.size() && is_space_byte(static_cast<unsigned char>(text[first->end]))) ++first->end;
    return first;
}

}  // namespace triage::detail
