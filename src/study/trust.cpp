// Is a result trustworthy? (study/trust.hpp; exit code 4 when not.)
#include "qbnet/study/trust.hpp"

#include <cmath>

#include <fmt/format.h>

#include "qbnet/fock/truncation.hpp"

namespace qbnet::study {

TrustReport assess_trust(const EngineResult& result, const RunOptions& options) {
    TrustReport report;
    if (result.steady_state && !result.steady_diagnostics.converged) {
        report.trustworthy = false;
        report.reasons.push_back(fmt::format("steady state did not converge (residual {:.3g}, target {:.3g})",
                                             result.steady_diagnostics.residual, options.steady.tol));
    }
    // Truncation error bars are judged against fock.tolerance, relative to the figure or its mode's energy
    // (fock/truncation.hpp: figure_scale); errors at the solver's noise level count as met. Statistical
    // bars (trajectories) are what the user's count bought and are reported, not judged, unless a
    // target_error was asked for.
    if (result.engine == EngineKind::fock) {
        std::string worst;
        if (!fock::errors_within_tolerance(result, options.fock.tolerance, options.time.atol, options.time.rtol,
                                           options.steady.tol, &worst)) {
            report.trustworthy = false;
            report.reasons.push_back("truncation error above fock.tolerance: " + worst);
        }
    }
    if (result.statistics.trajectories && !result.statistics.trajectories->target_error_met) {
        report.trustworthy = false;
        report.reasons.push_back("trajectories: the target_error was not reached within trajectories.count");
    }
    return report;
}

}  // namespace qbnet::study
