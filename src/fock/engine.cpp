#include "qbnet/fock/engine.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "checkpoint_ledger.hpp"
#include "engine_support.hpp"
#include "qbnet/numerics/parallel.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/fock/cutoff_guess.hpp"
#include "qbnet/fock/displaced.hpp"
#include "qbnet/fock/evolve.hpp"
#include "qbnet/fock/initial.hpp"
#include "qbnet/fock/lindblad.hpp"
#include "qbnet/numerics/memory.hpp"
#include "qbnet/fock/observables.hpp"
#include "qbnet/fock/steady.hpp"
#include "qbnet/fock/truncation.hpp"

namespace qbnet::fock {

namespace {

using cd = std::complex<double>;
using namespace fock::detail;

// Largest number of D x D complex matrices alive at once: time evolution (dopri5 with dense output
// keeps ~12 state-sized vectors) or the steady-state GMRES basis, plus the result and a scratch copy.
double working_copies(const RunOptions& options, double d) {
    double copies = 2.0;
    if (options.steady.enabled)
        copies = std::max(copies, 2.0 + steady_state_working_copies(static_cast<long>(std::min(d, 1e15))));
    if (options.time.t_end > 0) copies = std::max(copies, 2.0 + 13.0);
    return copies;
}

double memory_estimate_for(const RunOptions& options, const std::vector<int>& cutoffs) {
    const double d = dimension(cutoffs);
    return working_copies(options, d) * d * d * 16.0 / (1024.0 * 1024.0 * 1024.0);
}

double memory_limit_gib(const RunOptions& options) {
    return options.memory_limit_gib > 0 ? options.memory_limit_gib
                                        : 0.9 * numerics::available_memory_bytes() / (1024.0 * 1024.0 * 1024.0);
}

std::string cutoff_list(const std::vector<int>& cutoffs) {
    std::ostringstream s;
    s << "[";
    for (std::size_t j = 0; j < cutoffs.size(); ++j) s << (j ? ", " : "") << cutoffs[j];
    s << "]";
    return s.str();
}

void check_memory(const RunOptions& options, const std::vector<int>& cutoffs) {
    const double need = memory_estimate_for(options, cutoffs);
    const double limit = memory_limit_gib(options);
    if (limit > 0 && need > limit) {
        std::ostringstream msg;
        msg.precision(3);
        if (options.fock.auto_cutoff)
            msg << "fock.cutoff = \"auto\": fock.tolerance = " << options.fock.tolerance << " needs cutoffs "
                << cutoff_list(cutoffs) << " (D = " << dimension(cutoffs) << ", about " << need << " GiB) but only "
                << limit << " GiB are available: raise fock.tolerance, set fock.cutoff (results above the tolerance"
                << " exit 4), or use --engine gaussian (exact for quadratic models)";
        else
            msg << "fock engine needs about " << need << " GiB (D = " << dimension(cutoffs)
                << ") but only " << limit << " GiB are available: lower fock.cutoff, or use --engine gaussian"
                << " (exact for quadratic models)";
        throw RunRefused(msg.str());
    }
}

// reported: false for a ladder rung below the reported cutoffs (no full spectrum for min_eigenvalue).
SteadyDiagnostics steady_diagnostics(const FockObservables& obs, const cd* rho, long d, const SteadySummary& ss,
                                     bool reported) {
    SteadyDiagnostics diag;
    diag.residual = ss.residual;
    diag.converged = ss.converged;
    // No trace_error / hermiticity_error: the solver returns rho normalised and hermitised, so both would
    // be zero by construction (docs/trust.md). The residual and min_eigenvalue are what can fail.
    diag.top_level_population = obs.top_level_population;
    if (reported) diag.min_eigenvalue = min_eigenvalue(rho, d);
    return diag;
}

SteadySolverStatistics solver_statistics(const SteadySummary& ss) {
    return {ss.method, ss.preconditioner, ss.iterations, ss.rhs_calls, ss.wall_s, ss.residual};
}

EngineResult run_lab_frame(const model::Model& model, const RunOptions& options, const std::vector<int>& cutoffs,
                           const ProgressFn& progress, CheckpointLedger& ledger, bool reported) {
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
    stats.memory_estimate_gib = memory_estimate_for(options, cutoffs);
    const long joint_max = options.fock.joint_ergotropy_max_dim;

    if (options.steady.enabled) {
        Eigen::VectorXcd rho;
        SteadySolverOptions solver = steady_solver_options(options);
        solver.checkpoint = ledger.steady_hooks(Frame::lab, cutoffs, d * d);
        const SteadySummary ss = solve_steady_state(lv, options.steady, solver, rho, progress);
        if (ss.stopped) throw RunInterrupted("stopped after a checkpoint of the Fock steady-state solve");
        const FockObservables obs = fock_observables(rho.data(), basis, model.mode_names, joint_max);
        result.steady_state = obs.snapshot;
        result.steady_diagnostics = steady_diagnostics(obs, rho.data(), d, ss, reported);
        stats.steady_state = solver_statistics(ss);
        if (options.keep_states) result.steady_state_data = fock_state_data(cutoffs, rho, Frame::lab, {});
        for (const auto& w : ss.warnings) result.warnings.push_back(w);
        result.truncation_estimate = max_of(obs.top_level_population);
        warn_truncation(obs.top_level_population, model, options, "steady state", "", result.warnings);
    }

    if (options.time.t_end > 0) {
        const std::vector<double> times = sample_times(options.time);
        // Joint ergotropy at every sample only while its eigen-decomposition stays cheap.
        const long joint_ts = std::min<long>(joint_max, 512);
        std::vector<double> top(static_cast<std::size_t>(basis.n_modes()), 0.0);
        result.timeseries.t = times;
        result.timeseries.samples.resize(times.size());
        EvolveOptions eo = evolve_options(options, lv.slowest_damping_rate());
        const Integrator integrator = integrator_for(options.time.integrator, Frame::lab);
        eo.integrator = to_string(integrator);
        // dopri5 restarts at fixed checkpoint boundaries in EVERY run (with or without checkpoints), so an
        // interrupted and resumed run gives the uninterrupted answer bit for bit (krylov restarts at every
        // sample anyway; the boundaries are where it offers checkpoints).
        if (integrator != Integrator::rkc) eo.segment_samples = checkpoint_stride(times.size());
        // The cutoff ladder's rung differences must measure truncation, not integration, also for figures
        // far below the state's scale (early times: energies ~1e-5 where ||rho||_F ~ 1): krylov, whose
        // cost grows only like the logarithm of its tolerance, runs at 1e-4 of fock.tolerance then
        // (not below 1e-14, the rounding floor of its estimates).
        if (integrator == Integrator::krylov && (options.fock.error_estimate || options.fock.auto_cutoff)) {
            const double cap = std::max(1e-4 * options.fock.tolerance, 1e-14);
            eo.atol = std::min(eo.atol, cap);
            eo.rtol = std::min(eo.rtol, cap);
        }

        Eigen::VectorXcd rho;
        EvolveSummary carried;   // counters of the work before the checkpoint
        std::size_t first = 0;
        const EvolutionCheckpoint* from = ledger.resume_for(Frame::lab, cutoffs, times.size(), d * d);
        if (from) {
            first = restore_progress(*from, rho, result.timeseries, top, carried, eo);
        } else {
            rho = initial_density_matrix(initial_state_or_throw(options.time.initial), basis);
        }
        const auto checkpoint_of = [&](std::size_t index, double t, const cd* r, const EvolveSummary& so_far) {
            return progress_checkpoint(Frame::lab, cutoffs, index, t, r, d * d, result.timeseries, top, carried, so_far);
        };
        if (ledger.enabled())
            eo.on_boundary = [&](std::size_t index, double t, const cd* r, const EvolveSummary& so_far) {
                return ledger.due() && ledger.save(checkpoint_of(index, t, r, so_far));
            };
        EvolveSummary es;
        // A run resumed at its last sample integrates nothing: its summary still describes the integrator.
        es.error_estimate = eo.error_estimate_before;
        es.hermiticity_exact = integrator != Integrator::rkc;   // dopri5 and krylov hold rho packed hermitian
        if (first + 1 < times.size()) {
            const std::vector<double> run_times(times.begin() + static_cast<long>(first), times.end());
            es = evolve(
                lv, rho, run_times, eo,
                [&](std::size_t i, double, const cd* r) {
                    const FockObservables obs = fock_observables(r, basis, model.mode_names, joint_ts);
                    result.timeseries.samples[first + i] = obs.snapshot;
                    for (std::size_t j = 0; j < top.size(); ++j) top[j] = std::max(top[j], obs.top_level_population[j]);
                },
                progress);
            if (es.stopped) throw RunInterrupted("stopped after a checkpoint of the Fock time evolution");
        }
        add_carried(es, carried);
        if (ledger.enabled()) {
            EvolveSummary at_end = es;
            at_end.steps -= carried.steps;   // checkpoint_of adds the carried counters again
            at_end.rhs_calls -= carried.rhs_calls;
            if (!from) at_end.last_dt = es.last_dt;
            ledger.finished(checkpoint_of(times.size() - 1, times.back(), rho.data(), at_end));
        }
        if (options.keep_states) result.final_state_data = fock_state_data(cutoffs, rho, Frame::lab, {});
        stats.evolution = evolution_statistics(es, eo.integrator);
        result.truncation_estimate = std::max(result.truncation_estimate, max_of(top));
        warn_truncation(top, model, options, "time evolution", "", result.warnings);
    }
    return result;
}

// ---- frame and cutoffs (fock.frame = "auto", fock.cutoff = "auto": fock/cutoff_guess.hpp) ----

using Plan = FockPlan;

// The displaced frame integrates (alpha, rho') with dopri5 only.
Plan plan_run(const model::Model& model, const RunOptions& options) {
    const bool integrator_ok = options.time.t_end <= 0 || integrator_for(options.time.integrator, Frame::displaced) == Integrator::dopri5;
    return plan_fock_space(model, options, integrator_ok, OccupationGuess::mode_estimate);   // the ladder corrects it
}

// reported: false for the ladder's lower rungs that can never become the reported result.
EngineResult run_at(const model::Model& model, const RunOptions& options, Frame frame, const std::vector<int>& cutoffs,
                    bool keep_states, const ProgressFn& progress, CheckpointLedger& ledger, bool reported = true) {
    check_memory(options, cutoffs);
    RunOptions o = options;
    o.fock.frame = frame;
    o.fock.cutoff = cutoffs;
    o.fock.auto_cutoff = false;
    o.fock.auto_frame = false;
    o.keep_states = keep_states;
    return frame == Frame::displaced ? run_fock_displaced(model, o, cutoffs, progress, ledger, reported)
                                     : run_lab_frame(model, o, cutoffs, progress, ledger, reported);
}

class FockEngine final : public Engine {
public:
    EngineKind kind() const override { return EngineKind::fock; }
    double memory_estimate_gib(const model::Model& model, const RunOptions& options) const override {
        return fock_memory_estimate_gib(model, options);
    }
    EngineResult run(const model::Model& model, const RunOptions& options, const ProgressFn& progress) const override {
        return run_fock(model, options, progress);
    }
};

}  // namespace

double fock_memory_estimate_gib(const model::Model& model, const RunOptions& options) {
    return memory_estimate_for(options, plan_run(model, options).cutoffs);
}

EngineResult run_fock(const model::Model& model, const RunOptions& options, const ProgressFn& progress) {
    const auto start = std::chrono::steady_clock::now();
    const Plan plan = plan_run(model, options);
    if (plan.frame == Frame::displaced && options.time.t_end > 0 &&
        integrator_for(options.time.integrator, Frame::displaced) != Integrator::dopri5)
        throw InputError("time.integrator", std::string("\"") + to_string(options.time.integrator) +
                                                "\" is available in the lab frame only; the displaced frame (fock.frame) "
                                                "integrates (alpha, rho') with \"dopri5\"");
    // Refuse before allocating: the estimate covers every working copy of rho (the ladder's smaller rungs
    // run one after the other and need less).
    std::vector<int> cutoffs = plan.cutoffs;
    check_memory(options, cutoffs);
    if (options.checkpoint.enabled() && options.time.t_end > 0 && options.time.integrator == Integrator::rkc)
        throw InputError("time.integrator", "checkpoints (--checkpoint-every, --resume) need \"dopri5\" or \"krylov\"");
    CheckpointLedger ledger(options.checkpoint);

    const bool estimate = options.fock.error_estimate || options.fock.auto_cutoff;
    const double atol = options.time.atol, rtol = options.time.rtol;
    const double steady_tol = options.steady.tol;   // every rung's residual target: the noise of its figures
    EngineResult result;
    std::string ladder_note;
    if (!estimate) {
        result = run_at(model, options, plan.frame, cutoffs, options.keep_states, progress, ledger);
    } else {
        // Cutoff ladder c - 3 Delta, ..., c (fock/truncation.hpp); auto cutoffs climb it by Delta until
        // every error bar meets fock.tolerance, reusing the lower rungs each time.
        const std::vector<int> step = truncation_step(cutoffs, creates_photon_pairs(model));
        const int n_lower = ladder_lower_rungs(cutoffs, step);
        if (n_lower == 0) {
            result = run_at(model, options, plan.frame, cutoffs, options.keep_states, progress, ledger);
            attach_unknown_errors(result);
            result.warnings.push_back("fock.cutoff " + cutoff_list(cutoffs) +
                                      " is too small for a truncation error estimate (needs c - 2 x step >= 2; four rungs from c - 3 x step >= 2)");
        } else {
            std::vector<EngineResult> lower(static_cast<std::size_t>(n_lower));   // lower[k]: c - (k+1) Delta
            for (int k = n_lower; k >= 1; --k)
                lower[static_cast<std::size_t>(k - 1)] =
                    run_at(model, options, plan.frame, lowered_cutoffs(cutoffs, step, k), false, progress, ledger, false);
            const auto attach = [&]() {
                std::vector<const EngineResult*> rungs;
                for (const auto& r : lower) rungs.push_back(&r);
                attach_truncation_errors(result, rungs, atol, rtol, steady_tol);
            };
            result = run_at(model, options, plan.frame, cutoffs, options.keep_states, progress, ledger);
            attach();
            constexpr int kMaxGrowth = 60;
            for (int grow = 0; options.fock.auto_cutoff && grow < kMaxGrowth; ++grow) {
                std::string worst;
                if (errors_within_tolerance(result, options.fock.tolerance, atol, rtol, steady_tol, &worst)) break;
                for (std::size_t j = 0; j < cutoffs.size(); ++j) cutoffs[j] += step[j];
                check_memory(options, cutoffs);   // throws RunRefused naming the cutoffs it would need
                if (lower.size() >= 3) lower.pop_back();   // a three-rung start grows into four rungs
                lower.insert(lower.begin(), std::move(result));
                result = run_at(model, options, plan.frame, cutoffs, options.keep_states, progress, ledger);
                attach();
            }
            for (int k = static_cast<int>(lower.size()); k >= 1; --k)
                ladder_note += cutoff_list(lowered_cutoffs(cutoffs, step, k)) + ", ";
        }
    }
    FockStatistics& stats = *result.statistics.fock;
    stats.cutoffs = cutoffs;
    stats.memory_estimate_gib = memory_estimate_for(options, cutoffs);
    if (!ladder_note.empty())
        result.warnings.insert(result.warnings.begin(), std::string("") + "truncation error bars from the cutoff ladder " +
                                                            ladder_note + cutoff_list(cutoffs) + " (" +
                                                            to_string(plan.frame) + " frame)");
    result.statistics.threads = numerics::resolve_threads(options.threads);
    result.statistics.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

std::unique_ptr<Engine> make_fock_engine() { return std::make_unique<FockEngine>(); }

}  // namespace qbnet::fock
