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

// Per-mode fits of the three figures on the rungs (snapshots[0] at c, then c - Delta, ...).
struct FigureFits {
    LadderFit energy, ergotropy, passive_energy;
};

template <class Get>
LadderFit fit_figure(const std::vector<const Figures*>& rungs, Get get, double noise) {
    std::vector<double> f;
    f.reserve(rungs.size());
    for (const Figures* r : rungs) f.push_back(get(*r));
    return fit_ladder(f, noise);
}

// P = E - W and W = E - P: the ladder of a difference can cancel (E and W converging at the same rate with
// nearly equal differences make P's differences shrink faster than either; P then turns round later).
// Its error is at least the difference of the signed tails of the two figures it is made of.
double at_least_difference(double error, const LadderFit& energy, const LadderFit& other) {
    if (!energy.tail || !other.tail || *energy.tail == 0.0) return error;
    return std::max(error, std::abs(*energy.tail - *other.tail));
}

// The three figures of a mode share the same truncated probability mass: once the energy itself is off by
// more than 10 % (the ladder far from geometric), the ergotropy and passive energy are not resolved either, whatever
// their own ladder says (a far too small cutoff can leave W and P flat on every rung).
Figures coupled(const FigureFits& fit, double energy) {
    Figures e{fit.energy.error, fit.ergotropy.error, fit.passive_energy.error};
    e.ergotropy = at_least_difference(e.ergotropy, fit.energy, fit.passive_energy);
    e.passive_energy = at_least_difference(e.passive_energy, fit.energy, fit.ergotropy);
    if (e.energy > 0.1 * std::abs(energy)) {
        e.ergotropy = std::max(e.ergotropy, e.energy);
        e.passive_energy = std::max(e.passive_energy, e.energy);
    }
    return e;
}

// Noise of a difference: both runs carry the solver noise.
template <class NoiseFn>
Figures figures_error(const std::vector<const Figures*>& rungs, NoiseFn noise) {
    const Figures& f = *rungs.front();
    const double e = std::abs(f.energy);
    FigureFits fit;
    fit.energy = fit_figure(rungs, [](const Figures& x) { return x.energy; }, noise(figure_scale(f.energy, e)));
    fit.ergotropy =
        fit_figure(rungs, [](const Figures& x) { return x.ergotropy; }, noise(figure_scale(f.ergotropy, e)));
    fit.passive_energy = fit_figure(rungs, [](const Figures& x) { return x.passive_energy; },
                                    noise(figure_scale(f.passive_energy, e)));
    return coupled(fit, f.energy);
}

