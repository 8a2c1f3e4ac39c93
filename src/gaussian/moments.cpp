#include "qbnet/gaussian/moments.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <utility>
#include <vector>

#include "qbnet/errors.hpp"

namespace qbnet::gaussian {

using cd = std::complex<double>;

namespace {

// a_j = sum_m T_a(j, m) R_m with T_a(j, 2j) = 1/sqrt2, T_a(j, 2j+1) = i/sqrt2 (x = (a+a^dag)/sqrt2,
// p = (a-a^dag)/(i sqrt2)). s = 0 (x) or 1 (p). The a^dag row is the complex conjugate.
cd annihilation_coeff(int s) { return s == 0 ? cd(M_SQRT1_2, 0.0) : cd(0.0, M_SQRT1_2); }

// Coefficient of R_{2j+s} in the operator c_alpha, alpha over (a_1..a_M, a_1^dag..a_M^dag).
cd operator_coeff(int alpha, int m_modes, int s) {
    return alpha < m_modes ? annihilation_coeff(s) : std::conj(annihilation_coeff(s));
}

// Omega * M without a dense product (Omega is a signed permutation): row 2j <- row 2j+1,
// row 2j+1 <- -row 2j. Column by column (contiguous in Eigen's column-major storage).
Eigen::MatrixXd omega_times(const Eigen::MatrixXd& mat) {
    Eigen::MatrixXd out(mat.rows(), mat.cols());
    for (Eigen::Index c = 0; c < mat.cols(); ++c)
        for (Eigen::Index j = 0; j + 1 < mat.rows(); j += 2) {
            out(j, c) = mat(j + 1, c);
            out(j + 1, c) = -mat(j, c);
        }
    return out;
}

}  // namespace

Eigen::MatrixXd symplectic_form(int n_modes) {
    Eigen::MatrixXd omega = Eigen::MatrixXd::Zero(2 * n_modes, 2 * n_modes);
    for (int j = 0; j < n_modes; ++j) {
        omega(2 * j, 2 * j + 1) = 1.0;
        omega(2 * j + 1, 2 * j) = -1.0;
    }
    return omega;
}

namespace {

// Calls add(a, b, rate w_a conj(w_b)) for every jump's non-zero coefficient pairs (a, b over
// a_1..a_M, a_1^dag..a_M^dag), jump by jump: both Kossakowski builders sum the same terms in the same
// order, so their entries are the same floating-point numbers.
template <class Add>
void for_each_kossakowski_term(const model::Model& model, Add add) {
    const int m = model.n_modes();
    std::vector<std::pair<int, cd>> nz;
    for (const auto& jump : model.jumps) {
        nz.clear();
        for (int j = 0; j < m; ++j) {
            if (jump.u(j) != 0.0) nz.emplace_back(j, jump.u(j));
            if (jump.v(j) != 0.0) nz.emplace_back(m + j, jump.v(j));
        }
        for (const auto& [a, wa] : nz)
            for (const auto& [b, wb] : nz) add(a, b, jump.rate * wa * std::conj(wb));
    }
}

}  // namespace

Eigen::MatrixXcd sparse_kossakowski(const model::Model& model) {
    const int m = model.n_modes();
    Eigen::MatrixXcd g = Eigen::MatrixXcd::Zero(2 * m, 2 * m);
    for_each_kossakowski_term(model, [&g](int a, int b, cd term) { g(a, b) += term; });
    return g;
}

namespace {

// Non-zero Kossakowski entries G_ab (a, b over a_1..a_M, a_1^dag..a_M^dag), accumulated jump by jump in
// the same order as sparse_kossakowski (so the sums are the same floating-point numbers) but without
// the dense 2M x 2M complex matrix (1.6 GB at N = 5000).
std::map<std::pair<int, int>, cd> kossakowski_entries(const model::Model& model) {
    std::map<std::pair<int, int>, cd> g;
    for_each_kossakowski_term(model, [&g](int a, int b, cd term) { g[{a, b}] += term; });
    return g;
}

cd entry(const std::map<std::pair<int, int>, cd>& g, int a, int b) {
    const auto it = g.find({a, b});
    return it == g.end() ? cd(0.0, 0.0) : it->second;
}

}  // namespace

GaussianMoments gaussian_moments(const model::Model& model) {
    if (!model.is_quadratic())
        throw RunRefused(
            "gaussian engine: the model has a Kerr term (not quadratic, the state does not stay "
            "Gaussian); run it with the Fock engine (engine = \"fock\")");
    const int m = model.n_modes();
    const int n = 2 * m;
    const auto g = kossakowski_entries(model);

    // Mode pairs (j, k) with a Hamiltonian or Kossakowski entry; every other 2x2 block of A and D is 0.
    std::vector<std::pair<int, int>> pairs;
    for (int k = 0; k < m; ++k)
        for (int j = 0; j < m; ++j)
            if (model.h(j, k) != 0.0) pairs.emplace_back(j, k);
    for (const auto& [ab, value] : g) pairs.emplace_back(ab.first % m, ab.second % m);
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());

