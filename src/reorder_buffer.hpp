// Stage 5a, between reading a mention and counting it: putting a stream back in clock order.
// Real exports are not sorted by time, and a Monitor counts a mention only when it is at most
// the clock's tolerance older than the newest one before it. ArrivalOrder measures how far from
// clock order mentions arrive; ReorderBuffer (StreamOptions::reorder) holds them for a horizon
// and lets them go oldest first, so that the Monitor sees them in clock order.
#pragma once

#include "triage/flow.hpp"
#include "triage/value.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::detail {

// How far behind the newest mention before it each mention arrived, counted per round horizon,
// so that a summary can name the --reorder that would have put the stream in order.
class ArrivalOrder {
public:
    // A mention dated `t` arrives (a time the Monitor believes: not in the future).
    void arrive(TimePoint t) noexcept;

    // The newest time arrived so far.
    [[nodiscard]] std::optional<TimePoint> newest() const noexcept { return newest_; }
    // Mentions older than the newest one before them, and by how much at most.
    [[nodiscard]] std::uint64_t behind() const noexcept { return behind_; }
    [[nodiscard]] std::chrono::milliseconds most_behind() const noexcept { return most_behind_; }
    // The shortest round horizon (1s, 2s, 5s, 10s, 15s, 30s, 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h,
    // 3h, 6h, 12h, 1d, 2d, 7d) by more than which at most `allowed` mentions arrived behind;
    // zero when no more than `allowed` arrived behind at all, nullopt when even 7d leaves more.
    [[nodiscard]] std::optional<Duration> horizon_for(std::uint64_t allowed) const noexcept;

private:
    static constexpr std::array<std::int64_t, 20> horizons_s{1,    2,    5,    10,    15,    30,    60,
                                                             120,  300,  600,  900,   1800,  3600,  7200,
                                                             10800, 21600, 43200, 86400, 172800, 604800};
    std::optional<TimePoint> newest_;
    std::uint64_t behind_ = 0;
    std::chrono::milliseconds most_behind_{0};
    // [i]: behind by more than horizons_s[i - 1] and at most horizons_s[i]; the last: by more than 7d.
    std::array<std::uint64_t, horizons_s.size() + 1> by_horizon_{};
};

// Mentions held until their turn in clock order comes: once the newest time arrived is more
// than the horizon past theirs, or when `capacity` lines lie between the oldest held and the
// newest line (then the oldest goes early, and is counted), or at the end of the input. They
// go oldest first, ties in input order. Memory is reused from mention to mention: a ring of
// lines in input order (each keeps its text's capacity) and a heap of their clock times.
class ReorderBuffer {
public:
    ReorderBuffer(Duration horizon, std::uint32_t capacity);

    struct Held {
        std::uint64_t line = 0;  // its number in the input
        std::string text;        // the line, followed by JsonRecordReader::padding bytes
        bool held = false;
        [[nodiscard]] std::string_view json() const noexcept;
    };

    // Whether the next line needs room that only letting the oldest held mention go makes.
    [[nodiscard]] bool full() const noexcept;
    // The next line, number `line`, is not held (it is no mention, or it goes at once): it only
    // takes its place.
    void pass(std::uint64_t line);
    // The next line is held until its turn: `line` is its number, `at` its place in clock order.
    void hold(std::uint64_t line, TimePoint at, std::string_view text);

    // The oldest held mention, taken from the buffer, when `newest` is more than the horizon past
    // it; nullptr otherwise. It stays readable until the next hold().
    [[nodiscard]] const Held* take_due(TimePoint newest);
    // The oldest held mention whatever its time (for room, or at the end); nullptr when none is.
    // Taken for room (`early`), it is counted in released_early().
    [[nodiscard]] const Held* take_oldest(bool early);

    // The lines held, and those after the oldest of them that are not (decided), each in input
    // order: what a snapshot taken now must record (Stream::pending).
    void pending(std::vector<std::uint64_t>& held, std::vector<std::uint64_t>& decided) const;

    // Lines from the oldest held mention to the newest line, now and at most.
    [[nodiscard]] std::uint64_t held() const noexcept { return next_ - front_; }
    [[nodiscard]] std::uint64_t most_held() const noexcept { return most_held_; }
    [[nodiscard]] std::uint64_t released_early() const noexcept { return released_early_; }

private:
    struct Due {
        std::int64_t at_ms;
        std::uint64_t seq;  // its place in input order: the tie-break
    };
    static bool later(const Due& a, const Due& b) noexcept {
        return a.at_ms != b.at_ms ? a.at_ms > b.at_ms : a.seq > b.seq;
    }
    Held& slot(std::uint64_t seq) noexcept { return ring_[seq & (ring_.size() - 1)]; }
    const Held& slot(std::uint64_t seq) const noexcept { return ring_[seq & (ring_.size() - 1)]; }
    const Held* take_top();
    void grow();

    std::int64_t horizon_ms_;
    std::uint64_t capacity_;
    std::vector<Held> ring_;  // a power of two in size; lines [front_, next_) by input order
    std::vector<Due> heap_;   // the held ones, the oldest on top
    std::uint64_t front_ = 0;  // the oldest line still held, or next_ when none is
    std::uint64_t next_ = 0;
    std::uint64_t most_held_ = 0;
    std::uint64_t released_early_ = 0;
};

}  // namespace triage::detail
