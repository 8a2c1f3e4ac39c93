#include "qbnet/study/trust.hpp"

#include <cmath>

#include <fmt/format.h>

namespace qbnet {

namespace {

// Absolute floor below which an error bar is round-off whatever the figure's size (a vacuum energy).
constexpr double kAbsFloor = 1e-12;

void check_figures(const Figures& value, const Figures& error, const std::string& where, double tol,
                   TrustReport& report) {
    const auto check = [&](double v, double e, const char* name) {
        if (!std::isfinite(e) || e > tol * std::abs(v) + kAbsFloor) {
            report.trustworthy = false;
            report.reasons.push_back(fmt::format("{}.{}: error estimate {:.3g} exceeds the tolerance {:.3g} x |{:.6g}|",
                                                 where, name, e, tol, v));
        }
    };
    check(value.energy, error.energy, "energy");
    check(value.ergotropy, error.ergotropy, "ergotropy");
    check(value.passive_energy, error.passive_energy, "passive_energy");
}

void check_snapshot(const Snapshot& s, const std::string& where, double tol, TrustReport& report) {
    for (const auto& m : s.modes)
        if (m.error) check_figures(m, *m.error, where + "." + m.name, tol, report);
    if (s.batteries_error && s.batteries_ergotropy_available)
        check_figures(s.batteries, *s.batteries_error, where + ".batteries", tol, report);
}

}  // namespace

TrustReport assess_trust(const EngineResult& result, const RunOptions& options) {
    TrustReport report;
    if (result.steady_state && !result.steady_diagnostics.converged) {
        report.trustworthy = false;
        report.reasons.push_back(fmt::format("steady state did not converge (residual {:.3g}, target {:.3g})",
                                             result.steady_diagnostics.residual, options.steady.tol));
    }
    // Truncation error bars are judged against fock.tolerance; statistical ones (trajectories) are what
    // the user's count bought and are reported, not judged, unless a target_error was asked for.
    if (result.engine == EngineKind::fock) {
        if (result.steady_state) check_snapshot(*result.steady_state, "steady_state", options.fock.tolerance, report);
        if (!result.timeseries.samples.empty())
            check_snapshot(result.timeseries.samples.back(), "final sample", options.fock.tolerance, report);
    }
    if (result.statistics.trajectories && !result.statistics.trajectories->target_error_met) {
        report.trustworthy = false;
        report.reasons.push_back("trajectories: the target_error was not reached within trajectories.count");
    }
    return report;
}

}  // namespace qbnet
