#pragma once
// The trajectory engine over MPI ranks (issue 15): the engine's fixed batches are handed out with
// parallel::distribute_ordered and reduced on the root IN BATCH ORDER, so the numbers are bit-identical
// to run_trajectories in one process, for any rank count and any thread count. The engine itself never
// knows MPI: this function uses only TrajectorySimulator::run_batches / reduce.
#include <optional>
#include <vector>

#include "qbnet/engine.hpp"
#include "qbnet/trajectories/engine.hpp"

namespace qbnet::study {

// Collective: every rank calls it with the same model and options. On the root: the engine's result
// (the same EngineResult as run_trajectories, statistics.threads = threads per rank). On the other
// ranks: nullopt. Each rank runs options.threads batches side by side (one thread per batch, as the
// engine does inside one process). With one rank the batches still go through the hand-out (workers
// finish out of order): the same numbers as run_trajectories, which `qbnet run` uses in one process
// (it holds no second copy of the accumulators).
//
// trajectories.target_error: the root checks the criterion on the same contiguous batch prefixes as
// the engine (rounds of 16, then max(8, n/4) batches) and stops there; batches beyond the prefix that
// other ranks finished anyway are discarded, so the answer does not depend on the rank count.
//
// `progress` is called on the root only. An exception in a batch is rethrown on the rank that ran it
// (the caller prints it and ends the job: parallel::abort).
std::optional<EngineResult> run_trajectories_distributed(const model::Model& model, const RunOptions& options,
                                                         const ProgressFn& progress = {});

// A batch accumulator as doubles and back (exact: counts below 2^53, complex sums as (re, im) pairs).
std::vector<double> flatten(const trajectories::BatchAccumulator& batch);
trajectories::BatchAccumulator unflatten_batch(const std::vector<double>& values);

}  // namespace qbnet::study
