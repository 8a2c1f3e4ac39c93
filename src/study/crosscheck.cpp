// Fock <-> Gaussian cross-check (study/crosscheck.hpp): every energy and ergotropy of every mode and of
// the joint batteries, at the steady state and at every time sample.
#include "qbnet/study/crosscheck.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace qbnet {

namespace {

struct Worst {
    double abs = 0.0;
    double rel = 0.0;
    std::string quantity;
    bool structural_mismatch = false;
};

void compare_value(double f, double g, const std::string& what, const CrossCheckOptions& opt, Worst& w) {
    const double abs = std::abs(f - g);
    w.abs = std::max(w.abs, abs);
    if (!std::isfinite(f) || !std::isfinite(g)) {
        w.rel = INFINITY;
        w.quantity = what;
        return;
    }
    // Below the absolute floor the difference is solver rounding, whatever its relative size
    // (e.g. the ergotropy of a thermal state, 0 exactly vs 1e-14).
    if (abs <= opt.abs_floor) return;
    const double rel = abs / std::max({std::abs(f), std::abs(g), opt.abs_floor});
    if (rel > w.rel) {
        w.rel = rel;
        w.quantity = what;
    }
}

void compare_figures(const Figures& f, const Figures& g, const std::string& prefix, bool ergotropy,
                     const CrossCheckOptions& opt, Worst& w) {
    compare_value(f.energy, g.energy, prefix + ".energy", opt, w);
    if (ergotropy) compare_value(f.ergotropy, g.ergotropy, prefix + ".ergotropy", opt, w);
}

void compare_snapshot(const Snapshot& f, const Snapshot& g, const std::string& where, const CrossCheckOptions& opt,
                      Worst& w) {
    if (f.modes.size() != g.modes.size()) {
        w.structural_mismatch = true;
        w.quantity = where + ": different number of modes";
        return;
    }
    for (std::size_t j = 0; j < f.modes.size(); ++j)
        compare_figures(f.modes[j], g.modes[j], where + "." + f.modes[j].name, true, opt, w);
    // Joint ergotropy only where both engines computed it (exact spectrum available on both sides).
    const bool joint = f.batteries_ergotropy_available && g.batteries_ergotropy_available;
    compare_figures(f.batteries, g.batteries, where + ".batteries", joint, opt, w);
}

}  // namespace

CrossCheck cross_check(const EngineResult& fock, const EngineResult& gaussian, const CrossCheckOptions& options) {
    Worst w;
    if (fock.steady_state.has_value() != gaussian.steady_state.has_value()) {
        w.structural_mismatch = true;
        w.quantity = "steady_state: computed by one engine only";
    } else if (fock.steady_state) {
        compare_snapshot(*fock.steady_state, *gaussian.steady_state, "steady_state", options, w);
    }
    const auto& tf = fock.timeseries;
    const auto& tg = gaussian.timeseries;
    if (tf.t.size() != tg.t.size()) {
        w.structural_mismatch = true;
        w.quantity = "timeseries: different number of samples";
    } else {
        for (std::size_t k = 0; k < tf.t.size() && !w.structural_mismatch; ++k) {
            std::ostringstream where;
            where << "timeseries[t=" << tf.t[k] << "]";
            if (std::abs(tf.t[k] - tg.t[k]) > 1e-12 * std::max(1.0, std::abs(tf.t[k]))) {
                w.structural_mismatch = true;
                w.quantity = where.str() + ": different sample times";
                break;
            }
            compare_snapshot(tf.samples[k], tg.samples[k], where.str(), options, w);
        }
    }

    // Tolerance: the Fock engine's truncation error on top of the requested relative tolerance. The
    // estimate is the largest top-level population p_top; the population lost beyond the cutoff is of
    // the same order and each lost photon carries ~cutoff quanta of energy, so the energy error is
    // ~ cutoff * p_top (and ergotropy alike). c = 10 * max cutoff leaves a factor 10 for the tail
    // beyond the first missing level; without cutoffs in the statistics c = 100 (cutoff ~ 10).
    double c = 100.0;
    if (fock.statistics.fock && !fock.statistics.fock->cutoffs.empty()) {
        int max_cut = 0;
        for (int v : fock.statistics.fock->cutoffs) max_cut = std::max(max_cut, v);
        c = 10.0 * max_cut;
    }
    CrossCheck out;
    out.tolerance = std::max(options.rel_tol, c * fock.truncation_estimate);
    out.max_abs_diff = w.abs;
    out.max_rel_diff = w.structural_mismatch ? INFINITY : w.rel;
    out.worst_quantity = w.quantity;
    out.agree = !w.structural_mismatch && out.max_rel_diff <= out.tolerance;
    return out;
}

}  // namespace qbnet
