// Counts heap allocations in the test binary (global operator new is replaced in
// allocation_counter.cpp), so tests can assert that a hot path allocates nothing.
#pragma once

#include <cstdint>

namespace triage::test {
std::uint64_t allocations() noexcept;
}
