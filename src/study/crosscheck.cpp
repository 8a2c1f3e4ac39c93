// Engine-vs-engine cross-check (study/crosscheck.hpp).
#include "qbnet/study/crosscheck.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "qbnet/fock/truncation.hpp"

namespace qbnet::study {

const char* to_string(Verdict v) {
    switch (v) {
        case Verdict::agree: return "agree";
        case Verdict::disagree: return "disagree";
        case Verdict::inconclusive: return "inconclusive";
    }
    return "?";
}

CrossCheckOptions CrossCheckOptions::from(const RunOptions& options) {
    CrossCheckOptions o;
    o.atol = options.time.atol;
    o.rtol = options.time.rtol;
    return o;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Attainable relative accuracy of a Krylov steady state: its residual bounds the error only through
// ||L^-1||, which is not computed (non-normal Liouvillian); two solves of one model differ by up to
// ~2e-9 relative (NC N = 1 squeezed-thermal in tests/crosscheck). A floor, far below the 1e-6 tests.
constexpr double kSteadyFloor = 1e-8;

// Statistical 1-sigma bars count four times: a 4-sigma deviation is a disagreement, not bad luck.
double error_weight(EngineKind kind) { return kind == EngineKind::trajectories ? 4.0 : 1.0; }

struct Judge {
    const CrossCheckOptions& opt;
    double ka, kb;
    double steady_rel;   // relative steady-state solver error (residual / slowest rate, at least 1e-10)
    CrossCheck out;
    double worst_ratio = -1.0;

    void figure(double a, double b, double ea, double eb, double energy_scale, bool timeseries,
                const std::string& what) {
        ++out.figures;
        const double scale = std::max({std::abs(a), std::abs(b), energy_scale});
        const double diff = std::abs(a - b);
        const double solver =
            timeseries ? fock::timeseries_noise(scale, opt.atol, opt.rtol) : std::max(kSteadyFloor, steady_rel) * scale;
        // The cap never goes below the solver's own noise (a figure that is 0 at t = 0 has scale 0).
        const double cap = std::max(opt.max_relative * scale, solver);
        const double allowed = std::min(ka * ea + kb * eb + solver, cap);
        const bool finite = std::isfinite(a) && std::isfinite(b);
        out.max_abs_diff = std::max(out.max_abs_diff, finite ? diff : kInf);
        if (!(ea <= cap) || !(eb <= cap)) {   // also NaN / infinite bars: the engines cannot resolve the cap
            ++out.inconclusive;
            if (out.inconclusive_quantity.empty())
                out.inconclusive_quantity =
                    fmt::format("{}: {:.8g} +- {:.3g} vs {:.8g} +- {:.3g} (cap {:.3g})", what, a, ea, b, eb, cap);
            return;
        }
        if (finite && diff <= allowed) {
            track(diff, allowed, scale, what);
            return;
        }
        ++out.disagreeing;
        track(finite ? diff : kInf, allowed, scale, what);
    }

    void track(double diff, double allowed, double scale, const std::string& what) {
        const double ratio = allowed > 0 ? diff / allowed : (diff > 0 ? kInf : 0.0);
        if (ratio > worst_ratio) {
            worst_ratio = ratio;
            out.max_rel_diff = scale > 0 ? diff / scale : diff;
            out.tolerance = scale > 0 ? allowed / scale : allowed;
            out.worst_quantity = what;
        }
    }

    void figures(const Figures& a, const Figures& b, const std::optional<Figures>& ea,
                 const std::optional<Figures>& eb, double energy_scale, bool ergotropy, bool ts,
                 const std::string& prefix) {
        const Figures za = ea.value_or(Figures{}), zb = eb.value_or(Figures{});
        figure(a.energy, b.energy, za.energy, zb.energy, energy_scale, ts, prefix + ".energy");
        if (!ergotropy) return;
        figure(a.ergotropy, b.ergotropy, za.ergotropy, zb.ergotropy, energy_scale, ts, prefix + ".ergotropy");
        figure(a.passive_energy, b.passive_energy, za.passive_energy, zb.passive_energy, energy_scale, ts,
               prefix + ".passive_energy");
    }

    bool snapshot(const Snapshot& a, const Snapshot& b, const std::string& where, bool ts) {
        if (a.modes.size() != b.modes.size()) {
            structural(where + ": different number of modes");
            return false;
        }
        for (std::size_t j = 0; j < a.modes.size(); ++j) {
            const double e = std::max(std::abs(a.modes[j].energy), std::abs(b.modes[j].energy));
            figures(a.modes[j], b.modes[j], a.modes[j].error, b.modes[j].error, e, true, ts,
                    where + "." + a.modes[j].name);
        }
        // Joint ergotropy only where both engines computed it.
        const bool joint = a.batteries_ergotropy_available && b.batteries_ergotropy_available;
        const double e = std::max(std::abs(a.batteries.energy), std::abs(b.batteries.energy));
        figures(a.batteries, b.batteries, a.batteries_error, b.batteries_error, e, joint, ts, where + ".batteries");
        return true;
    }

    void structural(const std::string& what) {
        ++out.disagreeing;
        out.worst_quantity = what;
        out.max_rel_diff = kInf;
        worst_ratio = kInf;
    }
};

}  // namespace

// Steady-state solver error: a Fock residual ||L rho|| / ||rho|| (a rate) over the slowest relaxation rate
// bounds the relative error of rho; the Gaussian engine reports that rate (its Lyapunov residual is
// already relative and is in its own error bars). Without a known rate only the 1e-10 floor applies.
double steady_solver_relative(const EngineResult& a, const EngineResult& b) {
    double rate = 0.0;
    for (const EngineResult* r : {&a, &b})
        if (r->steady_diagnostics.gaussian_solver) rate = r->steady_diagnostics.gaussian_solver->slowest_rate;
    if (!(rate > 0)) return 0.0;
    double rel = 0.0;
    for (const EngineResult* r : {&a, &b})
        if (r->engine == EngineKind::fock && std::isfinite(r->steady_diagnostics.residual))
            rel += r->steady_diagnostics.residual / rate;
    return rel;
}

CrossCheck cross_check(const EngineResult& a, const EngineResult& b, const CrossCheckOptions& options) {
    Judge judge{options, error_weight(a.engine), error_weight(b.engine), steady_solver_relative(a, b), {}};
    // A steady state computed by one engine only (the trajectory engine gives one only with
    // trajectories.average_from) is not compared; the time series still is, sample by sample.
    if (a.steady_state && b.steady_state)
        judge.snapshot(*a.steady_state, *b.steady_state, "steady_state", false);
    const auto& ta = a.timeseries;
    const auto& tb = b.timeseries;
    if (ta.t.size() != tb.t.size()) {
        judge.structural("timeseries: different number of samples");
    } else {
        for (std::size_t k = 0; k < ta.t.size(); ++k) {
            const std::string where = fmt::format("timeseries[t={:g}]", ta.t[k]);
            if (std::abs(ta.t[k] - tb.t[k]) > 1e-12 * std::max(1.0, std::abs(ta.t[k]))) {
                judge.structural(where + ": different sample times");
                break;
            }
            if (!judge.snapshot(ta.samples[k], tb.samples[k], where, true)) break;
        }
    }
    CrossCheck out = judge.out;
    out.verdict = out.disagreeing > 0 ? Verdict::disagree
                  : out.inconclusive > 0 ? Verdict::inconclusive
                                         : Verdict::agree;
    out.agree = out.verdict == Verdict::agree;
    return out;
}

}  // namespace qbnet::study
