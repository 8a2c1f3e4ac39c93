#pragma once
// Truncation error of Fock figures (docs/trust.md, "Truncation error bars").
//
// A figure f(c) computed at per-mode cutoffs c converges to f(inf) as the cutoffs grow. We solve the same
// model on the ladder c - 2 Delta, c - Delta, c (every rung no larger than the reported run, so the two
// extra solves together cost less than one more at c + Delta) and take the differences
//     d1 = |f(c) - f(c - Delta)|,   d2 = |f(c - Delta) - f(c - 2 Delta)|.
// For a geometric tail, d_{k+1} = q d_k, the remaining error is d1 q / (1 - q) with q = d1 / d2. The
// photon-number tails of the states met here (thermal: ratio n/(n+1) per level, squeezed: tanh r,
// displaced Poisson: |alpha|^2/(n+1)) have a per-level ratio that does not increase with n, so the q
// measured one rung lower over-estimates the next ones and the extrapolation is an upper estimate; a
// safety factor 2 covers a ratio that is still settling. When q is not clearly below 1 the ladder is
// not yet in its geometric regime: the figure gets a deliberately large error (20 x the larger
// difference), which flags it; this is NOT a bound. Differences below the solver noise of the runs
// (steady-state residual, integrator tolerance) cannot be resolved: the error is then that noise level.
#include <vector>

#include "qbnet/result.hpp"

namespace qbnet::fock {

// Ratio above which the ladder is treated as pre-asymptotic.
constexpr double kTruncationMaxRatio = 0.9;
constexpr double kTruncationSafety = 2.0;
constexpr double kTruncationPreasymptotic = 20.0;

// Error of one figure from its values on the ladder (f0 at c, f1 at c - Delta, f2 at c - 2 Delta).
// noise: the solver noise of the differences (absolute).
double extrapolated_truncation_error(double f0, double f1, double f2, double noise);

// Ladder step per mode: Delta_j = 2 max(1, c_j / 16) from c_j = 6 on (even: squeezed states fill even
// levels first; a fixed fraction of c keeps the rung cost ratio fixed), else 1.
std::vector<int> truncation_step(const std::vector<int>& cutoffs);
// c - k Delta; empty when a rung would fall below two levels.
std::vector<int> lowered_cutoffs(const std::vector<int>& cutoffs, const std::vector<int>& step, int k);

// Solver noise of a figure of size `scale`: steady state (the Krylov residual target leaves relative
// errors ~1e-10) and time samples (the adaptive step keeps each local error below atol + rtol |y|).
double steady_noise(double scale);
double timeseries_noise(double scale, double atol, double rtol);

// Scale a relative tolerance refers to: the figure itself or its mode's energy, whichever is larger
// (the ergotropy of a nearly passive state is judged on the energy it is carved from).
double figure_scale(double value, double energy);

// Sets `error` on every figure of `run` (cutoffs c) from the same model solved at c - Delta (`coarser`)
// and c - 2 Delta (`coarsest`) on the same time grid. atol/rtol: the integrator tolerances.
void attach_truncation_errors(EngineResult& run, const EngineResult& coarser, const EngineResult& coarsest,
                              double atol, double rtol);

// Marks every figure of `run` as not estimable (infinite error): the cutoffs are too small for a ladder.
void attach_unknown_errors(EngineResult& run);

// Do all error bars of `run` meet the relative tolerance (noise-level errors count as met)?
// On failure `worst` names the first figure that does not.
bool errors_within_tolerance(const EngineResult& run, double tolerance, double atol, double rtol,
                             std::string* worst = nullptr);

}  // namespace qbnet::fock
