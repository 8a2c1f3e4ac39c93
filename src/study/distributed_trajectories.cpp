// Trajectory batches over MPI ranks, reduced on the root in batch order
// (include/qbnet/study/distributed_trajectories.hpp).
#include "qbnet/study/distributed_trajectories.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>

#include "qbnet/parallel/communicator.hpp"
#include "qbnet/parallel/distribute.hpp"

namespace qbnet::study {

std::vector<double> flatten(const trajectories::BatchAccumulator& batch) {
    std::vector<double> out;
    out.reserve(4 + 2 * batch.sums.size());
    out.push_back(static_cast<double>(batch.batch));
    out.push_back(static_cast<double>(batch.trajectories));
    out.push_back(static_cast<double>(batch.jumps));
    out.push_back(static_cast<double>(batch.steps));
    for (const auto& z : batch.sums) {
        out.push_back(z.real());
        out.push_back(z.imag());
    }
    return out;
}

trajectories::BatchAccumulator unflatten_batch(const std::vector<double>& values) {
    if (values.size() < 4 || values.size() % 2 != 0) throw std::runtime_error("trajectory batch message of the wrong size");
    trajectories::BatchAccumulator b;
    b.batch = static_cast<int>(values[0]);
    b.trajectories = static_cast<long>(values[1]);
    b.jumps = static_cast<long>(values[2]);
    b.steps = static_cast<long>(values[3]);
    b.sums.resize((values.size() - 4) / 2);
    for (std::size_t i = 0; i < b.sums.size(); ++i) b.sums[i] = {values[4 + 2 * i], values[5 + 2 * i]};
    return b;
}

namespace {

// The prefix lengths at which the engine checks target_error (run_trajectories in
// src/trajectories/engine.cpp): 16 batches, then rounds of max(8, done / 4). Kept identical so that a
// run over ranks stops on the same prefix as one process.
std::vector<int> target_checkpoints(int total) {
    std::vector<int> out;
    int next = 0;
    while (next < total) {
        const int round = next == 0 ? std::min(total, 16) : std::min(total - next, std::max(8, next / 4));
        next += round;
        out.push_back(next);
    }
    return out;
}

}  // namespace

std::optional<EngineResult> run_trajectories_distributed(const model::Model& model, const RunOptions& options,
                                                         const ProgressFn& progress) {
    const auto start = std::chrono::steady_clock::now();
    const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
    // Options and memory (an empty run_batches performs the engine's memory check for `threads`
    // batches side by side) checked on every rank before any work: a refusal is reported once.
    std::optional<trajectories::TrajectorySimulator> simulator;
    parallel::all_or_none([&] {
        simulator.emplace(model, options);
        (void)simulator->run_batches({}, threads);
    });
    const trajectories::TrajectorySimulator& sim = *simulator;
    const int total = sim.batch_count();
    const double target = options.trajectories.target_error;

    // Root: batches arrive in completion order; `prefix` holds batches 0..k-1 in order, `pending` the
    // ones that arrived ahead of a missing one.
    std::vector<trajectories::BatchAccumulator> prefix;
    std::map<int, trajectories::BatchAccumulator> pending;
    const std::vector<int> checkpoints = target > 0 ? target_checkpoints(total) : std::vector<int>{};
    std::size_t next_checkpoint = 0;
    EngineResult result;
    bool checked = false, met = false, stopping = false;
    int arrived = 0;

    auto compute = [&](std::size_t b) {
        // One batch on one thread: the batch's sum is the same on any rank (trajectory order inside).
        auto batches = sim.run_batches({static_cast<int>(b)}, 1);
        return parallel::to_payload(flatten(batches.front()));
    };
    parallel::DistributeOptions dist;
    dist.local_workers = threads;
    dist.on_done = [&](std::size_t b, const parallel::Payload& payload) {
        if (stopping) return false;   // delivered after the stop: past the prefix that decided
        ++arrived;
        if (progress) progress(static_cast<double>(arrived) / total, "trajectories");
        pending.emplace(static_cast<int>(b), unflatten_batch(parallel::doubles_from(payload)));
        for (auto it = pending.find(static_cast<int>(prefix.size())); it != pending.end();
             it = pending.find(static_cast<int>(prefix.size()))) {
            prefix.push_back(std::move(it->second));
            pending.erase(it);
            if (next_checkpoint < checkpoints.size() && static_cast<int>(prefix.size()) == checkpoints[next_checkpoint]) {
                ++next_checkpoint;
                result = sim.reduce(prefix);
                checked = true;
                met = trajectories::TrajectorySimulator::worst_relative_error(result) <= target;
                if (met) {
                    stopping = true;
                    return false;
                }
            }
        }
        return true;
    };
    const auto outcome = parallel::distribute_ordered(static_cast<std::size_t>(total), compute, dist);
    (void)outcome;   // the payloads were taken in on_done
    if (!parallel::is_root()) return std::nullopt;

    if (target > 0) {
        if (!checked) throw std::logic_error("trajectories over ranks: no batch prefix was reduced");
        result.statistics.trajectories->target_error_met = met;
    } else {
        if (static_cast<int>(prefix.size()) != total)
            throw std::logic_error("trajectories over ranks: " + std::to_string(prefix.size()) + " of " +
                                   std::to_string(total) + " batches arrived");
        result = sim.reduce(prefix);
    }
    result.statistics.threads = threads;
    result.statistics.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace qbnet::study
