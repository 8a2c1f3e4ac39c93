#pragma once
// Typed checkpoint state of a run (the engines fill it, io/checkpoint serialises it; no files here).
#include <complex>
#include <cstddef>
#include <vector>

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
};

struct Checkpoint {
    EngineKind engine = EngineKind::fock;
    std::vector<EvolutionCheckpoint> evolutions;   // Fock: finished rungs, then the one in progress
    std::vector<trajectories::BatchAccumulator> batches;         // trajectories: the finished batches, in batch order
};

}  // namespace qbnet
