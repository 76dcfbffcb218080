// The state a Monitor keeps per window and group: counts of matching mentions in time buckets,
// in a ring covering the window, its baseline and the clock's tolerance for late mentions.
// Shared by the checker (to bound memory before a flow is accepted) and the monitor.
#pragma once

#include "triage/flow.hpp"

#include <cstdint>

namespace triage::detail {

// Buckets of one ring: the window, the baseline before it (spike), and the tolerance behind
// the window for mentions that arrive late; one more so the newest bucket never overwrites
// one still counted.
// Buckets of window `w` that a span of time `d` takes, a part bucket counting as one.
[[nodiscard]] inline std::uint32_t buckets_in(const Window& w, Duration d) noexcept {
    return static_cast<std::uint32_t>((d.count() + w.bucket.count() - 1) / w.bucket.count());
}

[[nodiscard]] inline std::uint32_t ring_buckets(const Window& w, Duration tolerance) noexcept {
    return buckets_in(w, w.length) + buckets_in(w, w.baseline) + buckets_in(w, tolerance) + 1;
}

// A rate window's value: its count per unit (`rate(...) over 15m > 3 per m`: count / 15).
[[nodiscard]] inline double rate_of(const Window& w, double count) noexcept {
    return count * static_cast<double>(w.unit.count()) / static_cast<double>(w.length.count());
}

// Bytes one group of a window holds: its counts and bookkeeping (key and ring header).
inline constexpr std::uint64_t group_overhead_bytes = 96;
[[nodiscard]] inline std::uint64_t group_bytes(const Window& w, Duration tolerance) noexcept {
    return std::uint64_t{ring_buckets(w, tolerance)} * sizeof(std::uint32_t) + group_overhead_bytes;
}

// The most a window may hold: one ring, or `groups` rings when grouped.
[[nodiscard]] inline std::uint64_t window_bytes(const Window& w, Duration tolerance, std::uint32_t groups) noexcept {
    return group_bytes(w, tolerance) * (w.group ? groups : 1);
}

}  // namespace triage::detail
