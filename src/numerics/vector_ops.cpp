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
        for (int t = 0; t < nt; ++t) h[i] += part[static_cast<std::size_t>(t) * (count + 1) + i];
    }
}

double multi_subtract(const std::vector<Eigen::VectorXcd>& v, int count, const double* c, cd* w, long n,
                      int threads) {
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
