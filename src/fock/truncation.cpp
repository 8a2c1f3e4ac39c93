// Truncation error estimate from a cutoff ladder (qbnet/fock/truncation.hpp).
#include "qbnet/fock/truncation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

namespace qbnet::fock {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Noise of a difference: both runs carry the solver noise.
Figures figures_error(const Figures& f0, const Figures& f1, const Figures& f2, const Figures& noise) {
    Figures e;
    e.energy = extrapolated_truncation_error(f0.energy, f1.energy, f2.energy, noise.energy);
    e.ergotropy = extrapolated_truncation_error(f0.ergotropy, f1.ergotropy, f2.ergotropy, noise.ergotropy);
    e.passive_energy =
        extrapolated_truncation_error(f0.passive_energy, f1.passive_energy, f2.passive_energy, noise.passive_energy);
    return e;
}

template <class NoiseFn>
Figures noise_of(const Figures& f, NoiseFn noise) {
    const double e = std::abs(f.energy);
    return {noise(figure_scale(f.energy, e)), noise(figure_scale(f.ergotropy, e)),
            noise(figure_scale(f.passive_energy, e))};
}

// The three figures of a mode share the same truncated probability mass: once the energy itself is off by
// more than 10 % (the ladder far from geometric), the ergotropy and passive energy are not resolved either, whatever
// their own ladder says (a far too small cutoff can leave W and P flat on every rung).
Figures coupled(Figures e, double energy) {
    if (e.energy > 0.1 * std::abs(energy)) {
        e.ergotropy = std::max(e.ergotropy, e.energy);
        e.passive_energy = std::max(e.passive_energy, e.energy);
    }
    return e;
}

template <class NoiseFn>
void attach_snapshot(Snapshot& s0, const Snapshot& s1, const Snapshot& s2, NoiseFn noise) {
    if (s1.modes.size() != s0.modes.size() || s2.modes.size() != s0.modes.size()) return;
    for (std::size_t j = 0; j < s0.modes.size(); ++j)
        s0.modes[j].error = coupled(figures_error(s0.modes[j], s1.modes[j], s2.modes[j], noise_of(s0.modes[j], noise)),
                                    s0.modes[j].energy);
    if (s0.batteries_ergotropy_available && s1.batteries_ergotropy_available && s2.batteries_ergotropy_available) {
        s0.batteries_error = coupled(figures_error(s0.batteries, s1.batteries, s2.batteries, noise_of(s0.batteries, noise)),
                                     s0.batteries.energy);
    } else {
        // Joint ergotropy not computed on every rung: only the energy has an estimate.
        Figures e = figures_error(s0.batteries, s1.batteries, s2.batteries, noise_of(s0.batteries, noise));
        e.ergotropy = e.passive_energy = kInf;
        s0.batteries_error = e;
    }
}

void unknown_snapshot(Snapshot& s) {
    for (auto& m : s.modes) m.error = Figures{kInf, kInf, kInf};
    s.batteries_error = Figures{kInf, kInf, kInf};
}

bool figures_ok(const Figures& v, const Figures& e, double energy_scale, double tol, const std::string& where,
                const std::function<double(double)>& noise, std::string* worst) {
    const auto ok = [&](double value, double err, const char* name) {
        const double scale = figure_scale(value, energy_scale);
        if (std::isfinite(err) && (err <= tol * scale || err <= noise(scale))) return true;
        if (worst && worst->empty())
            *worst = fmt::format("{}.{} = {:.8g} +- {:.3g} (tolerance {:.3g} x {:.3g})", where, name, value, err, tol,
                                 scale);
        return false;
    };
    const bool a = ok(v.energy, e.energy, "energy");
    const bool b = ok(v.ergotropy, e.ergotropy, "ergotropy");
    const bool c = ok(v.passive_energy, e.passive_energy, "passive_energy");
    return a && b && c;
}

bool snapshot_ok(const Snapshot& s, double tol, const std::string& where, const std::function<double(double)>& noise,
                 std::string* worst) {
    bool ok = true;
    for (const auto& m : s.modes)
        if (m.error) ok = figures_ok(m, *m.error, std::abs(m.energy), tol, where + "." + m.name, noise, worst) && ok;
    if (s.batteries_error) {
        Figures e = *s.batteries_error;
        if (!s.batteries_ergotropy_available) e.ergotropy = e.passive_energy = 0.0;   // not reported: not judged
        ok = figures_ok(s.batteries, e, std::abs(s.batteries.energy), tol, where + ".batteries", noise, worst) && ok;
    }
    return ok;
}

}  // namespace

