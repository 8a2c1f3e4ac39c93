#pragma once
// Time evolution of the Gaussian moments on a uniform grid by exact propagation (derivations.md,
// "Gaussian engine: time evolution"): with Phi = exp(A dt),
//   R(t + dt) = Phi R(t) + int_0^dt e^{As} b ds,   sigma(t + dt) = Phi sigma(t) Phi^T + Q(dt),
// Q(dt) = int_0^dt e^{As} D e^{A^T s} ds. When the steady state is known this is the same as
// propagating the deviation from it (R - R_ss -> Phi (R - R_ss), sigma - sigma_ss -> Phi (.) Phi^T),
// which needs only exp(A dt); otherwise Van Loan's block exponential supplies the two integrals.
// No time-stepping error: only the rounding of one matrix exponential (Pade, scaling and squaring).
#include <string>
#include <vector>

#include "qbnet/gaussian/moments.hpp"

namespace qbnet::gaussian {

// "vacuum", "thermal:<n>" (every mode thermal with occupation n), "coherent:<alpha>" or
// "coherent:<re>,<im>" (every mode in the coherent state |alpha>). Throws InputError (key
// "time.initial") otherwise.
GaussianState gaussian_initial_state(const std::string& spec, int n_modes);

// States at t_k = k t_end / (samples - 1), k = 0..samples-1 (the first is `initial`).
// `steady` (optional) selects the deviation form; pass nullptr for Van Loan (also valid for unstable A).
std::vector<GaussianState> gaussian_evolve(const GaussianMoments& moments, const GaussianState& initial,
                                           double t_end, int samples, const GaussianState* steady = nullptr);

}  // namespace qbnet::gaussian
