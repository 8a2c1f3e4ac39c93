// Steady-state driver (qbnet/fock/steady.hpp): uniqueness check, units, the Krylov solve with its
// preconditioner, the evolution fallback and the diagnostics of the raw solution. The Krylov solver is
// numerics::gmres (qbnet/numerics/krylov.hpp); the preconditioners are in src/fock/detail/.
#include "qbnet/fock/steady.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "qbnet/checkpoint.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/fock/evolve.hpp"
#include "qbnet/fock/observables.hpp"
#include "qbnet/numerics/parallel.hpp"
#include "qbnet/numerics/hermitian_packing.hpp"
#include "qbnet/numerics/memory.hpp"
#include "qbnet/numerics/vector_ops.hpp"

namespace qbnet::fock {

using cd = std::complex<double>;

namespace {
constexpr int kRestart = 24;   // longest GMRES restart
// Krylov basis, iterate and the two D x D workspaces of the packed operator together.
constexpr double kKrylovBudgetBytes = 1.25 * 1024.0 * 1024.0 * 1024.0;
}  // namespace

// Restart length: 24 while a copy of rho is small (D <= 512: the basis stays in cache and a long
// restart saves iterations), 8 above (at D = 1296 the iteration counts are about equal while
// Gram-Schmidt over 24 vectors of 27 MB costs more than it saves; numbers in bench/OPTIMISATIONS.md), and never more
// than the Krylov budget allows: restart + 2 packed vectors (8 D^2 bytes) and two full D x D
// workspaces (16 D^2 bytes each) (floor 4).
int steady_state_krylov_restart(long d) {
    const double packed = 8.0 * static_cast<double>(d) * static_cast<double>(d);
    const int fit = static_cast<int>(kKrylovBudgetBytes / packed) - 4 - 2;
    const int preferred = d <= 512 ? kRestart : 8;
    return std::max(4, std::min(preferred, fit));
}

// In copies of the complex D x D rho: restart + 2 packed vectors (half a copy each), the flexible
// GMRES's restart kept vectors (packed floats, a quarter each) and the two workspaces.
int steady_state_working_copies(long d) {
    const int r = steady_state_krylov_restart(d);
    return (2 * (r + 2) + r + 3) / 4 + 2;
}

void SteadyPreconditioner::apply_packed_keep(const cd*, long, int, std::complex<float>*, std::complex<float>*) const {
    throw std::logic_error("apply_packed_keep: this preconditioner does not keep its output (keeps_exact)");
}

void SteadyPreconditioner::apply_packed(const cd* packed, long d, int threads, cd* x, cd* work) const {
    numerics::unpack_hermitian(packed, d, x, threads);
    apply(x, x, work);
}

double liouvillian_residual(const Liouvillian& liouvillian, const Eigen::VectorXcd& rho, Eigen::VectorXcd& work,
                            int threads) {
    // L(rho) in the packed form: its Euclidean norm is ||L rho||_F (hermitian_packing.hpp), and only
    // packed_size(D) entries of work are written.
    const long d = liouvillian.dim(), np = numerics::packed_size(d);
    if (work.size() < np) numerics::resize_on_huge_pages(work, np);
    const int nt = numerics::resolve_threads(threads);
    liouvillian.apply_packed(rho.data(), work.data(), nt);
    return std::sqrt(numerics::real_dot(work.data(), work.data(), np, nt) /
                     numerics::real_dot(rho.data(), rho.data(), rho.size(), nt));
}


double rate_scale(const Liouvillian& liouvillian) {
    const double gamma = liouvillian.kossakowski().diagonal().real().sum();
    return gamma > 0.0 ? gamma : 1.0;
}

std::vector<int> undamped_modes(const Liouvillian& liouvillian) {
    const Eigen::MatrixXd& hop = liouvillian.hopping();
    const Eigen::MatrixXcd& g = liouvillian.kossakowski();
    const int m = static_cast<int>(hop.rows());
    if (m == 0 || g.rows() != 2 * m) return {};
    std::vector<int> parent(static_cast<std::size_t>(m));
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](int j) {
        while (parent[j] != j) j = parent[j] = parent[parent[j]];
        return j;
    };
    for (int j = 0; j < m; ++j)
        for (int k = 0; k < m; ++k) {
            if (j == k) continue;
            bool linked = hop(j, k) != 0.0;
            for (int x : {j, m + j})
                for (int y : {k, m + k}) linked = linked || std::abs(g(x, y)) != 0.0;
            if (linked) parent[find(j)] = find(k);
        }
    std::vector<char> damped_root(static_cast<std::size_t>(m), 0);
    for (int j = 0; j < m; ++j)
        if ((g(j, j) - g(m + j, m + j)).real() > 0.0) damped_root[find(j)] = 1;
    std::vector<int> out;
    for (int j = 0; j < m; ++j)
        if (!damped_root[find(j)]) out.push_back(j);
    return out;
}

