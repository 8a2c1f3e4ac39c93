// Packed hermitian matrices (hermitian_packing.hpp).
#include "qbnet/numerics/hermitian_packing.hpp"

#include <algorithm>
#include <cstring>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cmath>

#include "qbnet/numerics/parallel.hpp"

namespace qbnet::numerics {

using cd = std::complex<double>;

namespace {
constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kInvSqrt2 = 0.70710678118654752440;
// Offset (in doubles) of row m's segment.
inline long row_offset(long m, long d) { return m * (2 * d - m); }
}  // namespace

long packed_size(long d) { return (d * d + 1) / 2; }

void pack_hermitian(const cd* x, long d, cd* packed, int threads) {
    double* p = reinterpret_cast<double*>(packed);
    const int nt = vector_threads(d * d, threads);
    // Rows get shorter towards the bottom: dynamic chunks of rows balance the threads.
#pragma omp parallel for schedule(dynamic, 16) num_threads(nt) if (nt > 1)
    for (long m = 0; m < d; ++m) {
        double* row = p + row_offset(m, d);
        const cd* xr = x + m * d;
        row[0] = xr[m].real();
        for (long n = m + 1; n < d; ++n) {
            row[1 + 2 * (n - m - 1)] = kSqrt2 * xr[n].real();
            row[2 + 2 * (n - m - 1)] = kSqrt2 * xr[n].imag();
        }
    }
    if (d % 2 == 1) p[d * d] = 0.0;   // the padding double of an odd D^2
}

namespace {
// A packed double written once and read long after (the packed vector is far larger than the caches):
// a non-temporal store skips reading its line first. Packed rows start at any double, so 8-byte stores.
inline void store_once(double* dst, double v) {
#if defined(__SSE2__) && defined(__x86_64__)
    long long bits;
    std::memcpy(&bits, &v, sizeof bits);
    _mm_stream_si64(reinterpret_cast<long long*>(dst), bits);
#else
    *dst = v;
#endif
}
}  // namespace

void pack_hermitian_lower(const cd* x, long d, cd* packed, int threads) {
    double* p = reinterpret_cast<double*>(packed);
    // 64 x 64 tiles of the lower triangle: the tile's rows are copied in order (prefetched a few rows
    // ahead), then each packed row n takes column n of the tile, written once in order.
    constexpr long tile = 64, ahead = 4;
    const long tiles = (d + tile - 1) / tile;
    const int nt = vector_threads(d * d, threads);
    const bool stream = static_cast<double>(d) * static_cast<double>(d) * sizeof(cd) > 64.0 * 1024 * 1024;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        std::vector<cd> buf(static_cast<std::size_t>(tile * tile));
#pragma omp for schedule(dynamic, 1)
        for (long bj = 0; bj < tiles; ++bj) {
            const long n0 = bj * tile, n1 = std::min(d, n0 + tile), w = n1 - n0;
            for (long bi = bj; bi < tiles; ++bi) {
                const long m0 = bi * tile, m1 = std::min(d, m0 + tile);
                for (long m = m0; m < m1; ++m) {
                    if (m + ahead < m1)
                        for (long k = 0; k < w; k += 4) __builtin_prefetch(x + (m + ahead) * d + n0 + k, 0, 0);
                    std::copy(x + m * d + n0, x + m * d + n1, buf.begin() + (m - m0) * tile);
                }
                for (long n = n0; n < n1; ++n) {
                    double* row = p + row_offset(n, d);
                    if (n >= m0 && n < m1) row[0] = buf[static_cast<std::size_t>((n - m0) * tile + (n - n0))].real();
                    for (long m = std::max(m0, n + 1); m < m1; ++m) {
                        const cd v = buf[static_cast<std::size_t>((m - m0) * tile + (n - n0))];
                        double* e = row + 1 + 2 * (m - n - 1);
                        if (stream) {
                            store_once(e, kSqrt2 * v.real());
                            store_once(e + 1, -kSqrt2 * v.imag());
                        } else {
                            e[0] = kSqrt2 * v.real();
                            e[1] = -kSqrt2 * v.imag();
                        }
                    }
                }
            }
        }
#if defined(__SSE2__)
        _mm_sfence();   // the streamed stores before the region's closing barrier
#endif
    }
    if (d % 2 == 1) p[d * d] = 0.0;   // the padding double of an odd D^2
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
                const double* row = p + row_offset(m, d);
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
    for (long m = 0; m < d; ++m) t += p[row_offset(m, d)];
    return t;
}

void packed_add_identity(double a, cd* packed, long d) {
    double* p = reinterpret_cast<double*>(packed);
    for (long m = 0; m < d; ++m) p[row_offset(m, d)] += a;
}

}  // namespace qbnet::numerics
