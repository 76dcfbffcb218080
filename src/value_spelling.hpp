// One-of values match exactly; an export that writes "Twitter", " twitter" or "review-site" for
// the flow's twitter and review_site gets none of them, silently. This finds the listed value an
// unlisted text spells otherwise, for `triage run`'s note and `triage explain`. Evaluation calls
// it only for a text that is none of the values (already the slow path); it allocates nothing.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace triage::detail {

// The index of the first of `values` that `text` equals once both are compared in ASCII only:
// A-Z as a-z, ' ', '-' and '_' as one separator, ASCII white space at either end of `text`
// ignored. values.size() when it spells none of them (nor when it is one of them exactly: the
// caller asks only about unlisted texts).
[[nodiscard]] std::uint32_t value_spelt_otherwise(std::span<const std::string> values, std::string_view text) noexcept;

}  // namespace triage::detail
