#pragma once
// Cross-check of two engines on one model (any pair: Fock, Gaussian, trajectories): every energy,
// ergotropy and passive energy of every mode and of the joint batteries, at the steady state and at
// every time sample, judged against the error bars the engines report themselves.
//
// Per figure with values a, b and error bars e_a, e_b (EngineResult figures' `error`):
//   allowed = k_a e_a + k_b e_b + solver error,   k = 4 for statistical (1-sigma, trajectories) bars, else 1
//   solver error: time samples 10 (atol + rtol s) of the integrator (fock/truncation.hpp: timeseries_noise),
//                 steady states max(1e-10, Fock residual / slowest rate) s -- s the figure's scale (below);
//   cap = max_relative x s, s = max(|a|, |b|, |energy of the mode|) (both engines' energies);
//   agree when |a - b| <= min(allowed, cap); otherwise inconclusive when either error bar alone exceeds
//   the cap (the engines cannot resolve a 1e-3 difference), else disagree.
// The verdict is disagree if any figure disagrees, else inconclusive if any figure is, else agree.
// An engine that reports no error bar on a figure is taken at its word of "exact" (error 0).
#include <string>

#include "qbnet/options.hpp"
#include "qbnet/result.hpp"

namespace qbnet::study {

enum class Verdict { agree, disagree, inconclusive };
const char* to_string(Verdict v);

struct CrossCheckOptions {
    double max_relative = 1e-3;   // the tolerance is never above this fraction of a figure's scale
    double atol = 1e-8;           // integrator tolerances of the time series (RunOptions::time)
    double rtol = 1e-6;
    static CrossCheckOptions from(const RunOptions& options);
};

struct CrossCheck {
    Verdict verdict = Verdict::inconclusive;
    bool agree = false;              // verdict == agree
    double max_abs_diff = 0.0;
    double max_rel_diff = 0.0;       // |a - b| / scale at the worst figure (worst = largest diff / allowed)
    double tolerance = 0.0;          // allowed / scale at the worst figure
    std::string worst_quantity;      // e.g. "steady_state.b2.ergotropy" or "timeseries[t=12.5].b1.energy"
    std::string inconclusive_quantity;   // first figure whose own error bar exceeds the cap
    int figures = 0;
    int disagreeing = 0;
    int inconclusive = 0;
};

CrossCheck cross_check(const EngineResult& a, const EngineResult& b, const CrossCheckOptions& options = {});

}  // namespace qbnet::study
