// run_fock for fock.frame = "displaced": steady state at the mean-field fixed point, time evolution of the
// joint (alpha, rho') state; results in the lab frame, shaped exactly like the lab-frame Fock run.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "checkpoint_ledger.hpp"
#include "engine_support.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/fock/displaced.hpp"
#include "qbnet/fock/engine.hpp"
#include "qbnet/fock/initial.hpp"
#include "qbnet/fock/steady.hpp"

namespace qbnet::fock {

namespace {
using cd = std::complex<double>;
using namespace fock::detail;

std::vector<cd> alpha_vector(const Eigen::VectorXcd& alpha) { return {alpha.data(), alpha.data() + alpha.size()}; }
}  // namespace

EngineResult run_fock_displaced(const model::Model& model, const RunOptions& options, const std::vector<int>& cutoffs,
                                const ProgressFn& progress, CheckpointLedger& ledger, bool reported) {
    const FockBasis basis(cutoffs);
    const long d = basis.dim();
    const int m = model.n_modes();
    EngineResult result;
    result.engine = EngineKind::fock;
    FockStatistics& stats = result.statistics.fock.emplace();
    stats.frame = Frame::displaced;
    stats.dimension = d;
    stats.cutoffs = cutoffs;
    stats.memory_estimate_gib = fock_memory_estimate_gib(model, options);
    const long joint_max = options.fock.joint_ergotropy_max_dim;
    const std::string frame_note = " of the displaced frame";

    const MeanFieldSolution mf = mean_field_steady_state(model);
    if (!mf.converged)
        result.warnings.push_back("displaced frame: the mean-field Newton iteration did not converge (residual " +
                                  std::to_string(mf.residual) +
                                  "); using the Kerr-free amplitudes (still exact, but the cutoff may be too small)");
    stats.rhs_cost = rhs_cost_info(displaced_liouvillian(model, basis, mf.alpha, Eigen::VectorXcd::Zero(m)).cost());

    if (options.steady.enabled) {
        const Liouvillian lv = displaced_liouvillian(model, basis, mf.alpha, Eigen::VectorXcd::Zero(m));
        Eigen::VectorXcd rho;
        SteadySolverOptions solver = steady_solver_options(options);
        solver.checkpoint = ledger.steady_hooks(Frame::displaced, cutoffs, d * d);
        const SteadySummary ss = solve_steady_state(lv, options.steady, solver, rho, progress);
        if (ss.stopped) throw RunInterrupted("stopped after a checkpoint of the Fock steady-state solve (displaced frame)");
        const FockObservables obs = displaced_observables(rho.data(), basis, mf.alpha, model.mode_names, joint_max);
        result.steady_state = obs.snapshot;
        SteadyDiagnostics& diag = result.steady_diagnostics;
        diag.residual = ss.residual;
        diag.converged = ss.converged;
        // No trace_error / hermiticity_error: zero by construction after the solver's normalisation
        // (docs/trust.md).
        diag.top_level_population = obs.top_level_population;
        if (reported) diag.min_eigenvalue = min_eigenvalue(rho.data(), d);
        diag.mean_field = MeanFieldInfo{mf.method, mf.iterations, mf.residual, mf.converged, alpha_vector(mf.alpha)};
        stats.steady_state =
            SteadySolverStatistics{ss.method, ss.preconditioner, ss.iterations, ss.rhs_calls, ss.wall_s, ss.residual};
        if (options.keep_states)
            result.steady_state_data = fock_state_data(cutoffs, rho, Frame::displaced, alpha_vector(mf.alpha));
        for (const auto& w : ss.warnings) result.warnings.push_back(w);
        result.truncation_estimate = max_of(obs.top_level_population);
        warn_truncation(obs.top_level_population, model, options, "steady state", frame_note, result.warnings);
    }

    if (options.time.t_end > 0) {
        const std::vector<double> times = sample_times(options.time);
        const long joint_ts = std::min<long>(joint_max, 512);
        std::vector<double> top(static_cast<std::size_t>(m), 0.0);
        result.timeseries.t = times;
        result.timeseries.samples.resize(times.size());
        EvolveOptions eo = evolve_options(options, model.slowest_damping_rate());
        // Checkpoint boundaries in every run, as in the lab frame (bit-for-bit resume).
        eo.segment_samples = checkpoint_stride(times.size());
        Eigen::VectorXcd alpha, rho;
        EvolveSummary carried;   // counters of the work before the checkpoint
        std::size_t first = 0;
        const EvolutionCheckpoint* from = ledger.resume_for(Frame::displaced, cutoffs, times.size(), d * d);
        if (from) {
            if (static_cast<int>(from->alpha.size()) != m)
                throw InputError("--resume", "the checkpoint's displaced-frame amplitudes do not match this run");
            alpha = Eigen::Map<const Eigen::VectorXcd>(from->alpha.data(), m);
            first = restore_progress(*from, rho, result.timeseries, top, carried, eo);
        } else {
            // Coherent |a> = D(a) |0><0| D(a)^dag: alpha(0) = a, rho'(0) = vacuum; vacuum and thermal: alpha(0) = 0.
            DisplacedInitialState init = displaced_initial_state(initial_state_or_throw(options.time.initial), basis);
            alpha = std::move(init.alpha);
            rho = std::move(init.rho);
        }
        const auto checkpoint_of = [&](std::size_t index, double t, const Eigen::VectorXcd& a, const cd* r,
                                       const EvolveSummary& so_far) {
            EvolutionCheckpoint c = progress_checkpoint(Frame::displaced, cutoffs, index, t, r, d * d, result.timeseries,
                                                        top, carried, so_far);
            c.alpha = alpha_vector(a);
            return c;
        };
        DisplacedBoundary on_boundary;
        if (ledger.enabled())
            on_boundary = [&](std::size_t index, double t, const Eigen::VectorXcd& a, const cd* r, const EvolveSummary& so_far) {
                return ledger.due() && ledger.save(checkpoint_of(index, t, a, r, so_far));
            };
        DisplacedEvolveSummary es;
        es.hermiticity_exact = true;   // rho' is packed hermitian (also when a resumed run integrates nothing)
        if (first + 1 < times.size()) {
            const std::vector<double> run_times(times.begin() + static_cast<long>(first), times.end());
            es = evolve_displaced(
                model, basis, alpha, rho, run_times, eo,
                [&](std::size_t i, double, const Eigen::VectorXcd& a, const cd* r) {
                    const FockObservables obs = displaced_observables(r, basis, a, model.mode_names, joint_ts);
                    result.timeseries.samples[first + i] = obs.snapshot;
                    for (std::size_t j = 0; j < top.size(); ++j) top[j] = std::max(top[j], obs.top_level_population[j]);
                },
                progress, on_boundary);
            if (es.stopped) throw RunInterrupted("stopped after a checkpoint of the Fock time evolution (displaced frame)");
        }
        if (ledger.enabled()) ledger.finished(checkpoint_of(times.size() - 1, times.back(), alpha, rho.data(), es));
        add_carried(es, carried);
        if (es.rebuilds > 0 || (from && model.kerr.size() > 0 && model.kerr.cwiseAbs().maxCoeff() > 0.0))
            es.rebuilds += carried.rhs_calls;   // Kerr models rebuild the Liouvillian at every RHS call
        if (options.keep_states)
            result.final_state_data = fock_state_data(cutoffs, rho, Frame::displaced, alpha_vector(alpha));
        EvolutionStatistics ev = evolution_statistics(es, "dopri5");
        ev.liouvillian_rebuilds = es.rebuilds;
        ev.rebuild_wall_s = es.rebuild_wall_s;
        ev.alpha_end = alpha_vector(alpha);
        stats.evolution = ev;
        result.truncation_estimate = std::max(result.truncation_estimate, max_of(top));
        warn_truncation(top, model, options, "time evolution", frame_note, result.warnings);
    }
    return result;
}

}  // namespace qbnet::fock
