#include "reorder_buffer.hpp"

#include "triage/json.hpp"

#include <algorithm>

namespace triage::detail {

void ArrivalOrder::arrive(TimePoint t) noexcept {
    if (!newest_ || t >= *newest_) {
        newest_ = t;
        return;
    }
    const std::chrono::milliseconds by = *newest_ - t;
    ++behind_;
    most_behind_ = std::max(most_behind_, by);
    std::size_t i = 0;
    while (i < horizons_s.size() && by > std::chrono::seconds(horizons_s[i])) ++i;
    ++by_horizon_[i];
}

std::optional<Duration> ArrivalOrder::horizon_for(std::uint64_t allowed) const noexcept {
    if (behind_ <= allowed) return Duration(0);
    std::uint64_t beyond = behind_;  // arrived behind by more than horizons_s[i]
    for (std::size_t i = 0; i < horizons_s.size(); ++i) {
        beyond -= by_horizon_[i];
        if (beyond <= allowed) return Duration(horizons_s[i]);
    }
    return std::nullopt;
}

std::string_view ReorderBuffer::Held::json() const noexcept {
    return std::string_view(text).substr(0, text.size() - JsonRecordReader::padding);
}

ReorderBuffer::ReorderBuffer(Duration horizon, std::uint32_t capacity)
    : horizon_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(horizon).count()),
      capacity_(std::max<std::uint32_t>(capacity, 1)) {}

bool ReorderBuffer::full() const noexcept { return front_ < next_ && next_ - front_ >= capacity_; }

void ReorderBuffer::pass(std::uint64_t line) {
    if (front_ == next_) {  // nothing held: nothing waits for this line either
        front_ = ++next_;
        return;
    }
    if (next_ - front_ == ring_.size()) grow();
    Held& h = slot(next_++);
    h.line = line;
    h.held = false;
    most_held_ = std::max(most_held_, next_ - front_);
}

void ReorderBuffer::hold(std::uint64_t line, TimePoint at, std::string_view text) {
    if (next_ - front_ == ring_.size()) grow();
    Held& h = slot(next_);
    h.line = line;
    h.text.assign(text);
    h.text.resize(text.size() + JsonRecordReader::padding);  // read in place, as a LineReader line is
    h.held = true;
    heap_.push_back({at.time_since_epoch().count(), next_++});
    std::push_heap(heap_.begin(), heap_.end(), later);
    most_held_ = std::max(most_held_, next_ - front_);
}

const ReorderBuffer::Held* ReorderBuffer::take_due(TimePoint newest) {
    if (heap_.empty() || newest.time_since_epoch().count() - heap_.front().at_ms <= horizon_ms_) return nullptr;
    return take_top();
}

const ReorderBuffer::Held* ReorderBuffer::take_oldest(bool early) {
    if (heap_.empty()) return nullptr;
    if (early) ++released_early_;
    return take_top();
}

const ReorderBuffer::Held* ReorderBuffer::take_top() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    Held& h = slot(heap_.back().seq);
    heap_.pop_back();
    h.held = false;
    while (front_ < next_ && !slot(front_).held) ++front_;
    return &h;
}

void ReorderBuffer::pending(std::vector<std::uint64_t>& held, std::vector<std::uint64_t>& decided) const {
    held.clear();
    decided.clear();
    for (std::uint64_t seq = front_; seq < next_; ++seq) (slot(seq).held ? held : decided).push_back(slot(seq).line);
}

void ReorderBuffer::grow() {
    std::vector<Held> bigger(std::max<std::size_t>(ring_.size() * 2, 16));
    for (std::uint64_t seq = front_; seq < next_; ++seq)
        bigger[seq & (bigger.size() - 1)] = std::move(slot(seq));
    ring_ = std::move(bigger);
}

}  // namespace triage::detail
