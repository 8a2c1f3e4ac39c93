#include "qbnet/fock/steady.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <memory>

#include <omp.h>

#include <spdlog/spdlog.h>

#include "qbnet/fock/evolve.hpp"
#include "qbnet/fock/observables.hpp"

namespace qbnet {

using cd = std::complex<double>;
using RowMat = Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace {
constexpr int kRestart = 24;   // longest GMRES restart: memory = (restart + 4) copies of rho
constexpr double kKrylovBudgetBytes = 3.0 * 1024.0 * 1024.0 * 1024.0;   // basis + w, z, x
// Restart length: 24 while a copy of rho is small (D <= 512: the basis stays in cache and a long
// restart saves iterations, 32 vs 38 at D = 216), 8 above (D = 1296: 40 vs 39 iterations, but
// Gram-Schmidt over 24 vectors of 27 MB cost 2.2x more; bench/OPTIMISATIONS.md), and never more
// than the 3 GiB Krylov budget allows (floor 8).
int krylov_restart(long d) {
    if (const char* env = std::getenv("QBNET_KRYLOV_RESTART")) return std::max(2, std::atoi(env));   // benchmarks
    const double copy = 16.0 * static_cast<double>(d) * static_cast<double>(d);
    const int fit = static_cast<int>(kKrylovBudgetBytes / copy) - 4;
    const int preferred = d <= 512 ? kRestart : 8;
    return std::max(8, std::min(preferred, fit));
}

// Vector operations go parallel only above kParallelMin complex entries (D > ~360): below, a parallel
// region costs more than the loop, and on a loaded machine every barrier can wait for a descheduled thread.
constexpr long kParallelMin = 1L << 17;

// Real inner product <x, y> = Re tr(x^dag y) over hermitian matrices stored as complex D*D arrays.
double real_dot(const cd* x, const cd* y, long n) {
    double s = 0.0;
#pragma omp parallel for reduction(+ : s) schedule(static) if (n >= kParallelMin)
    for (long i = 0; i < n; ++i) s += x[i].real() * y[i].real() + x[i].imag() * y[i].imag();
    return s;
}
void axpy(double a, const cd* x, cd* y, long n) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (long i = 0; i < n; ++i) y[i] += a * x[i];
}
// Classical Gram-Schmidt kernels over the basis v[0..count): every vector is streamed once per pass
// (modified Gram-Schmidt streams w twice per basis vector). Blocks keep w's piece in L1; the per-thread
// partial sums are combined in thread order, so results do not depend on timing.
constexpr long kGsBlock = 2048;
// Reorthogonalise when one CGS pass cancelled more than 99.9% of ||w||^2 (3 digits). The textbook DGKS
// ratio 1/2 fired on EVERY iteration here (the preconditioned operator is close to a multiple of the
// identity, so w lies mostly in the span) and doubled the cost, with identical iterations and
// residuals; the stopping test uses the true residual, so orthogonality loss can only slow GMRES down.
constexpr double kReorthRatio = 1e-3;   // doubles per block (16 KiB)
// h[i] = <v_i, w> for i < count, and h[count] = <w, w>.
void multi_dot(const std::vector<Eigen::VectorXcd>& v, int count, const cd* w, long n, double* h) {
    const double* wd = reinterpret_cast<const double*>(w);
    const long nd = 2 * n;
    const int threads = n >= kParallelMin ? omp_get_max_threads() : 1;
    std::vector<double> part(static_cast<std::size_t>(threads) * (count + 1), 0.0);
#pragma omp parallel num_threads(threads)
    {
        double* acc = part.data() + static_cast<std::size_t>(omp_get_thread_num()) * (count + 1);
        const long nb = (nd + kGsBlock - 1) / kGsBlock;
#pragma omp for schedule(static)
        for (long b = 0; b < nb; ++b) {
            const long lo = b * kGsBlock, hi = std::min(nd, lo + kGsBlock);
            for (int i = 0; i < count; ++i) {
                const double* x = reinterpret_cast<const double*>(v[i].data());
                double sum = 0.0;
#pragma omp simd reduction(+ : sum)
                for (long q = lo; q < hi; ++q) sum += x[q] * wd[q];
                acc[i] += sum;
            }
            double sum = 0.0;
#pragma omp simd reduction(+ : sum)
            for (long q = lo; q < hi; ++q) sum += wd[q] * wd[q];
            acc[count] += sum;
        }
    }
    for (int i = 0; i <= count; ++i) {
        h[i] = 0.0;
        for (int t = 0; t < threads; ++t) h[i] += part[static_cast<std::size_t>(t) * (count + 1) + i];
    }
}
// w -= sum_i c[i] v_i; returns <w, w> of the result.
double multi_subtract(const std::vector<Eigen::VectorXcd>& v, int count, const double* c, cd* w, long n) {
    double* wd = reinterpret_cast<double*>(w);
    const long nd = 2 * n;
    const int threads = n >= kParallelMin ? omp_get_max_threads() : 1;
    std::vector<double> part(static_cast<std::size_t>(threads), 0.0);
#pragma omp parallel num_threads(threads)
    {
        double acc = 0.0;
        const long nb = (nd + kGsBlock - 1) / kGsBlock;
#pragma omp for schedule(static)
        for (long b = 0; b < nb; ++b) {
            const long lo = b * kGsBlock, hi = std::min(nd, lo + kGsBlock);
            for (int i = 0; i < count; ++i) {
                const double* x = reinterpret_cast<const double*>(v[i].data());
                const double a = c[i];
#pragma omp simd
                for (long q = lo; q < hi; ++q) wd[q] -= a * x[q];
            }
            double sum = 0.0;
#pragma omp simd reduction(+ : sum)
            for (long q = lo; q < hi; ++q) sum += wd[q] * wd[q];
            acc += sum;
        }
        part[static_cast<std::size_t>(omp_get_thread_num())] = acc;
    }
    double total = 0.0;
    for (double p : part) total += p;
    return total;
}
void scale(double a, cd* x, long n) {
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
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
    // x <- (x + x^dag)/2 in 64 x 64 tile pairs: the column-wise half of each pair stays in cache
    // (a plain row loop reads x[n*d+m] with stride d: one cache line per element at large D).
    constexpr long tile = 64;
    const long nt = (d + tile - 1) / tile;
#pragma omp parallel for schedule(dynamic, 1) if (d * d >= kParallelMin)
    for (long bi = 0; bi < nt; ++bi)
        for (long bj = 0; bj <= bi; ++bj) {
            const long m0 = bi * tile, m1 = std::min(d, m0 + tile), n0 = bj * tile, n1 = std::min(d, n0 + tile);
            for (long m = m0; m < m1; ++m)
                for (long n = n0; n < std::min(n1, m + 1); ++n) {
                    const cd v = 0.5 * (x[m * d + n] + std::conj(x[n * d + m]));
                    x[m * d + n] = v;
                    x[n * d + m] = std::conj(v);
                }
        }
}
cd trace(const cd* x, long d) {
    cd t = 0.0;
    for (long i = 0; i < d; ++i) t += x[i * d + i];
    return t;
}
}  // namespace

