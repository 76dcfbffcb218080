// How much a flow file may ask of the compiler and the evaluator. Flow files are untrusted
// input: every limit is checked before the work it bounds and reported as error T060 at the
// place that exceeds it, never as a crash, a hang or an allocation that cannot succeed.
// The defaults are far above what a hand-written flow needs; raise them per run
// (`--limit NAME=VALUE`) or per call (CompileOptions::limits). See docs/security.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace triage {

// The largest nesting limit accepted: the compiler and the evaluator recurse once per level of
// nesting, on the caller's stack (about 1 KiB a level in an optimised build; a sanitizer build
// needs several times more: give such a thread a larger stack).
inline constexpr std::uint32_t max_nesting = 4096;

struct Limits {
    std::uint64_t file_bytes = 16u << 20;       // file-size: each flow, included or word list file
    std::uint64_t total_bytes = 64u << 20;      // total-size: all of one flow's files together (the flow,
                                                //   its includes and word list files)
    std::uint32_t nesting = 64;                 // nesting: parentheses and `not` in one condition,
                                                //   and conditions (`let`) referring to conditions
    std::uint32_t steps = 100'000;              // steps: steps in one flow
    std::uint32_t words = 100'000;              // words: phrases in one word list
    std::uint64_t automaton_bytes = 256u << 20; // automaton-memory: the keyword automaton of one text field
    std::uint64_t regex_bytes = 256u << 20;     // regex-memory: all regular expressions of a flow together,
                                                //   compiled and matching (each gets an equal share, at
                                                //   most 8 MiB and at least 256 KiB)
    std::uint32_t include_depth = 16;           // include-depth: files including files
    std::uint32_t groups = 10'000;              // groups: groups a grouped window keeps (least recently
                                                //   seen ones are dropped past it)
    std::uint64_t state_bytes = 256u << 20;     // state-memory: what a Monitor may hold, all windows
    std::uint32_t reorder_buffer = 1'000'000;   // reorder-buffer: lines StreamOptions::reorder holds at
                                                //   once, from the oldest mention not yet decided to the
                                                //   newest line (each costs its bytes, its decision's and
                                                //   about 250 more); past it the oldest is decided early,
                                                //   and counted
    std::uint64_t solver_rlimit = 2'000'000;    // solver-rlimit: Z3 resource units for each question the
                                                //   semantic checks ask (reproducible, unlike a time
                                                //   limit); past it the check is left out, with a note
    std::uint64_t solver_bytes = 512u << 20;    // solver-memory: what Z3 may allocate, all queries of
                                                //   the process together
};

// Sets one limit from its name ("nesting", "file-size", ...) and a value ("100", "32M", "1G").
// Returns an error message, or nothing on success.
[[nodiscard]] std::optional<std::string> set_limit(Limits& limits, std::string_view name, std::string_view value);
// The value of limit `name` written as `text`: a positive whole number up to `max`, with an
// optional K, M or G suffix (powers of 1024) when `bytes`. nullopt, with a message, otherwise.
[[nodiscard]] std::optional<std::uint64_t> limit_value(std::string_view name, std::string_view text, bool bytes,
                                                       std::uint64_t max, std::string& error);
// "file-size, total-size, nesting, steps, words, automaton-memory, regex-memory, include-depth, groups,
// state-memory, reorder-buffer, solver-rlimit, solver-memory"
[[nodiscard]] std::string limit_names();

}  // namespace triage
