#pragma once
// One quantum trajectory by the waiting-time algorithm (Dalibard-Castin-Molmer):
//  1. draw r uniform in (0, 1);
//  2. integrate d psi/dt = -i H_eff psi (unnormalised) until ||psi||^2 falls to r, with
//     - taylor (default): H_eff is time-independent in every frame the engine simulates, so each step
//       is the truncated series psi(t0 + u h) = sum_k u^k w_k, w_k = (h A)^k psi(t0) / k!, A = -i H_eff,
//       degree and step chosen so that the first neglected terms stay below atol + rtol ||psi||
//       (2-norm); the polynomial is the step's dense output;
//     - dopri5: Boost.Odeint's adaptive Dormand-Prince dense-output stepper (atol/rtol per component);
//  3. locate the jump time on the dense output (Illinois regula falsi) to the integrator's tolerance;
//  4. pick jump k with probability rate_k ||L_k psi||^2 / sum, set psi = L_k psi / ||L_k psi||, go to 1.
// The observer sees the NORMALISED state at every requested sample time, in order.
#include <complex>
#include <cstdint>
#include <functional>
#include <vector>

#include "qbnet/initial_state.hpp"
#include "qbnet/trajectories/unravelling.hpp"

namespace qbnet::trajectories {

enum class Propagator { taylor, dopri5 };

struct TrajectoryTolerances {
    double atol = 1e-8;   // dopri5: on the real and imaginary parts of psi; taylor: on ||error||_2 per step
    double rtol = 1e-6;
    Propagator method = Propagator::taylor;
};

struct TrajectoryCounters {
    long jumps = 0;
    long steps = 0;       // accepted adaptive steps
};

using StateObserver = std::function<void(std::size_t sample, const std::complex<double>* psi)>;
// Called at every jump with its time and channel (tests of the jump-time location).
using JumpObserver = std::function<void(double t, std::size_t channel)>;

// Runs trajectory `index` of the stream `seed` from `initial` over the sample times (times[0] = 0,
// ascending). Deterministic in (unravelling, times, tolerances, seed, index, initial). A thermal initial
// state is a mixture: the trajectory starts in the Fock state |n_1..n_M> drawn from the truncated thermal
// populations with its own stream (before any jump draw), so the average over trajectories is the
// truncated thermal rho of the Fock engine; a coherent state is pure (the truncated, renormalised |alpha>).
TrajectoryCounters run_trajectory(const Unravelling& system, const std::vector<double>& times,
                                  const TrajectoryTolerances& tol, std::uint64_t seed, std::uint64_t index,
                                  const StateObserver& observer, const InitialState& initial = {},
                                  const JumpObserver& on_jump = {});

}  // namespace qbnet::trajectories
