#include "qbnet/fock/steady.hpp"

#include <chrono>
#include <cmath>

#include <spdlog/spdlog.h>

#include "qbnet/fock/evolve.hpp"
#include "qbnet/fock/observables.hpp"

namespace qbnet {

using cd = std::complex<double>;
using RowMat = Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace {
constexpr int kRestart = 24;   // GMRES restart length: memory = (kRestart + 4) copies of rho

// Real inner product <x, y> = Re tr(x^dag y) over hermitian matrices stored as complex D*D arrays.
double real_dot(const cd* x, const cd* y, long n) {
    double s = 0.0;
#pragma omp parallel for reduction(+ : s) schedule(static)
    for (long i = 0; i < n; ++i) s += x[i].real() * y[i].real() + x[i].imag() * y[i].imag();
    return s;
}
void axpy(double a, const cd* x, cd* y, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) y[i] += a * x[i];
}
void scale(double a, cd* x, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) x[i] *= a;
}
// out = x^dag (row-major D x D), in tiles.
void adjoint(const cd* x, cd* out, long d) {
    constexpr long tile = 64;
    const long nt = (d + tile - 1) / tile;
#pragma omp parallel for collapse(2) schedule(static)
    for (long bi = 0; bi < nt; ++bi)
        for (long bj = 0; bj < nt; ++bj)
            for (long m = bi * tile; m < std::min(d, (bi + 1) * tile); ++m)
                for (long n = bj * tile; n < std::min(d, (bj + 1) * tile); ++n) out[n * d + m] = std::conj(x[m * d + n]);
}
void hermitize(cd* x, long d) {
#pragma omp parallel for schedule(dynamic, 16)
    for (long m = 0; m < d; ++m)
        for (long n = 0; n <= m; ++n) {
            const cd v = 0.5 * (x[m * d + n] + std::conj(x[n * d + m]));
            x[m * d + n] = v;
            x[n * d + m] = std::conj(v);
        }
}
cd trace(const cd* x, long d) {
    cd t = 0.0;
    for (long i = 0; i < d; ++i) t += x[i * d + i];
    return t;
}
}  // namespace

int steady_state_working_copies() { return kRestart + 5; }

SylvesterPreconditioner::SylvesterPreconditioner(const Liouvillian& liouvillian, long full_max_dim)
    : dim_(liouvillian.dim()), cutoffs_(liouvillian.basis().cutoffs()) {
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
#pragma omp parallel for collapse(2) schedule(static)
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
        hermitize(x, d);
        return;
    }
    // Kronecker sum: Z = V^{-1} R V^{-dag};  Y = Z ./ den;  X = V Y V^dag   (K(X) = V [den .* Y] V^dag).
    std::copy(r, r + d * d, x);
    transform_rows(x, vj_inv_, work);
    adjoint(x, work, d);
    transform_rows(work, vj_inv_, x);
    adjoint(work, x, d);
#pragma omp parallel for schedule(static)
    for (long m = 0; m < d; ++m)
        for (long n = 0; n < d; ++n) x[m * d + n] /= (-I * (lambda_[m] - std::conj(lambda_[n])) - shift_);
    transform_rows(x, vj_, work);
    adjoint(x, work, d);
    transform_rows(work, vj_, x);
    adjoint(work, x, d);
    hermitize(x, d);
}

double liouvillian_residual(const Liouvillian& liouvillian, const Eigen::VectorXcd& rho, Eigen::VectorXcd& work) {
    liouvillian.apply(rho.data(), work.data());
    return work.norm() / rho.norm();
}

