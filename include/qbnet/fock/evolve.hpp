#pragma once
// Time evolution of rho with Boost.Odeint (adaptive Dormand-Prince 5(4) with dense output).
#include <complex>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/fock/lindblad.hpp"
#include "qbnet/result.hpp"

namespace qbnet {

struct EvolveOptions {
    double atol = 1e-8;
    double rtol = 1e-6;
    double initial_dt = 0.0;    // 0: chosen from the Liouvillian's scale
    std::string integrator = "dopri5";   // "dopri5" | "rkc" (evolve() hands "rkc" to evolve_rkc)
    // Most OpenMP threads any kernel of the evolution may use (0: omp_get_max_threads()); each kernel
    // takes fewer when its work is too small to pay for them (qbnet/numerics/parallel.hpp).
    int threads = 0;
    // dopri5's vector algebra: OpenMP passes (true) or Odeint's serial vector_space_algebra (false; the
    // slower path kept so bench/ can measure the change).
    bool parallel_algebra = true;
    // > 0: evolve() throws EvolutionBudgetExhausted once it has applied the Liouvillian this many times
    // (bounded work for callers that must not run on without progress: the steady-state fallback).
    long max_rhs_calls = 0;
};

// Thrown by evolve() when EvolveOptions::max_rhs_calls is used up; rho is then left as it was on entry.
struct EvolutionBudgetExhausted {
    long rhs_calls = 0;
};

struct EvolveSummary {
    long steps = 0;
    long rhs_calls = 0;
    double wall_s = 0.0;
    double max_trace_error = 0.0;        // over the samples
    double max_hermiticity_error = 0.0;  // over the samples
};

// Observer: sample index, time, rho (row-major D x D) at that time.
using RhoObserver = std::function<void(std::size_t, double, const std::complex<double>*)>;

// Integrates d rho/dt = L(rho) from times.front() through every time in `times` (increasing), with the
// integrator options.integrator names (unknown names: InputError on time.integrator).
// rho holds the initial state on entry and the state at times.back() on exit.
EvolveSummary evolve(const Liouvillian& liouvillian, Eigen::VectorXcd& rho, const std::vector<double>& times,
                     const EvolveOptions& options, const RhoObserver& observer = {},
                     const ProgressFn& progress = {});

}  // namespace qbnet
