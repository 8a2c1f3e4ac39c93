// Packed hermitian matrices (hermitian_packing.hpp).
#include "qbnet/numerics/hermitian_packing.hpp"

#include <algorithm>
#include <cmath>

#include "qbnet/numerics/parallel.hpp"

namespace qbnet::numerics {

using cd = std::complex<double>;

namespace {
constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kInvSqrt2 = 0.70710678118654752440;
// Offset (in doubles) of row m's segment.
}  // namespace

long packed_size(long d) { return (d * d + 1) / 2; }

void pack_hermitian(const cd* x, long d, cd* packed, int threads) {
    double* p = reinterpret_cast<double*>(packed);
    const int nt = vector_threads(d * d, threads);
    // Rows get shorter towards the bottom: dynamic chunks of rows balance the threads.
#pragma omp parallel for schedule(dynamic, 16) num_threads(nt) if (nt > 1)
    for (long m = 0; m < d; ++m) {
        double* row = p + packed_row_offset(m, d);
        const cd* xr = x + m * d;
        row[0] = xr[m].real();
        for (long n = m + 1; n < d; ++n) {
            row[1 + 2 * (n - m - 1)] = kSqrt2 * xr[n].real();
            row[2 + 2 * (n - m - 1)] = kSqrt2 * xr[n].imag();
        }
    }
    if (d % 2 == 1) p[d * d] = 0.0;   // the padding double of an odd D^2
}

void add_packed_combination(const std::vector<Eigen::VectorXcf>& z, int k, const double* c, cd* x, long d,
                            int threads) {
    double* p = reinterpret_cast<double*>(x);
    const int nt = vector_threads(d * d, threads);
#pragma omp parallel for schedule(dynamic, 16) num_threads(nt) if (nt > 1)
    for (long m = 0; m < d; ++m) {
        const long off = packed_row_offset(m, d), len = 2 * (d - m) - 1;   // Re X_mm, then the pairs
        double* row = p + off;
        for (int i = 0; i < k; ++i) {
            const float* zr = reinterpret_cast<const float*>(z[static_cast<std::size_t>(i)].data()) + off;
            const double a = c[i], aw = kSqrt2 * c[i];
            row[0] += a * static_cast<double>(zr[0]);
#pragma omp simd
            for (long q = 1; q < len; ++q) row[q] += aw * static_cast<double>(zr[q]);
        }
    }
}

namespace {
template <class C>
void unpack_into(const cd* packed, long d, C* x, int threads) {
    using R = typename C::value_type;
    const double* p = reinterpret_cast<const double*>(packed);
    // 64 x 64 tiles of the upper triangle, each written with its mirror tile: the column-wise writes of
    // the mirror stay in cache (a plain row loop would touch one cache line per element at large D).
    constexpr long tile = 64;
    const long tiles = (d + tile - 1) / tile;
    const int nt = vector_threads(2 * d * d, threads);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
    for (long bi = 0; bi < tiles; ++bi)
        for (long bj = bi; bj < tiles; ++bj) {
            const long m0 = bi * tile, m1 = std::min(d, m0 + tile), n0 = bj * tile, n1 = std::min(d, n0 + tile);
            for (long m = m0; m < m1; ++m) {
                const double* row = p + packed_row_offset(m, d);
                if (m >= n0 && m < n1) x[m * d + m] = C(static_cast<R>(row[0]), R(0));
                for (long n = std::max(n0, m + 1); n < n1; ++n) {
                    const long k = 1 + 2 * (n - m - 1);
                    const C v(static_cast<R>(kInvSqrt2 * row[k]), static_cast<R>(kInvSqrt2 * row[k + 1]));
                    x[m * d + n] = v;
                    x[n * d + m] = std::conj(v);
                }
            }
        }
}
}  // namespace

void unpack_hermitian(const cd* packed, long d, cd* x, int threads) { unpack_into(packed, d, x, threads); }

void unpack_hermitian(const cd* packed, long d, std::complex<float>* x, int threads) {
    unpack_into(packed, d, x, threads);
}

double packed_trace(const cd* packed, long d) {
    const double* p = reinterpret_cast<const double*>(packed);
    double t = 0.0;
    for (long m = 0; m < d; ++m) t += p[packed_row_offset(m, d)];
    return t;
}

void packed_add_identity(double a, cd* packed, long d) {
    double* p = reinterpret_cast<double*>(packed);
    for (long m = 0; m < d; ++m) p[packed_row_offset(m, d)] += a;
}

}  // namespace qbnet::numerics
