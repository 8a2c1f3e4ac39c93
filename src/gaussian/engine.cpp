// Gaussian engine: moments of a quadratic model, steady state by a structured Bartels-Stewart
// Lyapunov solver, exact propagation on the sample grid (docs/derivations.md, "Gaussian engine").
#include "qbnet/gaussian/engine.hpp"

#include <chrono>
#include <sstream>

#include <Eigen/Core>

#include "qbnet/errors.hpp"
#include "qbnet/gaussian/evolve.hpp"
#include "qbnet/gaussian/moments.hpp"
#include "qbnet/gaussian/snapshot.hpp"
#include "qbnet/gaussian/steady.hpp"

namespace qbnet {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void warn_inexact(const GaussianSnapshotDetails& d, const std::string& where, std::vector<std::string>& warnings) {
    if (d.exact_available) return;
    warnings.push_back(where +
                       ": joint-battery exact ergotropy needs too many spectrum states; reporting the "
                       "Gaussian-unitary ergotropy (a lower bound) and marking it unavailable");
}
}  // namespace

EngineResult run_gaussian(const Model& model, const RunOptions& options, const ProgressFn& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    std::string why;
    if (!options.is_valid(&why)) throw InputError("", why);
    if (options.threads > 0) Eigen::setNbThreads(options.threads);
    EngineResult result;
    result.engine = "gaussian";
    const GaussianMoments mom = gaussian_moments(model);   // throws RunRefused for a Kerr term
    const int n = static_cast<int>(mom.drift.rows());
    result.statistics["n"] = n;
    result.statistics["modes"] = model.n_modes();

    std::optional<GaussianSteadyState> steady;
    if (options.steady.enabled) {
        if (progress) progress(0.0, "gaussian steady state");
        steady = gaussian_steady_state(mom);
        GaussianSnapshotDetails details;
        result.steady_state = gaussian_snapshot(model, steady->state, &details);
        warn_inexact(details, "steady state", result.warnings);
        result.steady_diagnostics = details.to_json();
        result.steady_diagnostics["residual"] = steady->residual;
        result.steady_diagnostics["mean_residual"] = steady->mean_residual;
        result.steady_diagnostics["refinements"] = steady->refinements;
        result.steady_diagnostics["schur_method"] = steady->method;
        result.steady_diagnostics["schur_blocks"] = steady->schur_blocks;
        result.steady_diagnostics["schur_largest_block"] = steady->largest_block;
        result.steady_diagnostics["slowest_rate"] = -steady->rightmost_eigenvalue.real();
        result.statistics["residual"] = steady->residual;
        result.statistics["seconds_schur"] = steady->seconds_schur;
        result.statistics["seconds_solve"] = steady->seconds_solve;
        if (steady->residual > options.steady.tol)
            result.warnings.push_back("steady state: Lyapunov residual " + std::to_string(steady->residual) +
                                      " above steady_state.tol");
    }

    if (options.time.t_end > 0.0) {
        if (progress) progress(0.5, "gaussian time evolution");
        const auto t1 = std::chrono::steady_clock::now();
        const GaussianState initial = gaussian_initial_state(options.time.initial, model.n_modes());
        const auto states = gaussian_evolve(mom, initial, options.time.t_end, options.time.samples,
                                            steady ? &steady->state : nullptr);
        const double dt = options.time.t_end / (options.time.samples - 1);
        bool warned = false;
        for (std::size_t k = 0; k < states.size(); ++k) {
            GaussianSnapshotDetails details;
            result.timeseries.t.push_back(static_cast<double>(k) * dt);
            result.timeseries.samples.push_back(gaussian_snapshot(model, states[k], &details));
            if (!warned && !details.exact_available) {
                warn_inexact(details, "time series", result.warnings);
                warned = true;
            }
        }
        result.statistics["propagation"] = steady ? "exp(A dt) about the steady state" : "Van Loan exp";
        result.statistics["seconds_evolve"] = seconds_since(t1);
    }
    result.statistics["wall_seconds"] = seconds_since(t0);
    if (progress) progress(1.0, "gaussian done");
    return result;
}

}  // namespace qbnet
