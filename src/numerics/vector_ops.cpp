#include "qbnet/numerics/vector_ops.hpp"

#include <algorithm>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "qbnet/numerics/parallel.hpp"

namespace qbnet::numerics {

namespace {
// Gram-Schmidt block: 2048 doubles (16 KiB) of w stay in L1 while every basis vector streams past.
constexpr long kGsBlock = 2048;
int thread_id() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}
// Threads for a pass over n complex numbers (2n doubles).
int complex_threads(long n, int threads) { return vector_threads(2 * n, threads); }
}  // namespace

double real_dot(const cd* x, const cd* y, long n, int threads) {
    const int nt = complex_threads(n, threads);
    double s = 0.0;
#pragma omp parallel for reduction(+ : s) schedule(static) num_threads(nt) if (nt > 1)
    for (long i = 0; i < n; ++i) s += x[i].real() * y[i].real() + x[i].imag() * y[i].imag();
    return s;
}

void axpy(double a, const cd* x, cd* y, long n, int threads) {
    const int nt = complex_threads(n, threads);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (long i = 0; i < n; ++i) y[i] += a * x[i];
}

void scale(double a, cd* x, long n, int threads) {
    const int nt = complex_threads(n, threads);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (long i = 0; i < n; ++i) x[i] *= a;
}

void multi_dot(const std::vector<Eigen::VectorXcd>& v, int count, const cd* w, long n, double* h, int threads) {
    const double* wd = reinterpret_cast<const double*>(w);
    const long nd = 2 * n;
    const int nt = complex_threads(n, threads);
    std::vector<double> part(static_cast<std::size_t>(nt) * (count + 1), 0.0);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        double* acc = part.data() + static_cast<std::size_t>(thread_id()) * (count + 1);
        const long nb = (nd + kGsBlock - 1) / kGsBlock;
#pragma omp for schedule(static)
        for (long b = 0; b < nb; ++b) {
            const long lo = b * kGsBlock, hi = std::min(nd, lo + kGsBlock);
            int i = 0;
            // Four basis vectors per sweep of w's block: four independent sums (one would wait on the
            // latency of each addition) and one load of w for four products.
            for (; i + 4 <= count; i += 4) {
                const double* x0 = reinterpret_cast<const double*>(v[i].data());
                const double* x1 = reinterpret_cast<const double*>(v[i + 1].data());
                const double* x2 = reinterpret_cast<const double*>(v[i + 2].data());
                const double* x3 = reinterpret_cast<const double*>(v[i + 3].data());
                double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
                for (long q = lo; q < hi; ++q) {
                    s0 += x0[q] * wd[q];
                    s1 += x1[q] * wd[q];
                    s2 += x2[q] * wd[q];
                    s3 += x3[q] * wd[q];
                }
                acc[i] += s0;
                acc[i + 1] += s1;
                acc[i + 2] += s2;
                acc[i + 3] += s3;
            }
            for (; i + 2 <= count; i += 2) {
                const double* x0 = reinterpret_cast<const double*>(v[i].data());
                const double* x1 = reinterpret_cast<const double*>(v[i + 1].data());
                double s0 = 0.0, s1 = 0.0;
#pragma omp simd reduction(+ : s0, s1)
                for (long q = lo; q < hi; ++q) {
                    s0 += x0[q] * wd[q];
                    s1 += x1[q] * wd[q];
                }
                acc[i] += s0;
                acc[i + 1] += s1;
            }
            // The last basis vector (odd count) shares its sweep with <w, w>.
            double sx = 0.0, sw = 0.0;
            const double* x = i < count ? reinterpret_cast<const double*>(v[i].data()) : wd;
#pragma omp simd reduction(+ : sx, sw)
            for (long q = lo; q < hi; ++q) {
                sx += x[q] * wd[q];
                sw += wd[q] * wd[q];
            }
            if (i < count) acc[i] += sx;
            acc[count] += sw;
        }
    }
    for (int i = 0; i <= count; ++i) {
        h[i] = 0.0;
        for (int t = 0; t < nt; ++t) h[i] += part[static_cast<std::size_t>(t) * (count + 1) + i];
    }
}