template <class NoiseFn>
void attach_snapshot(Snapshot& s0, const std::vector<const Snapshot*>& lower, NoiseFn noise) {
    for (const Snapshot* s : lower)
        if (s->modes.size() != s0.modes.size()) return;
    for (std::size_t j = 0; j < s0.modes.size(); ++j) {
        std::vector<const Figures*> rungs{&s0.modes[j]};
        for (const Snapshot* s : lower) rungs.push_back(&s->modes[j]);
        s0.modes[j].error = figures_error(rungs, noise);
    }
    std::vector<const Figures*> rungs{&s0.batteries};
    bool joint = s0.batteries_ergotropy_available;
    for (const Snapshot* s : lower) {
        rungs.push_back(&s->batteries);
        joint = joint && s->batteries_ergotropy_available;
    }
    Figures e = figures_error(rungs, noise);
    // Joint ergotropy not computed on every rung: only the energy has an estimate.
    if (!joint) e.ergotropy = e.passive_energy = kInf;
    s0.batteries_error = e;
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

LadderFit fit_ladder(const std::vector<double>& f, double noise) {
    for (double x : f)
        if (!std::isfinite(x)) return {kInf, std::nullopt};
    std::vector<double> d;   // d[k] = f(c - k Delta) - f(c - (k+1) Delta)
    for (std::size_t k = 0; k + 1 < f.size(); ++k) d.push_back(f[k] - f[k + 1]);
    const double a0 = std::abs(d[0]), a1 = std::abs(d[1]);
    // Both latest differences at the solver's noise: the truncation error is not resolvable below it.
    if (a0 <= noise && a1 <= noise) return {std::max({a0, a1, noise}), 0.0};
    // Resolved differences of both signs: the figure is not monotone in c, no geometric tail to sum.
    double previous = 0.0;
    for (double x : d) {
        if (std::abs(x) <= noise) continue;
        if (previous * x < 0.0) return {std::max(a0, noise), std::nullopt};
        previous = x;
    }
    // The last step moved the figure about as much as the one before (or the one before was a lucky
    // zero): not yet geometric.
    if (a1 <= noise || a0 >= kTruncationMaxRatio * a1) return {kTruncationPreasymptotic * std::max(a0, a1), std::nullopt};
    const double q1 = a0 / a1;
    double q = q1, safety = kTruncationSafety;
    if (d.size() >= 3 && std::abs(d[2]) > noise) {
        const double q2 = a1 / std::abs(d[2]);
        if (q1 <= q2) {
            safety = kTruncationSafetySettled;
        } else {
            q = q1 * q1 / q2;   // the ratio still grows: assume it keeps growing at the same rate once more
            if (q >= kTruncationMaxRatio) return {kTruncationPreasymptotic * std::max(a0, a1), std::nullopt};
        }
    }
    const double tail = a0 * q / (1.0 - q);
    return {std::max(safety * tail, noise), d[0] > 0 ? tail : -tail};
}

double extrapolated_truncation_error(double f0, double f1, double f2, double noise) {
    return fit_ladder({f0, f1, f2}, noise).error;
}

bool creates_photon_pairs(const model::Model& model) {
    for (const auto& jump : model.jumps)
        if (jump.rate != 0.0 && jump.u.size() > 0 && jump.v.size() > 0 && jump.u.norm() > 0.0 && jump.v.norm() > 0.0)
            return true;
    return false;
}

std::vector<int> truncation_step(const std::vector<int>& cutoffs, bool pairs) {
    std::vector<int> step(cutoffs.size());
    for (std::size_t j = 0; j < cutoffs.size(); ++j)
        step[j] = pairs ? (cutoffs[j] >= 6 ? 2 * std::max(1, cutoffs[j] / 16) : 1) : std::max(1, cutoffs[j] / 16);
    return step;
}

int ladder_lower_rungs(const std::vector<int>& cutoffs, const std::vector<int>& step) {
    if (!lowered_cutoffs(cutoffs, step, 3).empty()) return 3;
    return lowered_cutoffs(cutoffs, step, 2).empty() ? 0 : 2;
}

std::vector<int> lowered_cutoffs(const std::vector<int>& cutoffs, const std::vector<int>& step, int k) {
    std::vector<int> c(cutoffs.size());
    for (std::size_t j = 0; j < cutoffs.size(); ++j) {
        c[j] = cutoffs[j] - k * step[j];
        if (c[j] < 2) return {};
    }
    return c;
}

// The Krylov solution is accurate to ~1e-10 relative to rho, whose trace is 1: a figure Tr(O rho) then
// carries ~1e-10 x max(|O|, 1) whatever its own size (the vacuum-like diamond network of
// tests/crosscheck shows 1e-12 .. 5e-11 on figures of 2e-3).
double steady_noise(double scale, double tol) { return tol * std::max(scale, 1.0); }

double timeseries_noise(double scale, double atol, double rtol) { return 10.0 * (atol + rtol * scale); }

double figure_scale(double value, double energy) { return std::max(std::abs(value), std::abs(energy)); }

void attach_truncation_errors(EngineResult& run, const std::vector<const EngineResult*>& lower, double atol,
                              double rtol, double steady_tol) {
    if (lower.size() < 2) return;
    bool steady = run.steady_state.has_value();
    for (const EngineResult* r : lower) steady = steady && r->steady_state.has_value();
    if (steady) {
        std::vector<const Snapshot*> s;
        for (const EngineResult* r : lower) s.push_back(&*r->steady_state);
        attach_snapshot(*run.steady_state, s, [steady_tol](double scale) { return steady_noise(scale, steady_tol); });
    }
    const auto& t0 = run.timeseries;
    for (const EngineResult* r : lower)
        if (r->timeseries.samples.size() != t0.samples.size()) return;
    const auto noise = [atol, rtol](double scale) { return timeseries_noise(scale, atol, rtol); };
    for (std::size_t k = 0; k < t0.samples.size(); ++k) {
        std::vector<const Snapshot*> s;
        for (const EngineResult* r : lower) s.push_back(&r->timeseries.samples[k]);
        attach_snapshot(run.timeseries.samples[k], s, noise);
    }
}

void attach_unknown_errors(EngineResult& run) {
    if (run.steady_state) unknown_snapshot(*run.steady_state);
    for (auto& s : run.timeseries.samples) unknown_snapshot(s);
}

bool errors_within_tolerance(const EngineResult& run, double tolerance, double atol, double rtol, double steady_tol,
                             std::string* worst) {
    bool ok = true;
    if (run.steady_state)
        ok = snapshot_ok(*run.steady_state, tolerance, "steady_state",
                         [steady_tol](double scale) { return steady_noise(scale, steady_tol); }, worst) &&
             ok;
    const std::function<double(double)> noise = [atol, rtol](double s) { return timeseries_noise(s, atol, rtol); };
    for (std::size_t k = 0; k < run.timeseries.samples.size(); ++k)
        ok = snapshot_ok(run.timeseries.samples[k], tolerance, fmt::format("timeseries[t={:g}]", run.timeseries.t[k]),
                         noise, worst) &&
             ok;
    return ok;
}

}  // namespace qbnet::fock
