#include "hand_written.hpp"

#include <re2/re2.h>

#include <cctype>
#include <fstream>
#include <vector>

namespace by_hand {

namespace {

// ---- keyword matching ------------------------------------------------------------------------

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80) != 0; }

void lower_into(std::string_view text, std::string& lowered) {
    lowered.assign(text);
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Whole-word search in lower-cased text.
bool has_phrase(const std::string& lowered, std::string_view phrase) {
    for (std::size_t at = lowered.find(phrase); at != std::string::npos; at = lowered.find(phrase, at + 1)) {
        bool start_ok = at == 0 || !word_char(lowered[at - 1]);
        std::size_t end = at + phrase.size();
        bool end_ok = end == lowered.size() || !word_char(lowered[end]);
        if (start_ok && end_ok) return true;
    }
    return false;
}

bool has_any(const std::string& lowered, const std::vector<std::string_view>& phrases) {
    for (std::string_view p : phrases)
        if (has_phrase(lowered, p)) return true;
    return false;
}

}  // namespace

// ---- examples/airforce.flow ------------------------------------------------------------------

namespace airforce {

namespace {
const std::vector<std::string_view> about_us = {"air force", "usaf", "airman", "airmen", "air base", "afb"};
const std::vector<std::string_view> raging = {"lol", "lmao", "joke", "satire", "rant", "clowns", "pathetic", "wtf"};
const std::vector<std::string_view> success = {"thank you", "thanks", "proud", "rescue", "hero", "heroes", "grateful"};
}  // namespace

Outcome decide(const Mention& m, std::string& lowered) {
    lower_into(m.text, lowered);
    if (!has_any(lowered, about_us)) return not_about_us;
    const bool high_reach = m.followers >= 10000 || m.channel == Channel::news;
    if (m.sentiment >= 0.3) return has_any(lowered, success) && high_reach ? share_success : let_stand;
    if (m.sentiment >= -0.2 && m.experience != Experience::negative) return let_stand;
    const bool rager = has_any(lowered, raging);
    if (m.site_bashing || (m.sentiment < -0.8 && rager)) return monitor_only;
    if (rager) return monitor_only;
    if (m.facts_wrong) return fix_facts;
    if (m.experience == Experience::negative) return restore;
    if (high_reach && (m.channel == Channel::news || m.channel == Channel::blog)) return respond_with_facts;
    return let_stand;
}

}  // namespace airforce

// ---- examples/customer_care.flow -------------------------------------------------------------

namespace care {

namespace {

const std::vector<std::string_view> spam = {"crypto", "giveaway", "dm for promo", "free followers", "click here"};
const std::vector<std::string_view> luggage = {"luggage", "suitcase", "baggage", "bag"};
const std::vector<std::string_view> missing = {"lost", "missing", "delayed", "never arrived", "damaged"};
const std::vector<std::string_view> refund = {"refund", "money back", "reimburse", "compensation", "chargeback"};
const std::vector<std::string_view> praise = {"thank you", "thanks", "amazing", "great crew", "love"};

const std::vector<std::string>& legal_words() {
    static const std::vector<std::string> words = [] {
        std::vector<std::string> out;
        std::ifstream in(TRIAGE_SOURCE_DIR "/examples/customer_care.legal.txt");
        for (std::string line; std::getline(in, line);)
            if (!line.empty() && line[0] != '#') out.push_back(line);
        return out;
    }();
    return words;
}

}  // namespace

Outcome decide(const Mention& m, std::string& lowered) {
    static const RE2 booking_reference_i(R"((?i)\b(pnr|booking|ref)[ :#]*[a-z0-9]{6}\b)");
    lower_into(m.text, lowered);
    if (has_any(lowered, spam)) return spam_outcome;
    if (m.posted_at && m.last_reply_at && *m.last_reply_at > *m.posted_at) return already_handled;
    for (const std::string& word : legal_words())
        if (has_phrase(lowered, word)) return legal;
    if ((has_phrase(lowered, "bag") && has_phrase(lowered, "lost")) ||
        (has_any(lowered, luggage) && has_any(lowered, missing)))
        return RE2::PartialMatch(m.text, booking_reference_i) ? luggage_traced : luggage_ask_details;
    if (has_any(lowered, refund) || lowered.find("money back") != std::string::npos) {
        const bool high_reach = (m.followers && *m.followers >= 50000) || (m.verified && *m.verified);
        return (m.tier && *m.tier >= 2) || high_reach ? refund_priority : refund_standard;
    }
    if (m.sentiment && *m.sentiment >= 0.5 && has_any(lowered, praise)) return thanks;
    const bool public_channel = m.channel && *m.channel != 3;
    if (m.sentiment && *m.sentiment < -0.5) return public_channel ? public_complaint : private_complaint;
    return acknowledge;
}

}  // namespace care

// ---- bench/acme.flow -------------------------------------------------------------------------

namespace acme {

Outcome ladder(std::string_view text, const Signals& m, std::string& lowered) {
    lower_into(text, lowered);
    auto has = [&](std::string_view word) { return lowered.find(word) != std::string::npos; };
    if (!(has("acme") || has("acmecorp") || has("@acme"))) return ignore;
    if (m.site_bashing || has("scam") || has("idiots") || has("trash")) return monitor_only;
    if (has("lol") || has("joke") || has("satire")) return monitor_only;
    if (has("lawsuit") || has("legal")) return escalate_legal;
    if (m.sentiment > 0.3) return concur;
    if (m.facts_wrong) return fix_facts;
    if (m.experience == Experience::negative && m.followers >= 10000) return restore_priority;
    if (m.experience == Experience::negative) return restore;
    return final_evaluation;
}

}  // namespace acme

}  // namespace by_hand
