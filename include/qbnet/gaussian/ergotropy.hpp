#pragma once
// Energy, ergotropy and entropy of Gaussian states from means and covariance (docs/derivations.md,
// "Gaussian engine: ergotropy"). Quadrature ordering (x_1, p_1, ...), vacuum covariance I/2,
// energy = <sum a^dag a> (omega = 1).
#include <Eigen/Dense>

#include "qbnet/result.hpp"

namespace qbnet::gaussian {

// <sum_j a_j^dag a_j> = (tr sigma - n)/2 + |<R>|^2/2 for n modes (sigma is 2n x 2n).
double gaussian_energy(const Eigen::VectorXd& mean, const Eigen::MatrixXd& sigma);

// Symplectic eigenvalues nu_k >= 1/2 (ascending) of a 2n x 2n covariance: the moduli of the
// eigenvalues of i Omega sigma, computed from the hermitian i L^T Omega L (sigma = L L^T).
Eigen::VectorXd symplectic_eigenvalues(const Eigen::MatrixXd& sigma);

// One mode: passive energy sqrt(det sigma) - 1/2 (a thermal state with nu = sqrt det sigma). Exact
// over ALL unitaries: a single-mode Gaussian state's spectrum is geometric, the same as that thermal state.
Figures single_mode_gaussian_figures(const Eigen::Vector2d& mean, const Eigen::Matrix2d& sigma);

// Passive energy reachable by Gaussian unitaries: sum_k (nu_k - 1/2).
double gaussian_unitary_passive_energy(const Eigen::VectorXd& nu);

// Passive energy over ALL unitaries. The spectrum is that of the normal-mode thermal product
// (occupations nu_k - 1/2, ratios q_k = (nu_k - 1/2)/(nu_k + 1/2)); it is enumerated in decreasing
// order (best-first search) and matched with the levels of sum a^dag a over n modes (level E has
// degeneracy C(E + n - 1, n - 1)). Stops when the missing probability mass is below `mass_tol`; the
// missing mass is put on the current level (a lower bound, off by at most missing_mass * (mean tail
// level - current level)). `available` is false when more than `max_states` states would be needed.
struct ExactPassiveEnergy {
    bool available = false;
    double value = 0.0;
    double missing_mass = 0.0;
    long states = 0;
};
ExactPassiveEnergy exact_passive_energy(const Eigen::VectorXd& nu, double mass_tol = 1e-12,
                                        long max_states = 2'000'000);

// True when exact_passive_energy(nu, mass_tol, max_states) is certain to report `available = false`,
// decided from two sums of the thermal occupations x_k = nu_k - 1/2 >= 0 without the spectrum:
// e1 = sum x_k and q = sum x_k^2. The vacuum weight p0 = prod 1/(1 + x_k) is bounded above twice:
// by 1/(1 + e1 + e2), e2 = (e1^2 - q)/2 (the product's expansion has only non-negative terms), and by
// exp(-e1 log(1 + c)/c), c = sqrt(q) >= max x_k (log(1 + x) >= x log(1 + c)/c on [0, c]); when
// max_states * p0 < 1 - mass_tol is certain the enumeration would give up as well. For a phase-covariant
// covariance both sums are O(N^2): e1 = tr M - N/2, q = ||M - I/2||_F^2 (M its complex form).
bool exact_passive_energy_out_of_reach(double occupation_sum, double occupation_square_sum,
                                       double mass_tol = 1e-12, long max_states = 2'000'000);

// von Neumann entropy (nats) of a mode with symplectic eigenvalue nu: (nu+1/2)ln(nu+1/2) - (nu-1/2)ln(nu-1/2).
double gaussian_entropy(double nu);

// Purity tr rho^2 = 1 / (2^n sqrt(det sigma)) (1 for any pure state, vacuum sigma = I/2).
double gaussian_purity(const Eigen::MatrixXd& sigma);

}  // namespace qbnet::gaussian
