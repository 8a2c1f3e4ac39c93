#pragma once
// Gaussian steady state: means from A R = -b, covariance from A sigma + sigma A^T + D = 0, both on one
// structured Schur factorisation of A (derivations.md, "Gaussian engine").
#include <complex>
#include <string>

#include "qbnet/gaussian/moments.hpp"

namespace qbnet::gaussian {

struct GaussianSteadyState {
    GaussianState state;
    double residual = 0.0;        // ||A sigma + sigma A^T + D||_F / ||D||_F
    double mean_residual = 0.0;   // ||A R + b|| / ||b|| (0 without drive)
    int refinements = 0;
    std::string method;           // how the Schur form was obtained (StructuredSchur::method)
    std::complex<double> rightmost_eigenvalue;   // slowest relaxation rate of the means
    int schur_blocks = 0;
    int largest_block = 0;
    double seconds_schur = 0.0;
    double seconds_solve = 0.0;
};

// Which solver: `automatic` tries the structured O(n^2) paths first (structured_steady.hpp: uniform
// damping and noise, triangular complex drift) and falls back to the dense structured Schur;
// `dense_schur` always takes the dense path (the reference the structured paths are tested against).
enum class GaussianSteadyPath { automatic, dense_schur };

// Throws RunRefused when A has an eigenvalue with Re >= 0 (no steady state).
GaussianSteadyState gaussian_steady_state(const GaussianMoments& moments,
                                          GaussianSteadyPath path = GaussianSteadyPath::automatic);

}  // namespace qbnet::gaussian
