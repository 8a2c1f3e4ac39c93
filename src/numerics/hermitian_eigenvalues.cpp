#include "qbnet/numerics/hermitian_eigenvalues.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace qbnet::numerics {

namespace {
// The trailing block of the Hermitian matrix, both triangles, real and imaginary parts in separate
// column-major arrays: every inner loop below is a plain axpy over a contiguous column (vectorised,
// no reductions).
struct Split {
    long n;
    std::vector<double> re, im;
    long at(long i, long j) const { return i + j * n; }
};

// One Householder step on column k (LAPACK's zhetd2 with zlarfg): annihilates A(k+2.., k); returns the
// real subdiagonal beta. H = I - tau v v^dag (v_0 = 1) applied to the trailing block B = A(k+1.., k+1..)
// from both sides: B <- B - v w^dag - w v^dag with w = tau B v - (tau/2)(w^dag v) v.
__attribute__((target_clones("avx2", "default"))) double householder_step(Split& A, long k, double* vr, double* vi,
                                                                          double* wr, double* wi) {
    const long n = A.n, m = n - k - 1, c0 = A.at(k + 1, k);
    const double ar = A.re[c0], ai = A.im[c0];
    double xnorm2 = 0.0;
    for (long i = 1; i < m; ++i) xnorm2 += A.re[c0 + i] * A.re[c0 + i] + A.im[c0 + i] * A.im[c0 + i];
    if (xnorm2 == 0.0 && ai == 0.0) return ar;   // already real and reduced: H = I
    // A column whose squared norm is at the underflow threshold (entries ~1e-150 and below: a Krylov or
    // Taylor state's far Fock levels) is negligible: left as it is. Reflecting it would divide by a
    // beta whose square underflows (0/0).
    if (ar * ar + ai * ai + xnorm2 < 1e-280) return ar;
    const double beta = -std::copysign(std::sqrt(ar * ar + ai * ai + xnorm2), ar);
    const double tr = (beta - ar) / beta, ti = -ai / beta;   // tau
    const double dr = ar - beta, di = ai, dd = dr * dr + di * di;
    const double sr = dr / dd, si = -di / dd;                 // 1 / (alpha - beta)
    vr[0] = 1.0;
    vi[0] = 0.0;
    for (long i = 1; i < m; ++i) {
        const double xr = A.re[c0 + i], xi = A.im[c0 + i];
        vr[i] = xr * sr - xi * si;
        vi[i] = xr * si + xi * sr;
    }
    // w = B v, column by column
    for (long i = 0; i < m; ++i) wr[i] = wi[i] = 0.0;
    for (long j = 0; j < m; ++j) {
        const double* br = &A.re[A.at(k + 1, k + 1 + j)];
        const double* bi = &A.im[A.at(k + 1, k + 1 + j)];
        const double xr = vr[j], xi = vi[j];
        for (long i = 0; i < m; ++i) {
            wr[i] += br[i] * xr - bi[i] * xi;
            wi[i] += br[i] * xi + bi[i] * xr;
        }
    }
    // w <- tau w; then w += alpha v with alpha = -(tau / 2)(w^dag v)
    double pr = 0.0, pi = 0.0;
    for (long i = 0; i < m; ++i) {
        const double xr = wr[i], xi = wi[i];
        wr[i] = tr * xr - ti * xi;
        wi[i] = tr * xi + ti * xr;
        pr += wr[i] * vr[i] + wi[i] * vi[i];
        pi += wr[i] * vi[i] - wi[i] * vr[i];
    }
    const double alr = -0.5 * (tr * pr - ti * pi), ali = -0.5 * (tr * pi + ti * pr);
    for (long i = 0; i < m; ++i) {
        const double xr = vr[i], xi = vi[i];
        wr[i] += alr * xr - ali * xi;
        wi[i] += alr * xi + ali * xr;
    }
    // B -= v w^dag + w v^dag: column j gets v conj(w_j) + w conj(v_j)
    for (long j = 0; j < m; ++j) {
        double* br = &A.re[A.at(k + 1, k + 1 + j)];
        double* bi = &A.im[A.at(k + 1, k + 1 + j)];
        const double pjr = wr[j], pji = -wi[j], qjr = vr[j], qji = -vi[j];   // conj(w_j), conj(v_j)
        for (long i = 0; i < m; ++i) {
            br[i] -= (vr[i] * pjr - vi[i] * pji) + (wr[i] * qjr - wi[i] * qji);
            bi[i] -= (vr[i] * pji + vi[i] * pjr) + (wr[i] * qji + wi[i] * qjr);
        }
    }
    return beta;
}

// Eigenvalues of the real symmetric tridiagonal matrix (diagonal d, e[i] coupling i and i + 1, e[n-1]
// unused) by the implicit QL iteration with Wilkinson-type shifts (tqli without eigenvectors), in place
// in d. sqrt(f^2 + g^2) instead of hypot: the entries are those of a density matrix or another matrix
// of moderate size, far from overflow, and hypot's care costs more than the whole iteration.
void tridiagonal_ql(std::vector<double>& d, std::vector<double>& e) {
    const long n = static_cast<long>(d.size());
    e[n - 1] = 0.0;
    for (long l = 0; l < n; ++l) {
        for (int iter = 0;; ++iter) {
            long m = l;
            for (; m < n - 1; ++m) {
                const double dd = std::abs(d[m]) + std::abs(d[m + 1]);
                if (std::abs(e[m]) <= 1e-16 * dd || std::abs(e[m]) < 1e-150) break;   // second: both d ~ 0
            }
            if (m == l) break;
            if (iter == 60) break;   // not reached for Hermitian input (two or three sweeps per eigenvalue)
            double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            double r = std::sqrt(g * g + 1.0);
            g = d[m] - d[l] + e[l] / (g + std::copysign(r, g));
            double s = 1.0, c = 1.0, p = 0.0;
            bool underflow = false;
            for (long i = m - 1; i >= l; --i) {
                const double f = s * e[i], b = c * e[i];
                r = std::sqrt(f * f + g * g);
                e[i + 1] = r;
                if (r == 0.0) {   // split: deflate and start over
                    d[i + 1] -= p;
                    e[m] = 0.0;
                    underflow = true;
                    break;
                }
                const double inv = 1.0 / r;
                s = f * inv;
                c = g * inv;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
            }
            if (underflow) continue;
            d[l] -= p;
            e[l] = g;
            e[m] = 0.0;
        }
    }
}
}  // namespace

