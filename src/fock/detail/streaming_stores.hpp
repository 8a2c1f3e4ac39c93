#pragma once
// Non-temporal ("streaming") stores for outputs written once and read only after the whole pass (the
// Liouvillian's packed rows, the one-pass preconditioner's output and kept vectors): they skip reading every
// destination line into the cache first. stream_fence() orders a thread's streamed stores before the
// barrier that ends its parallel region. Plain stores where SSE2 is not available.
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

// A run of `bytes` bytes (a multiple of 4, dst 4-byte aligned) from a buffer in cache: 16-byte streaming
// stores once dst is 16-byte aligned (4- and 8-byte ones for the head and tail). Narrow streaming stores
// one entry at a time fill the write-combining buffers poorly; a run written in order fills whole lines.
inline void stream_copy(void* dst, const void* src, std::size_t bytes) {
#if defined(__SSE2__) && defined(__x86_64__)
    auto* d = static_cast<char*>(dst);
    const auto* s = static_cast<const char*>(src);
    auto misaligned = [&](std::uintptr_t to) { return reinterpret_cast<std::uintptr_t>(d) % to != 0; };
    auto store32 = [&] {
        int v;
        std::memcpy(&v, s, 4);
        _mm_stream_si32(reinterpret_cast<int*>(d), v);
        d += 4, s += 4, bytes -= 4;
    };
    auto store64 = [&] {
        long long v;
        std::memcpy(&v, s, 8);
        _mm_stream_si64(reinterpret_cast<long long*>(d), v);
        d += 8, s += 8, bytes -= 8;
    };
    if (bytes >= 4 && misaligned(8)) store32();
    if (bytes >= 8 && misaligned(16)) store64();
    for (; bytes >= 16; d += 16, s += 16, bytes -= 16)
        _mm_stream_si128(reinterpret_cast<__m128i*>(d), _mm_loadu_si128(reinterpret_cast<const __m128i*>(s)));
    if (bytes >= 8) store64();
    if (bytes >= 4) store32();
#else
    std::memcpy(dst, src, bytes);
#endif
}

}  // namespace qbnet::fock::detail
