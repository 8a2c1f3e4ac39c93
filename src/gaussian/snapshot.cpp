#include "qbnet/gaussian/snapshot.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "qbnet/gaussian/ergotropy.hpp"

namespace qbnet::gaussian {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using ConstBlock = Eigen::Block<const Eigen::MatrixXd>;

// sum_k (nu_k - 1/2) and sum_k (nu_k - 1/2)^2 of a phase-covariant covariance block (no spectrum: its
// complex form M has the nu_k as eigenvalues, so these are tr M - N/2 and ||M - I/2||_F^2). False when
// some 2x2 block is not of the phase-covariant form (squeezing).
bool occupation_sums(const ConstBlock& sigma, double& sum, double& square_sum) {
    const Eigen::Index n = sigma.rows() / 2;
    const double tol = 1e-13 * sigma.cwiseAbs().maxCoeff();
    sum = 0.0;
    square_sum = 0.0;
    for (Eigen::Index k = 0; k < n; ++k)
        for (Eigen::Index j = 0; j < n; ++j) {
            const double xx = sigma(2 * j, 2 * k), xp = sigma(2 * j, 2 * k + 1);
            const double px = sigma(2 * j + 1, 2 * k), pp = sigma(2 * j + 1, 2 * k + 1);
            if (std::abs(xx - pp) > tol || std::abs(xp + px) > tol) return false;
            const double re = 0.5 * (xx + pp) - (j == k ? 0.5 : 0.0), im = 0.5 * (px - xp);
            square_sum += re * re + im * im;
            if (j == k) sum += re;
        }
    return true;
}

// The joint batteries above the spectrum limit: energy exactly, the Gaussian-unitary passive
// energy in closed form (phase-covariant states), the exact ergotropy only as "out of reach" when the
// spectrum-free bound proves it; the purities are left NaN.
void large_joint_figures(const GaussianState& state, int first, int nb, int limit, Snapshot& snap,
                         GaussianStateDetails* details) {
    const ConstBlock sigma_b = state.covariance.block(first, first, 2 * nb, 2 * nb);
    const double mean2 = state.mean.segment(first, 2 * nb).squaredNorm();
    const double energy = 0.5 * (sigma_b.trace() - static_cast<double>(nb)) + 0.5 * mean2;
    double occ = 0.0, occ2 = 0.0;
    const bool phase_covariant = occupation_sums(sigma_b, occ, occ2);
    const double passive_gaussian = phase_covariant ? occ : kNaN;
    const bool out_of_reach = phase_covariant && exact_passive_energy_out_of_reach(occ, occ2);
    snap.batteries.energy = energy;
    snap.batteries.passive_energy = passive_gaussian;
    snap.batteries.ergotropy = energy - passive_gaussian;
    snap.batteries_ergotropy_available = false;
    if (!details) return;
    details->batteries_gaussian_unitary_ergotropy = energy - passive_gaussian;
    details->batteries_exact_ergotropy_available = false;
    details->purity = kNaN;
    details->batteries_purity = kNaN;
    std::string why = std::to_string(nb) + " batteries > " + std::to_string(limit) +
                      ": joint symplectic spectrum and purities not computed (O(N^3)); ";
    why += phase_covariant ? "Gaussian-unitary ergotropy from the closed form sum(nu - 1/2) = tr M - N/2; "
                           : "squeezed joint state: Gaussian-unitary ergotropy not available either; ";
    why += out_of_reach ? "exact ergotropy out of reach (vacuum weight bound: more than 2e6 spectrum states)"
                        : "exact ergotropy not attempted";
    details->joint_skipped = why;
}

void joint_figures(const GaussianState& state, int first, int nb, Snapshot& snap, GaussianStateDetails* details) {
    const Eigen::VectorXd mean_b = state.mean.segment(first, 2 * nb);
    const Eigen::MatrixXd sigma_b = state.covariance.block(first, first, 2 * nb, 2 * nb);
    const Eigen::VectorXd nu = symplectic_eigenvalues(sigma_b);
    const double energy = gaussian_energy(mean_b, sigma_b);
    const double passive_gaussian = gaussian_unitary_passive_energy(nu);
    const ExactPassiveEnergy exact = exact_passive_energy(nu);
    snap.batteries.energy = energy;
    snap.batteries.passive_energy = exact.available ? exact.value : passive_gaussian;
    snap.batteries.ergotropy = energy - snap.batteries.passive_energy;
    snap.batteries_ergotropy_available = exact.available;
    if (!details) return;
    details->batteries_gaussian_unitary_ergotropy = energy - passive_gaussian;
    details->batteries_exact_ergotropy_available = exact.available;
    details->batteries_exact_missing_mass = exact.missing_mass;
    details->batteries_exact_states = exact.states;
    details->purity = gaussian_purity(state.covariance);
    details->batteries_purity = gaussian_purity(sigma_b);
}

}  // namespace

Snapshot gaussian_snapshot(const model::Model& model, const GaussianState& state, GaussianStateDetails* details,
                           int joint_spectrum_max_batteries) {
    Snapshot snap;
    const int m = model.n_modes();
    for (int j = 0; j < m; ++j) {
        ModeFigures f;
        static_cast<Figures&>(f) = single_mode_gaussian_figures(state.mean.segment<2>(2 * j),
                                                                state.covariance.block<2, 2>(2 * j, 2 * j));
        f.name = model.mode_names[j];
        snap.modes.push_back(f);
    }
    // Joint state of the batteries: modes 1..N are contiguous in quadrature order (rows 2..2M-1).
    const auto batteries = model.battery_modes();
    const int nb = static_cast<int>(batteries.size());
    const int first = 2 * batteries.front();
    if (nb > joint_spectrum_max_batteries)
        large_joint_figures(state, first, nb, joint_spectrum_max_batteries, snap, details);
    else
        joint_figures(state, first, nb, snap, details);
    if (details) {
        details->battery_entropy.clear();
        for (int j : batteries)
            details->battery_entropy.push_back(
                gaussian_entropy(std::sqrt(std::max(state.covariance.block<2, 2>(2 * j, 2 * j).determinant(), 0.25))));
    }
    return snap;
}

}  // namespace qbnet::gaussian
