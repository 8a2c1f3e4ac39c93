#include "qbnet/fock/observables.hpp"

#include <algorithm>
#include <cmath>

#include "qbnet/observables/ergotropy.hpp"

namespace qbnet::fock {

using cd = std::complex<double>;

Eigen::MatrixXcd partial_trace(const cd* rho, const FockBasis& basis, const std::vector<int>& keep) {
    const long d = basis.dim();
    std::vector<bool> kept(basis.n_modes(), false);
    for (int j : keep) kept[j] = true;
    // Split every basis index into (kept index, traced index), both row-major over their modes.
    long dk = 1, dt = 1;
    for (int j = 0; j < basis.n_modes(); ++j) (kept[j] ? dk : dt) *= basis.cutoffs()[j];
    std::vector<long> full(static_cast<std::size_t>(d));   // full[t * dk + k] = basis index
    for (long i = 0; i < d; ++i) {
        long k = 0, t = 0;
        for (int j = 0; j < basis.n_modes(); ++j) {
            const int n = basis.digit(i, j);
            if (kept[j])
                k = k * basis.cutoffs()[j] + n;
            else
                t = t * basis.cutoffs()[j] + n;
        }
        full[static_cast<std::size_t>(t * dk + k)] = i;
    }
    Eigen::MatrixXcd out = Eigen::MatrixXcd::Zero(dk, dk);
    for (long t = 0; t < dt; ++t) {
        const long* idx = full.data() + t * dk;
        for (long k1 = 0; k1 < dk; ++k1) {
            const cd* row = rho + idx[k1] * d;
            for (long k2 = 0; k2 < dk; ++k2) out(k1, k2) += row[idx[k2]];
        }
    }
    return out;
}

FockObservables fock_observables(const cd* rho, const FockBasis& basis,
                                 const std::vector<std::string>& mode_names, long joint_max_dim) {
    FockObservables obs;
    const int m = basis.n_modes();
    for (int j = 0; j < m; ++j) {
        const Eigen::MatrixXcd rj = partial_trace(rho, basis, {j});
        std::vector<double> levels(static_cast<std::size_t>(rj.rows()));
        for (std::size_t n = 0; n < levels.size(); ++n) levels[n] = static_cast<double>(n);
        ModeFigures f;
        static_cast<Figures&>(f) = observables::ergotropy_figures(rj, levels);
        f.name = mode_names[static_cast<std::size_t>(j)];
        obs.snapshot.modes.push_back(f);
        obs.top_level_population.push_back(rj(rj.rows() - 1, rj.rows() - 1).real());
    }
    // Joint batteries = all modes but the charger (mode 0).
    std::vector<int> batteries;
    std::vector<int> battery_cutoffs;
    for (int j = 1; j < m; ++j) {
        batteries.push_back(j);
        battery_cutoffs.push_back(basis.cutoffs()[j]);
    }
    double energy = 0.0;
    for (int j = 1; j < m; ++j) energy += obs.snapshot.modes[static_cast<std::size_t>(j)].energy;
    long db = 1;
    for (int c : battery_cutoffs) db *= c;
    if (db <= joint_max_dim) {
        const Eigen::MatrixXcd rb = partial_trace(rho, basis, batteries);
        obs.snapshot.batteries = observables::ergotropy_figures(rb, observables::photon_number_levels(battery_cutoffs));
    } else {
        obs.snapshot.batteries.energy = energy;
        obs.snapshot.batteries.ergotropy = std::nan("");
        obs.snapshot.batteries.passive_energy = std::nan("");
        obs.snapshot.batteries_ergotropy_available = false;
    }
    return obs;
}

double trace_error(const cd* rho, long dim) {
    cd tr = 0.0;
    for (long i = 0; i < dim; ++i) tr += rho[i * dim + i];
    return std::abs(tr - 1.0);
}

double hermiticity_error(const cd* rho, long dim) {
    double err = 0.0;
#pragma omp parallel for reduction(max : err) schedule(dynamic, 16)
    for (long m = 0; m < dim; ++m)
        for (long n = 0; n <= m; ++n) err = std::max(err, std::abs(rho[m * dim + n] - std::conj(rho[n * dim + m])));
    return err;
}

}  // namespace qbnet::fock
