#pragma once
// Non-temporal ("streaming") stores for outputs written once and read only after the whole pass (the
// Liouvillian's packed rows, the one-pass preconditioner's output and kept vectors): they skip reading every
// destination line into the cache first. stream_fence() orders a thread's streamed stores before the
// barrier that ends its parallel region. Plain stores where SSE2 is not available.
#include <complex>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace qbnet::fock::detail {

inline void stream_fence() {
#if defined(__SSE2__)
    _mm_sfence();
#endif
}

// One double (packed rows start at any double: 8-byte stores).
inline void stream_store(double* dst, double v) {
#if defined(__SSE2__) && defined(__x86_64__)
    long long bits;
    std::memcpy(&bits, &v, sizeof bits);
    _mm_stream_si64(reinterpret_cast<long long*>(dst), bits);
#else
    *dst = v;
#endif
}

// One float (the kept packed floats).
inline void stream_store(float* dst, float v) {
#if defined(__SSE2__)
    int bits;
    std::memcpy(&bits, &v, sizeof bits);
    _mm_stream_si32(reinterpret_cast<int*>(dst), bits);
#else
    *dst = v;
#endif
}

// One complex double at a 16-byte aligned address (a plain store otherwise).
inline void stream_store(std::complex<double>* dst, std::complex<double> v) {
#if defined(__SSE2__)
    if (reinterpret_cast<std::uintptr_t>(dst) % 16 == 0) {
        _mm_stream_pd(reinterpret_cast<double*>(dst), _mm_set_pd(v.imag(), v.real()));
        return;
    }
#endif
    *dst = v;
}

}  // namespace qbnet::fock::detail
