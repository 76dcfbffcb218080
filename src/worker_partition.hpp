// The partitioned worker (triage/worker_partition.hpp): run_worker hands a flow that keeps state
// here when WorkerOptions::partitioning.by is set.
#pragma once

#include "triage/worker.hpp"

#include <atomic>

namespace triage::detail {

[[nodiscard]] WorkerSummary run_partitioned_worker(const Stream& prototype, const WorkerOptions& options,
                                                   const std::atomic<bool>& stop);

}  // namespace triage::detail
