#include "qbnet/fock/engine.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "engine_support.hpp"
#include "qbnet/numerics/parallel.hpp"
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
using namespace fock_detail;

// Largest number of D x D complex matrices alive at once: time evolution (dopri5 with dense output
// keeps ~12 state-sized vectors) or the steady-state GMRES basis, plus the result and a scratch copy.
double working_copies(const RunOptions& options, double d) {
    double copies = 2.0;
    if (options.steady.enabled)
        copies = std::max(copies, 2.0 + steady_state_working_copies(static_cast<long>(std::min(d, 1e15))));
    if (options.time.t_end > 0) copies = std::max(copies, 2.0 + 13.0);
    return copies;
}

void check_memory(const Model& model, const RunOptions& options, const std::vector<int>& cutoffs) {
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
}

SteadyDiagnostics steady_diagnostics(const FockObservables& obs, const cd* rho, long d, const SteadySummary& ss) {
    SteadyDiagnostics diag;
    diag.residual = ss.residual;
    diag.converged = ss.converged;
    diag.trace_error = trace_error(rho, d);
    diag.hermiticity_error = hermiticity_error(rho, d);
    diag.top_level_population = obs.top_level_population;
    diag.min_eigenvalue = min_eigenvalue(rho, d);
    return diag;
}

SteadySolverStatistics solver_statistics(const SteadySummary& ss) {
    return {ss.method, ss.preconditioner, ss.iterations, ss.rhs_calls, ss.wall_s, ss.residual};
}

EngineResult run_lab_frame(const Model& model, const RunOptions& options, const std::vector<int>& cutoffs,
                           const ProgressFn& progress) {
    const FockBasis basis(cutoffs);
    const long d = basis.dim();
    const Liouvillian lv(model, basis);
    EngineResult result;
    result.engine = EngineKind::fock;
    FockStatistics& stats = result.statistics.fock.emplace();
    stats.frame = Frame::lab;
    stats.dimension = d;
    stats.cutoffs = cutoffs;
    stats.rhs_cost = rhs_cost_info(lv.cost());
    stats.memory_estimate_gib = fock_memory_estimate_gib(model, options);
    const long joint_max = options.fock.joint_ergotropy_max_dim;

    if (options.steady.enabled) {
        Eigen::VectorXcd rho;
        const SteadySummary ss = solve_steady_state(lv, options.steady, steady_solver_options(options), rho, progress);
        const FockObservables obs = fock_observables(rho.data(), basis, model.mode_names, joint_max);
        result.steady_state = obs.snapshot;
        result.steady_diagnostics = steady_diagnostics(obs, rho.data(), d, ss);
        stats.steady_state = solver_statistics(ss);
        if (options.keep_states) result.steady_state_data = fock_state_data(cutoffs, rho, Frame::lab, {});
        for (const auto& w : ss.warnings) result.warnings.push_back(w);
        result.truncation_estimate = max_of(obs.top_level_population);
        warn_truncation(obs.top_level_population, model, options, "steady state", "", result.warnings);
    }

    if (options.time.t_end > 0) {
        const std::vector<double> times = sample_times(options.time);
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
        eo.threads = options.threads;
        eo.initial_dt = std::min(1.0, 0.01 / std::max(1e-9, lv.slowest_damping_rate()));
        eo.integrator = to_string(options.time.integrator);
        const EvolveSummary es = evolve(
            lv, rho, times, eo,
            [&](std::size_t i, double, const cd* r) {
                const FockObservables obs = fock_observables(r, basis, model.mode_names, joint_ts);
                result.timeseries.samples[i] = obs.snapshot;
                for (std::size_t j = 0; j < top.size(); ++j) top[j] = std::max(top[j], obs.top_level_population[j]);
            },
            progress);
        if (options.keep_states) result.final_state_data = fock_state_data(cutoffs, rho, Frame::lab, {});
        EvolutionStatistics ev;
        ev.integrator = eo.integrator;
        ev.steps = es.steps;
        ev.rhs_calls = es.rhs_calls;
        ev.wall_s = es.wall_s;
        ev.max_trace_error = es.max_trace_error;
        ev.max_hermiticity_error = es.max_hermiticity_error;
        stats.evolution = ev;
        result.truncation_estimate = std::max(result.truncation_estimate, max_of(top));
        warn_truncation(top, model, options, "time evolution", "", result.warnings);
    }
    return result;
}

class FockEngine final : public Engine {
public:
    EngineKind kind() const override { return EngineKind::fock; }
    double memory_estimate_gib(const Model& model, const RunOptions& options) const override {
        return fock_memory_estimate_gib(model, options);
    }
    EngineResult run(const Model& model, const RunOptions& options, const ProgressFn& progress) const override {
        return run_fock(model, options, progress);
    }
};

}  // namespace

double fock_memory_estimate_gib(const Model& model, const RunOptions& options) {
    const double d = dimension(cutoffs_of(model, options));
    return working_copies(options, d) * d * d * 16.0 / (1024.0 * 1024.0 * 1024.0);
}

EngineResult run_fock(const Model& model, const RunOptions& options, const ProgressFn& progress) {
    const auto start = std::chrono::steady_clock::now();
    if (options.fock.frame == Frame::displaced && options.time.t_end > 0 && options.time.integrator != Integrator::dopri5)
        throw InputError("time.integrator", std::string("\"") + to_string(options.time.integrator) +
                                                "\" is available in the lab frame only; the displaced frame (fock.frame) "
                                                "integrates (alpha, rho') with \"dopri5\"");
    const std::vector<int> cutoffs = cutoffs_of(model, options);
    // Refuse before allocating: the estimate covers every working copy of rho.
    check_memory(model, options, cutoffs);
    // Displaced frame (docs/derivations.md, "Displaced frame"): same D, same working copies, so the
    // memory check above covers it.
    EngineResult result = options.fock.frame == Frame::displaced
                              ? run_fock_displaced(model, options, cutoffs, progress)
                              : run_lab_frame(model, options, cutoffs, progress);
    result.statistics.threads = numerics::resolve_threads(options.threads);
    result.statistics.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

std::unique_ptr<Engine> make_fock_engine() { return std::make_unique<FockEngine>(); }

}  // namespace qbnet
