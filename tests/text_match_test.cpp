// The matching rules of `has any` / `has all` (whole words) and `contains` (anywhere), one row
// per case: the phrase, the text, and the part of the text as written that matched (or that
// nothing did). docs/language.md states these rules; a change here is a change there.
#include "text_match.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace triage;

namespace {

constexpr std::string_view no_match = "(no match)";

struct Row {
    std::string_view phrase;
    std::string_view text;
    std::string_view found;  // the text as written, or no_match
};

// `text` as the evaluator scans it: folded, and what a built matcher found in it.
struct Scanned {
    detail::FoldedText folded;
    std::vector<std::uint64_t> found;
    detail::WhiteSpaceRuns runs;
};
Scanned scan(detail::PhraseMatcher& matcher, std::string_view text) {
    matcher.build();
    Scanned s;
    s.folded.assign(text);
    s.found.assign(matcher.words(), 0);
    matcher.scan(s.folded.view(), s.found, s.runs);
    return s;
}

// The part of `text` where the automaton finds `phrase` on word boundaries, as explain shows it.
std::string word_match(std::string_view phrase, std::string_view text) {
    detail::PhraseMatcher matcher;
    const std::uint32_t id = matcher.add_phrase(phrase);
    auto [folded, found, runs] = scan(matcher, text);
    const std::optional<detail::TextSpan> span = matcher.find(folded.view(), id, runs);
    CHECK((found[0] & 1) == (span ? 1u : 0u));  // the scan and the search for the span agree
    if (!span) return std::string(no_match);
    const std::string_view written = folded.original(span->begin, span->end);
    CHECK(written.data() >= text.data());  // borrowed from the text itself
    CHECK(written.data() + written.size() <= text.data() + text.size());
    return std::string(written);
}

// The same for a `contains` phrase: anywhere, word boundaries or not.
std::string substring_match(std::string_view phrase, std::string_view text) {
    detail::PhraseMatcher matcher;
    const std::uint32_t id = matcher.add_substring(phrase);
    auto [folded, found, runs] = scan(matcher, text);
    const std::optional<detail::TextSpan> span = matcher.find(folded.view(), id, runs);
    CHECK((found[0] & 1) == (span ? 1u : 0u));
    return span ? std::string(folded.original(span->begin, span->end)) : std::string(no_match);
}

// Which of `phrases` one automaton finds in `text`; each is a word list phrase ("w:…") or a
// `contains` phrase ("s:…"). Found ones are listed in the order given.
std::vector<std::string> found_in(std::string_view text, const std::vector<std::string>& phrases) {
    detail::PhraseMatcher matcher;
    std::vector<std::uint32_t> ids;
    for (const std::string& p : phrases)
        ids.push_back(p.starts_with("w:") ? matcher.add_phrase(p.substr(2)) : matcher.add_substring(p.substr(2)));
    auto [folded, found, runs] = scan(matcher, text);
    std::vector<std::string> out;
    for (std::size_t k = 0; k < phrases.size(); ++k) {
        const bool hit = ((found[ids[k] / 64] >> (ids[k] % 64)) & 1) != 0;
        CHECK(hit == matcher.find(folded.view(), ids[k], runs).has_value());  // scan and find agree
        if (hit) out.push_back(phrases[k]);
    }
    return out;
}

using Found = std::vector<std::string>;

void check_rows(const std::vector<Row>& rows, std::string (*match)(std::string_view, std::string_view)) {
    for (const Row& row : rows) {
        CAPTURE(row.phrase);
        CAPTURE(row.text);
        CHECK(match(row.phrase, row.text) == row.found);
    }
}

}  // namespace

