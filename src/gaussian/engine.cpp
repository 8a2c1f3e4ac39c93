// Gaussian engine: moments of a quadratic model, steady state by a structured Bartels-Stewart
// Lyapunov solver, exact propagation on the sample grid (docs/derivations.md, "Gaussian engine").
#include "qbnet/gaussian/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include <Eigen/Core>

#include "qbnet/errors.hpp"
#include "qbnet/gaussian/evolve.hpp"
#include "qbnet/gaussian/memory.hpp"
#include "qbnet/gaussian/moments.hpp"
#include "qbnet/gaussian/snapshot.hpp"
#include "qbnet/gaussian/steady.hpp"
#include "qbnet/gaussian/structured_steady.hpp"

namespace qbnet::gaussian {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void warn_inexact(const GaussianStateDetails& d, const std::string& where, std::vector<std::string>& warnings) {
    if (d.batteries_exact_ergotropy_available) return;
    if (!d.joint_skipped.empty()) {
        warnings.push_back(where + ": joint batteries: " + d.joint_skipped);
        return;
    }
    warnings.push_back(where +
                       ": joint-battery exact ergotropy needs too many spectrum states; reporting the "
                       "Gaussian-unitary ergotropy (a lower bound) and marking it unavailable");
}

StateData gaussian_state_data(const GaussianState& state) {
    StateData data;
    GaussianStateData& g = data.gaussian.emplace();
    g.mean.assign(state.mean.data(), state.mean.data() + state.mean.size());
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> cov = state.covariance;
    g.covariance.assign(cov.data(), cov.data() + cov.size());
    return data;
}

// Round-off error bars: the moments are exact up to floating point, so each figure carries the relative
// round-off of its computation -- at least 1e-12 (the Schur/Lyapunov solve and the symplectic spectrum lose
// a few digits), or the achieved relative Lyapunov residual when larger -- on the scale of the mode's energy.
// The joint ergotropy adds the spectrum mass its enumeration left out times the batteries' energy scale.
Figures roundoff(const Figures& f, double relative) {
    const double scale = std::max({std::abs(f.energy), std::abs(f.ergotropy), std::abs(f.passive_energy), 1e-3});
    const double e = relative * scale;
    return {e, e, e};
}

void attach_roundoff(Snapshot& s, double relative, const GaussianStateDetails& details) {
    const double rel = std::max(relative, 1e-12);
    for (auto& m : s.modes) m.error = roundoff(m, rel);
    Figures e = roundoff(s.batteries, rel);
    if (s.batteries_ergotropy_available && details.batteries_exact_missing_mass > 0) {
        const double lost = details.batteries_exact_missing_mass * std::max(std::abs(s.batteries.energy), 1.0);
        e.ergotropy += lost;
        e.passive_energy += lost;
    }
    s.batteries_error = e;
}

class GaussianEngine final : public Engine {
public:
    EngineKind kind() const override { return EngineKind::gaussian; }
    double memory_estimate_gib(const model::Model& model, const RunOptions& options) const override {
        return gaussian_memory_estimate_gib(model, options);
    }
    EngineResult run(const model::Model& model, const RunOptions& options, const ProgressFn& progress) const override {
        return run_gaussian(model, options, progress);
    }
};
}  // namespace

EngineResult run_gaussian(const model::Model& model, const RunOptions& options, const ProgressFn& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    std::string why;
    if (!options.is_valid(&why)) throw InputError("", why);
    check_gaussian_memory(model, options);   // before any allocation
    if (options.threads > 0) Eigen::setNbThreads(options.threads);
    EngineResult result;
    result.engine = EngineKind::gaussian;
    const GaussianMoments mom = gaussian_moments(model);   // throws RunRefused for a Kerr term
    GaussianStatistics& stats = result.statistics.gaussian.emplace();
    stats.n = static_cast<int>(mom.drift.rows());
    stats.modes = model.n_modes();

    std::optional<GaussianSteadyState> steady;
    if (options.steady.enabled) {
        if (progress) progress(0.0, "gaussian steady state");
        // The O(n^2) structured paths first; the dense path's memory is checked only when it is needed.
        if (auto structured = structured_gaussian_steady_state(mom)) {
            steady = std::move(*structured);
        } else {
            check_gaussian_dense_steady_memory(model, options);
            steady = gaussian_steady_state(mom, GaussianSteadyPath::dense_schur);
        }
        GaussianStateDetails details;
        result.steady_state = gaussian_snapshot(model, steady->state, &details);
        attach_roundoff(*result.steady_state, steady->residual, details);
        warn_inexact(details, "steady state", result.warnings);
        SteadyDiagnostics& diag = result.steady_diagnostics;
        diag.residual = steady->residual;
        diag.converged = steady->residual <= options.steady.tol;
        diag.gaussian_state = details;
        diag.gaussian_solver = GaussianSolverDetails{steady->mean_residual,  steady->refinements,
                                                     steady->method,         steady->schur_blocks,
                                                     steady->largest_block,  -steady->rightmost_eigenvalue.real()};
        if (options.keep_states) result.steady_state_data = gaussian_state_data(steady->state);
        stats.residual = steady->residual;
        stats.schur_s = steady->seconds_schur;
        stats.solve_s = steady->seconds_solve;
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
            GaussianStateDetails details;
            result.timeseries.t.push_back(static_cast<double>(k) * dt);
            result.timeseries.samples.push_back(gaussian_snapshot(model, states[k], &details));
            attach_roundoff(result.timeseries.samples.back(), 0.0, details);
            if (!warned && !details.batteries_exact_ergotropy_available) {
                warn_inexact(details, "time series", result.warnings);
                warned = true;
            }
        }
        if (options.keep_states && !states.empty()) result.final_state_data = gaussian_state_data(states.back());
        stats.propagation = steady ? "exp(A dt) about the steady state" : "Van Loan exp";
        stats.evolve_s = seconds_since(t1);
    }
    result.statistics.threads = options.threads > 0 ? options.threads : Eigen::nbThreads();
    result.statistics.wall_s = seconds_since(t0);
    if (progress) progress(1.0, "gaussian done");
    return result;
}

std::unique_ptr<Engine> make_gaussian_engine() { return std::make_unique<GaussianEngine>(); }

}  // namespace qbnet::gaussian
