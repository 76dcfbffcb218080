#include "triage/error_tally.hpp"

#include "text_util.hpp"

namespace triage {

namespace {

// At most `max` bytes of `message`, cut between UTF-8 sequences, with "…" where it was cut: a
// tally stays small whatever the records hold.
std::string shortened(std::string_view message, std::size_t max = 300) {
    const std::size_t cut = utf8_cut(message, max);
    if (cut == message.size()) return std::string(message);
    return std::string(message.substr(0, cut)) + "…";
}

}  // namespace

std::string ErrorTally::reason_of(std::string_view message) {
    std::string key;
    key.reserve(message.size());
    bool quoted = false;
    for (std::size_t i = 0; i < message.size(); ++i) {
        const char c = message[i];
        if (quoted) {
            if (c == '\\') ++i;  // an escaped quote does not end the text
            else if (c == '"') {
                quoted = false;
                key += '"';
            }
            continue;
        }
        if (c == '"') {
            quoted = true;
            key += "\"…";
        } else if (c >= '0' && c <= '9') {
            if (key.empty() || key.back() != '#') key += '#';
        } else {
            key += c;
        }
    }
    return key;
}

void ErrorTally::add_reason(const ErrorReason& reason) {
    auto it = index_.find(reason.reason);
    if (it != index_.end()) {
        reasons_[it->second].count += reason.count;
        return;
    }
    if (reasons_.size() == max_reasons) {
        other_ += reason.count;
        return;
    }
    index_.emplace(reason.reason, reasons_.size());
    reasons_.push_back(reason);
}

void ErrorTally::add(std::uint64_t line, std::string_view message) {
    ++total_;
    add_reason({reason_of(message), shortened(message), 1, line});
}

void ErrorTally::merge(const ErrorTally& later) {
    total_ += later.total_;
    other_ += later.other_;
    for (const ErrorReason& r : later.reasons_) add_reason(r);  // by the whole message's reason, not the cut example
}

void ErrorTally::clear() {
    reasons_.clear();
    index_.clear();
    total_ = 0;
    other_ = 0;
}

}  // namespace triage
