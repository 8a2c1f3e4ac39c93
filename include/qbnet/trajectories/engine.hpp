#pragma once
// Quantum-trajectory (Monte-Carlo wave-function) engine: the Fock engine's truncated master equation
// unravelled into state vectors (memory O(threads x D) instead of O(D^2)).
//
// Error bars: every figure carries ONE 1-sigma statistical standard error (ModeFigures::error,
// Snapshot::batteries_error) from a jackknife over fixed batches of trajectories. They are statistical,
// not bounds: a cross-check against another engine should allow ~4 sigma plus that engine's own error.
//
// Determinism: trajectory k uses the random stream fixed by (seed, k) (random_stream.hpp). Trajectories
// are grouped into batches of contiguous indices; the batch layout depends on count (and the batches
// option) only, never on the thread count. Each batch is accumulated in index order by one thread and
// batches are reduced in batch order, so any thread count (and any distribution of batches over MPI
// ranks, reduced in batch order) gives bit-identical numbers.
#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

#include "qbnet/engine.hpp"
#include "qbnet/trajectories/trajectory.hpp"

namespace qbnet::trajectories {

// What one batch adds up: the sum over its trajectories of each mode's reduced density matrix (and of
// the joint batteries' one when layout().joint_dim > 0) at every sample time. One flat buffer (easy to
// send over MPI): for sample s the block starts at s * layout().per_sample; inside it mode j's
// cutoff_j x cutoff_j matrix (column-major, LOWER triangle only) starts at layout().mode_offset[j],
// then the joint batteries' joint_dim x joint_dim matrix (column-major, lower triangle) at
// layout().joint_offset.
struct BatchAccumulator {
    int batch = -1;
    long trajectories = 0;
    long jumps = 0;
    long steps = 0;
    std::vector<std::complex<double>> sums;
};

struct AccumulatorLayout {
    std::vector<int> cutoffs;
    std::size_t samples = 0;
    std::vector<std::size_t> mode_offset;
    std::size_t joint_offset = 0;
    long joint_dim = 0;            // 0: the joint batteries' state is not accumulated (too large)
    std::size_t per_sample = 0;
};

class TrajectorySimulator {
public:
    // Validates the options for this engine (InputError naming the key) and plans the batches; allocates
    // nothing large. The memory check happens in run_batches / run (RunRefused).
    TrajectorySimulator(const model::Model& model, const RunOptions& options);

    int batch_count() const { return static_cast<int>(batch_first_.size()) - 1; }
    // Trajectory indices [first, last) of batch b.
    std::pair<long, long> batch_range(int b) const { return {batch_first_[b], batch_first_[b + 1]}; }
    const AccumulatorLayout& layout() const { return layout_; }
    const std::vector<double>& times() const { return times_; }
    Frame frame() const { return frame_; }
    double memory_estimate_gib(int threads, int batches_held) const;

    // Runs the listed batches (any order, any subset) with `threads` OpenMP threads (num_threads clause;
    // the process-wide setting is untouched) and returns their accumulators in the order listed.
    std::vector<BatchAccumulator> run_batches(const std::vector<int>& batches, int threads,
                                              const ProgressFn& progress = {}) const;

    // Reduces accumulators IN THE ORDER GIVEN (callers pass them in batch order for bit-identical results)
    // into time series, final_state (t_end), steady_state (average_from) with jackknife errors, and the
    // statistics. wall_s and threads are left to the caller.
    EngineResult reduce(const std::vector<BatchAccumulator>& batches) const;

    // Largest standard error among the reported final (and steady) figures, relative to the energy of the
    // same subsystem (ergotropy and passive energy lie in [0, energy]); the target_error criterion.
    static double worst_relative_error(const EngineResult& result);

private:
    model::Model model_;
    RunOptions options_;
    std::unique_ptr<Unravelling> system_;
    std::vector<double> times_;
    std::vector<long> batch_first_;
    AccumulatorLayout layout_;
    std::vector<std::string> warnings_;
    Frame frame_ = Frame::lab;
    InitialState initial_;                  // of the simulated psi (displaced frame: psi')
    std::vector<Eigen::VectorXcd> alpha_;   // displaced frame: mean-field alpha at every sample time
    void warn_unsettled_alpha(double from);
};

// Engine interface: count trajectories (or batches until target_error), reduced in batch order.
EngineResult run_trajectories(const model::Model& model, const RunOptions& options, const ProgressFn& progress = {});
double trajectory_memory_estimate_gib(const model::Model& model, const RunOptions& options);
std::unique_ptr<Engine> make_trajectory_engine();

}  // namespace qbnet::trajectories
