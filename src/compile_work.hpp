// A count of the compiler's units of work in the loops whose cost depends on a flow's shape
// (folding conditions, hashing branch conditions, adding phrases, comparing names for
// suggestions), per thread. Tests compile a shape at growing sizes and check, from this count
// rather than from a clock, that the work grows no faster than n log n.
#pragma once

#include <cstdint>

namespace triage::detail {

inline thread_local std::uint64_t compile_work = 0;

inline void count_compile_work(std::uint64_t units = 1) noexcept { compile_work += units; }

}  // namespace triage::detail