int steady_state_working_copies(long d) { return krylov_restart(d) + 5; }

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

LocalLiouvillianPreconditioner::LocalLiouvillianPreconditioner(const Liouvillian& liouvillian)
    : dim_(liouvillian.dim()) {
    const FockBasis& basis = liouvillian.basis();
    const int nm = basis.n_modes();
    const Eigen::MatrixXcd& g = liouvillian.kossakowski();
    const cd I(0.0, 1.0);
    double scale = 0.0;
    for (int j = 0; j < nm; ++j) {
        ModeFactor f;
        const int c = basis.cutoffs()[j];
        f.cutoff = c;
        f.stride = basis.stride(j);
        const Eigen::MatrixXcd& h = liouvillian.local_h_eff(j, false);
        Eigen::MatrixXcd a = Eigen::MatrixXcd::Zero(c, c);
        for (int n = 1; n < c; ++n) a(n - 1, n) = std::sqrt(static_cast<double>(n));
        const Eigen::MatrixXcd ops[2] = {a, a.adjoint()};
        const int idx[2] = {j, nm + j};
        const Eigen::MatrixXcd id = Eigen::MatrixXcd::Identity(c, c);
        // Row-major vec: vec(A X B) = (A (x) B^T) vec(X).
        auto kron = [c](const Eigen::MatrixXcd& x, const Eigen::MatrixXcd& y) {
            Eigen::MatrixXcd k(c * c, c * c);
            for (int p = 0; p < c; ++p)
                for (int q = 0; q < c; ++q) k.block(p * c, q * c, c, c) = x(p, q) * y;
            return k;
        };
        Eigen::MatrixXcd lj = -I * (kron(h, id) - kron(id, h.conjugate()));
        for (int x = 0; x < 2; ++x)
            for (int y = 0; y < 2; ++y)
                if (g(idx[x], idx[y]) != 0.0) lj += g(idx[x], idx[y]) * kron(ops[x], ops[y].conjugate());
        scale = std::max(scale, lj.cwiseAbs().maxCoeff());
        // Blocks: connected components of lj's pattern (the charge m_j - n_j without squeezing).
        const int n2 = c * c;
        std::vector<int> comp(static_cast<std::size_t>(n2), -1);
        int ncomp = 0;
        for (int s0 = 0; s0 < n2; ++s0) {
            if (comp[s0] >= 0) continue;
            std::vector<int> stack{s0};
            comp[s0] = ncomp;
            while (!stack.empty()) {
                const int p = stack.back();
                stack.pop_back();
                for (int q = 0; q < n2; ++q)
                    if (comp[q] < 0 && (lj(p, q) != 0.0 || lj(q, p) != 0.0)) {
                        comp[q] = ncomp;
                        stack.push_back(q);
                    }
            }
            ++ncomp;
        }
        f.mu = Eigen::VectorXcd::Zero(n2);
        for (int k = 0; k < ncomp; ++k) {
            std::vector<int> members;
            for (int p = 0; p < n2; ++p)
                if (comp[p] == k) members.push_back(p);
            const int b = static_cast<int>(members.size());
            Eigen::MatrixXcd blk(b, b);
            for (int p = 0; p < b; ++p)
                for (int q = 0; q < b; ++q) blk(p, q) = lj(members[p], members[q]);
            // A block i*alpha*I + R with R real and real spectrum (no Kerr, no squeezing, real G: the
            // detuning only adds -i*omega*(m_j - n_j), constant on a charge block) has REAL eigenvectors:
            // the transform then runs as a real GEMM on the complex data, a quarter of the flops.
            const double alpha = blk.diagonal().imag().mean();
            Eigen::MatrixXcd shifted = blk;
            shifted.diagonal().array() -= cd(0.0, alpha);
            const double bscale = std::max(blk.cwiseAbs().maxCoeff(), 1e-300);
            Eigen::MatrixXcd v;
            Eigen::VectorXcd mu_blk;
            bool real = false;
            if (shifted.imag().cwiseAbs().maxCoeff() <= 1e-14 * bscale) {
                Eigen::EigenSolver<Eigen::MatrixXd> eig(shifted.real());
                if (eig.info() == Eigen::Success && eig.eigenvalues().imag().cwiseAbs().maxCoeff() == 0.0) {
                    v = eig.eigenvectors().real().cast<cd>();
                    mu_blk = eig.eigenvalues().real().cast<cd>().array() + cd(0.0, alpha);
                    real = true;
                }
            }
            if (!real) {
                Eigen::ComplexEigenSolver<Eigen::MatrixXcd> eig(blk);
                v = eig.eigenvectors();
                mu_blk = eig.eigenvalues();
            }
            const Eigen::MatrixXcd vinv = v.inverse();
            condition_ = std::max(condition_, v.cwiseAbs().colwise().sum().maxCoeff() *
                                                  vinv.cwiseAbs().colwise().sum().maxCoeff());
            f.blocks.push_back({static_cast<int>(f.order.size()), b});
            for (int p = 0; p < b; ++p) {
                f.order.push_back(members[p]);
                f.mu[members[p]] = mu_blk[p];   // eigenvector p stored in slot members[p]
            }
            f.w.push_back(v);
            f.w_inv.push_back(vinv);
            f.real.push_back(real ? 1 : 0);
            if (real) {
                f.w_real.push_back(v.real());
                f.w_inv_real.push_back(vinv.real());
            } else {
                f.w_real.emplace_back();
                f.w_inv_real.emplace_back();
            }
        }
        spdlog::debug("local preconditioner: mode {} has {} blocks, {} with real eigenvectors", j, f.blocks.size(),
                      std::count(f.real.begin(), f.real.end(), 1));
        modes_.push_back(std::move(f));
    }
    null_tol_ = 1e-10 * std::max(scale, 1e-300);
}