double extrapolated_truncation_error(double f0, double f1, double f2, double noise) {
    if (!std::isfinite(f0) || !std::isfinite(f1) || !std::isfinite(f2)) return kInf;
    const double d1 = std::abs(f0 - f1);
    const double d2 = std::abs(f1 - f2);
    // Both differences at the solver's noise: the truncation error is not resolvable below it.
    if (d1 <= noise && d2 <= noise) return std::max({d1, d2, noise});
    // The last step moved the figure more than the one before (or the one before was a lucky zero):
    // not yet geometric.
    if (d2 <= noise || d1 >= kTruncationMaxRatio * d2) return kTruncationPreasymptotic * std::max(d1, d2);
    const double q = d1 / d2;
    return std::max(kTruncationSafety * d1 * q / (1.0 - q), noise);
}

std::vector<int> truncation_step(const std::vector<int>& cutoffs) {
    std::vector<int> step(cutoffs.size());
    // Even steps from c = 6 on: a squeezed or two-photon-driven state fills even and odd levels unevenly,
    // and an odd step would compare an even rung with an odd one.
    for (std::size_t j = 0; j < cutoffs.size(); ++j) step[j] = cutoffs[j] >= 6 ? 2 * std::max(1, cutoffs[j] / 16) : 1;
    return step;
}

std::vector<int> lowered_cutoffs(const std::vector<int>& cutoffs, const std::vector<int>& step, int k) {
    std::vector<int> c(cutoffs.size());
    for (std::size_t j = 0; j < cutoffs.size(); ++j) {
        c[j] = cutoffs[j] - k * step[j];
        if (c[j] < 2) return {};
    }
    return c;
}

double steady_noise(double scale) { return 1e-10 * std::max(scale, 1e-3); }

double timeseries_noise(double scale, double atol, double rtol) { return 10.0 * (atol + rtol * scale); }

double figure_scale(double value, double energy) { return std::max(std::abs(value), std::abs(energy)); }

void attach_truncation_errors(EngineResult& run, const EngineResult& coarser, const EngineResult& coarsest,
                              double atol, double rtol) {
    if (run.steady_state && coarser.steady_state && coarsest.steady_state)
        attach_snapshot(*run.steady_state, *coarser.steady_state, *coarsest.steady_state, steady_noise);
    const auto& t0 = run.timeseries;
    if (coarser.timeseries.samples.size() != t0.samples.size() ||
        coarsest.timeseries.samples.size() != t0.samples.size())
        return;
    const auto noise = [atol, rtol](double scale) { return timeseries_noise(scale, atol, rtol); };
    for (std::size_t k = 0; k < t0.samples.size(); ++k)
        attach_snapshot(run.timeseries.samples[k], coarser.timeseries.samples[k], coarsest.timeseries.samples[k],
                        noise);
}

void attach_unknown_errors(EngineResult& run) {
    if (run.steady_state) unknown_snapshot(*run.steady_state);
    for (auto& s : run.timeseries.samples) unknown_snapshot(s);
}

bool errors_within_tolerance(const EngineResult& run, double tolerance, double atol, double rtol, std::string* worst) {
    bool ok = true;
    if (run.steady_state)
        ok = snapshot_ok(*run.steady_state, tolerance, "steady_state", steady_noise, worst) && ok;
    const std::function<double(double)> noise = [atol, rtol](double s) { return timeseries_noise(s, atol, rtol); };
    for (std::size_t k = 0; k < run.timeseries.samples.size(); ++k)
        ok = snapshot_ok(run.timeseries.samples[k], tolerance, fmt::format("timeseries[t={:g}]", run.timeseries.t[k]),
                         noise, worst) &&
             ok;
    return ok;
}

}  // namespace qbnet::fock
