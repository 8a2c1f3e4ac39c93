#include "qbnet/gaussian/moments.hpp"

#include <cmath>
#include <complex>

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

// Omega S Omega^T for symmetric S: (a, b) -> sgn(a) sgn(b) S(a^, b^), a^ the partner of a in its
// (x, p) pair, sgn = +1 on x rows and -1 on p rows.
Eigen::MatrixXd omega_sandwich(const Eigen::MatrixXd& s) {
    Eigen::MatrixXd out(s.rows(), s.cols());
    for (Eigen::Index b = 0; b < s.cols(); ++b) {
        const Eigen::Index bp = b ^ 1;
        const double sb = (b & 1) ? -1.0 : 1.0;
        for (Eigen::Index a = 0; a < s.rows(); ++a) out(a, b) = ((a & 1) ? -sb : sb) * s(a ^ 1, bp);
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

Eigen::MatrixXcd sparse_kossakowski(const model::Model& model) {
    const int m = model.n_modes();
    Eigen::MatrixXcd g = Eigen::MatrixXcd::Zero(2 * m, 2 * m);
    std::vector<std::pair<int, cd>> nz;
    for (const auto& jump : model.jumps) {
        nz.clear();
        for (int j = 0; j < m; ++j) {
            if (jump.u(j) != 0.0) nz.emplace_back(j, jump.u(j));
            if (jump.v(j) != 0.0) nz.emplace_back(m + j, jump.v(j));
        }
        // G_ab += rate w_a conj(w_b)
        for (const auto& [a, wa] : nz)
            for (const auto& [b, wb] : nz) g(a, b) += jump.rate * wa * std::conj(wb);
    }
    return g;
}

GaussianMoments gaussian_moments(const model::Model& model) {
    if (!model.is_quadratic())
        throw RunRefused(
            "gaussian engine: the model has a Kerr term (not quadratic, the state does not stay "
            "Gaussian); run it with the Fock engine (engine = \"fock\")");
    const int m = model.n_modes();
    const int n = 2 * m;
    const Eigen::MatrixXcd g = sparse_kossakowski(model);

    // C = T^T G conj(T) (2M x 2M, hermitian), T the (a, a^dag) <- R map: L_k = l_k^T R with l_k = T^T w_k,
    // C = sum_k rate_k l_k l_k^dag. T is 2-sparse per row, so the triple product is an O(M^2) loop.
    // H_R = 2 Re(T_a^dag h T_a): sum_jk h_jk a_j^dag a_k = 1/2 R^T H_R R + const.
    Eigen::MatrixXd h_r(n, n);
    Eigen::MatrixXcd c(n, n);
    for (int k = 0; k < m; ++k)
        for (int j = 0; j < m; ++j) {
            // Most mode pairs are uncoupled in a network: skip them (O(M^2) memory reads only).
            if (model.h(j, k) == 0.0 && g(j, k) == 0.0 && g(m + j, k) == 0.0 && g(j, m + k) == 0.0 &&
                g(m + j, m + k) == 0.0) {
                h_r.block<2, 2>(2 * j, 2 * k).setZero();
                c.block<2, 2>(2 * j, 2 * k).setZero();
                continue;
            }
            for (int t = 0; t < 2; ++t)
                for (int s = 0; s < 2; ++s) {
                    const int row = 2 * j + s, col = 2 * k + t;
                    h_r(row, col) =
                        2.0 * (std::conj(annihilation_coeff(s)) * model.h(j, k) * annihilation_coeff(t)).real();
                    cd sum = 0.0;
                    for (int alpha : {j, m + j})
                        for (int beta : {k, m + k})
                            sum += operator_coeff(alpha, m, s) * g(alpha, beta) *
                                   std::conj(operator_coeff(beta, m, t));
                    c(row, col) = sum;
                }
        }
    // Drive: sum_j (eps_j a_j^dag + conj(eps_j) a_j) = r^T R with r = 2 Re(T_a^T conj(eps)).
    Eigen::VectorXd r(n);
    for (int j = 0; j < m; ++j)
        for (int s = 0; s < 2; ++s) r(2 * j + s) = 2.0 * (std::conj(model.drive(j)) * annihilation_coeff(s)).real();

    // Heisenberg equations (derivations.md): the Hamiltonian gives Omega H_R, the dissipators
    // -Omega Im(C) (drift) and Omega Re(C) Omega^T (diffusion); the drive gives Omega r.
    GaussianMoments mom;
    mom.drift = omega_times(h_r - c.imag());
    mom.drive = omega_times(r);
    mom.diffusion = omega_sandwich(c.real());
    mom.diffusion = 0.5 * (mom.diffusion + mom.diffusion.transpose()).eval();
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