namespace {

// A(x) = L(x) + Gamma tr(x) I/D over hermitian x, b = Gamma I/D (steady.hpp), on PACKED hermitian
// vectors (numerics/hermitian_packing.hpp: D^2 reals, half the memory and streaming of the complex D x D
// array): the Operator of numerics::gmres, with the preconditioner fused into its steps so that the
// preconditioned vector lives only in the workspace `a`. The Liouvillian sees full matrices: `a` (its
// input, where the preconditioner also works in place) and `b` (its output, the preconditioner's scratch).
// Counts its Liouvillian applications and times its parts.
struct PackedAugmentedLiouvillian {
    using Clock = std::chrono::steady_clock;
    const Liouvillian& lv;
    double gamma;
    int threads;
    long* rhs_calls;
    mutable Eigen::VectorXcd a, b;   // D x D workspaces
    mutable std::vector<Eigen::VectorXcf> kept;   // flexible GMRES: z_k = P^{-1} v_k, exact, packed floats
    bool flexible = false;
    mutable double time_precond = 0.0, time_operator = 0.0, time_packing = 0.0;

    PackedAugmentedLiouvillian(const Liouvillian& l, double g, int t, long* calls)
        : lv(l), gamma(g), threads(t), rhs_calls(calls) {
        numerics::resize_on_huge_pages(a, l.dim() * l.dim());
        numerics::resize_on_huge_pages(b, l.dim() * l.dim());
    }
    static double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
    // y = A(a) packed, for hermitian a in the workspace a: complex<double>, or (single) complex<float> in
    // the first half of its bytes (the flexible path, whose preconditioned vectors are floats).
    void apply_workspace(Eigen::VectorXcd& y, bool single = false) const {
        const long d = lv.dim();
        auto t0 = Clock::now();
        double trace = 0.0;
        if (single) {
            const std::complex<float>* af = single_workspace();
            lv.apply_packed(af, y.data(), threads);   // L(a), packed as it is computed
            for (long m = 0; m < d; ++m) trace += static_cast<double>(af[m * d + m].real());
        } else {
            lv.apply_packed(a.data(), y.data(), threads);
            trace = numerics::trace(a.data(), d).real();
        }
        ++*rhs_calls;
        time_operator += since(t0);
        t0 = Clock::now();
        numerics::packed_add_identity(gamma * trace / static_cast<double>(d), y.data(), d);
        time_packing += since(t0);
    }
    std::complex<float>* single_workspace() const { return reinterpret_cast<std::complex<float>*>(a.data()); }
    void unpack_to_workspace(const Eigen::VectorXcd& x) const {
        const auto t0 = Clock::now();
        numerics::unpack_hermitian(x.data(), lv.dim(), a.data(), threads);
        time_packing += since(t0);
    }
    // a = P^{-1}(packed v), b as the preconditioner's scratch (the unpacking of v counts as preconditioning:
    // a single-precision preconditioner unpacks straight into its working copy).
    void precondition_into_workspace(const SteadyPreconditioner& pre, const Eigen::VectorXcd& v) const {
        const auto t0 = Clock::now();
        pre.apply_packed(v.data(), lv.dim(), threads, a.data(), b.data());
        time_precond += since(t0);
    }
    void apply(const Eigen::VectorXcd& x, Eigen::VectorXcd& y) const {
        unpack_to_workspace(x);
        apply_workspace(y);
    }
    void residual(const Eigen::VectorXcd& x, Eigen::VectorXcd& r) const {
        const long d = lv.dim();
        apply(x, r);
        numerics::scale(-1.0, r.data(), r.size(), threads);
        numerics::packed_add_identity(gamma / static_cast<double>(d), r.data(), d);
    }
    void apply_preconditioned(const SteadyPreconditioner& pre, const Eigen::VectorXcd& v, Eigen::VectorXcd& w) const {
        precondition_into_workspace(pre, v);
        apply_workspace(w);
    }
    // Flexible GMRES (numerics/krylov.hpp): w = A z_k with z_k = P^{-1} v kept in slot k.
    bool keeps(const SteadyPreconditioner& pre) const { return flexible && pre.keeps_exact(); }
    void apply_preconditioned(const SteadyPreconditioner& pre, const Eigen::VectorXcd& v, Eigen::VectorXcd& w,
                              int slot) const {
        const long d = lv.dim();
        while (static_cast<int>(kept.size()) <= slot) numerics::resize_on_huge_pages(kept.emplace_back(), numerics::packed_size(d));
        const auto t0 = Clock::now();
        pre.apply_packed_keep(v.data(), d, threads, single_workspace(), kept[static_cast<std::size_t>(slot)].data());
        time_precond += since(t0);
        apply_workspace(w, true);
    }
    // x += sum_i y_i z_i over the kept vectors (their sqrt 2 weight restored off the diagonal).
    void add_kept(const double* y, int k, Eigen::VectorXcd& x) const {
        const auto t0 = Clock::now();
        numerics::add_packed_combination(kept, k, y, x.data(), lv.dim(), threads);
        time_packing += since(t0);
    }
    void add_preconditioned(const SteadyPreconditioner& pre, const Eigen::VectorXcd& r, Eigen::VectorXcd& x) const {
        precondition_into_workspace(pre, r);
        const auto t0 = Clock::now();
        numerics::pack_hermitian(a.data(), lv.dim(), b.data(), threads);   // b as packed scratch
        numerics::axpy(1.0, b.data(), x.data(), x.size(), threads);
        time_packing += since(t0);
    }
};

// The Monitor: relative residual in units of Gamma, progress from the estimate. Packed vectors are
// hermitian by construction (no projection) and their Euclidean norm is the Frobenius norm.
struct SteadyMonitor {
    long d;
    double gamma, tol;
    const ProgressFn* progress;
    int threads = 1;
    mutable double initial = -1.0;   // first true residual norm (progress scale)
    // ||x||, kept between updates of x (gmres() calls project() after each): measure() runs after every
    // iteration and x is D^2 / 2 entries.
    mutable double x_norm = -1.0;
    double measure(double r, const Eigen::VectorXcd& x) const {
        if (initial < 0) initial = r;
        if (x_norm < 0) x_norm = std::sqrt(numerics::real_dot(x.data(), x.data(), x.size(), threads));
        return r / (gamma * x_norm);
    }
    void project(Eigen::VectorXcd&) const { x_norm = -1.0; }
    void estimate(double est) const {
        const double b_norm = 1.0 / std::sqrt(static_cast<double>(d));   // ||I/D||_F
        if (*progress && initial > 0)
            (*progress)(std::min(1.0, std::log(initial / std::max(est, 1e-300)) /
                                          std::log(initial / (tol * gamma * b_norm))),
                        "steady state (krylov)");
    }
};

std::unique_ptr<SteadyPreconditioner> make_preconditioner(const Liouvillian& lv, const SteadySolverOptions& solver,
                                                          double gamma, int threads) {
    // The dense Schur set-up and the O(D^3) triangular solve per application pay off up to D ~ 400.
    // Automatic: the local-Liouvillian inverse (refill terms included) unless its per-mode
    // eigenvectors are ill-conditioned.
    std::unique_ptr<SteadyPreconditioner> pre;
    if (solver.preconditioner != SteadyPreconditionerKind::sylvester) {
        auto local = std::make_unique<LocalLiouvillianPreconditioner>(lv, 1.0 / gamma, threads,
                                                                      lv.dim() >= solver.single_precision_min_dim);
        local->set_grouping(solver.grouping);
        if (solver.preconditioner == SteadyPreconditionerKind::local ||
            local->condition() < LocalLiouvillianPreconditioner::kMaxAutomaticCondition)
            pre = std::move(local);
    }
    if (!pre) pre = std::make_unique<SylvesterPreconditioner>(lv, 400, threads);
    return pre;
}

// The packed state of `guess` (lower cutoffs, same mode order) zero-padded into `basis`: every index keeps
// its digits, so the order of indices, and with it the packed layout's upper triangle, is preserved.
Eigen::VectorXcd embedded_guess(const SteadyGuess& guess, const FockBasis& basis) {
    const FockBasis lower(guess.cutoffs);
    const long dl = lower.dim(), d = basis.dim();
    std::vector<long> to(static_cast<std::size_t>(dl), 0);
    for (long m = 0; m < dl; ++m)
        for (int j = 0; j < lower.n_modes(); ++j) to[m] += lower.digit(m, j) * basis.stride(j);
    Eigen::VectorXcd x;
    numerics::resize_on_huge_pages(x, numerics::packed_size(d));
    x.setZero();
    const double* g = reinterpret_cast<const double*>(guess.packed.data());
    double* p = reinterpret_cast<double*>(x.data());
    for (long m = 0; m < dl; ++m) {   // row offsets m (2D - m): numerics/hermitian_packing.hpp
        const double* row = g + m * (2 * dl - m);
        double* out = p + to[m] * (2 * d - to[m]);
        out[0] = row[0];
        for (long n = m + 1; n < dl; ++n) {
            const long k = 1 + 2 * (n - m - 1), kk = 1 + 2 * (to[n] - to[m] - 1);
            out[kk] = row[k];
            out[kk + 1] = row[k + 1];
        }
    }
    return x;
}

// A checkpoint of the solve in `phase` with state rho and the summary so far.
SteadyCheckpoint steady_checkpoint(SteadyCheckpoint::Phase phase, const Eigen::VectorXcd& rho,
                                   const SteadySummary& summary, const std::string& gmres_note) {
    SteadyCheckpoint c;
    c.phase = phase;
    c.rho.assign(rho.data(), rho.data() + rho.size());
    c.summary = summary;
    c.gmres_note = gmres_note;
    return c;
}

// The Krylov path: fills iterations, rhs_calls, stagnated, stopped and the preconditioner; rho holds the
// raw (unnormalised) solution on return (stopped: the packed iterate of the checkpoint). On entry rho is
// the initial iterate: packed (a checkpoint of this phase, `from`), or the full D x D matrix (the vacuum,
// or a checkpoint written before the solver packed its vectors: the solve then continues from that
// iterate, though not bit for bit as the old solver would have).
void krylov_solve(const Liouvillian& lv, const SteadyOptions& options, const SteadySolverOptions& solver,
                  double gamma, int threads, Eigen::VectorXcd& rho, SteadySummary& summary, const ProgressFn& progress,
                  const SteadyCheckpoint* from) {
    const long d = lv.dim(), np = numerics::packed_size(d);
    const auto pre = make_preconditioner(lv, solver, gamma, threads);
    summary.preconditioner = pre->kind();
    numerics::GmresOptions go;
    go.restart = solver.krylov_restart > 0 ? std::max(2, solver.krylov_restart) : steady_state_krylov_restart(d);
    go.max_iterations = options.max_iterations;
    go.tol = options.tol;
    go.gram_schmidt = solver.gram_schmidt;
    go.stagnation_window = solver.stagnation_window;
    go.threads = threads;
    go.true_residual_every = std::max(1, solver.true_residual_every);
    const SteadyCheckpointHooks& hooks = solver.checkpoint;
    if (from) go.resume = &from->gmres;
    if (hooks.save)
        go.at_restart = [&](const Eigen::VectorXcd& x, const numerics::GmresProgress& at) {
            if (!hooks.due || !hooks.due()) return false;
            SteadyCheckpoint c = steady_checkpoint(SteadyCheckpoint::Phase::krylov, x, summary, "");
            c.summary.iterations = at.iterations;
            c.gmres = at;
            return hooks.save(c);
        };
    Eigen::VectorXcd x;
    numerics::resize_on_huge_pages(x, np);
    if (rho.size() == np) {
        x = rho;
    } else {
        numerics::pack_hermitian(rho.data(), d, x.data(), threads);
    }
    rho.resize(0);   // peak memory: the full matrix comes back after the Krylov basis is released
    numerics::GmresReport report;
    {
        PackedAugmentedLiouvillian op(lv, gamma, threads, &summary.rhs_calls);
        op.flexible = solver.flexible;
        summary.flexible = op.keeps(*pre);
        const SteadyMonitor monitor{d, gamma, options.tol, &progress, threads};
        report = numerics::gmres(op, *pre, monitor, x, go);
        spdlog::debug("steady state: {} iterations (restart {}{}), {} DGKS reorthogonalisation passes; preconditioner "
                      "{:.3f} s, L {:.3f} s, packing {:.3f} s, Gram-Schmidt {:.3f} s{}",
                      report.iterations, go.restart, summary.flexible ? ", flexible" : "", report.reorth_passes,
                      op.time_precond, op.time_operator, op.time_packing, report.time_orthogonalise,
                      report.stagnated ? " (stagnated)" : "");
    }
    summary.iterations = report.iterations;
    summary.stagnated = report.stagnated;
    summary.stopped = report.stopped;
    if (report.stopped) {
        rho = std::move(x);
        return;
    }
    numerics::resize_on_huge_pages(rho, d * d);
    numerics::unpack_hermitian(x.data(), d, rho.data(), threads);
}

// Time evolution until the residual (units of Gamma) drops below tol, in chunks of 5 relaxation times
// of the slowest decaying level, with bounded work (steady.hpp, "Evolution fallback"): at most
// kMaxChunks chunks, at most kRhsBudgetPerIteration x max_iterations Liouvillian applications, and it
// stops early once the residual's decay over the last chunks, extrapolated, cannot reach tol within the
// chunks left. summary.stop_reason says which bound ended it.
constexpr int kMaxChunks = 200;
constexpr int kRateWindow = 3;             // chunks over which the decay rate is measured
constexpr long kRhsBudgetPerIteration = 10;
constexpr long kMinRhsBudget = 20000;

// Where the fallback stands at the start of a chunk (what its checkpoint keeps besides rho and the summary).
struct FallbackProgress {
    int chunk = 0;
    double t = 0.0;
    long used = 0;                  // Liouvillian applications so far
    std::vector<double> history;    // scaled residual after each chunk
};

// At a chunk boundary after the first one this call runs: a checkpoint when one is due; true: stop.
bool fallback_boundary(const SteadyCheckpointHooks& hooks, const FallbackProgress& at, int first_chunk,
                       const Eigen::VectorXcd& rho, const SteadySummary& summary, const std::string& gmres_note) {
    if (!hooks.save || at.chunk == first_chunk || !hooks.due || !hooks.due()) return false;
    SteadyCheckpoint c = steady_checkpoint(SteadyCheckpoint::Phase::evolve, rho, summary, gmres_note);
    c.chunk = at.chunk;
    c.t = at.t;
    c.used = at.used;
    c.evolve_history = at.history;
    return hooks.save(c);
}

void evolve_to_steady(const Liouvillian& lv, const SteadyOptions& options, double gamma, int threads,
                      Eigen::VectorXcd& rho, Eigen::VectorXcd& work, SteadySummary& summary,
                      const ProgressFn& progress, const SteadyCheckpointHooks& hooks, const std::string& gmres_note,
                      FallbackProgress at) {
    const double rate = lv.slowest_damping_rate();
    const double chunk = 5.0 / std::max(rate, 1e-9);
    EvolveOptions eo;
    // The residual ||L rho|| can only fall as far as the integration error lets it.
    eo.atol = 0.01 * options.tol;
    eo.rtol = 1e-10;
    eo.threads = threads;
    const long budget = std::max(kMinRhsBudget, kRhsBudgetPerIteration * static_cast<long>(options.max_iterations));
    std::vector<double>& history = at.history;
    std::ostringstream why;
    const int first_chunk = at.chunk;
    for (; at.chunk < kMaxChunks; ++at.chunk) {
        const int i = at.chunk;
        if (fallback_boundary(hooks, at, first_chunk, rho, summary, gmres_note)) {
            summary.stopped = true;
            return;
        }
        eo.max_rhs_calls = budget - at.used;
        EvolveSummary es;
        try {
            es = evolve(lv, rho, {at.t, at.t + chunk}, eo);
        } catch (const EvolutionBudgetExhausted& e) {
            at.used += e.rhs_calls;
            summary.rhs_calls += e.rhs_calls + 1;
            summary.residual = liouvillian_residual(lv, rho, work, threads);   // rho: the last chunk's end
            summary.scaled_residual = summary.residual / gamma;
            why << "the evolution fallback used its budget of " << budget << " Liouvillian applications (the larger of "
                << kMinRhsBudget << " and " << kRhsBudgetPerIteration << " x steady_state.max_iterations) within chunk " << i + 1 << " at residual " << summary.scaled_residual
                << " (stiff or truncated dynamics: raise fock.cutoff or steady_state.max_iterations)";
            break;
        }
        at.t += chunk;
        at.used += es.rhs_calls + 1;
        summary.rhs_calls += es.rhs_calls + 1;
        summary.residual = liouvillian_residual(lv, rho, work, threads);
        summary.scaled_residual = summary.residual / gamma;
        history.push_back(summary.scaled_residual);
        if (progress)
            progress(std::min(1.0, std::log(summary.scaled_residual) / std::log(options.tol)), "steady state (evolve)");
        if (summary.scaled_residual <= options.tol) {
            summary.converged = true;
            return;
        }
        if (!std::isfinite(summary.scaled_residual)) {
            why << "the evolution fallback diverged (residual " << summary.scaled_residual << ") after " << i + 1
                << " chunks";
            break;
        }
        // Decay per chunk over the last kRateWindow chunks; chunks still needed at that pace.
        const int n = static_cast<int>(history.size());
        if (n > kRateWindow) {
            const double per_chunk = std::log(history[n - 1 - kRateWindow] / history[n - 1]) / kRateWindow;
            const double needed = per_chunk > 0 ? std::log(history[n - 1] / options.tol) / per_chunk
                                                : std::numeric_limits<double>::infinity();
            if (needed > kMaxChunks - n) {
                why << "the evolution fallback stopped making progress: residual " << history[n - 1] << " after "
                    << n << " chunks of " << chunk << " time units (decay factor " << std::exp(per_chunk)
                    << " per chunk over the last " << kRateWindow << "; tol " << options.tol
                    << " is out of reach within " << kMaxChunks << " chunks)";
                break;
            }
        }
        if (i + 1 == kMaxChunks)
            why << "the evolution fallback reached its limit of " << kMaxChunks << " chunks (" << at.t
                << " time units) at residual " << summary.scaled_residual;
    }
    summary.stop_reason = why.str();
}

// After GMRES: the raw solution's trace and hermiticity errors, rho normalised to trace 1, its residual
// and the verdict; gmres_note says why GMRES stopped short.
void finish_krylov(const Liouvillian& lv, const SteadyOptions& options, double gamma, int threads,
                   Eigen::VectorXcd& rho, Eigen::VectorXcd& work, SteadySummary& summary, std::string& gmres_note) {
    const long d = lv.dim();
    summary.raw_trace_error = std::abs(numerics::trace(rho.data(), d) - 1.0);
    summary.raw_hermiticity_error = hermiticity_error(rho.data(), d) / std::max(rho.cwiseAbs().maxCoeff(), 1e-300);
    // Unpacked from hermitian packed vectors: the trace is real.
    numerics::scale(1.0 / numerics::trace(rho.data(), d).real(), rho.data(), rho.size(), threads);
    summary.residual = liouvillian_residual(lv, rho, work, threads);
    summary.scaled_residual = summary.residual / gamma;
    ++summary.rhs_calls;
    summary.converged = summary.scaled_residual <= options.tol;
    // Not logged here: the caller gets it in summary.warnings (when the final state has not converged)
    // and prints it once, tagged with the engine or grid point. When the evolution fallback converges the
    // result is sound and statistics.steady_state.method says "krylov+evolve".
    if (!summary.converged) {
        gmres_note = fmt::format("GMRES stopped at residual {:.3e} (units of the rate scale {:.3e}) after {} "
                                 "iterations{} (tol {:.1e})",
                                 summary.scaled_residual, gamma, summary.iterations,
                                 summary.stagnated ? ", stagnating" : "", options.tol);
        spdlog::debug("steady state: {}", gmres_note);
    }
}

}  // namespace