namespace {
// acc[q] -/+= sum_{i < count} c[i] v_{from + i}[q] (as doubles) for q in [lo, hi): four vectors per load and
// store of acc's block, which stays in L1.
template <bool kSubtract>
inline void accumulate_block(const std::vector<Eigen::VectorXcd>& v, int count, const double* c, double* acc, long lo,
                             long hi, int from = 0) {
    int i = 0;
    const auto vec = [&](int j) { return reinterpret_cast<const double*>(v[static_cast<std::size_t>(from + j)].data()); };
    for (; i + 4 <= count; i += 4) {
        const double* x0 = vec(i);
        const double* x1 = vec(i + 1);
        const double* x2 = vec(i + 2);
        const double* x3 = vec(i + 3);
        const double a0 = c[i], a1 = c[i + 1], a2 = c[i + 2], a3 = c[i + 3];
#pragma omp simd
        for (long q = lo; q < hi; ++q) {
            const double t = (a0 * x0[q] + a1 * x1[q]) + (a2 * x2[q] + a3 * x3[q]);
            if (kSubtract)
                acc[q] -= t;
            else
                acc[q] += t;
        }
    }
    for (; i < count; ++i) {
        const double* x = vec(i);
        const double a = c[i];
#pragma omp simd
        for (long q = lo; q < hi; ++q) {
            if (kSubtract)
                acc[q] -= a * x[q];
            else
                acc[q] += a * x[q];
        }
    }
}
}  // namespace

void linear_combination(const std::vector<Eigen::VectorXcd>& v, int count, const double* c, cd* out, long n,
                        int threads) {
    double* od = reinterpret_cast<double*>(out);
    const long nd = 2 * n;
    const int nt = complex_threads(n, threads);
    // out == v_0: start each block from c_0 v_0 in place, then add the others.
    const bool in_first = count > 0 && out == v[0].data();
    const int first = in_first ? 1 : 0;
    const double c0 = in_first ? c[0] : 0.0;
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (long b = 0; b < (nd + kGsBlock - 1) / kGsBlock; ++b) {
        const long lo = b * kGsBlock, hi = std::min(nd, lo + kGsBlock);
        if (in_first) {
#pragma omp simd
            for (long q = lo; q < hi; ++q) od[q] *= c0;
        } else {
#pragma omp simd
            for (long q = lo; q < hi; ++q) od[q] = 0.0;
        }
        accumulate_block<false>(v, count - first, c + first, od, lo, hi, first);
    }
}

double multi_subtract(const std::vector<Eigen::VectorXcd>& v, int count, const double* c, cd* w, long n,
                      int threads, double scale) {
    double* wd = reinterpret_cast<double*>(w);
    const long nd = 2 * n;
    const int nt = complex_threads(n, threads);
    std::vector<double> part(static_cast<std::size_t>(nt), 0.0);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        double acc = 0.0;
        const long nb = (nd + kGsBlock - 1) / kGsBlock;
#pragma omp for schedule(static)
        for (long b = 0; b < nb; ++b) {
            const long lo = b * kGsBlock, hi = std::min(nd, lo + kGsBlock);
            accumulate_block<true>(v, count, c, wd, lo, hi);
            if (scale != 1.0) {
#pragma omp simd
                for (long q = lo; q < hi; ++q) wd[q] *= scale;
            }
            double sum = 0.0;
#pragma omp simd reduction(+ : sum)
            for (long q = lo; q < hi; ++q) sum += wd[q] * wd[q];
            acc += sum;
        }
        part[static_cast<std::size_t>(thread_id())] = acc;
    }
    double total = 0.0;
    for (double p : part) total += p;
    return total;
}

void adjoint(const cd* x, cd* out, long d, int threads) {
    constexpr long tile = 64;
    const long nt_tiles = (d + tile - 1) / tile;
    const int nt = complex_threads(d * d, threads);
#pragma omp parallel for collapse(2) schedule(static) num_threads(nt) if (nt > 1)
    for (long bi = 0; bi < nt_tiles; ++bi)
        for (long bj = 0; bj < nt_tiles; ++bj)
            for (long m = bi * tile; m < std::min(d, (bi + 1) * tile); ++m)
                for (long n = bj * tile; n < std::min(d, (bj + 1) * tile); ++n) out[n * d + m] = std::conj(x[m * d + n]);
}

void hermitize(cd* x, long d, int threads) {
    // 64 x 64 tile pairs: the column-wise half of each pair stays in cache (a plain row loop reads
    // x[n*d+m] with stride d: one cache line per element at large D).
    constexpr long tile = 64;
    const long nt_tiles = (d + tile - 1) / tile;
    const int nt = complex_threads(d * d, threads);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
    for (long bi = 0; bi < nt_tiles; ++bi)
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

}  // namespace qbnet::numerics