void LocalLiouvillianPreconditioner::transform(cd* x, const ModeFactor& f, bool inverse) const {
    // For a fixed row group (all digits of m but m_j) the c rows m_j = 0..c-1 hold, for every column
    // digit n_j, a vector over the other column digits (length D/c). Gather those c^2 vectors into a
    // buffer (rows in block order), multiply each block, scatter back: in place, no D x D scratch.
    const long d = dim_, c = f.cutoff, s = f.stride;
    const long len = d / c;                 // other column digits
    const long groups = d / c;              // other row digits
    const long hi_n = d / (c * s);
#pragma omp parallel if (d * d >= kParallelMin)
    {
        Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> buf(c * c, len), out(c * c, len);
        std::vector<int> pos(static_cast<std::size_t>(c * c));
        for (std::size_t r = 0; r < f.order.size(); ++r) pos[static_cast<std::size_t>(f.order[r])] = static_cast<int>(r);
#pragma omp for schedule(static)
        for (long gi = 0; gi < groups; ++gi) {
            const long row0 = (gi / s) * c * s + gi % s;    // m with m_j = 0
            for (long mj = 0; mj < c; ++mj) {
                const cd* row = x + (row0 + mj * s) * d;
                for (long nj = 0; nj < c; ++nj) {
                    cd* dst = buf.row(pos[static_cast<std::size_t>(mj * c + nj)]).data();
                    if (s == 1)   // last mode: a strided gather (no call per element)
                        for (long h = 0; h < hi_n; ++h) dst[h] = row[h * c + nj];
                    else
                        for (long h = 0; h < hi_n; ++h)
                            for (long t = 0; t < s; ++t) dst[h * s + t] = row[(h * c + nj) * s + t];
                }
            }
            for (std::size_t k = 0; k < f.blocks.size(); ++k) {
                const auto [start, b] = f.blocks[k];
                if (f.real[k]) {   // real W on complex rows = real W on the interleaved (re, im) doubles
                    using RealRows = Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
                    RealRows bin(reinterpret_cast<double*>(buf.data()), c * c, 2 * len);
                    RealRows bout(reinterpret_cast<double*>(out.data()), c * c, 2 * len);
                    bout.middleRows(start, b).noalias() = (inverse ? f.w_inv_real[k] : f.w_real[k]) * bin.middleRows(start, b);
                } else {
                    out.middleRows(start, b).noalias() = (inverse ? f.w_inv[k] : f.w[k]) * buf.middleRows(start, b);
                }
            }
            for (long mj = 0; mj < c; ++mj) {
                cd* row = x + (row0 + mj * s) * d;
                for (long nj = 0; nj < c; ++nj) {
                    const cd* src = out.row(pos[static_cast<std::size_t>(mj * c + nj)]).data();
                    if (s == 1)
                        for (long h = 0; h < hi_n; ++h) row[h * c + nj] = src[h];
                    else
                        for (long h = 0; h < hi_n; ++h)
                            for (long t = 0; t < s; ++t) row[(h * c + nj) * s + t] = src[h * s + t];
                }
            }
        }
    }
}

