#pragma once
// Checkpoint bookkeeping of one Fock run (private to src/fock): the rungs of the cutoff ladder whose
// steady state or evolution is finished, the run's CheckpointOptions, and the saved state to resume from.
#include <memory>
#include <vector>

#include "qbnet/checkpoint.hpp"
#include "qbnet/fock/evolve.hpp"
#include "qbnet/fock/steady.hpp"
#include "qbnet/options.hpp"

namespace qbnet::fock::detail {

class CheckpointLedger {
public:
    explicit CheckpointLedger(const CheckpointOptions& options) : options_(options) {}
    bool enabled() const { return options_.enabled(); }
    // A checkpoint is wanted now (interval elapsed or a signal arrived).
    bool due() const { return options_.save && options_.due && options_.due(); }
    // Saves the finished rungs plus `current`; true when the run must stop now.
    bool save(const EvolutionCheckpoint& current) const;
    void finished(EvolutionCheckpoint done) { finished_.push_back(std::move(done)); }
    // The saved evolution of this rung, or nullptr (checked against the run: InputError on --resume).
    const EvolutionCheckpoint* resume_for(Frame frame, const std::vector<int>& cutoffs, std::size_t samples,
                                          long rho_size) const;
    // The steady-state solver's checkpoint hooks for this rung: saves go with the finished rungs, the
    // finished solve is kept, and a saved solve of this rung (checked against rho_size) is resumed. The
    // last finished solve of the same frame at lower cutoffs (the rung below) is handed over as the
    // initial guess, with or without checkpoints: a resumed run restores the finished rungs bit for bit,
    // so it starts every rung from the same guess as the uninterrupted run.
    SteadyCheckpointHooks steady_hooks(Frame frame, const std::vector<int>& cutoffs, long rho_size);

private:
    Checkpoint with_finished() const;
    const SteadyCheckpoint* steady_resume_for(Frame frame, const std::vector<int>& cutoffs, long rho_size) const;
    const CheckpointOptions& options_;
    std::vector<EvolutionCheckpoint> finished_;
    std::vector<SteadyCheckpoint> finished_steady_;
    std::shared_ptr<SteadyGuess> last_steady_;   // the last finished steady state (packed), for the rung above
    Frame last_frame_ = Frame::lab;
};

// What both frames' evolutions carry over from a checkpoint: rho (rho' in the displaced frame), the
// samples so far, the top-level populations, the work counters (into `carried`) and where the integrator
// restarts (sample index and step size, into `eo`). Returns the sample index it restarts from.
std::size_t restore_progress(const EvolutionCheckpoint& from, Eigen::VectorXcd& rho, TimeSeries& series,
                             std::vector<double>& top, EvolveSummary& carried, EvolveOptions& eo);

// The checkpoint of an evolution at sample `index` (time t, state r of size rho_size): the samples so far,
// the top-level populations and the counters before (`carried`) and since (`so_far`) the last resume.
// The displaced frame adds its amplitudes.
EvolutionCheckpoint progress_checkpoint(Frame frame, const std::vector<int>& cutoffs, std::size_t index, double t,
                                        const std::complex<double>* r, long rho_size, const TimeSeries& series,
                                        const std::vector<double>& top, const EvolveSummary& carried,
                                        const EvolveSummary& so_far);

// Counters of the work before the checkpoint added to those after it.
void add_carried(EvolveSummary& summary, const EvolveSummary& carried);

// Samples between checkpoint boundaries: at most 64 boundaries per evolution (each costs one
// integrator restart), and the same for every run with this sample count.
std::size_t checkpoint_stride(std::size_t samples);

}  // namespace qbnet::fock::detail
