// How many lines that are no mention (error records) `run`, `report` and `diff` accept before
// they exit 1: `--max-errors N` or `--max-errors P%`, 0 by default — a stream where every line
// failed is a failure, not a success with a footnote. The reasons are printed grouped, so the
// fix (a --fields rename, a time format) is one look away.
#pragma once

#include "triage/error_tally.hpp"
#include "triage/json_writer.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace triage::cli {

struct ErrorAllowance {
    std::uint64_t count = 0;  // at most this many error records
    double percent = -1;      // or, when not negative, at most this share of the lines
    std::string written = "0";

    // Within the allowance: `n` of `lines`.
    [[nodiscard]] bool allows(std::uint64_t n, std::uint64_t lines) const noexcept;
    // The most of `lines` it allows.
    [[nodiscard]] std::uint64_t most(std::uint64_t lines) const noexcept;
};

void add_max_errors_option(CLI::App& command, ErrorAllowance& allowance);
// `--max-late N|P%` (default 1%): mentions older than the clock's tolerance, which a flow with
// windows decides but cannot count; past it `run` exits 1 and says what would put the stream in
// order (late_mentions.hpp).
void add_max_late_option(CLI::App& command, ErrorAllowance& allowance);

// False, after saying so on standard error with the way to allow them, when `errors` of `lines`
// are more than allowed.
[[nodiscard]] bool errors_allowed(const ErrorAllowance& allowance, std::uint64_t errors, std::uint64_t lines);

// Standard error: the reasons, most frequent first (at most 10 and how many more), each as
// "  1,203 lines: MESSAGE; first at line 7".
void print_error_reasons(const ErrorTally& tally);

// "error_reasons": [{"count", "first_line", "example"}, ...] into an open JSON object.
void write_error_reasons(JsonWriter& json, const ErrorTally& tally);

// 1203 → "1,203".
[[nodiscard]] std::string with_thousands(std::uint64_t n);

}  // namespace triage::cli
