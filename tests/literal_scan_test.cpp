// The SIMD literal scan (src/literal_scan.hpp) finds exactly what the automaton finds: the same
// phrase bits for words and substrings, on generated and adversarial texts. On a processor
// without AVX2 both matchers are the automaton, and the comparison says nothing.
#include "text_match.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace triage;
using Engine = detail::PhraseMatcher::Engine;

namespace {

// Word list phrases ("w:…") and `contains` phrases ("s:…"): one byte, prefixes and overlaps of
// each other, non-ASCII letters, word characters that are not letters, and phrases longer than
// a block of 16 and of 32 bytes (up to the longest the scan holds). Two fields' worth: at most
// LiteralScan::max_phrases each.
std::vector<std::vector<std::string>> adversarial_fields() {
    return {{"s:a", "w:a", "s:ab", "w:ab", "s:acme", "s:acmecorp", "s:@acme", "w:acme", "s:é", "w:café", "s:ümlaut",
             "w:x_1"},
            {"s:.", "s:acme", "w:ab", "s:" + std::string("abcdefghij") + "klmnopqrst" + "uvwxyz",
             "s:" + std::string(40, 'q') + "é" + std::string(4, 'r'),
             "w:" + std::string(31, 'b') + "c" + std::string(31, 'b') + "d"}};
}

struct Engines {
    std::vector<detail::PhraseMatcher> matchers;  // the automaton, then the literal scan
    explicit Engines(const std::vector<std::string>& phrases) {
        for (Engine engine : {Engine::automaton, Engine::automatic}) {
            detail::PhraseMatcher& m = matchers.emplace_back();
            for (const std::string& p : phrases)
                p.starts_with("w:") ? m.add_phrase(p.substr(2)) : m.add_substring(p.substr(2));
            m.build(engine);
            CHECK(m.scans_literals() == (engine != Engine::automaton && detail::LiteralScan::available()));
        }
    }

    // Checks that every engine finds the same phrases in `text`; says how many the automaton found.
    std::size_t agree(std::string_view text) {
        detail::FoldedText folded;
        folded.assign(text);
        detail::WhiteSpaceRuns runs;
        std::vector<std::uint64_t> want;
        for (const detail::PhraseMatcher& m : matchers) {
            std::vector<std::uint64_t> found(m.words(), 0);
            m.scan(folded.view(), found, runs);
            if (&m == &matchers.front()) want = found;
            CHECK(found == want);
        }
        std::size_t count = 0;
        for (std::uint64_t w : want) count += static_cast<std::size_t>(__builtin_popcountll(w));
        return count;
    }
};

// `text` with its ASCII letters in random case.
std::string mixed_case(std::string text, std::mt19937_64& rng) {
    for (char& c : text)
        if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) && rng() % 2 == 0) c = static_cast<char>(c ^ 0x20);
    return text;
}

// Checks `phrase` (in random case) at every place of fillers of lengths 0 to 100; says how many
// phrases the automaton found.
std::size_t at_every_place(Engines& engines, const std::string& phrase, std::mt19937_64& rng) {
    const std::vector<std::string> fillers = {"z", " ", "é", "Z", "_", "\t"};
    std::size_t found = 0;
    for (std::size_t length = 0; length <= 100; length += 1 + rng() % 3) {
        const std::string& filler = fillers[rng() % fillers.size()];
        std::string around;
        while (around.size() < length) around += filler;
        for (std::size_t at = 0; at <= around.size(); ++at) {
            if (at < around.size() && (around[at] & 0xC0) == 0x80) continue;  // inside a UTF-8 sequence
            const std::string text = around.substr(0, at) + mixed_case(phrase, rng) + around.substr(at);
            CAPTURE(text);
            found += engines.agree(text);
        }
    }
    return found;
}

}  // namespace

TEST_CASE("the literal scan finds each phrase at every place in texts of every length up to three blocks") {
    // Phrases at the start and end of the text, across the edges of 32-byte blocks, in texts
    // shorter than a block, next to word characters, white space and non-ASCII letters.
    std::mt19937_64 rng(20);
    std::size_t found = 0;
    for (const std::vector<std::string>& phrases : adversarial_fields()) {
        Engines engines(phrases);
        for (const std::string& p : phrases) found += at_every_place(engines, p.substr(2), rng);
    }
    CHECK(found > 50'000);  // the phrases are found: the comparison is not of empty sets
}

TEST_CASE("the literal scan agrees with the automaton on generated texts, ASCII and not") {
    std::mt19937_64 rng(21);
    const std::vector<std::string> pieces = {
        "a", "b",  "c",     "A",      "acme",       "ACME", "corp",       "@",          "é",      "É",
        " ", ".",  "x_1",   "X_1",    "café",       "CAFÉ", "ü",          "mlaut",      "Ümlaut", "rr",
        "d", "qqqqqqqqqq", "abcdefghij", "klmnopqrst", "uvwxyz", "bbbbbbbbbbbbbbbb"};
    std::size_t found = 0;
    for (const std::vector<std::string>& phrases : adversarial_fields()) {
        Engines engines(phrases);
        for (int round = 0; round < 20'000; ++round) {
            std::string text;
            const std::size_t length = rng() % 160;
            while (text.size() < length) text += pieces[rng() % pieces.size()];
            CAPTURE(text);
            found += engines.agree(text);
        }
    }
    CHECK(found > 20'000);
}

TEST_CASE("the literal scan is chosen only for few short phrases without spaces") {
    auto literal = [](const std::vector<std::string>& phrases) {
        detail::PhraseMatcher m;
        for (const std::string& p : phrases) m.add_substring(p);
        m.build();
        return m.scans_literals();
    };
    const bool avx2 = detail::LiteralScan::available();
    CHECK(literal({"acme", "scam", "lol"}) == avx2);
    CHECK(literal({"Acme", "ÉTÉ"}) == avx2);  // folded to lower case first
    CHECK_FALSE(literal({"acme", "air force"}));  // a space matches a run of white space: the automaton
    std::vector<std::string> many;
    for (std::size_t k = 0; k <= detail::LiteralScan::max_phrases; ++k) many.push_back("w" + std::to_string(k));
    CHECK_FALSE(literal(many));
    many.pop_back();
    CHECK(literal(many) == avx2);
    CHECK(literal({std::string(detail::LiteralScan::max_length, 'x')}) == avx2);
    CHECK_FALSE(literal({std::string(detail::LiteralScan::max_length + 1, 'x')}));
}