SteadySummary solve_steady_state(const Liouvillian& liouvillian, const SteadyOptions& options,
                                 Eigen::VectorXcd& rho, const ProgressFn& progress) {
    return solve_steady_state(liouvillian, options, SteadySolverOptions{}, rho, progress);
}

SteadySummary solve_steady_state(const Liouvillian& liouvillian, const SteadyOptions& options,
                                 const SteadySolverOptions& solver, Eigen::VectorXcd& rho,
                                 const ProgressFn& progress) {
    const auto start = std::chrono::steady_clock::now();
    if (const std::vector<int> free = undamped_modes(liouvillian); !free.empty()) {
        // Refused before any iteration, as the Gaussian engine refuses a drift without a steady state.
        std::ostringstream msg;
        msg << "the steady state is not unique: no dissipation reaches mode" << (free.size() > 1 ? "s" : "");
        for (std::size_t i = 0; i < free.size(); ++i) msg << (i ? ", " : " ") << free[i];
        msg << " (0-based, in the model's mode order) through the couplings; give them a loss rate or a coupling"
               " to a damped mode, or use time evolution from a chosen initial state";
        throw RunRefused(msg.str());
    }
    const long d = liouvillian.dim();
    const SteadyCheckpointHooks& hooks = solver.checkpoint;
    const SteadyCheckpoint* from = hooks.resume;
    using Phase = SteadyCheckpoint::Phase;
    if (from && from->phase == Phase::done) {   // finished before the checkpoint: its result as it was
        rho = Eigen::Map<const Eigen::VectorXcd>(from->rho.data(), static_cast<long>(from->rho.size()));
        if (hooks.finished) hooks.finished(*from);   // still finished in the next checkpoint
        return from->summary;
    }
    SteadySummary summary;
    const int threads = numerics::resolve_threads(solver.threads);
    const double gamma = solver.rate_normalised ? rate_scale(liouvillian) : 1.0;
    summary.rate_scale = gamma;
    if (from) {
        rho = Eigen::Map<const Eigen::VectorXcd>(from->rho.data(), static_cast<long>(from->rho.size()));
        summary = from->summary;
    } else if (hooks.guess && hooks.guess->packed.size() > 0 && options.method != SteadyMethod::evolve) {
        rho = embedded_guess(*hooks.guess, liouvillian.basis());   // packed: the Krylov path starts from it
        spdlog::debug("steady state: starting from the steady state at cutoffs {}", fmt::join(hooks.guess->cutoffs, ","));
        hooks.guess->packed.resize(0);                                 // peak memory
    } else {
        rho = Eigen::VectorXcd::Zero(d * d);
        rho[0] = 1.0;   // vacuum: a valid density matrix to start from
    }
    Eigen::VectorXcd work;   // allocated after the Krylov solver has released its basis (peak memory)
    std::string gmres_note = from ? from->gmres_note : "";   // why GMRES stopped short (the warning)
    const bool krylov = options.method == SteadyMethod::automatic || options.method == SteadyMethod::krylov;
    if (krylov && (!from || from->phase == Phase::krylov)) {
        summary.method = "krylov";
        krylov_solve(liouvillian, options, solver, gamma, threads, rho, summary, progress, from);
        if (summary.stopped) return summary;
        finish_krylov(liouvillian, options, gamma, threads, rho, work, summary, gmres_note);
    }
    if (!summary.converged && options.method != SteadyMethod::krylov) {
        // Evolution fallback: integrate in chunks until the residual drops below tol.
        summary.method = krylov ? "krylov+evolve" : "evolve";
        work.resize(d * d);
        FallbackProgress at;
        if (from && from->phase == Phase::evolve) at = {from->chunk, from->t, from->used, from->evolve_history};
        evolve_to_steady(liouvillian, options, gamma, threads, rho, work, summary, progress, hooks, gmres_note, at);
        if (summary.stopped) return summary;
        summary.raw_trace_error = trace_error(rho.data(), d);
        summary.raw_hermiticity_error = hermiticity_error(rho.data(), d) / std::max(rho.cwiseAbs().maxCoeff(), 1e-300);
    }
    numerics::hermitize(rho.data(), d, threads);
    if (!summary.converged)
        summary.warnings.push_back("steady state not converged: residual " + std::to_string(summary.residual) +
                                   (summary.stop_reason.empty() ? "" : ": " + summary.stop_reason) +
                                   (gmres_note.empty() ? "" : "; " + gmres_note));
    summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (hooks.finished) hooks.finished(steady_checkpoint(Phase::done, rho, summary, gmres_note));
    return summary;
}

}  // namespace qbnet::fock
