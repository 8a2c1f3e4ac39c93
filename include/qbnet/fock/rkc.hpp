#pragma once
// Runge-Kutta-Chebyshev time evolution (time.integrator = "rkc"): an explicit, second-order, stabilised
// method for stiff but damped Lindbladians (docs/derivations.md, "Fock engine"; src/fock/rkc.cpp).
#include "qbnet/fock/evolve.hpp"

namespace qbnet::fock {

// Same contract as evolve(): integrates d rho/dt = L(rho) through every time in `times`, calling the
// observer at each; error control on the RMS norm of the RKC error estimate (atol, rtol per entry).
EvolveSummary evolve_rkc(const Liouvillian& liouvillian, Eigen::VectorXcd& rho, const std::vector<double>& times,
                         const EvolveOptions& options, const RhoObserver& observer = {},
                         const ProgressFn& progress = {});

}  // namespace qbnet::fock
