#include "accumulate.hpp"

#include <algorithm>

#include <Eigen/Dense>

#include "lanes.hpp"
#include "qbnet/fock/observables.hpp"

namespace qbnet::trajectories::detail {

namespace {
using cd = std::complex<double>;
// sum_s x[s] conj(y[s]) over n complex numbers: P = sum X Y and Q = sum swap(X) Y lane by lane give
// Re = P0 + P1 + P2 + P3 and Im = (Q0 - Q1) + (Q2 - Q3); two complex numbers per vector.
inline cd dot_conj(const double* x, const double* y, long n) {
    Lane4 p = {0, 0, 0, 0}, q = p;
    long s = 0;
    for (; s + 2 <= n; s += 2) {
        const Lane4 xs = load4(x + 2 * s), ys = load4(y + 2 * s);
        p += xs * ys;
        q += swap_pairs(xs) * ys;
    }
    double re = (p[0] + p[1]) + (p[2] + p[3]), im = (q[0] - q[1]) + (q[2] - q[3]);
    for (; s < n; ++s) {
        re += x[2 * s] * y[2 * s] + x[2 * s + 1] * y[2 * s + 1];
        im += x[2 * s + 1] * y[2 * s] - x[2 * s] * y[2 * s + 1];
    }
    return {re, im};
}

// stride 1 (the last mode): c x c rank-one updates of tiny blocks, plain loops in real arithmetic (a
// BLAS-style update would spend its time in set-up).
void add_mode_state_scalar(const double* x0, long outer, int c, double* a) {
    for (long o = 0; o < outer; ++o) {
        const double* x = x0 + 2 * o * c;
        for (int i = 0; i < c; ++i) {
            const double xr = x[2 * i], xi = x[2 * i + 1];
            if (xr == 0.0 && xi == 0.0) continue;
            for (int k = 0; k <= i; ++k) {
                double* e = a + 2 * (i + static_cast<long>(k) * c);
                e[0] += xr * x[2 * k] + xi * x[2 * k + 1];   // x_i conj(x_k)
                e[1] += xi * x[2 * k] - xr * x[2 * k + 1];
            }
        }
    }
}
}  // namespace

// Longer strides: entry (i, k) is a sum over o of dot products of contiguous runs (rows i and k of X_o).
__attribute__((target_clones("avx2", "default"))) void add_mode_state(const cd* psi, long outer, int c, long stride,
                                                                      cd* acc) {
    const double* x0 = reinterpret_cast<const double*>(psi);
    double* a = reinterpret_cast<double*>(acc);
    if (stride == 1) {
        add_mode_state_scalar(x0, outer, c, a);
        return;
    }
    for (int k = 0; k < c; ++k)
        for (int i = k; i < c; ++i) {
            cd sum(0.0);
            for (long o = 0; o < outer; ++o) {
                const double* x = x0 + 2 * o * c * stride;
                sum += dot_conj(x + 2 * i * stride, x + 2 * k * stride, stride);
            }
            double* e = a + 2 * (i + static_cast<long>(k) * c);
            e[0] += sum.real();
            e[1] += sum.imag();
        }
}

// Column k of the lower triangle, two entries (four doubles) at a time: each entry stays in registers
// while the c0 rank-one terms add to it in the order c = 0, 1, ... x_i conj(x_k) on interleaved doubles
// is X y_re + swap(X) (y_im, -y_im). The factors of column k are gathered once per column.
__attribute__((target_clones("avx2", "default"))) void add_joint_state(const cd* psi, long db, int c0, cd* acc) {
    constexpr int kChunk = 32;
    const double* x0 = reinterpret_cast<const double*>(psi);
    double* a = reinterpret_cast<double*>(acc);
    Lane4 yr[kChunk], yi[kChunk];
    const double* rows[kChunk];
    for (long k = 0; k < db; ++k) {
        double* e = a + 2 * k * db;
        for (int c_first = 0; c_first < c0; c_first += kChunk) {   // chunks in order: the same sums per entry
            int n = 0;
            for (int c = c_first; c < std::min(c0, c_first + kChunk); ++c) {
                const double* x = x0 + 2 * c * db;
                const double r = x[2 * k], im = x[2 * k + 1];
                if (r == 0.0 && im == 0.0) continue;   // adds nothing
                yr[n] = Lane4{r, r, r, r};
                yi[n] = Lane4{im, -im, im, -im};
                rows[n++] = x;
            }
            if (n == 0) continue;
            long i = k;
            for (; i + 2 <= db; i += 2) {
                Lane4 v = load4(e + 2 * i);
                for (int t = 0; t < n; ++t) {
                    const Lane4 xi = load4(rows[t] + 2 * i);
                    v += xi * yr[t] + swap_pairs(xi) * yi[t];
                }
                store4(e + 2 * i, v);
            }
            for (; i < db; ++i)
                for (int t = 0; t < n; ++t) {
                    const double* x = rows[t];
                    e[2 * i] += x[2 * i] * yr[t][0] + x[2 * i + 1] * yi[t][0];
                    e[2 * i + 1] += x[2 * i + 1] * yr[t][1] + x[2 * i] * yi[t][1];
                }
        }
    }
}

void add_battery_mode_from_joint(const cd* joint, const std::vector<int>& cutoffs, int j, cd* mode) {
    // The same partial trace as the Fock engine's, on the full Hermitian matrix (row-major) rebuilt from
    // the lower triangle; only the lower triangle of the result is added, like every other sum.
    const fock::FockBasis batteries(std::vector<int>(cutoffs.begin() + 1, cutoffs.end()));
    const long db = batteries.dim();
    const Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> full =
        Eigen::Map<const Eigen::MatrixXcd>(joint, db, db).selfadjointView<Eigen::Lower>();
    const int c = cutoffs[static_cast<std::size_t>(j)];
    Eigen::Map<Eigen::MatrixXcd>(mode, c, c).triangularView<Eigen::Lower>() +=
        fock::partial_trace(full.data(), batteries, {j - 1});
}

}  // namespace qbnet::trajectories::detail
