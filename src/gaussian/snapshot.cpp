#include "qbnet/gaussian/snapshot.hpp"

#include "qbnet/gaussian/ergotropy.hpp"

namespace qbnet::gaussian {

Snapshot gaussian_snapshot(const model::Model& model, const GaussianState& state, GaussianStateDetails* details) {
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
    if (details) {
        details->batteries_gaussian_unitary_ergotropy = energy - passive_gaussian;
        details->batteries_exact_ergotropy_available = exact.available;
        details->batteries_exact_missing_mass = exact.missing_mass;
        details->batteries_exact_states = exact.states;
        details->purity = gaussian_purity(state.covariance);
        details->batteries_purity = gaussian_purity(sigma_b);
        details->battery_entropy.clear();
        for (int j : batteries)
            details->battery_entropy.push_back(
                gaussian_entropy(std::sqrt(std::max(state.covariance.block<2, 2>(2 * j, 2 * j).determinant(), 0.25))));
    }
    return snap;
}

}  // namespace qbnet::gaussian