void LocalLiouvillianPreconditioner::apply(const cd* r, cd* x, cd* /*work*/) const {
    const long d = dim_;
    std::copy(r, r + d * d, x);
    for (const ModeFactor& f : modes_) transform(x, f, true);
    const int nm = static_cast<int>(modes_.size());
    // Digits of every index per mode (column lookups in the inner loop).
    std::vector<std::vector<int>> digit(static_cast<std::size_t>(nm), std::vector<int>(static_cast<std::size_t>(d)));
    for (int j = 0; j < nm; ++j)
        for (long m = 0; m < d; ++m)
            digit[j][m] = static_cast<int>((m / modes_[j].stride) % modes_[j].cutoff);
    const double null_tol2 = null_tol_ * null_tol_;
#pragma omp parallel for schedule(static) if (d * d >= kParallelMin)
    for (long m = 0; m < d; ++m) {
        for (long n = 0; n < d; ++n) {
            cd mu = 0.0;
            for (int j = 0; j < nm; ++j) {
                const ModeFactor& f = modes_[j];
                mu += f.mu[digit[j][m] * f.cutoff + digit[j][n]];
            }
            // null direction of L_loc (product of local steady states): A(sigma) = I/D -> factor 1.
            // x / mu as x conj(mu) / |mu|^2: no libgcc complex division, no hypot, per element.
            const double n2 = std::norm(mu);
            if (n2 > null_tol2) x[m * d + n] *= std::conj(mu) / n2;
        }
    }
    for (const ModeFactor& f : modes_) transform(x, f, false);
    hermitize(x, d);
}

