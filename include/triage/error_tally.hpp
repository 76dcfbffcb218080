// Error records grouped by reason, for summaries a person can act on: "1,203 lines: 'posted_at'
// is not a date-time …: "Feb 24"; first at line 7" rather than "1,203 errors". Two messages
// share a reason when they differ only in what came from the record: the text in double quotes
// and the numbers (field and key names, in single quotes, come from the flow and stay). Record
// text in a message is written with its '"' and '\' escaped, as triage's own messages do.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace triage {

struct ErrorReason {
    std::string reason;           // what the messages share (reason_of)
    std::string example;          // the first message with this reason (its first 300 bytes)
    std::uint64_t count = 0;      // error records with it
    std::uint64_t first_line = 0; // the line of the first
};

class ErrorTally {
public:
    // Distinct reasons kept; the errors of any further reason are counted in other_count().
    static constexpr std::size_t max_reasons = 64;

    void add(std::uint64_t line, std::string_view message);
    // Adds the errors of `later`, whose lines all come after this tally's.
    void merge(const ErrorTally& later);
    void clear();

    // In the order their first lines came.
    [[nodiscard]] std::span<const ErrorReason> reasons() const noexcept { return reasons_; }
    [[nodiscard]] std::uint64_t total() const noexcept { return total_; }
    [[nodiscard]] std::uint64_t other_count() const noexcept { return other_; }

    // The reason of `message`: with the double-quoted texts and the digits taken out.
    [[nodiscard]] static std::string reason_of(std::string_view message);

private:
    void add_reason(const ErrorReason& reason);

    std::vector<ErrorReason> reasons_;
    std::unordered_map<std::string, std::size_t> index_;  // reason_of → position in reasons_
    std::uint64_t total_ = 0;
    std::uint64_t other_ = 0;
};

}  // namespace triage
