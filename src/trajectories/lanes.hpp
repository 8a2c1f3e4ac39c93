#pragma once
// Four doubles as one GCC vector (an AVX2 register, or two SSE2 ones) for the trajectory kernels
// (private to src/trajectories). The kernels are compiled twice (target_clones: AVX2 and the baseline)
// and chosen at load time. Products and sums stay separate operations (no FMA contraction in ISO C++
// mode), so both clones perform the same IEEE operations in the same order: the same bits on any CPU.
// Lane4 values never cross a non-inlined call boundary, so the ABI note GCC gives for them is moot.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace qbnet::trajectories::detail {

typedef double Lane4 __attribute__((vector_size(32)));
typedef long long Mask4 __attribute__((vector_size(32)));

inline Lane4 load4(const double* p) {
    Lane4 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
inline void store4(double* p, Lane4 v) { __builtin_memcpy(p, &v, sizeof v); }
inline Lane4 broadcast4(double x) { return Lane4{x, x, x, x}; }
inline Lane4 swap_pairs(Lane4 v) { return __builtin_shuffle(v, Mask4{1, 0, 3, 2}); }   // re <-> im
inline Lane4 low_pairs(Lane4 v) { return __builtin_shuffle(v, Mask4{0, 0, 1, 1}); }    // c0 c0 c1 c1
inline Lane4 high_pairs(Lane4 v) { return __builtin_shuffle(v, Mask4{2, 2, 3, 3}); }   // c2 c2 c3 c3

}  // namespace qbnet::trajectories::detail
