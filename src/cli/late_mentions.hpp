// Mentions out of clock order, in what run, report and diff say after deciding a stream. A flow
// with windows counts a mention only when it is at most the clock's tolerance older than the
// newest one before it; a later one is decided but not counted. A few are stragglers; many mean
// an export that is not sorted, whose windows and crises then see almost nothing. So whenever
// mentions are late the summary names the remedy — `--reorder` with the horizon that would have
// placed them, or sorting the stream — and `run` fails past `--max-late`.
#pragma once

#include "error_allowance.hpp"
#include "flow_loading.hpp"

#include "triage/stream.hpp"

#include <cstdint>
#include <string_view>

namespace triage::cli {

// Before deciding: a note when --reorder was given for a flow that keeps no state, which
// decides every mention on its own and so has nothing to reorder.
void note_reorder_without_effect(const Flow& flow, const StreamFlags& flags);

// After: for a stream that reorders, how many lines it held at once, and a warning when the
// reorder-buffer limit made it decide mentions before their horizon. `side`: empty, or which of
// diff's flows the stream decides ("old flow").
void print_reorder_summary(const Stream& stream, std::string_view side = {});

// `late` of `mentions` (this run's, not a restored state's) were late. Past `allowance`: an
// error that names the remedy, and false. Otherwise, when any were late, a note that names it.
// `resumed`: the monitor started from a saved state that had seen mentions.
[[nodiscard]] bool late_allowed(const Stream& stream, std::uint64_t late, std::uint64_t mentions,
                                const ErrorAllowance& allowance, bool resumed);
// The note alone, for commands without --max-late (report, diff).
void note_late(const Stream& stream, std::uint64_t late, std::uint64_t mentions, std::string_view side = {});

}  // namespace triage::cli