TEST_CASE("phrases of word lists match whole words, case folded, as the table says") {
    check_rows({
        // ASCII: case, word boundaries, a phrase's space
        {"usaf", "Go USAF!", "USAF"},
        {"usaf", "usafe", no_match},
        {"usaf", "misusaf", no_match},
        {"usaf", "(USAF)", "USAF"},
        {"lol", "lollipop lol", "lol"},
        {"air force", "the airforce band", no_match},
        {"air force", "AIR FORCE one", "AIR FORCE"},
        {"ref 12", "ref 123", no_match},
        {"can't", "I can't", "can't"},
        {"can", "I can't", "can"},  // an apostrophe is no letter
        // white space: any run of it in the text is one space of the phrase
        {"air force", "air  force", "air  force"},
        {"air force", "air\tforce", "air\tforce"},
        {"air force", "air \r\n force", "air \r\n force"},
        {"air force", "air\u00A0force", "air\u00A0force"},              // no-break space
        {"air force", "air \u00A0\u2003force", "air \u00A0\u2003force"},  // a mixed run
        {"air force", "air\u3000force", "air\u3000force"},              // ideographic space
        {"air force", "air\u2028force", "air\u2028force"},              // line separator
        {"air  force", "air force", "air force"},                        // the phrase's own run too
        {"air force", "go  to  AIR  FORCE", "AIR  FORCE"},              // runs before it and in it
        {"air force", "go  to the AIR force", "AIR force"},
        {"air force", "go  theair  force", no_match},
        {"air\u00A0force", "AIR FORCE", "AIR FORCE"},
        {"air force", "air\u200Bforce", no_match},  // a zero-width space is no space: it is ignored
        // apostrophes and quotes
        {"can't", "I can’t believe it", "can’t"},  // U+2019
        {"can't", "can‘t", "can‘t"},               // U+2018
        {"can't", "canʼt", "canʼt"},               // U+02BC
        {"can't", "can＇t", "can＇t"},             // U+FF07
        {"can’t", "CAN'T", "CAN'T"},
        {"\"great\"", "a “great” flight", "“great”"},
        {"\"great\"", "„great‟", "„great‟"},
        // composition: precomposed and decomposed letters are the same letter
        {"café", "CAFE\u0301 au lait", "CAFE\u0301"},
        {"cafe\u0301", "Ich liebe das Café.", "Café"},
        {"café", "cafés", no_match},
        // accents are kept
        {"café", "cafe", no_match},
        {"cafe", "café", no_match},
        {"cafe", "cafe\u0301", no_match},
        {"cafe", "cafe\u0333", no_match},  // a mark that composes with nothing still belongs to the word
        {"dien", "ĐIỆN", no_match},
        {"điện", "ĐIỆN thoại", "ĐIỆN"},
        {"điện", "đie\u0323\u0302n", "đie\u0323\u0302n"},  // marks in either order compose alike
        {"điện", "đie\u0302\u0323n", "đie\u0302\u0323n"},
        // German ß and ẞ fold to ss
        {"strasse", "Straße", "Straße"},
        {"straße", "STRASSE", "STRASSE"},
        {"strasse", "STRAẞE", "STRAẞE"},
        {"weiß", "WEISS", "WEISS"},
        {"stras", "Straße", no_match},  // "ß" is both s: a phrase cannot end between them
        // digraphs: Ǆ ǅ ǆ are one letter in three cases, and d with ž
        {"ǆungla", "ǄUNGLA", "ǄUNGLA"},
        {"ǆungla", "ǅungla", "ǅungla"},
        {"džungla", "ǅungla", "ǅungla"},
        // Turkish: İ is i; ı stays ı; I is i, as in English
        {"istanbul", "İSTANBUL", "İSTANBUL"},
        {"İzmir", "izmir", "izmir"},
        {"istanbul", "ISTANBUL", "ISTANBUL"},
        {"ırmak", "ırmak", "ırmak"},
        {"ırmak", "IRMAK", no_match},
        {"irmak", "ırmak", no_match},
        // Greek: final sigma is sigma; accents kept
        {"σας", "ΣΑΣ!", "ΣΑΣ"},
        {"σας", "σασ", "σασ"},
        {"οδός", "ΟΔΌΣ", "ΟΔΌΣ"},
        {"οδος", "ΟΔΌΣ", no_match},
        // compatibility forms
        {"full", "ｆｕｌｌ", "ｆｕｌｌ"},
        {"fine", "ﬁne", "ﬁne"},
        {"tomorrow", "to\u00ADmorrow", "to\u00ADmorrow"},  // a soft hyphen is ignored
        // emoji match as they are; a variation selector is ignored
        {"🔥", "so lit🔥🔥", "🔥"},
        {"👍", "👍🏽", "👍"},
        {"❤\uFE0F", "I ❤ it", "❤"},
        {"lit", "lit🔥", "lit"},
        // right-to-left text has words too
        {"שלום", "אמר שלום לכולם", "שלום"},
        {"שלום", "שלומי", no_match},
        {"مرحبا", "قال مرحبا!", "مرحبا"},
        {"مرحبا", "مرحباً", no_match},  // a vowel mark belongs to the word (accents are kept)
        // scripts written without spaces: substrings
        {"東京", "東京タワーに行った", "東京"},
        {"タワー", "東京タワーに", "タワー"},
        {"ไทย", "ภาษาไทยง่าย", "ไทย"},
        {"iphone", "iPhoneを買った", "iPhone"},  // Latin beside kana: a boundary
        {"phone", "iPhoneを買った", no_match},
        {"한국", "한국어", no_match},  // Korean is written with spaces
        {"한국", "한국 사람", "한국"},
        // bytes that are not UTF-8 are kept as they are
        {"bad", "\xff bad \xfe", "bad"},
        // HTML as exports carry it (YouTube's textDisplay, Mastodon's content, Twitter's &amp;)
        {"didn't", "I didn&#39;t get my refund", "didn&#39;t"},
        {"don't", "<p>I don&rsquo;t know</p>", "don&rsquo;t"},
        {"at&t", "AT&amp;T is down", "AT&amp;T"},
        {"\"best flight\"", "&quot;Best flight&quot;", "&quot;Best flight&quot;"},
        {"lost luggage", "lost<br>luggage", "lost<br>luggage"},
        {"lost luggage", "lost<BR />luggage", "lost<BR />luggage"},
        {"lost luggage", "lost</p><p>luggage", "lost</p><p>luggage"},
        {"air force", "air&nbsp;force", "air&nbsp;force"},
        {"amp", "AT&amp;T", no_match},  // a reference is the one character it stands for
        {"q&a", "Q&A time", "Q&A"},      // an & that starts no reference is an &
        {"bold", "<b>bold</b>", "bold"},  // other tags are read as written
    }, word_match);
}

