#include "qbnet/gaussian/lyapunov.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <Eigen/SparseCore>
#include <spdlog/spdlog.h>

#include "qbnet/errors.hpp"

namespace qbnet::gaussian {

namespace {

using Mat = Eigen::MatrixXd;
using ConstRef = Eigen::Ref<const Mat>;
using Ref = Eigen::Ref<Mat>;

// Leaves of the recursion: below this size the column-by-column substitution is cheaper than
// another level of matrix products.
constexpr Eigen::Index kLeaf = 32;

// Size of the diagonal block that ends at index k (1 or 2).
Eigen::Index block_ending_at(const ConstRef& t, Eigen::Index k) { return (k > 0 && t(k, k - 1) != 0.0) ? 2 : 1; }

// Split point near the middle that does not cut a 2x2 block.
Eigen::Index split_point(const ConstRef& t) {
    Eigen::Index k = t.rows() / 2;
    if (t(k, k - 1) != 0.0) ++k;
    return k;
}

// Off-diagonal blocks of T are often exactly zero: a normal drift block (RC links) has a diagonal Schur
// form, and independent sub-networks give zero coupling blocks. Skipping their products turns the
// O(n^3) recursion into O(n^2) there; the test itself is O(k r), far below the k r n product it saves.
bool is_zero(const ConstRef& block) { return block.size() == 0 || (block.array() == 0.0).all(); }

// Leaf solver for T1 X + X T2^T = C: columns of X from the last block of T2 backwards (column j of
// X T2^T involves the columns k >= j of X), each column block by back substitution over the row
// blocks of T1; the coupled 1x1/2x2 pieces solve (I (x) T1_ii + T2_jj (x) I) vec Z = vec R (<= 4x4).
void sylvester_leaf(const ConstRef& t1, const ConstRef& t2, Ref c) {
    const Eigen::Index m = t1.rows(), p = t2.rows();
    for (Eigen::Index j = p - 1; j >= 0;) {
        const Eigen::Index bj = block_ending_at(t2, j), jb = j - bj + 1;
        if (j + 1 < p && !is_zero(t2.block(jb, j + 1, bj, p - j - 1)))
            c.middleCols(jb, bj).noalias() -= c.rightCols(p - j - 1) * t2.block(jb, j + 1, bj, p - j - 1).transpose();
        for (Eigen::Index i = m - 1; i >= 0;) {
            const Eigen::Index bi = block_ending_at(t1, i), ib = i - bi + 1;
            if (i + 1 < m && !is_zero(t1.block(ib, i + 1, bi, m - i - 1)))
                c.block(ib, jb, bi, bj).noalias() -= t1.block(ib, i + 1, bi, m - i - 1) * c.block(i + 1, jb, m - i - 1, bj);
            const Eigen::Index nk = bi * bj;
            Eigen::Matrix4d k = Eigen::Matrix4d::Zero();
            Eigen::Vector4d r = Eigen::Vector4d::Zero();
            for (Eigen::Index cj = 0; cj < bj; ++cj)
                for (Eigen::Index ci = 0; ci < bi; ++ci) {
                    const Eigen::Index row = cj * bi + ci;   // column-major vec of the bi x bj piece
                    r(row) = c(ib + ci, jb + cj);
                    for (Eigen::Index l = 0; l < bi; ++l) k(row, cj * bi + l) += t1(ib + ci, ib + l);
                    for (Eigen::Index l = 0; l < bj; ++l) k(row, l * bi + ci) += t2(jb + cj, jb + l);
                }
            Eigen::Vector4d z = Eigen::Vector4d::Zero();
            if (nk == 1)
                z(0) = r(0) / k(0, 0);
            else
                z.head(nk) = k.topLeftCorner(nk, nk).fullPivLu().solve(r.head(nk));
            for (Eigen::Index cj = 0; cj < bj; ++cj)
                for (Eigen::Index ci = 0; ci < bi; ++ci) c(ib + ci, jb + cj) = z(cj * bi + ci);
            i = ib - 1;
        }
        j = jb - 1;
    }
}

}  // namespace

void solve_quasi_triangular_sylvester(const ConstRef& t1, const ConstRef& t2, Ref c) {
    const Eigen::Index m = t1.rows(), p = t2.rows();
    if (m <= kLeaf && p <= kLeaf) return sylvester_leaf(t1, t2, c);
    if (m >= p) {
        // T1 = [T11 T12; 0 T22]: T22 X2 + X2 T2^T = C2, then T11 X1 + X1 T2^T = C1 - T12 X2.
        const Eigen::Index k = split_point(t1);
        solve_quasi_triangular_sylvester(t1.bottomRightCorner(m - k, m - k), t2, c.bottomRows(m - k));
        if (!is_zero(t1.topRightCorner(k, m - k)))
            c.topRows(k).noalias() -= t1.topRightCorner(k, m - k) * c.bottomRows(m - k);
        solve_quasi_triangular_sylvester(t1.topLeftCorner(k, k), t2, c.topRows(k));
    } else {
        // T2 = [B11 B12; 0 B22]: T1 X2 + X2 B22^T = C2, then T1 X1 + X1 B11^T = C1 - X2 B12^T.
        const Eigen::Index k = split_point(t2);
        solve_quasi_triangular_sylvester(t1, t2.bottomRightCorner(p - k, p - k), c.rightCols(p - k));
        if (!is_zero(t2.topRightCorner(k, p - k)))
            c.leftCols(k).noalias() -= c.rightCols(p - k) * t2.topRightCorner(k, p - k).transpose();
        solve_quasi_triangular_sylvester(t1, t2.topLeftCorner(k, k), c.leftCols(k));
    }
}

void solve_quasi_triangular_lyapunov(const ConstRef& t, Ref c) {
    const Eigen::Index n = t.rows();
    if (n <= kLeaf) {
        sylvester_leaf(t, t, c);
        c = (0.5 * (c + c.transpose())).eval();
        return;
    }
    // T = [T11 T12; 0 T22], Y symmetric:
    //   T22 Y22 + Y22 T22^T = C22
    //   T11 Y12 + Y12 T22^T = C12 - T12 Y22                      (Sylvester)
    //   T11 Y11 + Y11 T11^T = C11 - T12 Y12^T - Y12 T12^T        (Lyapunov), Y21 = Y12^T.
    const Eigen::Index k = split_point(t);
    const Eigen::Index r = n - k;
    solve_quasi_triangular_lyapunov(t.bottomRightCorner(r, r), c.bottomRightCorner(r, r));
    const bool coupled = !is_zero(t.topRightCorner(k, r));
    if (coupled) c.topRightCorner(k, r).noalias() -= t.topRightCorner(k, r) * c.bottomRightCorner(r, r);
    solve_quasi_triangular_sylvester(t.topLeftCorner(k, k), t.bottomRightCorner(r, r), c.topRightCorner(k, r));
    if (coupled) {
        const Mat update = t.topRightCorner(k, r) * c.topRightCorner(k, r).transpose();
        c.topLeftCorner(k, k) -= update + update.transpose();
    }
    solve_quasi_triangular_lyapunov(t.topLeftCorner(k, k), c.topLeftCorner(k, k));
    c.bottomLeftCorner(r, k) = c.topRightCorner(k, r).transpose();
}

void require_stable(std::complex<double> lambda, double scale) {
    if (lambda.real() >= -1e-13 * scale) {
        std::ostringstream msg;
        msg.precision(6);
        msg << "no steady state: drift eigenvalue " << lambda.real() << (lambda.imag() < 0 ? " - " : " + ")
            << std::abs(lambda.imag()) << "i has Re >= 0 (an undamped or amplified normal mode)";
        throw RunRefused(msg.str());
    }
}

void require_stable(const StructuredSchur& schur, const Mat& a) {
    require_stable(schur.rightmost_eigenvalue(), a.cwiseAbs().maxCoeff());
}

namespace {

// A X + X A^T + D for symmetric X.
Mat residual_matrix(const Mat& a, const Mat& x, const Mat& d) {
    const Eigen::Index n = a.rows();
    Mat ax(n, n);
    const double nnz = static_cast<double>((a.array() != 0.0).count());
    if (nnz < 0.1 * static_cast<double>(n) * static_cast<double>(n)) {
        // Network drift matrices have O(1) entries per row: a sparse product is O(n^2).
        const Eigen::SparseMatrix<double> as = a.sparseView();
        ax.noalias() = as * x;
    } else {
        ax.noalias() = a * x;
    }
    return ax + ax.transpose() + d;   // X symmetric: X A^T = (A X)^T
}

}  // namespace

double lyapunov_residual(const Mat& a, const Mat& x, const Mat& d) {
    return residual_matrix(a, x, d).norm() / std::max(d.norm(), 1e-300);
}

LyapunovSolution lyapunov_solve(const StructuredSchur& schur, const Mat& a, const Mat& d) {
    require_stable(schur, a);
    LyapunovSolution sol;
    sol.method = schur.method();
    Mat c = -schur.to_schur_basis(d);
    solve_quasi_triangular_lyapunov(schur.t(), c);
    sol.x = schur.from_schur_basis(c);
    sol.x = (0.5 * (sol.x + sol.x.transpose())).eval();
    sol.residual = lyapunov_residual(a, sol.x, d);
    spdlog::debug("Lyapunov ({}): first-pass relative residual {:.2e}", sol.method, sol.residual);
    // Iterative refinement: the structured factorisation may have dropped entries below 1e-14 max|A|
    // (see schur.cpp); correct with A dX + dX A^T + R = 0 on the same factorisation. Each sweep
    // costs one solve, far less than the factorisation.
    // Refine above rounding level only: a backward-stable solve in an n-dimensional orthogonal basis
    // leaves a relative residual of order n * eps (RC N = 1000, n = 2002: 1.6e-14 with nothing dropped),
    // and each sweep costs as much as the first solve.
    const double rounding_level = std::max(1e-14, 0.5 * static_cast<double>(a.rows()) * 2.220446049250313e-16);
    while (sol.residual > rounding_level && sol.refinements < 3) {
        const Mat r = residual_matrix(a, sol.x, d);
        Mat cr = -schur.to_schur_basis(r);
        solve_quasi_triangular_lyapunov(schur.t(), cr);
        const Mat dx = schur.from_schur_basis(cr);
        sol.x += 0.5 * (dx + dx.transpose());
        const double before = sol.residual;
        sol.residual = lyapunov_residual(a, sol.x, d);
        ++sol.refinements;
        if (sol.residual > 0.5 * before) break;   // at rounding level: no further progress
    }
    return sol;
}

LyapunovSolution lyapunov_solve(const Mat& a, const Mat& d) { return lyapunov_solve(StructuredSchur(a), a, d); }

}  // namespace qbnet::gaussian
