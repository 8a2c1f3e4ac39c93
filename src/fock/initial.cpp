#include "qbnet/fock/initial.hpp"

namespace qbnet::fock {

namespace {
using cd = std::complex<double>;

// Amplitudes of the product of single-mode pure states (index: row-major over modes, FockBasis order).
Eigen::VectorXcd product_amplitudes(const FockBasis& basis, const std::vector<std::vector<cd>>& per_mode) {
    const long d = basis.dim();
    Eigen::VectorXcd psi(d);
    for (long i = 0; i < d; ++i) {
        cd v = 1.0;
        for (int j = 0; j < basis.n_modes(); ++j) v *= per_mode[static_cast<std::size_t>(j)][static_cast<std::size_t>(basis.digit(i, j))];
        psi[i] = v;
    }
    return psi;
}
}  // namespace

Eigen::VectorXcd initial_density_matrix(const InitialState& state, const FockBasis& basis) {
    const long d = basis.dim();
    Eigen::VectorXcd rho = Eigen::VectorXcd::Zero(d * d);
    switch (state.kind) {
        case InitialState::Kind::vacuum:
            rho[0] = 1.0;
            break;
        case InitialState::Kind::thermal: {
            // Diagonal: p(i) = prod_j p_j(digit_j(i)).
            std::vector<std::vector<double>> p;
            for (int c : basis.cutoffs()) p.push_back(thermal_populations(state.occupation, c));
            for (long i = 0; i < d; ++i) {
                double v = 1.0;
                for (int j = 0; j < basis.n_modes(); ++j)
                    v *= p[static_cast<std::size_t>(j)][static_cast<std::size_t>(basis.digit(i, j))];
                rho[i * d + i] = v;
            }
            break;
        }
        case InitialState::Kind::coherent: {
            std::vector<std::vector<cd>> c;
            for (int cut : basis.cutoffs()) c.push_back(coherent_amplitudes(state.alpha, cut));
            const Eigen::VectorXcd psi = product_amplitudes(basis, c);
            for (long i = 0; i < d; ++i)
                for (long k = 0; k < d; ++k) rho[i * d + k] = psi[i] * std::conj(psi[k]);
            break;
        }
    }
    return rho;
}

DisplacedInitialState displaced_initial_state(const InitialState& state, const FockBasis& basis) {
    DisplacedInitialState out;
    out.alpha = Eigen::VectorXcd::Zero(basis.n_modes());
    if (state.kind == InitialState::Kind::coherent) {
        out.alpha.setConstant(state.alpha);
        out.rho = initial_density_matrix(InitialState{}, basis);   // D(alpha) |0> = |alpha>
    } else {
        out.rho = initial_density_matrix(state, basis);
    }
    return out;
}

}  // namespace qbnet::fock
