#pragma once
// Reduced states of one trajectory's normalised state psi, added to the running sums of its batch
// (private to src/trajectories). Every sum is the lower triangle of a column-major matrix of complex
// numbers; each entry is summed in a fixed order, so the result does not depend on the thread count.
#include <complex>
#include <vector>

namespace qbnet::trajectories::detail {

// Mode j's reduced state: sum_o X_o X_o^dag, X_o the c x stride row-major block of psi at o * c * stride
// (outer = D / (c stride)).
void add_mode_state(const std::complex<double>* psi, long outer, int c, long stride, std::complex<double>* acc);

// The batteries' joint state sum_c B_c B_c^dag, B_c = psi[c * db .. (c + 1) * db) (mode 0, the charger,
// is the most significant index and has c0 levels).
void add_joint_state(const std::complex<double>* psi, long db, int c0, std::complex<double>* acc);

// Battery j's (j >= 1) single-mode state as the partial trace of the joint batteries' state `joint`
// (modes 1 .. M-1 with `cutoffs`), added to `mode`.
void add_battery_mode_from_joint(const std::complex<double>* joint, const std::vector<int>& cutoffs, int j,
                                 std::complex<double>* mode);

}  // namespace qbnet::trajectories::detail