    // Per block: C = T^T G conj(T) (hermitian, T the (a, a^dag) <- R map: L_k = l_k^T R, l_k = T^T w_k)
    // and H_R = 2 Re(T_a^dag h T_a) (sum_jk h_jk a_j^dag a_k = 1/2 R^T H_R R + const). The Heisenberg
    // equations (derivations.md) give the drift Omega (H_R - Im C) and the diffusion Omega Re(C) Omega^T;
    // Omega acts inside each mode's (x, p) pair, so both are filled block by block.
    GaussianMoments mom;
    mom.drift = Eigen::MatrixXd::Zero(n, n);
    mom.diffusion = Eigen::MatrixXd::Zero(n, n);
    for (const auto& [j, k] : pairs) {
        Eigen::Matrix2d hr, cim, cre;
        for (int t = 0; t < 2; ++t)
            for (int s = 0; s < 2; ++s) {
                hr(s, t) = 2.0 * (std::conj(annihilation_coeff(s)) * model.h(j, k) * annihilation_coeff(t)).real();
                cd sum = 0.0;
                for (int alpha : {j, m + j})
                    for (int beta : {k, m + k})
                        sum += operator_coeff(alpha, m, s) * entry(g, alpha, beta) * std::conj(operator_coeff(beta, m, t));
                cim(s, t) = sum.imag();
                cre(s, t) = sum.real();
            }
        const Eigen::Matrix2d a = hr - cim;
        for (int t = 0; t < 2; ++t) {
            mom.drift(2 * j, 2 * k + t) = a(1, t);        // Omega: row 2j <- row 2j+1, row 2j+1 <- -row 2j
            mom.drift(2 * j + 1, 2 * k + t) = -a(0, t);
            for (int s = 0; s < 2; ++s)                   // Omega S Omega^T: sgn(s) sgn(t) S(s^1, t^1)
                mom.diffusion(2 * j + s, 2 * k + t) = ((s ^ t) & 1 ? -1.0 : 1.0) * cre(s ^ 1, t ^ 1);
        }
    }
    // Drive: sum_j (eps_j a_j^dag + conj(eps_j) a_j) = r^T R with r = 2 Re(T_a^T conj(eps)); b = Omega r.
    Eigen::VectorXd r(n);
    for (int j = 0; j < m; ++j)
        for (int s = 0; s < 2; ++s) r(2 * j + s) = 2.0 * (std::conj(model.drive(j)) * annihilation_coeff(s)).real();
    mom.drive = omega_times(r);
    // Symmetrise D in place (the same numbers as 0.5 (D + D^T), without a second n x n copy).
    for (const auto& [j, k] : pairs)
        for (int s = 0; s < 2; ++s)
            for (int t = 0; t < 2; ++t) {
                const int row = 2 * j + s, col = 2 * k + t;
                if (row >= col) continue;
                const double v = 0.5 * (mom.diffusion(row, col) + mom.diffusion(col, row));
                mom.diffusion(row, col) = v;
                mom.diffusion(col, row) = v;
            }
    return mom;
}

Eigen::VectorXcd mode_amplitudes(const Eigen::VectorXd& q) {
    const int m = static_cast<int>(q.size() / 2);
    Eigen::VectorXcd a(m);
    for (int j = 0; j < m; ++j) a(j) = cd(q(2 * j), q(2 * j + 1)) * M_SQRT1_2;
    return a;
}

Eigen::VectorXd quadrature_means(const Eigen::VectorXcd& a) {
    Eigen::VectorXd q(2 * a.size());
    for (Eigen::Index j = 0; j < a.size(); ++j) {
        q(2 * j) = std::sqrt(2.0) * a(j).real();
        q(2 * j + 1) = std::sqrt(2.0) * a(j).imag();
    }
    return q;
}

}  // namespace qbnet::gaussian