TEST_CASE("contains finds the phrase anywhere, with the same folding") {
    check_rows({
        {"crew", "Aircrew", "crew"},
        {"refund", "non-REFUNDABLE", "REFUND"},
        {"can't", "CAN’T", "CAN’T"},
        {"air force", "AirForce", no_match},
        {"air force", "air\u00A0\u00A0force", "air\u00A0\u00A0force"},
        {"straße", "STRASSENBAHN", "STRASSE"},
        {"ss", "ẞ", "ẞ"},
        {"s", "ß", "ß"},  // whole characters: never half of one
        {"é", "e\u0301", "e\u0301"},
        {"cafe", "café", no_match},
        {"東京", "東京タワー", "東京"},
        {" lol", "so  lol", "  lol"},  // a space at either end is kept, and takes a whole run
        {" lol", "so\t\tlol", "\t\tlol"},
        {" lol", "lol", no_match},
        {"lol ", "LOL \t x", "LOL \t "},
        {"lol ", "lol", no_match},
        {"a b", "A \n B", "A \n B"},
        {"lol", "lollipop", "lol"},
        {"air force", "AIR\u00A0FORCE über", "AIR\u00A0FORCE"},
        {"\u00AD", "any text", no_match},  // folds to nothing: never found
        {"didn't", "I DIDN&#39;T", "DIDN&#39;T"},
        {"&", "AT&amp;T", "&amp;"},
        {"&#39", "didn&#39;t", no_match},  // the reference is read as the character
    }, substring_match);
}

TEST_CASE("word characters and scripts written without spaces") {
    CHECK(detail::is_word_code_point(U'é'));
    CHECK(detail::is_word_code_point(U'語'));
    CHECK(detail::is_word_code_point(U'\u0301'));  // marks
    CHECK(detail::is_word_code_point(U'٣'));       // digits of any script
    CHECK(detail::is_word_code_point(U'_'));
    CHECK_FALSE(detail::is_word_code_point(U'—'));
    CHECK_FALSE(detail::is_word_code_point(U'😀'));
    CHECK_FALSE(detail::is_word_code_point(U'\''));
    CHECK_FALSE(detail::is_word_code_point(0xFFFFFFFF));
    CHECK(detail::written_without_spaces(U'語'));
    CHECK(detail::written_without_spaces(U'ー'));
    CHECK(detail::written_without_spaces(U'ก'));
    CHECK(detail::written_without_spaces(U'\U00020000'));
    CHECK_FALSE(detail::written_without_spaces(U'a'));
    CHECK_FALSE(detail::written_without_spaces(U'한'));
    CHECK_FALSE(detail::written_without_spaces(U'。'));
    CHECK(detail::word_boundary(U' ', U'a'));
    CHECK_FALSE(detail::word_boundary(U'a', U'b'));
    CHECK(detail::word_boundary(U'e', U'を'));
    CHECK(detail::word_boundary(U'東', U'京'));
}