Eigen::VectorXd hermitian_eigenvalues(const Eigen::MatrixXcd& h) {
    const long n = h.rows();
    if (n == 0) return {};
    // Scaled to a largest entry of 1, so that the absolute thresholds for negligible columns and couplings
    // below (underflow guards) are relative to the matrix; the eigenvalues are scaled back.
    double scale = 0.0;
    for (long j = 0; j < n; ++j)
        for (long i = j; i < n; ++i) scale = std::max({scale, std::abs(h(i, j).real()), std::abs(h(i, j).imag())});
    if (scale == 0.0 || !std::isfinite(scale)) return Eigen::VectorXd::Constant(n, scale == 0.0 ? 0.0 : scale);
    const double inv = 1.0 / scale;
    Split A{n, std::vector<double>(static_cast<std::size_t>(n * n)), std::vector<double>(static_cast<std::size_t>(n * n))};
    for (long j = 0; j < n; ++j)
        for (long i = j; i < n; ++i) {   // from the lower triangle: the diagonal real, the upper its mirror
            const double re = inv * h(i, j).real(), im = i == j ? 0.0 : inv * h(i, j).imag();
            A.re[A.at(i, j)] = A.re[A.at(j, i)] = re;
            A.im[A.at(i, j)] = im;
            A.im[A.at(j, i)] = -im;
        }
    std::vector<double> diag(static_cast<std::size_t>(n)), sub(static_cast<std::size_t>(n), 0.0);
    std::vector<double> work(static_cast<std::size_t>(4 * n));
    for (long k = 0; k + 1 < n; ++k) {
        sub[k] = householder_step(A, k, work.data(), work.data() + n, work.data() + 2 * n, work.data() + 3 * n);
        diag[k] = A.re[A.at(k, k)];
    }
    diag[n - 1] = A.re[A.at(n - 1, n - 1)];
    tridiagonal_ql(diag, sub);
    std::sort(diag.begin(), diag.end());
    return scale * Eigen::Map<const Eigen::VectorXd>(diag.data(), n);
}

}  // namespace qbnet::numerics
