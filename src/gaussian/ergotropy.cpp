#include "qbnet/gaussian/ergotropy.hpp"

#include "qbnet/gaussian/complex_form.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <stdexcept>
#include <vector>

#include <Eigen/Eigenvalues>

namespace qbnet::gaussian {

double gaussian_energy(const Eigen::VectorXd& mean, const Eigen::MatrixXd& sigma) {
    // per mode (sigma_xx + sigma_pp - 1)/2 + (<x>^2 + <p>^2)/2
    return 0.5 * (sigma.trace() - 0.5 * static_cast<double>(sigma.rows())) + 0.5 * mean.squaredNorm();
}

namespace {
// A phase-covariant covariance (every 2x2 block [[Re z, -Im z], [Im z, Re z]]: no squeezing anywhere)
// is the realification of the hermitian n x n matrix M = <a a^dag>-type moments, M_jk = z_jk. It then
// commutes with Omega, so its symplectic eigenvalues are the ordinary eigenvalues of M: an n x n
// complex (or real symmetric) problem instead of the 2n x 2n one, 8x (32x when real) less work --
// at N = 1000 batteries that is ~1 s instead of ~8 s (bench/RESULTS.md).
bool phase_covariant_eigenvalues(const Eigen::MatrixXd& sigma, Eigen::VectorXd& nu) {
    Eigen::MatrixXcd m;
    if (!complex_form(sigma, m)) return false;
    // imaginary parts at rounding level (real hopping) count as zero: eigenvalues move by <= 1e-14
    const bool real = m.imag().cwiseAbs().maxCoeff() <= 1e-14 * sigma.cwiseAbs().maxCoeff();
    if (real) {
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(m.real(), Eigen::EigenvaluesOnly);
        nu = eig.eigenvalues();
    } else {
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(m, Eigen::EigenvaluesOnly);
        nu = eig.eigenvalues();
    }
    return true;
}
}  // namespace

Eigen::VectorXd symplectic_eigenvalues(const Eigen::MatrixXd& sigma) {
    const Eigen::Index n = sigma.rows() / 2;
    Eigen::VectorXd nu_pc;
    if (phase_covariant_eigenvalues(sigma, nu_pc)) {
        if (nu_pc.minCoeff() <= 0.0) throw std::runtime_error("symplectic_eigenvalues: covariance not positive definite");
        return nu_pc;   // ascending, like the general branch
    }
    Eigen::LLT<Eigen::MatrixXd> llt(sigma);
    if (llt.info() != Eigen::Success) throw std::runtime_error("symplectic_eigenvalues: covariance not positive definite");
    const Eigen::MatrixXd l = llt.matrixL();
    // L^T Omega L, Omega = diag([[0,1],[-1,0]]): Omega L swaps row pairs with a sign.
    Eigen::MatrixXd omega_l(2 * n, 2 * n);
    for (Eigen::Index j = 0; j < n; ++j) {
        omega_l.row(2 * j) = l.row(2 * j + 1);
        omega_l.row(2 * j + 1) = -l.row(2 * j);
    }
    const Eigen::MatrixXcd herm = std::complex<double>(0.0, 1.0) * (l.transpose() * omega_l);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(herm, Eigen::EigenvaluesOnly);
    return eig.eigenvalues().tail(n);   // eigenvalues come in +-nu pairs, ascending
}

Figures single_mode_gaussian_figures(const Eigen::Vector2d& mean, const Eigen::Matrix2d& sigma) {
    Figures f;
    f.energy = gaussian_energy(mean, sigma);
    f.passive_energy = std::sqrt(std::max(sigma.determinant(), 0.25)) - 0.5;
    f.ergotropy = f.energy - f.passive_energy;
    return f;
}

double gaussian_unitary_passive_energy(const Eigen::VectorXd& nu) { return (nu.array() - 0.5).max(0.0).sum(); }

ExactPassiveEnergy exact_passive_energy(const Eigen::VectorXd& nu, double mass_tol, long max_states) {
    const double n_modes = static_cast<double>(nu.size());
    // Ratios of the geometric spectra, largest first; pure normal modes (q = 0) only ever sit in 0.
    std::vector<double> q;
    double p0 = 1.0;
    for (Eigen::Index k = 0; k < nu.size(); ++k) {
        const double occ = std::max(nu(k) - 0.5, 0.0);
        const double qk = occ / (occ + 1.0);
        p0 *= 1.0 - qk;
        if (qk > 0.0) q.push_back(qk);
    }
    std::sort(q.begin(), q.end(), std::greater<double>());
    const int kq = static_cast<int>(q.size());
    // The enumeration pops states in decreasing probability and the vacuum p0 is the largest, so
    // reaching mass 1 - tol needs at least (1 - tol) / p0 states: when that exceeds max_states, say so
    // at once instead of enumerating max_states states first (N = 1000 thermal batteries: p0 ~ e^-400).
    if (static_cast<double>(max_states) * p0 < 1.0 - mass_tol) return ExactPassiveEnergy{};

    // Best-first enumeration of the product spectrum p(m) = p0 prod q_k^{m_k}. Every multi-index is a
    // multiset of increments taken in non-decreasing mode order; node (p, i) = last increment on mode i
    // has first child (p q_i, i) and next sibling (p q_{i+1} / q_i, i+1). With q sorted descending both
    // are <= p, so a max-heap pops the spectrum in decreasing order and holds at most 2 entries per pop.
    struct Node {
        double p;
        double parent_p;
        int mode;
        bool operator<(const Node& o) const { return p < o.p; }
    };
    std::priority_queue<Node> heap;
    // Level of sum a^dag a that rank `rank` falls on: C(E + n, n) states have total <= E. The
    // binomial is updated as (C * (E + n)) / E -- product first, so it stays an exact integer in
    // double (a ratio first would round 45 * (11/9) to 54.999...).
    auto next_level = [n_modes](long rank, double& level, double& level_end) {
        while (static_cast<double>(rank) >= level_end) {
            level += 1.0;
            level_end = std::round(level_end * (level + n_modes) / level);
        }
    };
    ExactPassiveEnergy out;
    double mass = p0;          // the vacuum of the normal modes: rank 0, level 0
    long rank = 1;
    double level = 0.0;
    double level_end = 1.0;    // number of states with total photon number <= level: C(level + n, n)
    if (kq > 0) heap.push({p0 * q[0], p0, 0});
    while (!heap.empty() && 1.0 - mass >= mass_tol) {
        if (rank >= max_states) return out;   // too large: not available
        const Node node = heap.top();
        heap.pop();
        next_level(rank, level, level_end);
        out.value += node.p * level;
        mass += node.p;
        ++rank;
        heap.push({node.p * q[node.mode], node.p, node.mode});
        if (node.mode + 1 < kq) heap.push({node.parent_p * q[node.mode + 1], node.parent_p, node.mode + 1});
    }
    out.missing_mass = std::max(1.0 - mass, 0.0);
    next_level(rank, level, level_end);
    out.value += out.missing_mass * level;
    out.states = rank;
    out.available = true;
    return out;
}

bool exact_passive_energy_out_of_reach(double occupation_sum, double occupation_square_sum, double mass_tol,
                                       long max_states) {
    const double e1 = std::max(occupation_sum, 0.0);
    const double q = std::max(occupation_square_sum, 0.0);
    // -log p0 = sum log(1 + x_k) >= log(1 + e1 + e2) (expansion of the product), and >= e1 log(1 + c) / c
    // with c = sqrt(q) >= max x_k (log(1 + x) lies above its chord on [0, c]). The larger bound wins.
    const double e2 = std::max(0.5 * (e1 * e1 - q), 0.0);
    const double c = std::sqrt(q);
    const double chord = c > 1e-12 ? e1 * std::log1p(c) / c : e1;
    const double minus_log_p0 = std::max(std::log1p(e1 + e2), chord);
    return std::log(static_cast<double>(max_states)) - minus_log_p0 < std::log1p(-mass_tol);
}

double gaussian_entropy(double nu) {
    const double plus = nu + 0.5, minus = nu - 0.5;
    return plus * std::log(plus) - (minus > 0.0 ? minus * std::log(minus) : 0.0);
}

double gaussian_purity(const Eigen::MatrixXd& sigma) {
    Eigen::LLT<Eigen::MatrixXd> llt(sigma);
    if (llt.info() != Eigen::Success) return 0.0;
    const double log_det = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
    return std::exp(-0.5 * static_cast<double>(sigma.rows()) * std::log(2.0) - 0.5 * log_det);
}

}  // namespace qbnet::gaussian
