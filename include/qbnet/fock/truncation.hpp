#pragma once
// Truncation error of Fock figures (docs/trust.md, "Truncation error bars").
//
// A figure f(c) computed at per-mode cutoffs c converges to f(inf) as the cutoffs grow. We solve the same
// model on the ladder c - 3 Delta, c - 2 Delta, c - Delta, c (every rung below the reported run; three
// rungs when c - 3 Delta < 2) and read the differences d_k = f(c - k Delta) - f(c - (k+1) Delta), k = 0, 1, 2:
//   * all of one sign, ratios q1 = |d0|/|d1| < 0.9: a geometric tail; the remaining error is
//     |d0| q/(1 - q) times a safety factor. With four rungs and q1 <= q2 = |d1|/|d2| the ratio is settling
//     from above (the photon-number tails met here, thermal n/(n+1), squeezed tanh r, Poisson
//     |alpha|^2/(n+1), have per-level ratios that do not grow with n), so q = q1 over-estimates the next
//     ratios and the factor is 1.3; when the ratio still grows, q = q1 (q1/q2) and the factor is 2; with
//     three rungs the trend is unknown and the factor is 2.
//   * resolved differences of both signs: the figure is not monotone in c (a sum of tails of both signs);
//     the error is |d0|. Each mode's three figures share one truncated distribution and
//     P = E - W: the passive energy's (ergotropy's) error is also at least the difference of the signed
//     geometric tails of E and W (E and P), because the own ladder of a difference can cancel.
//   * q1 >= 0.9: not yet geometric: 20 x max(|d0|, |d1|), which flags the figure; this is NOT a bound.
// Differences below the solver noise of the runs (steady-state residual, integrator tolerance) cannot be
// resolved: the error is then that noise level.
#include <optional>
#include <vector>

#include "qbnet/model/terms.hpp"
#include "qbnet/result.hpp"

namespace qbnet::fock {

// Ratio above which the ladder is treated as pre-asymptotic.
constexpr double kTruncationMaxRatio = 0.9;
constexpr double kTruncationSafety = 2.0;          // three rungs, or a ratio that still grows
constexpr double kTruncationSafetySettled = 1.3;   // four rungs, ratio not growing
constexpr double kTruncationPreasymptotic = 20.0;

// One figure's ladder fit. tail: the signed geometric estimate of f(inf) - f(c) without safety factor
// (zero at the noise level), absent when the ladder is not geometric.
struct LadderFit {
    double error = 0.0;
    std::optional<double> tail;
};
// f: the figure at c, c - Delta, c - 2 Delta[, c - 3 Delta] (3 or 4 values). noise: absolute solver noise.
LadderFit fit_ladder(const std::vector<double>& f, double noise);
// Three-rung form (f0 at c, f1 at c - Delta, f2 at c - 2 Delta): fit_ladder({f0, f1, f2}, noise).error.
double extrapolated_truncation_error(double f0, double f1, double f2, double noise);

// Does the model create or destroy photons in pairs (a jump mixing a and a^dag: a squeezed bath)? Such
// states fill even and odd levels unevenly, so the ladder must step by an even number of levels.
bool creates_photon_pairs(const model::Model& model);
// Ladder step per mode. pairs: Delta_j = 2 max(1, c_j / 16) from c_j = 6 on, else 1 (even: an odd step
// would compare an even rung with an odd one). Otherwise Delta_j = max(1, c_j / 16): consecutive cutoffs
// see a sign change of the error that a coarser ladder steps over. A fixed fraction of c for large c keeps
// the rung cost ratio bounded.
std::vector<int> truncation_step(const std::vector<int>& cutoffs, bool pairs = true);
// c - k Delta; empty when a rung would fall below two levels.
std::vector<int> lowered_cutoffs(const std::vector<int>& cutoffs, const std::vector<int>& step, int k);
// Rungs below c the ladder uses: 3 when c - 3 Delta >= 2, else 2 when c - 2 Delta >= 2, else 0.
int ladder_lower_rungs(const std::vector<int>& cutoffs, const std::vector<int>& step);

// Solver noise of a figure of size `scale`: steady state (a Krylov residual target tol, steady_state.tol,
// leaves errors ~tol relative to rho, of trace 1: tol max(scale, 1); every rung is solved to it) and
// time samples (the adaptive step keeps each local error below atol + rtol |y|).
double steady_noise(double scale, double tol);
double timeseries_noise(double scale, double atol, double rtol);

// Scale a relative tolerance refers to: the figure itself or its mode's energy, whichever is larger
// (the ergotropy of a nearly passive state is judged on the energy it is carved from).
double figure_scale(double value, double energy);

// Sets `error` on every figure of `run` (cutoffs c) from the same model solved at c - Delta, c - 2 Delta
// [, c - 3 Delta] (`lower`, in that order) on the same time grid. atol/rtol: the integrator tolerances;
// steady_tol: the steady-state residual target of the rungs (steady_state.tol).
void attach_truncation_errors(EngineResult& run, const std::vector<const EngineResult*>& lower, double atol,
                              double rtol, double steady_tol);

// Marks every figure of `run` as not estimable (infinite error): the cutoffs are too small for a ladder.
void attach_unknown_errors(EngineResult& run);

// Do all error bars of `run` meet the relative tolerance (noise-level errors count as met)?
// On failure `worst` names the first figure that does not.
bool errors_within_tolerance(const EngineResult& run, double tolerance, double atol, double rtol, double steady_tol,
                             std::string* worst = nullptr);

}  // namespace qbnet::fock
