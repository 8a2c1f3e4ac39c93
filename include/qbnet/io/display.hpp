#pragma once
// Numbers for the terminal table (io/results.hpp, format_result_table). Files (JSON, CSV) always keep
// the raw doubles; only what a person reads is rounded.
#include <string>

namespace qbnet::io {

// Round-off bound of a figure computed from quantities of magnitude `scale` (the largest energy of the
// table) in a state space of dimension `dim`:  64 * eps * dim * scale  (eps = 2.2e-16).
// Why: every figure is a sum over at most dim^2 matrix elements or a difference of two such numbers
// (passive energy = E - W), or an eigenvalue of a dim x dim Hermitian matrix; their floating-point
// error is bounded by c * dim * eps * scale with c a small constant of the algorithm (summation,
// Householder/QR eigen-solvers). 64 covers those constants; a true nonzero figure of that size is
// physically meaningless (below 1e-11 of the energy scale for dim up to 1e3).
double roundoff_bound(double scale, double dim);

// A figure: "0" when |x| <= bound (round-off of zero, e.g. the passive energy -2.9e-14 of a coherent
// state), else "%.6g"; "n/a" for a non-finite x.
std::string format_figure(double x, double bound);

// An error bar: "-" when the engine made no estimate (nan), "inf" when infinite, "0" when <= bound,
// else "%.2g".
std::string format_error_bar(double err, double bound);

}  // namespace qbnet::io
