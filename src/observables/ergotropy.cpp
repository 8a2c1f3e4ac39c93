#include "qbnet/observables/ergotropy.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "qbnet/numerics/hermitian_eigenvalues.hpp"

namespace qbnet::observables {

double passive_energy(std::vector<double> populations, std::vector<double> levels) {
    if (populations.size() != levels.size())
        throw std::invalid_argument("passive_energy: spectrum and levels differ in size");
    // Largest population on the lowest level: the passive state (Pusz-Woronowicz / Allahverdyan).
    std::sort(populations.begin(), populations.end(), std::greater<double>());
    std::sort(levels.begin(), levels.end());
    double e = 0.0;
    for (std::size_t k = 0; k < levels.size(); ++k) e += populations[k] * levels[k];
    return e;
}

Figures ergotropy_figures(const Eigen::MatrixXcd& rho, const std::vector<double>& levels) {
    if (rho.rows() != static_cast<Eigen::Index>(levels.size()) || rho.cols() != rho.rows())
        throw std::invalid_argument("ergotropy: rho and levels differ in size");
    Figures f;
    for (Eigen::Index k = 0; k < rho.rows(); ++k) f.energy += rho(k, k).real() * levels[k];
    // Hermitian part only: integrators leave anti-hermitian noise at the 1e-15 level.
    const Eigen::MatrixXcd herm = 0.5 * (rho + rho.adjoint());
    const Eigen::VectorXd r = numerics::hermitian_eigenvalues(herm);
    f.passive_energy = passive_energy(std::vector<double>(r.data(), r.data() + r.size()), levels);
    f.ergotropy = f.energy - f.passive_energy;
    return f;
}

double ergotropy(const Eigen::MatrixXcd& rho, const std::vector<double>& levels) {
    return ergotropy_figures(rho, levels).ergotropy;
}

std::vector<double> photon_number_levels(const std::vector<int>& cutoffs) {
    std::vector<double> levels{0.0};
    for (int c : cutoffs) {
        std::vector<double> next;
        next.reserve(levels.size() * static_cast<std::size_t>(c));
        for (double l : levels)
            for (int n = 0; n < c; ++n) next.push_back(l + n);
        levels.swap(next);
    }
    return levels;
}

}  // namespace qbnet::observables
