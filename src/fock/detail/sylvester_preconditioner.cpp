// Sylvester preconditioner of the steady-state solver (declared in qbnet/fock/steady.hpp): the inverse
// of K(X) = -i (H X - X H^dag), by a dense Schur form (small D) or a Kronecker sum of single-mode parts.
#include <algorithm>
#include <cmath>

#include "qbnet/fock/steady.hpp"
#include "qbnet/numerics/parallel.hpp"
#include "qbnet/numerics/vector_ops.hpp"

namespace qbnet::fock {

using cd = std::complex<double>;
using RowMat = Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

SylvesterPreconditioner::SylvesterPreconditioner(const Liouvillian& liouvillian, long full_max_dim, int threads)
    : dim_(liouvillian.dim()), threads_(numerics::resolve_threads(threads)), cutoffs_(liouvillian.basis().cutoffs()) {
    full_ = dim_ <= full_max_dim;
    if (full_) {
        // Schur, not eigenvectors: H_eff of an NC link is defective (an exceptional point) and a drive
        // makes its eigenvectors exponentially ill-conditioned; the unitary Schur basis is always stable.
        const Eigen::MatrixXcd h = liouvillian.h_eff().dense(dim_);
        Eigen::ComplexSchur<Eigen::MatrixXcd> schur(h);
        q_ = schur.matrixU();
        t_ = schur.matrixT();
        t_rows_ = t_.transpose();   // column n = row n of T, contiguous for the back substitution
        lambda_ = t_.diagonal();
    } else {
        // Kronecker sum of single-mode parts: lambda(m) = sum_j lambda_j(digit_j(m)).
        lambda_ = Eigen::VectorXcd::Zero(dim_);
        const FockBasis& basis = liouvillian.basis();
        for (int j = 0; j < basis.n_modes(); ++j) {
            // Without the drive the single-mode parts are (nearly) diagonal in n, so their eigenvectors
            // are well conditioned; GMRES takes care of the drive and of the inter-mode terms.
            Eigen::ComplexEigenSolver<Eigen::MatrixXcd> eig(liouvillian.local_h_eff(j, false));
            vj_.push_back(eig.eigenvectors());
            vj_inv_.push_back(eig.eigenvectors().inverse());
            for (long m = 0; m < dim_; ++m) lambda_[m] += eig.eigenvalues()[basis.digit(m, j)];
        }
    }
    // K's eigenvalues -i(lambda_m - conj lambda_n) have real part Im lambda_m + Im lambda_n <= 0; an
    // undamped pair would give 0. A small negative shift keeps the preconditioner bounded.
    shift_ = 1e-3 * std::max(1e-12, lambda_.imag().cwiseAbs().maxCoeff());
}

void SylvesterPreconditioner::transform_rows(cd* x, const std::vector<Eigen::MatrixXcd>& factors, cd* work) const {
    // x <- (U_0 (x) U_1 (x) ... ) x, applied mode by mode along the ROW index. For mode j with cutoff c
    // and stride s the rows form blocks p of c x (s*D) contiguous row-major matrices: block <- U_j block.
    const long d = dim_;
    long stride = d;
    for (std::size_t j = 0; j < factors.size(); ++j) {
        const long c = cutoffs_[j];
        stride /= c;
        const long width = stride * d;          // columns of one block
        const long blocks = d / (c * stride);
        constexpr long chunk = 2048;            // column chunk: keeps c x chunk in cache
        const long chunks = (width + chunk - 1) / chunk;
        const int nt = numerics::vector_threads(2 * d * d, threads_);
#pragma omp parallel for collapse(2) schedule(static) num_threads(nt) if (nt > 1)
        for (long p = 0; p < blocks; ++p)
            for (long q = 0; q < chunks; ++q) {
                const long c0 = q * chunk, w = std::min(chunk, width - c0);
                Eigen::Map<RowMat, 0, Eigen::OuterStride<>> blk(x + p * c * width + c0, c, w, Eigen::OuterStride<>(width));
                Eigen::Map<RowMat, 0, Eigen::OuterStride<>> tmp(work + p * c * width + c0, c, w, Eigen::OuterStride<>(width));
                tmp.noalias() = factors[j] * blk;
                blk = tmp;
            }
    }
}

void SylvesterPreconditioner::apply(const cd* r, cd* x, cd* work) const {
    const long d = dim_;
    const cd I(0.0, 1.0);
    if (full_) {
        // K(X) - s X = R with H = Q T Q^dag:  Y = Q^dag X Q solves  T Y - Y T^dag - i s Y = i Q^dag R Q,
        // a triangular Sylvester equation solved row by row from the bottom (Bartels-Stewart).
        Eigen::Map<const RowMat> rm(r, d, d);
        Eigen::Map<RowMat> xm(x, d, d), wm(work, d, d);
        wm.noalias() = q_.adjoint() * rm;
        xm.noalias() = I * (wm * q_);   // F = i Q^dag R Q
        for (long m = d - 1; m >= 0; --m) {
            Eigen::Matrix<cd, Eigen::Dynamic, 1> rhs = xm.row(m).transpose();
            if (m + 1 < d) rhs.noalias() -= (t_.row(m).segment(m + 1, d - m - 1) * xm.bottomRows(d - m - 1)).transpose();
            // y (t_mm - i s - T^dag) = rhs: back substitution over n (T^dag is lower triangular)
            const cd tmm = t_(m, m) - I * shift_;
            for (long n = d - 1; n >= 0; --n) {
                cd acc = rhs[n];
                // sum_{k>n} conj(T_nk) y_k  (Eigen's dot conjugates its first argument)
                if (n + 1 < d) acc += t_rows_.col(n).segment(n + 1, d - n - 1).dot(rhs.segment(n + 1, d - n - 1));
                rhs[n] = acc / (tmm - std::conj(t_(n, n)));
            }
            xm.row(m) = rhs.transpose();
        }
        wm.noalias() = q_ * xm;
        xm.noalias() = wm * q_.adjoint();
        numerics::hermitize(x, d, threads_);
        return;
    }
    // Kronecker sum: Z = V^{-1} R V^{-dag};  Y = Z ./ den;  X = V Y V^dag   (K(X) = V [den .* Y] V^dag).
    if (r != x) std::copy(r, r + d * d, x);   // in place (r == x) allowed
    transform_rows(x, vj_inv_, work);
    numerics::adjoint(x, work, d, threads_);
    transform_rows(work, vj_inv_, x);
    numerics::adjoint(work, x, d, threads_);
    const int nt = numerics::vector_threads(2 * d * d, threads_);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (long m = 0; m < d; ++m)
        for (long n = 0; n < d; ++n) x[m * d + n] /= (-I * (lambda_[m] - std::conj(lambda_[n])) - shift_);
    transform_rows(x, vj_, work);
    numerics::adjoint(x, work, d, threads_);
    transform_rows(work, vj_, x);
    numerics::adjoint(work, x, d, threads_);
    numerics::hermitize(x, d, threads_);
}

}  // namespace qbnet::fock
