// The bench's policies written by hand, as a careful host programmer would: lower-case the
// text's ASCII letters once, then a whole-word `std::string::find` per phrase (a `contains`:
// any `find`), RE2 for the booking-reference pattern, the flow's steps as an if-chain.
// triage_bench times them against triage on the same mentions; triage_parse_ceiling --acme
// runs the acme ladder after its JSON parse (the bound for any implementation of `run`).
//
// Text is read as ASCII: capitals are lower-cased, every byte of 0x80 or above counts as a letter.
// That is right for the flows' phrases (all ASCII) on ASCII text and on non-ASCII text whose
// non-ASCII characters neither fold into a phrase (ＡＣＭＥ, a combining accent on a phrase's last
// letter) nor stand, as punctuation or emoji, right against a whole-word phrase ("bag😡");
// triage reads those right, so on such text this is a lower bound for a correct program.
#pragma once

#include <triage/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace by_hand {

// ---- examples/airforce.flow ------------------------------------------------------------------

namespace airforce {

enum class Channel { twitter, facebook, blog, forum, news };
enum class Experience { none, negative, positive };

struct Mention {
    std::string text;
    double sentiment;
    long followers;
    Channel channel;
    bool site_bashing;
    bool facts_wrong;
    Experience experience;
};

// In the flow's outcome order.
enum Outcome { not_about_us, share_success, let_stand, monitor_only, fix_facts, restore, respond_with_facts };

Outcome decide(const Mention& m, std::string& lowered);

}  // namespace airforce

// ---- examples/customer_care.flow -------------------------------------------------------------

namespace care {

struct Mention {
    std::string text;
    std::optional<std::uint32_t> channel;  // twitter, facebook, instagram, email, review_site
    std::optional<double> sentiment;
    std::optional<double> followers;
    std::optional<bool> verified;
    std::optional<std::uint32_t> tier;  // standard, silver, gold, platinum
    std::optional<triage::TimePoint> posted_at;
    std::optional<triage::TimePoint> last_reply_at;
};

enum Outcome {
    spam_outcome, already_handled, legal, luggage_traced, luggage_ask_details, refund_priority, refund_standard,
    thanks, public_complaint, private_complaint, acknowledge
};

Outcome decide(const Mention& m, std::string& lowered);

}  // namespace care

// ---- bench/acme.flow: a first-match ladder whose text tests are all `contains` ---------------

namespace acme {

enum class Experience { none, negative, positive };

// A mention's fields besides its text. A missing field reads as the flow reads it: a missing
// bool as false, a missing number (NaN, or `no_followers`) fails every comparison.
struct Signals {
    static constexpr long no_followers = -1;
    double sentiment = 0;
    long followers = 0;
    bool site_bashing = false;
    bool facts_wrong = false;
    Experience experience = Experience::none;
};

struct Mention : Signals {
    std::string text;
};

enum Outcome { ignore, monitor_only, escalate_legal, concur, fix_facts, restore_priority, restore, final_evaluation };
inline constexpr const char* outcome_names[] = {"ignore",    "monitor_only",     "escalate_legal", "concur",
                                                "fix_facts", "restore_priority", "restore",        "final_evaluation"};

// Lower-case once, then one find per word, in the ladder's order.
Outcome ladder(std::string_view text, const Signals& m, std::string& lowered);
inline Outcome decide(const Mention& m, std::string& lowered) { return ladder(m.text, m, lowered); }

}  // namespace acme

}  // namespace by_hand
