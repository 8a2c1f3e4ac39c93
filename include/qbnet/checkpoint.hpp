#pragma once
// Typed checkpoint state of a run (the engines fill it, io/checkpoint serialises it; no files here).
#include <complex>
#include <cstddef>
#include <vector>

#include "qbnet/fock/steady.hpp"
#include "qbnet/options.hpp"
#include "qbnet/result.hpp"
#include "qbnet/trajectories/engine.hpp"

namespace qbnet {

// One Fock time evolution (one rung of the cutoff ladder) at a checkpoint boundary, or finished
// (next_sample == number of samples).
struct EvolutionCheckpoint {
    std::vector<int> cutoffs;
    Frame frame = Frame::lab;
    std::size_t next_sample = 0;          // samples [0, next_sample) are done; rho is the state at t
    double t = 0.0;
    double dt = 0.0;                      // step size the integrator continues with
    std::vector<std::complex<double>> rho;     // displaced frame: rho'
    std::vector<std::complex<double>> alpha;   // displaced frame: the frame's amplitudes at t
    std::vector<Snapshot> samples;        // the series so far
    std::vector<double> top;              // largest top-level population per mode so far
    long steps = 0;
    long rhs_calls = 0;
    double max_trace_error = 0.0;
    double max_hermiticity_error = 0.0;
    double error_estimate = 0.0;          // krylov: sum of the step error estimates so far
};

// One Fock steady-state solve (one rung of the cutoff ladder): in progress at a GMRES restart boundary or
// at a chunk boundary of the evolution fallback, or finished. The boundaries are the solver's own (every
// run restarts GMRES and the fallback's integrator there), so a resumed solve repeats the uninterrupted
// one's arithmetic exactly.
struct fock::SteadyCheckpoint {
    enum class Phase { krylov, evolve, done };
    std::vector<int> cutoffs;
    Frame frame = Frame::lab;
    Phase phase = Phase::krylov;
    // krylov: the GMRES iterate (unnormalised, packed hermitian: D^2 reals as D^2/2 complex, see
    // qbnet/numerics/hermitian_packing.hpp) at the start of a restart cycle; evolve: rho at time t;
    // done: the returned steady state.
    std::vector<std::complex<double>> rho;
    numerics::GmresProgress gmres;        // krylov: iterations, reorthogonalisation passes, residual history
    int chunk = 0;                        // evolve: chunks done
    double t = 0.0;                       // evolve: time reached
    long used = 0;                        // evolve: Liouvillian applications of the fallback so far
    std::vector<double> evolve_history;   // evolve: scaled residual after each chunk
    std::string gmres_note;               // evolve, done: why GMRES stopped short (empty if it did not run)
    fock::SteadySummary summary;                // the solver's summary so far (done: the final one)
};

struct Checkpoint {
    EngineKind engine = EngineKind::fock;
    std::vector<EvolutionCheckpoint> evolutions;   // Fock: finished rungs, then the one in progress
    std::vector<fock::SteadyCheckpoint> steady_states;   // Fock: finished steady states, then the one in progress
    std::vector<trajectories::BatchAccumulator> batches;         // trajectories: the finished batches, in batch order
};

}  // namespace qbnet