TEST_CASE("a long phrase that holds spaces, in text that repeats it, costs the text's length, not its product") {
    // Each "aa aa … aa" found inside "aaa aaa … aaa" starts inside a word: ~n candidates whose
    // start is needed, for a phrase of 100,000 words. Walking back over the phrase from each was
    // 10^10 steps (minutes: the suite's timeout fails it); the runs are read once instead.
    std::string phrase = "aa";
    for (int i = 1; i < 100'000; ++i) phrase += " aa";
    for (const char* gap : {" ", "  \t"}) {
        std::string text = "aaa";
        for (int i = 1; i < 300'000; ++i) (text += gap) += "aaa";
        CAPTURE(gap);
        CHECK(word_match(phrase, text) == no_match);
        CHECK(word_match(phrase, text + gap + phrase + ".") == phrase);
    }
}

TEST_CASE("a word list phrase and a contains phrase of one field share an automaton, each with its own rule") {
    const std::vector<std::string> crew = {"w:crew", "s:crew"};
    CHECK(found_in("Aircrew", crew) == Found{"s:crew"});
    CHECK(found_in("the CREW!", crew) == Found{"w:crew", "s:crew"});
    CHECK(found_in("Aircrew über alles", crew) == Found{"s:crew"});  // non-ASCII text, folded first
    CHECK(found_in("die Crew über alles", crew) == Found{"w:crew", "s:crew"});
    CHECK(found_in("a screwdriver", crew) == Found{"s:crew"});  // s-crew-driver
    CHECK(found_in("a cruel crow", crew) == Found{});

    detail::PhraseMatcher m;
    const std::uint32_t word = m.add_phrase("crew");
    const std::uint32_t substring = m.add_substring("crew");
    CHECK(word != substring);  // they fold alike but are matched differently
    CHECK(m.add_phrase("CREW") == word);
    CHECK(m.add_substring("Crew") == substring);
    CHECK(m.phrase_count() == 2);
}

TEST_CASE("overlapping words and substrings are all found in one scan") {
    const std::vector<std::string> acme = {"s:acme", "s:acmecorp", "s:@acme", "s:me", "w:acme", "w:acmecorp", "w:corp"};
    CHECK(found_in("@AcmeCorp rocks", acme) == Found{"s:acme", "s:acmecorp", "s:@acme", "s:me", "w:acmecorp"});
    CHECK(found_in("ACME corp", acme) == Found{"s:acme", "s:me", "w:acme", "w:corp"});
    CHECK(found_in("Acmé", acme) == Found{});  // accents are kept
    CHECK(found_in("Ácme—ACMECORP", acme) == Found{"s:acme", "s:acmecorp", "s:me", "w:acmecorp"});

    const std::vector<std::string> she = {"s:he", "s:she", "s:hers", "w:he", "w:she", "w:hers"};
    CHECK(found_in("ushers", she) == Found{"s:he", "s:she", "s:hers"});
    CHECK(found_in("USHERS, she said", she) == Found{"s:he", "s:she", "s:hers", "w:she"});
    CHECK(found_in("Ushers: Σας hers", she) == Found{"s:he", "s:she", "s:hers", "w:hers"});

    // Spaces: a substring's space at either end and a word's inner space, over one run.
    const std::vector<std::string> spaced = {"w:air force", "s:air ", "s: force", "s:r f", "w:r f"};
    CHECK(found_in("the air \t force", spaced) == Found{"w:air force", "s:air ", "s: force", "s:r f"});
    CHECK(found_in("airforce", spaced) == Found{});
    CHECK(substring_match(" force", "the air \t force") == " \t force");
    CHECK(substring_match("air ", "the air \t force") == "air \t ");
}

TEST_CASE("a contains phrase that ends with a space, over a long run of white space, costs the run once") {
    // The state after its space is reached again at each byte of the run; the span's end is
    // found once, not per byte (10^12 steps for this text otherwise: the suite's timeout fails it).
    const std::string text = "lol" + std::string(1'000'000, ' ') + "x";
    CHECK(substring_match("lol ", text) == text.substr(0, text.size() - 1));
    CHECK(substring_match(" x", text) == text.substr(3));
    CHECK(substring_match("x ", text) == no_match);
}

TEST_CASE("a long text is scanned in two halves side by side: what spans the middle is found as in one pass") {
    // Texts of 32 bytes or more whose phrases hold no space are read from both ends of their
    // halves at once; find() reads them in one pass. Both must find the same phrases, at every
    // place a phrase can straddle the middle, for words and substrings, ASCII and folded text.
    const std::vector<std::string> phrases = {"s:ab", "s:abc", "s:bca", "s:cab", "s:aaaa", "s:b",
                                              "w:ab", "w:abc", "w:cab", "w:aaaa", "w:é"};
    std::mt19937_64 rng(20);
    const std::vector<std::string> pieces = {"a", "b", "c", "A", "B", " ", ".", "é", "É"};
    std::size_t found = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        const std::size_t length = 28 + rng() % 80;
        while (text.size() < length) text += pieces[rng() % pieces.size()];
        CAPTURE(text);
        const Found got = found_in(text, phrases);  // checks scan against find, phrase by phrase
        found += got.size();
        // And against the plain rule for substrings: the lower-cased text holds the phrase.
        detail::FoldedText folded;
        folded.assign(text);
        for (const std::string& p : phrases) {
            if (!p.starts_with("s:")) continue;
            std::string lowered(folded.view());
            for (char& c : lowered) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            const bool want = lowered.find(p.substr(2)) != std::string::npos;
            CHECK(want == (std::find(got.begin(), got.end(), p) != got.end()));
        }
    }
    CHECK(found > 3000);  // the phrases are found often: the comparison is not of empty sets
}
