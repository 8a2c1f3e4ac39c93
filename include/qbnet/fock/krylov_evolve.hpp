#pragma once
// Krylov exponential time evolution (time.integrator = "krylov"): rho(t + tau) = exp(tau L) rho for the
// time-independent Liouvillian of the lab frame, by Arnoldi projection onto the Krylov space
// span{rho, L rho, ..., L^(m-1) rho} (docs/derivations.md, "Krylov exponential integrator";
// src/fock/krylov_evolve.cpp).
#include "qbnet/fock/evolve.hpp"

namespace qbnet::fock {

// Largest Krylov dimension of one step. The basis holds m + 1 packed hermitian vectors (half a copy of rho
// each) beside rho and the Liouvillian's input and output: 10 keeps the whole evolution within 9 copies.
constexpr int kKrylovMaxDimension = 10;

// Same contract as evolve(): integrates d rho/dt = L(rho) through every time in `times`, calling the
// observer at each. Every step ends at or before the next sample time and starts a fresh Krylov space,
// so nothing but rho is carried from one sample to the next (a checkpoint resume is bit-identical).
// Error control: the a-posteriori estimate of each step's error in the Frobenius norm (Saad 1992) is at
// most (atol + rtol ||rho||_F) tau / (sample interval x number of intervals), so that the estimates of
// the whole run sum to at most atol + rtol ||rho||_F (EvolveSummary::error_estimate: their sum).
EvolveSummary evolve_krylov(const Liouvillian& liouvillian, Eigen::VectorXcd& rho, const std::vector<double>& times,
                            const EvolveOptions& options, const RhoObserver& observer = {},
                            const ProgressFn& progress = {});

}  // namespace qbnet::fock
