#pragma once
// Time evolution of rho with Boost.Odeint (adaptive Dormand-Prince 5(4) with dense output).
#include <complex>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/fock/lindblad.hpp"
#include "qbnet/result.hpp"

namespace qbnet::fock {

struct EvolveOptions {
    double atol = 1e-8;
    double rtol = 1e-6;
    double initial_dt = 0.0;    // 0: chosen from the Liouvillian's scale
    std::string integrator = "dopri5";   // "dopri5" | "rkc" | "krylov" (evolve() hands them to their functions)
    // Most OpenMP threads any kernel of the evolution may use (0: omp_get_max_threads()); each kernel
    // takes fewer when its work is too small to pay for them (qbnet/numerics/parallel.hpp).
    int threads = 0;
    // dopri5's vector algebra: OpenMP passes (true) or Odeint's serial vector_space_algebra (false; the
    // slower path kept so bench/ can measure the change).
    bool parallel_algebra = true;
    // > 0: evolve() throws EvolutionBudgetExhausted once it has applied the Liouvillian this many times
    // (bounded work for callers that must not run on without progress: the steady-state fallback).
    long max_rhs_calls = 0;
    // Checkpoint boundaries (dopri5 and krylov): > 0 restarts the integrator at every sample whose ABSOLUTE
    // index (first_index + position in `times`) is a multiple of segment_samples, carrying its step
    // size. A run resumed at a boundary from (rho, t, dt) then continues exactly as the uninterrupted
    // one, which restarts there too.
    std::size_t segment_samples = 0;
    std::size_t first_index = 0;      // absolute sample index of times.front()
    bool observe_first = true;        // false: times.front() was observed before (a resumed run)
    double error_estimate_before = 0.0;   // krylov, resumed run: the error estimate summed before times.front()
    // Called at each boundary with (absolute index of the boundary sample, t, rho at t, the summary so far
    // with last_dt = the step size to continue with); returning true stops evolve() there
    // (EvolveSummary::stopped, rho = the state at t).
    std::function<bool(std::size_t, double, const std::complex<double>*, const struct EvolveSummary&)> on_boundary;
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
    double last_dt = 0.0;                // segmented runs: the step size the integrator would continue with
    bool stopped = false;                // on_boundary asked to stop
    // krylov: the sum of the steps' a-posteriori error estimates (Frobenius norm), an estimate of the
    // integration error of the final state (the evolution is contractive); 0 for the Runge-Kutta methods,
    // whose error control is per step only.
    double error_estimate = 0.0;
    // krylov and dopri5: rho is stored as a packed hermitian matrix, so it is hermitian by construction and
    // max_hermiticity_error measures nothing (summary.json omits it then).
    bool hermiticity_exact = false;
};

// Observer: sample index, time, rho (row-major D x D) at that time.
using RhoObserver = std::function<void(std::size_t, double, const std::complex<double>*)>;

// Integrates d rho/dt = L(rho) from times.front() through every time in `times` (increasing), with the
// integrator options.integrator names (unknown names: InputError on time.integrator).
// rho holds the initial state on entry and the state at times.back() on exit.
EvolveSummary evolve(const Liouvillian& liouvillian, Eigen::VectorXcd& rho, const std::vector<double>& times,
                     const EvolveOptions& options, const RhoObserver& observer = {},
                     const ProgressFn& progress = {});

}  // namespace qbnet::fock
