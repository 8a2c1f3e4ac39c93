#pragma once
// Steady state of the Gaussian moments WITHOUT a dense Schur factorisation, for the two structures that
// large networks have (issue 17; derivations.md, "Lyapunov solver"):
//   1. uniform damping and uniform noise: A + A^T = -gamma I and D = d I (every mode damped at the same
//      rate into baths at the same temperature, modes joined by coherent exchange only, e.g. an RC
//      chain): sigma = (d / gamma) I solves A sigma + sigma A^T + D = 0 exactly (the global thermal
//      state), and every eigenvalue of A has Re = -gamma / 2. O(n^2) to recognise and write.
//   2. triangular complex drift: A phase-covariant (A = realification of a complex M x M matrix X) and
//      X triangular after a permutation of the modes (every nonreciprocal DAG: cascaded NC chains,
//      NC stars). T Y + Y T^dag = C is then solved entry by entry by substitution over the sparse rows
//      of T: O(M^2 * entries per row) instead of O(M^3).
// Means from A R = -b by a sparse LU of A in both cases. Anything else returns nullopt and the dense
// structured-Schur path (steady.cpp) runs.
#include <optional>

#include "qbnet/gaussian/steady.hpp"

namespace qbnet::gaussian {

// nullopt when neither structure applies. Throws RunRefused (no steady state) when a triangular drift
// has an eigenvalue with Re >= -1e-13 max|A|, like the dense path.
std::optional<GaussianSteadyState> structured_gaussian_steady_state(const GaussianMoments& moments);

}  // namespace qbnet::gaussian
