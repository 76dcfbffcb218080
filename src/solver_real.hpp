// A double as an exact Z3 real, for the solver's files (solver.cpp, solver_diff.cpp): doubles are
// dyadic rationals, so written exactly the solver compares what the evaluator compares.
#pragma once

#ifdef TRIAGE_WITH_Z3
#include <z3++.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace triage::detail {

inline z3::expr exact_real(z3::context& z, double value) {
    if (value == std::floor(value) && std::fabs(value) < 1e15) return z.real_val(static_cast<std::int64_t>(value));
    int exponent = 0;
    const double mantissa = std::frexp(value, &exponent);
    z3::expr result = z.real_val(static_cast<std::int64_t>(std::ldexp(mantissa, 53)));
    exponent -= 53;
    for (; exponent > 0; exponent -= std::min(exponent, 30)) result = result * z.real_val(std::int64_t{1} << std::min(exponent, 30));
    for (; exponent < 0; exponent += std::min(-exponent, 30)) result = result / z.real_val(std::int64_t{1} << std::min(-exponent, 30));
    return result.simplify();
}

}  // namespace triage::detail
#endif
