#include "qbnet/fock/engine.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include <spdlog/spdlog.h>

#include "qbnet/errors.hpp"
#include "qbnet/fock/displaced.hpp"
#include "qbnet/fock/evolve.hpp"
#include "qbnet/fock/lindblad.hpp"
#include "qbnet/fock/memory.hpp"
#include "qbnet/fock/observables.hpp"
#include "qbnet/fock/steady.hpp"

namespace qbnet {

namespace {

using cd = std::complex<double>;

std::vector<int> cutoffs_of(const Model& model, const RunOptions& options) {
    std::vector<int> c = options.fock.cutoff;
    if (c.size() == 1 && model.n_modes() > 1) c.assign(static_cast<std::size_t>(model.n_modes()), c[0]);
    if (static_cast<int>(c.size()) != model.n_modes())
        throw InputError("fock.cutoff", "needs one cutoff or one per mode (" + std::to_string(model.n_modes()) + ")");
    return c;
}

double dimension(const std::vector<int>& cutoffs) {
    double d = 1.0;
    for (int c : cutoffs) d *= c;
    return d;
}

// Largest number of D x D complex matrices alive at once: time evolution (dopri5 with dense output
// keeps ~12 state-sized vectors) or the steady-state GMRES basis, plus the result and a scratch copy.
double working_copies(const RunOptions& options, double d) {
    double copies = 2.0;
    if (options.steady.enabled)
        copies = std::max(copies, 2.0 + steady_state_working_copies(static_cast<long>(std::min(d, 1e15))));
    if (options.time.t_end > 0) copies = std::max(copies, 2.0 + 13.0);
    return copies;
}

nlohmann::json diagnostics_json(const FockObservables& obs, const cd* rho, long d, double residual) {
    nlohmann::json j;
    j["residual"] = residual;
    j["trace_error"] = trace_error(rho, d);
    j["hermiticity_error"] = hermiticity_error(rho, d);
    j["top_level_population"] = obs.top_level_population;
    return j;
}

double min_eigenvalue(const cd* rho, long d) {
    // Full eigen-decomposition is O(D^3); above D = 2048 it would dominate the run.
    if (d > 2048) return std::nan("");
    Eigen::Map<const Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(rho, d, d);
    const Eigen::MatrixXcd herm = 0.5 * (m + m.adjoint());
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(herm, Eigen::EigenvaluesOnly);
    return eig.eigenvalues().minCoeff();
}

void warn_truncation(const FockObservables& obs, const Model& model, const RunOptions& options,
                     EngineResult& result, const std::string& when) {
    for (std::size_t j = 0; j < obs.top_level_population.size(); ++j)
        if (obs.top_level_population[j] > options.fock.truncation_warning) {
            std::ostringstream msg;
            msg << when << ": mode " << model.mode_names[j] << " holds population "
                << obs.top_level_population[j] << " in its top Fock level (> " << options.fock.truncation_warning
                << "): raise fock.cutoff";
            result.warnings.push_back(msg.str());
            spdlog::warn("{}", msg.str());
        }
}

}  // namespace

double fock_memory_estimate_gib(const Model& model, const RunOptions& options) {
    const double d = dimension(cutoffs_of(model, options));
    return working_copies(options, d) * d * d * 16.0 / (1024.0 * 1024.0 * 1024.0);
}

EngineResult run_fock(const Model& model, const RunOptions& options, const ProgressFn& progress) {
    const auto start = std::chrono::steady_clock::now();
    if (options.fock.frame != "lab" && options.fock.frame != "displaced")
        throw InputError("fock.frame", "must be \"lab\" or \"displaced\" (got \"" + options.fock.frame + "\")");
    if (options.fock.frame == "displaced" && options.time.t_end > 0 && options.time.integrator != "dopri5")
        throw InputError("time.integrator", "\"" + options.time.integrator +
                                                "\" is available in the lab frame only; the displaced frame (fock.frame) "
                                                "integrates (alpha, rho') with \"dopri5\"");
    const std::vector<int> cutoffs = cutoffs_of(model, options);
    // Refuse before allocating: the estimate covers every working copy of rho.
    const double need = fock_memory_estimate_gib(model, options);
    const double limit = options.memory_limit_gib > 0 ? options.memory_limit_gib
                                                      : 0.9 * available_memory_bytes() / (1024.0 * 1024.0 * 1024.0);
    if (limit > 0 && need > limit) {
        std::ostringstream msg;
        msg.precision(3);
        msg << "fock engine needs about " << need << " GiB (D = " << dimension(cutoffs)
            << ") but only " << limit << " GiB are available: lower fock.cutoff, or use --engine gaussian"
            << " (exact for quadratic models)";
        throw RunRefused(msg.str());
    }
    if (options.threads > 0) omp_set_num_threads(options.threads);
    // Displaced frame (docs/derivations.md, "Displaced frame"): same D, same working copies, so the
    // memory check above covers it.
    if (options.fock.frame == "displaced") return run_fock_displaced(model, options, cutoffs, progress);

    const FockBasis basis(cutoffs);
    const long d = basis.dim();
    const Liouvillian lv(model, basis);
    EngineResult result;
    result.engine = "fock";
    result.statistics["frame"] = "lab";
    result.statistics["dimension"] = d;
    result.statistics["cutoffs"] = cutoffs;
    result.statistics["threads"] = omp_get_max_threads();
    const Liouvillian::Cost cost = lv.cost();
    result.statistics["rhs_cost"] = {{"terms", cost.left_terms + cost.right_terms + cost.sandwich_terms},
                                     {"flops", cost.flops},
                                     {"bytes_min", cost.bytes_min},
                                     {"bytes_max", cost.bytes_max}};
    result.statistics["memory_estimate_gib"] = need;
    const long joint_max = options.fock.joint_ergotropy_max_dim;

    if (options.steady.enabled) {
        Eigen::VectorXcd rho;
        const SteadySummary ss = solve_steady_state(lv, options.steady, rho, progress);
        const FockObservables obs = fock_observables(rho.data(), basis, model.mode_names, joint_max);
        result.steady_state = obs.snapshot;
        result.steady_diagnostics = diagnostics_json(obs, rho.data(), d, ss.residual);
        result.steady_diagnostics["min_eigenvalue"] = min_eigenvalue(rho.data(), d);
        result.steady_diagnostics["converged"] = ss.converged;
        result.statistics["steady_state"] = {{"method", ss.method},       {"preconditioner", ss.preconditioner},
                                             {"iterations", ss.iterations}, {"rhs_calls", ss.rhs_calls},
                                             {"wall_s", ss.wall_s},         {"residual", ss.residual}};
        for (const auto& w : ss.warnings) result.warnings.push_back(w);
        result.truncation_estimate =
            *std::max_element(obs.top_level_population.begin(), obs.top_level_population.end());
        warn_truncation(obs, model, options, result, "steady state");
    }

    if (options.time.t_end > 0) {
        std::vector<double> times(static_cast<std::size_t>(options.time.samples));
        for (std::size_t i = 0; i < times.size(); ++i)
            times[i] = options.time.t_end * static_cast<double>(i) / static_cast<double>(times.size() - 1);
        Eigen::VectorXcd rho = Eigen::VectorXcd::Zero(d * d);
        rho[0] = 1.0;   // vacuum (the scenario reader admits only "vacuum" for the Fock engine)
        // Joint ergotropy at every sample only while its eigen-decomposition stays cheap.
        const long joint_ts = std::min<long>(joint_max, 512);
        std::vector<double> top(static_cast<std::size_t>(basis.n_modes()), 0.0);
        result.timeseries.t = times;
        result.timeseries.samples.resize(times.size());
        EvolveOptions eo;
        eo.atol = options.time.atol;
        eo.rtol = options.time.rtol;
        eo.initial_dt = std::min(1.0, 0.01 / std::max(1e-9, lv.slowest_damping_rate()));
        eo.integrator = options.time.integrator;
        const EvolveSummary es = evolve(
            lv, rho, times, eo,
            [&](std::size_t i, double, const cd* r) {
                const FockObservables obs = fock_observables(r, basis, model.mode_names, joint_ts);
                result.timeseries.samples[i] = obs.snapshot;
                for (std::size_t j = 0; j < top.size(); ++j) top[j] = std::max(top[j], obs.top_level_population[j]);
            },
            progress);
        result.statistics["evolution"] = {{"integrator", eo.integrator},
                                          {"steps", es.steps},
                                          {"rhs_calls", es.rhs_calls},
                                          {"wall_s", es.wall_s},
                                          {"max_trace_error", es.max_trace_error},
                                          {"max_hermiticity_error", es.max_hermiticity_error}};
        result.truncation_estimate =
            std::max(result.truncation_estimate, *std::max_element(top.begin(), top.end()));
        FockObservables top_obs;
        top_obs.top_level_population = top;
        warn_truncation(top_obs, model, options, result, "time evolution");
    }
    result.statistics["wall_s"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace qbnet