namespace {

// One GMRES(kRestart) cycle set over hermitian matrices for A(x) = L(x) + tr(x) I/D = I/D.
// Returns true when ||L x|| / ||x|| <= tol.
bool gmres(const Liouvillian& lv, const SylvesterPreconditioner& pre, Eigen::VectorXcd& x, double tol,
           int max_iterations, SteadySummary& summary, const ProgressFn& progress) {
    const long d = lv.dim(), n = d * d;
    std::vector<Eigen::VectorXcd> v(kRestart + 1, Eigen::VectorXcd(n));
    Eigen::VectorXcd w(n), z(n), work(n);
    auto apply_a = [&](const cd* in, cd* out) {
        lv.apply(in, out);
        ++summary.rhs_calls;
        const cd t = trace(in, d) / static_cast<double>(d);
        for (long i = 0; i < d; ++i) out[i * d + i] += t;
    };
    const double b_norm = 1.0 / std::sqrt(static_cast<double>(d));   // ||I/D||_F
    double initial_residual = -1.0;
    while (summary.iterations < max_iterations) {
        // r = b - A x
        apply_a(x.data(), w.data());
        scale(-1.0, w.data(), n);
        for (long i = 0; i < d; ++i) w[i * d + i] += 1.0 / static_cast<double>(d);
        const double beta = std::sqrt(real_dot(w.data(), w.data(), n));
        if (initial_residual < 0) initial_residual = beta;
        // Stop on the TRUE residual of the steady-state equation.
        const double res = beta / x.norm();
        summary.residual = res;
        spdlog::debug("steady state: GMRES restart, residual {:.3e}", res);
        if (res <= tol) return true;
        v[0] = w / beta;
        Eigen::MatrixXd h = Eigen::MatrixXd::Zero(kRestart + 1, kRestart);
        Eigen::VectorXd g = Eigen::VectorXd::Zero(kRestart + 1), cs(kRestart), sn(kRestart);
        g[0] = beta;
        int k = 0;
        for (; k < kRestart && summary.iterations < max_iterations; ++k) {
            ++summary.iterations;
            pre.apply(v[k].data(), z.data(), work.data());
            apply_a(z.data(), w.data());
            for (int i = 0; i <= k; ++i) {   // modified Gram-Schmidt
                h(i, k) = real_dot(v[i].data(), w.data(), n);
                axpy(-h(i, k), v[i].data(), w.data(), n);
            }
            h(k + 1, k) = std::sqrt(real_dot(w.data(), w.data(), n));
            const bool breakdown = h(k + 1, k) == 0.0;   // exact solution inside the Krylov space
            if (h(k + 1, k) > 0) v[k + 1] = w / h(k + 1, k);
            for (int i = 0; i < k; ++i) {     // apply previous Givens rotations
                const double t = cs[i] * h(i, k) + sn[i] * h(i + 1, k);
                h(i + 1, k) = -sn[i] * h(i, k) + cs[i] * h(i + 1, k);
                h(i, k) = t;
            }
            const double r = std::hypot(h(k, k), h(k + 1, k));
            cs[k] = h(k, k) / r;
            sn[k] = h(k + 1, k) / r;
            h(k, k) = r;
            h(k + 1, k) = 0.0;
            g[k + 1] = -sn[k] * g[k];
            g[k] = cs[k] * g[k];
            const double est = std::abs(g[k + 1]);
            if (progress && initial_residual > 0)
                progress(std::min(1.0, std::log(initial_residual / std::max(est, 1e-300)) /
                                           std::log(initial_residual / (tol * b_norm))),
                         "steady state (krylov)");
            // The Krylov estimate is of ||b - A x||; stop the cycle a bit below tol, then check truly.
            if (est <= 0.1 * tol * x.norm() || breakdown) {
                ++k;
                break;
            }
        }
        // x += P^{-1} (V y), y from the triangular system
        Eigen::VectorXd y = h.topLeftCorner(k, k).triangularView<Eigen::Upper>().solve(g.head(k));
        w.setZero();
        for (int i = 0; i < k; ++i) axpy(y[i], v[i].data(), w.data(), n);
        pre.apply(w.data(), z.data(), work.data());
        x += z;
        hermitize(x.data(), d);
    }
    apply_a(x.data(), w.data());
    return false;
}

}  // namespace

SteadySummary solve_steady_state(const Liouvillian& liouvillian, const SteadyOptions& options,
                                 Eigen::VectorXcd& rho, const ProgressFn& progress) {
    const auto start = std::chrono::steady_clock::now();
    SteadySummary summary;
    const long d = liouvillian.dim();
    rho = Eigen::VectorXcd::Zero(d * d);
    rho[0] = 1.0;   // vacuum: a valid density matrix to start from
    Eigen::VectorXcd work(d * d);
    const bool krylov = options.method == "auto" || options.method == "krylov";
    if (krylov) {
        // The dense Schur set-up and the O(D^3) triangular solve per application pay off up to D ~ 400.
        const SylvesterPreconditioner pre(liouvillian, 400);
        summary.preconditioner = pre.kind();
        summary.method = "krylov";
        summary.converged = gmres(liouvillian, pre, rho, options.tol, options.max_iterations, summary, progress);
        const cd t = trace(rho.data(), d);
        rho /= t;
        summary.residual = liouvillian_residual(liouvillian, rho, work);
        ++summary.rhs_calls;
        summary.converged = summary.residual <= options.tol;
        if (!summary.converged)
            spdlog::warn("steady state: GMRES stopped at residual {:.3e} after {} iterations (tol {:.1e})",
                         summary.residual, summary.iterations, options.tol);
    }
    if (!summary.converged && options.method != "krylov") {
        // Evolution fallback: integrate in chunks until the residual drops below tol.
        summary.method = krylov ? "krylov+evolve" : "evolve";
        const double rate = liouvillian.slowest_damping_rate();
        // Chunks of several relaxation times of the slowest decaying level, at most 200 of them.
        const double chunk = 5.0 / std::max(rate, 1e-9);
        EvolveOptions eo;
        // The residual ||L rho|| can only fall as far as the integration error lets it.
        eo.atol = 0.01 * options.tol;
        eo.rtol = 1e-10;
        double t = 0.0;
        for (int i = 0; i < 200; ++i) {
            const EvolveSummary es = evolve(liouvillian, rho, {t, t + chunk}, eo);
            t += chunk;
            summary.rhs_calls += es.rhs_calls + 1;
            summary.residual = liouvillian_residual(liouvillian, rho, work);
            if (progress) progress(std::min(1.0, std::log(summary.residual) / std::log(options.tol)), "steady state (evolve)");
            if (summary.residual <= options.tol) {
                summary.converged = true;
                break;
            }
        }
    }
    hermitize(rho.data(), d);
    if (!summary.converged)
        summary.warnings.push_back("steady state not converged: residual " + std::to_string(summary.residual));
    summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
}

}  // namespace qbnet
