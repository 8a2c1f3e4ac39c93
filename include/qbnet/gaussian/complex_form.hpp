#pragma once
// Complex form of a phase-covariant real matrix in quadrature order (x1, p1, x2, p2, ...): every 2x2 block
// is [[Re z, -Im z], [Im z, Re z]], i.e. the matrix is the realification of the complex n x n matrix z
// (a = (x + i p)/sqrt2). Used for drift matrices (gaussian/schur.cpp: no squeezing -> half-size complex
// Schur problem) and covariances (gaussian/ergotropy.cpp: symplectic spectrum = eig(z)).
#include <algorithm>
#include <cmath>
#include <complex>

#include <Eigen/Dense>

namespace qbnet::gaussian {

// Returns false (z untouched) unless every block has that form to rel_tol * max|a|; z is the block average.
inline bool complex_form(const Eigen::MatrixXd& a, Eigen::MatrixXcd& z, double rel_tol = 1e-13) {
    if (a.rows() != a.cols() || a.rows() % 2 != 0) return false;
    const Eigen::Index n = a.rows() / 2;
    const double tol = rel_tol * a.cwiseAbs().maxCoeff();
    Eigen::MatrixXcd out(n, n);
    for (Eigen::Index k = 0; k < n; ++k)
        for (Eigen::Index j = 0; j < n; ++j) {
            const double xx = a(2 * j, 2 * k), xp = a(2 * j, 2 * k + 1);
            const double px = a(2 * j + 1, 2 * k), pp = a(2 * j + 1, 2 * k + 1);
            if (std::abs(xx - pp) > tol || std::abs(xp + px) > tol) return false;
            out(j, k) = std::complex<double>(0.5 * (xx + pp), 0.5 * (px - xp));
        }
    z = std::move(out);
    return true;
}

}  // namespace qbnet::gaussian
