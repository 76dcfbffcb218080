// The Teddy filter (src/teddy_scan.hpp) finds exactly what the automaton finds: the same phrase
// bits for words and substrings, on generated and adversarial texts, with each kernel this
// processor runs (SSSE3, AVX2). A kernel the processor lacks is not built, and the matcher that
// asked for it scans with the automaton, which the comparison then checks against itself.
#include "text_match.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace triage;
using Engine = detail::PhraseMatcher::Engine;
using Kernel = detail::TeddyScan::Kernel;

namespace {

// Sixteen phrases, six sharing the fingerprint "acm" and ten others: several to a bucket.
std::vector<std::string> crowded_field() {
    std::vector<std::string> phrases = {"s:acm", "w:acme", "s:acmecorp", "s:acmé", "w:acm_1", "s:acmx"};
    for (char c = 'a'; c <= 'j'; ++c) phrases.push_back(std::string(c % 2 == 0 ? "s:" : "w:") + c + "cme" + c);
    return phrases;
}

// Word list phrases ("w:…") and `contains` phrases ("s:…"): one byte, prefixes and overlaps of
// each other, non-ASCII letters, word characters that are not letters, bytes that differ from
// a letter's by 0x20 ('[' and '{', '@' and '`'), and phrases longer than a block of 16 and of 32
// bytes.
std::vector<std::vector<std::string>> adversarial_fields() {
    return {{"s:a", "w:a", "s:ab", "w:ab", "s:acme", "s:acmecorp", "s:@acme", "w:acme", "s:é", "w:café", "s:ümlaut",
             "w:x_1", "s:.", "s:[z", "s:{"},
            {"s:acme", "w:ab", "s:" + std::string("abcdefghij") + "klmnopqrst" + "uvwxyz",
             "s:" + std::string(40, 'q') + "é" + std::string(4, 'r'),
             "w:" + std::string(31, 'b') + "c" + std::string(31, 'b') + "d", "s:" + std::string(60, 'z') + "y"},
            {"s:acme", "s:scam", "s:idiots", "s:lol", "w:legal", "s:lawsuit", "s:@acme", "s:satire"},
            crowded_field()};
}

struct Engines {
    std::vector<detail::PhraseMatcher> matchers;  // the automaton, then each kernel
    explicit Engines(const std::vector<std::string>& phrases) {
        for (Engine engine : {Engine::automaton, Engine::ssse3, Engine::avx2}) {
            detail::PhraseMatcher& m = matchers.emplace_back();
            for (const std::string& p : phrases)
                p.starts_with("w:") ? m.add_phrase(p.substr(2)) : m.add_substring(p.substr(2));
            m.build(engine);
            const Kernel kernel = engine == Engine::ssse3 ? Kernel::ssse3 : Kernel::avx2;
            const bool built = engine != Engine::automaton && detail::TeddyScan::runs(kernel);
            CHECK(m.teddy_kernel() == (built ? kernel : Kernel::none));
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
    const std::vector<std::string> fillers = {"z", " ", "é", "Z", "_", "\t", "`", "A"};
    std::size_t found = 0;
    for (std::size_t length = 0; length <= 100; length += 1 + rng() % 4) {
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

TEST_CASE("the Teddy filter finds each phrase at every place in texts of every length up to several blocks") {
    // Phrases at the start and end of the text, across the edges of 16- and 32-byte blocks, in
    // texts shorter than a block, next to word characters, white space and non-ASCII letters.
    std::mt19937_64 rng(20);
    std::size_t found = 0;
    for (const std::vector<std::string>& phrases : adversarial_fields()) {
        Engines engines(phrases);
        for (const std::string& p : phrases) found += at_every_place(engines, p.substr(2), rng);
    }
    CHECK(found > 100'000);  // the phrases are found: the comparison is not of empty sets
}

TEST_CASE("the Teddy filter agrees with the automaton on generated texts, ASCII and not") {
    std::mt19937_64 rng(21);
    const std::vector<std::string> pieces = {
        "a",     "b",    "c",          "A",      "acme",       "ACME",       "corp",   "@",    "é",     "É",
        " ",     ".",    "x_1",        "X_1",    "café",       "CAFÉ",       "ü",      "mlaut", "Ümlaut", "rr",
        "d",     "qqqqqqqqqq", "abcdefghij", "klmnopqrst", "uvwxyz", "bbbbbbbbbbbbbbbb", "[z", "{Z", "`acme",
        "zzzzzzzzzzzzzzzzzzzzzzzzz", "y", "scam", "LoL", "legal", "idiots", "SATIRE", "xcmex", "acm", "_"};
    std::size_t found = 0;
    for (const std::vector<std::string>& phrases : adversarial_fields()) {
        Engines engines(phrases);
        for (int round = 0; round < 10'000; ++round) {
            std::string text;
            const std::size_t length = rng() % 200;
            while (text.size() < length) text += pieces[rng() % pieces.size()];
            CAPTURE(text);
            found += engines.agree(text);
        }
    }
    CHECK(found > 40'000);
}

TEST_CASE("the Teddy filter is chosen for at most 16 phrases of 3 to 64 bytes without white space, with SIMD") {
    auto kernel = [](const std::vector<std::string>& phrases, Engine engine = Engine::automatic) {
        detail::PhraseMatcher m;
        for (const std::string& p : phrases) m.add_substring(p);
        m.build(engine);
        return m.teddy_kernel();
    };
    const Kernel best = detail::TeddyScan::best_kernel();  // AVX2, else SSSE3, else none
    const Kernel avx2 = detail::TeddyScan::runs(Kernel::avx2) ? Kernel::avx2 : Kernel::none;
    CHECK(kernel({"acme", "scam", "lol"}) == best);
    CHECK(kernel({"Acme", "ÉTÉ"}) == best);  // folded to lower case first
    CHECK(kernel({"acme", "air force"}) == Kernel::none);  // a space matches a run of white space: the automaton
    CHECK(kernel({"acme", "air force"}, Engine::avx2) == Kernel::none);
    CHECK(kernel({"acme", "ab"}) == Kernel::none);  // a fingerprint of two bytes: too many candidates
    CHECK(kernel({"acme", "ab"}, Engine::avx2) == avx2);
    CHECK(kernel({"acme", "ab"}, Engine::ssse3) ==
          (detail::TeddyScan::runs(Kernel::ssse3) ? Kernel::ssse3 : Kernel::none));
    CHECK(kernel({"acme"}, Engine::automaton) == Kernel::none);
    CHECK(kernel({"acme", std::string(detail::TeddyScan::max_length, 'x')}) == best);
    CHECK(kernel({"acme", std::string(detail::TeddyScan::max_length + 1, 'x')}) == Kernel::none);
    std::vector<std::string> many;
    for (std::size_t k = 0; k <= detail::TeddyScan::max_phrases; ++k) many.push_back("word" + std::to_string(k));
    CHECK(kernel(many) == Kernel::none);
    many.pop_back();
    CHECK(kernel(many) == best);
}

TEST_CASE("the Teddy filter agrees with the automaton when every phrase falls in one bucket (a hostile flow)") {
    // Sixteen phrases of 64 bytes sharing their first 63: one fingerprint, so one bucket, and on a
    // text of that byte every position is a candidate for all sixteen.
    std::vector<std::string> phrases;
    for (char c = 'b'; c < 'b' + 16; ++c)
        phrases.push_back(std::string(c % 2 == 0 ? "s:" : "w:") + std::string(63, 'a') + c);
    Engines engines(phrases);
    std::size_t found = 0;
    for (std::size_t length = 0; length <= 300; length += 7) {
        const std::string run(length, 'a');
        CAPTURE(length);
        found += engines.agree(run);
        for (char c = 'b'; c < 'b' + 16; c += 5) {
            found += engines.agree(run + c);
            found += engines.agree(run + static_cast<char>(c ^ 0x20) + " " + run);
        }
    }
    CHECK(found > 100);  // found where 63 'a' precede the letter
    std::mt19937_64 rng(21);
    for (const std::string& p : phrases) found += at_every_place(engines, p.substr(2), rng);
}