double liouvillian_residual(const Liouvillian& liouvillian, const Eigen::VectorXcd& rho, Eigen::VectorXcd& work) {
    liouvillian.apply(rho.data(), work.data());
    return work.norm() / rho.norm();
}

namespace {

// One GMRES(kRestart) cycle set over hermitian matrices for A(x) = L(x) + tr(x) I/D = I/D.
// Returns true when ||L x|| / ||x|| <= tol.
bool gmres(const Liouvillian& lv, const SteadyPreconditioner& pre, Eigen::VectorXcd& x, double tol,
           int max_iterations, SteadySummary& summary, const ProgressFn& progress) {
    const long d = lv.dim(), n = d * d;
    const int restart = krylov_restart(d);
    std::vector<Eigen::VectorXcd> v(static_cast<std::size_t>(restart) + 1, Eigen::VectorXcd(n));
    Eigen::VectorXcd w(n), z(n);
    std::vector<double> coef(static_cast<std::size_t>(restart) + 2);
    const char* gs_env = std::getenv("QBNET_GMRES_GS");
    const bool use_mgs = gs_env && std::string(gs_env) == "mgs";
    const bool single_cgs = gs_env && std::string(gs_env) == "cgs1";
    long reorth_passes = 0;
    double time_pre = 0.0, time_rhs = 0.0, time_gs = 0.0;   // where the time goes (SPDLOG_LEVEL=debug)
    Eigen::VectorXcd scratch(pre.needs_work() ? n : 0);
    cd* work = pre.needs_work() ? scratch.data() : nullptr;
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
        if (res <= tol) {
            spdlog::debug("steady state: {} iterations, {} DGKS reorthogonalisation passes; preconditioner {:.3f} s, "
                          "L {:.3f} s, Gram-Schmidt {:.3f} s",
                          summary.iterations, reorth_passes, time_pre, time_rhs, time_gs);
            return true;
        }
        v[0] = w / beta;
        Eigen::MatrixXd h = Eigen::MatrixXd::Zero(restart + 1, restart);
        Eigen::VectorXd g = Eigen::VectorXd::Zero(restart + 1), cs(restart), sn(restart);
        g[0] = beta;
        int k = 0;
        for (; k < restart && summary.iterations < max_iterations; ++k) {
            ++summary.iterations;
            const auto t0 = std::chrono::steady_clock::now();
            pre.apply(v[k].data(), z.data(), work);
            const auto t1 = std::chrono::steady_clock::now();
            apply_a(z.data(), w.data());
            const auto t2 = std::chrono::steady_clock::now();
            time_pre += std::chrono::duration<double>(t1 - t0).count();
            time_rhs += std::chrono::duration<double>(t2 - t1).count();
            // Classical Gram-Schmidt with DGKS reorthogonalisation: a second pass only when the first
            // removed most of w (||w'|| < ||w|| / sqrt 2), where one CGS pass can lose orthogonality.
            // (QBNET_GMRES_GS=mgs selects the modified Gram-Schmidt used before: benchmarks.)
            if (use_mgs) {
                for (int i = 0; i <= k; ++i) {
                    h(i, k) = real_dot(v[i].data(), w.data(), n);
                    axpy(-h(i, k), v[i].data(), w.data(), n);
                }
                h(k + 1, k) = std::sqrt(real_dot(w.data(), w.data(), n));
            } else {
                multi_dot(v, k + 1, w.data(), n, coef.data());
                double before = coef[k + 1];
                double after = multi_subtract(v, k + 1, coef.data(), w.data(), n);
                for (int i = 0; i <= k; ++i) h(i, k) = coef[i];
                for (int pass = 0; pass < 2 && !single_cgs && after < kReorthRatio * before; ++pass) {
                    ++reorth_passes;
                    multi_dot(v, k + 1, w.data(), n, coef.data());
                    before = after;
                    after = multi_subtract(v, k + 1, coef.data(), w.data(), n);
                    for (int i = 0; i <= k; ++i) h(i, k) += coef[i];
                }
                h(k + 1, k) = std::sqrt(std::max(0.0, after));
            }
            time_gs += std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count();
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
        pre.apply(w.data(), z.data(), work);
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
    Eigen::VectorXcd work;   // allocated after the Krylov solver has released its basis (peak memory)
    const bool krylov = options.method == SteadyMethod::automatic || options.method == SteadyMethod::krylov;
    if (krylov) {
        // The dense Schur set-up and the O(D^3) triangular solve per application pay off up to D ~ 400.
        // Preconditioner: the local-Liouvillian inverse (refill terms included) unless its per-mode
        // eigenvectors are ill-conditioned; QBNET_STEADY_PRECOND=sylvester|local forces one (benchmarks).
        const char* env = std::getenv("QBNET_STEADY_PRECOND");
        const std::string choice = env ? env : "auto";
        std::unique_ptr<SteadyPreconditioner> pre;
        if (choice != "sylvester") {
            auto local = std::make_unique<LocalLiouvillianPreconditioner>(liouvillian);
            if (choice == "local" || local->condition() < 1e8) pre = std::move(local);
        }
        if (!pre) pre = std::make_unique<SylvesterPreconditioner>(liouvillian, 400);
        summary.preconditioner = pre->kind();
        summary.method = "krylov";
        summary.converged = gmres(liouvillian, *pre, rho, options.tol, options.max_iterations, summary, progress);
        const cd t = trace(rho.data(), d);
        rho /= t;
        work.resize(d * d);
        summary.residual = liouvillian_residual(liouvillian, rho, work);
        ++summary.rhs_calls;
        summary.converged = summary.residual <= options.tol;
        if (!summary.converged)
            spdlog::warn("steady state: GMRES stopped at residual {:.3e} after {} iterations (tol {:.1e})",
                         summary.residual, summary.iterations, options.tol);
    }
    if (!summary.converged && options.method != SteadyMethod::krylov) {
        // Evolution fallback: integrate in chunks until the residual drops below tol.
        summary.method = krylov ? "krylov+evolve" : "evolve";
        work.resize(d * d);
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
