#pragma once
// Restarted GMRES, matrix-free, in the style of Eigen's matrix-free solvers: the operator and the
// preconditioner are plain objects, the solver a function template over them.
//
// The Krylov space is REAL: vectors are arrays of n complex numbers seen as R^{2n} with the inner
// product Re x^dag y (numerics/vector_ops.hpp). The Fock steady state needs exactly that: its unknowns
// are hermitian matrices, a real-linear space on which the Liouvillian acts (src/fock/steady.cpp).
//
// Concepts (Vector = Eigen::VectorXcd):
//   Operator:       void residual(const Vector& x, Vector& r) const     r = b - A x
//                   void apply(const Vector& x, Vector& y) const        y = A x
//   Preconditioner: void solve(const Vector& r, Vector& z) const        z ~ A^{-1} r (right preconditioning:
//                                                                        the iterate is x0 + P^{-1} V y)
//   Monitor:        double measure(double r, const Vector& x) const     stopping figure for ||b - A x|| = r
//                                                                        (e.g. r / ||x||); converged when
//                                                                        it is <= tol
//                   void project(Vector& x) const                       applied after every update of x
//                                                                        (e.g. onto hermitian matrices)
//                   void estimate(double est) const                     the Krylov estimate of ||b - A x||
//                                                                        after every iteration (progress)
//
// Optional, fused (an Operator that keeps the preconditioned vector in a workspace of its own, e.g. in
// another layout, and so saves gmres() the vector z):
//   Operator:       void apply_preconditioned(const Preconditioner& p, const Vector& v, Vector& w) const
//                                                                        w = A P^{-1} v
//                   void add_preconditioned(const Preconditioner& p, const Vector& r, Vector& x) const
//                                                                        x += P^{-1} r
// Optional, flexible (FGMRES: an Operator that keeps z_k = P^{-1} v_k of the cycle, so that the restart
// adds Z y instead of applying P^{-1} to V y once more; exact when z_k is kept without rounding):
//   Operator:       bool keeps(const Preconditioner& p) const             use the three below (run time)
//                   void apply_preconditioned(const Preconditioner& p, const Vector& v, Vector& w, int k) const
//                                                                        w = A z_k, z_k = P^{-1} v kept in slot k
//                   void add_kept(const double* y, int k, Vector& x) const
//                                                                        x += sum_{i < k} y_i z_i
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/numerics/memory.hpp"
#include "qbnet/numerics/vector_ops.hpp"

namespace qbnet::numerics {

enum class GramSchmidt {
    classical,        // classical Gram-Schmidt, a second pass when the first cancelled > 1 - reorth_ratio
    classical_once,   // one classical pass, never reorthogonalised
    modified,         // modified Gram-Schmidt (streams w twice per basis vector)
};

// Where a restarted GMRES stands at the start of a cycle, besides its iterate x: what a checkpoint must
// keep so that a resumed solve repeats the uninterrupted one exactly.
struct GmresProgress {
    long iterations = 0;
    long reorth_passes = 0;
    std::vector<double> history;   // residual measure at every restart so far (stagnation test; true or Arnoldi)
};

struct GmresOptions {
    int restart = 24;             // Krylov vectors per cycle: memory = (restart + 1) vectors + x (+ z)
    int max_iterations = 2000;
    double tol = 1e-10;           // on Monitor::measure of the TRUE residual (confirmed whenever a restart meets it)
    GramSchmidt gram_schmidt = GramSchmidt::classical;
    // Reorthogonalise when one classical pass cancelled more than 1 - reorth_ratio of ||w||^2. The
    // textbook DGKS ratio 1/2 fires on every iteration when the preconditioned operator is close to a
    // multiple of the identity (w then lies mostly in the span) and doubles the cost with identical
    // iterations; the stopping test uses the true residual, so orthogonality loss can only slow GMRES.
    double reorth_ratio = 1e-3;
    // Stagnation: stop (not converged) when the true residual measure at a restart is not below
    // stagnation_factor times its value stagnation_window restarts earlier. 0 disables.
    int stagnation_window = 5;
    double stagnation_factor = 0.999;
    int threads = 1;              // most threads of the vector kernels (resolved, >= 1)
    // Flexible path (an Operator that keeps its preconditioned vectors) without checkpoints: a cycle starts
    // from the TRUE residual b - A x on every true_residual_every-th restart and from the Arnoldi residual
    // r = V_{k+1} Q^T (g_k e_k) of the cycle before on the others (no operator application; the relation
    // A Z_k = V_{k+1} H_k holds to rounding because the kept z_k are the very vectors A was applied to).
    // Convergence is always confirmed on the true residual. With checkpoints (at_restart set) every restart
    // takes the true residual, so that a resumed solve repeats the uninterrupted one bit for bit. 1: always.
    int true_residual_every = 4;
    // Restart boundaries (checkpoints): called at the start of every cycle after the first one run by this
    // call, with the iterate and the progress; returning true stops gmres() there (GmresReport::stopped).
    std::function<bool(const Eigen::VectorXcd& x, const GmresProgress& progress)> at_restart;
    // Continue from a boundary: x must be the iterate saved with this progress.
    const GmresProgress* resume = nullptr;
};

struct GmresReport {
    bool converged = false;
    bool stagnated = false;       // stopped by the stagnation test
    bool stopped = false;         // GmresOptions::at_restart asked to stop (x is the iterate of that boundary)
    long iterations = 0;          // operator applications inside cycles (one per Krylov vector)
    double measure = -1.0;        // Monitor::measure at the last restart check
    long reorth_passes = 0;
    double time_precond = 0.0, time_operator = 0.0, time_orthogonalise = 0.0;   // where the time goes
};

namespace detail {
// Does the Operator fuse the preconditioner into its own steps (the optional concept above)?
template <class Op, class Pre, class = void>
struct fuses_preconditioner : std::false_type {};
template <class Op, class Pre>
struct fuses_preconditioner<Op, Pre,
                            std::void_t<decltype(std::declval<const Op&>().apply_preconditioned(
                                std::declval<const Pre&>(), std::declval<const Eigen::VectorXcd&>(),
                                std::declval<Eigen::VectorXcd&>()))>> : std::true_type {};

// Does the Operator offer flexible GMRES (the optional concept below)?
template <class Op, class Pre, class = void>
struct keeps_preconditioned : std::false_type {};
template <class Op, class Pre>
struct keeps_preconditioned<Op, Pre,
                            std::void_t<decltype(std::declval<const Op&>().keeps(std::declval<const Pre&>()))>>
    : std::true_type {};

// One column of the Arnoldi process: orthogonalise w against v[0..k] into column k of h; returns
// h(k+1, k), with w = h(k+1, k) v_{k+1} afterwards: normalised (w is then v_{k+1}) or not (the caller divides).
// Classical Gram-Schmidt normalises in the subtraction pass when its first pass shows little cancellation:
// ||w - V c||^2 = ||w||^2 - ||c||^2 (V orthonormal) is then known before the subtraction, accurate to
// ~eps ||w||^2 / ||w - V c||^2 <= eps / reorth_ratio relative, and h(k+1, k) is set to exactly the norm
// the vector was divided by, so the Arnoldi relation holds as before; the pass returns the true norm, and
// a vector that came out off unit length by more than 1e-10 is rescaled.
inline double arnoldi_orthogonalise(const std::vector<Eigen::VectorXcd>& v, int k, Eigen::VectorXcd& w,
                                    Eigen::MatrixXd& h, std::vector<double>& coef, const GmresOptions& opt,
                                    GmresReport& report, bool& normalised) {
    const long n = w.size();
    normalised = false;
    if (opt.gram_schmidt == GramSchmidt::modified) {
        for (int i = 0; i <= k; ++i) {
            h(i, k) = real_dot(v[i].data(), w.data(), n, opt.threads);
            axpy(-h(i, k), v[i].data(), w.data(), n, opt.threads);
        }
        return std::sqrt(real_dot(w.data(), w.data(), n, opt.threads));
    }
    multi_dot(v, k + 1, w.data(), n, coef.data(), opt.threads);
    double before = coef[k + 1];
    double predicted = before;
    for (int i = 0; i <= k; ++i) predicted -= coef[i] * coef[i];
    for (int i = 0; i <= k; ++i) h(i, k) = coef[i];
    if (predicted > opt.reorth_ratio * before && predicted > 0.0) {
        const double norm = std::sqrt(predicted);
        const double unit = multi_subtract(v, k + 1, coef.data(), w.data(), n, opt.threads, 1.0 / norm);
        if (unit * predicted >= opt.reorth_ratio * before) {   // no reorthogonalisation needed after all
            normalised = true;
            if (std::abs(unit - 1.0) <= 1e-10) return norm;
            scale(1.0 / std::sqrt(unit), w.data(), n, opt.threads);
            return norm * std::sqrt(unit);
        }
        scale(norm, w.data(), n, opt.threads);   // rare: back to w - V c, then the passes below
        predicted = unit * predicted;
    } else {
        predicted = multi_subtract(v, k + 1, coef.data(), w.data(), n, opt.threads);
    }
    double after = predicted;
    const bool reorth = opt.gram_schmidt == GramSchmidt::classical;
    for (int pass = 0; pass < 2 && reorth && after < opt.reorth_ratio * before; ++pass) {
        ++report.reorth_passes;
        multi_dot(v, k + 1, w.data(), n, coef.data(), opt.threads);
        before = after;
        after = multi_subtract(v, k + 1, coef.data(), w.data(), n, opt.threads);
        for (int i = 0; i <= k; ++i) h(i, k) += coef[i];
    }
    return std::sqrt(std::max(0.0, after));
}
}  // namespace detail

// Solves A x = b from the initial x (restarted GMRES with right preconditioning). Memory: restart + 1
// basis vectors besides x (the new Arnoldi vector is orthogonalised in its basis slot, and the update
// V y is gathered in the slot the cycle did not use), plus z unless the Operator fuses the
// preconditioner. The loop is one function so the cycle's state (Hessenberg matrix, Givens rotations,
// Krylov estimate) stays visible in one place; the orthogonalisation is detail::.
template <class Operator, class Preconditioner, class Monitor>
GmresReport gmres(const Operator& op, const Preconditioner& pre, const Monitor& monitor, Eigen::VectorXcd& x,
                  const GmresOptions& opt) {
    using clock = std::chrono::steady_clock;
    constexpr bool fused = detail::fuses_preconditioner<Operator, Preconditioner>::value;
    constexpr bool can_keep = detail::keeps_preconditioned<Operator, Preconditioner>::value;
    bool keep = false;
    if constexpr (can_keep) keep = op.keeps(pre);
    const long n = x.size();
    const int restart = std::max(1, opt.restart);
    GmresReport report;
    std::vector<Eigen::VectorXcd> v(static_cast<std::size_t>(restart) + 1);   // sized one by one: no copies
    for (auto& vi : v) resize_on_huge_pages(vi, n);
    Eigen::VectorXcd z(fused ? 0 : n);
    std::vector<double> coef(static_cast<std::size_t>(restart) + 2);
    std::vector<double> history;   // residual measure at every restart (stagnation test)
    if (opt.resume) {
        report.iterations = opt.resume->iterations;
        report.reorth_passes = opt.resume->reorth_passes;
        history = opt.resume->history;
    }
    const long first_iteration = report.iterations;
    const bool arnoldi_residuals = keep && !opt.at_restart && opt.true_residual_every > 1;
    bool arnoldi_residual = false;   // v[0] holds the Arnoldi residual of the last cycle (unnormalised)
    int since_true = 0;              // cycles since the last true residual
    while (report.iterations < opt.max_iterations) {
        if (opt.at_restart && report.iterations > first_iteration &&
            opt.at_restart(x, GmresProgress{report.iterations, report.reorth_passes, history})) {
            report.stopped = true;
            return report;
        }
        if (!arnoldi_residual) {
            op.residual(x, v[0]);
            since_true = 0;
        }
        const double beta = std::sqrt(real_dot(v[0].data(), v[0].data(), n, opt.threads));
        report.measure = monitor.measure(beta, x);
        if (report.measure <= opt.tol) {
            if (arnoldi_residual) {   // confirmed on the true residual
                arnoldi_residual = false;
                continue;
            }
            report.converged = true;
            return report;
        }
        history.push_back(report.measure);
        const std::size_t cycles = history.size();
        if (opt.stagnation_window > 0 && cycles > static_cast<std::size_t>(opt.stagnation_window) &&
            report.measure > opt.stagnation_factor * history[cycles - 1 - static_cast<std::size_t>(opt.stagnation_window)]) {
            report.stagnated = true;
            return report;
        }
        scale(1.0 / beta, v[0].data(), n, opt.threads);
        Eigen::MatrixXd h = Eigen::MatrixXd::Zero(restart + 1, restart);
        Eigen::VectorXd g = Eigen::VectorXd::Zero(restart + 1), cs(restart), sn(restart);
        g[0] = beta;
        int k = 0;
        for (; k < restart && report.iterations < opt.max_iterations; ++k) {
            ++report.iterations;
            Eigen::VectorXcd& w = v[k + 1];   // orthogonalised and normalised in place
            auto t1 = clock::now();   // fused: the preconditioner's time counts as the operator's
            if constexpr (can_keep) {
                if (keep)
                    op.apply_preconditioned(pre, v[k], w, k);
                else
                    op.apply_preconditioned(pre, v[k], w);
            } else if constexpr (fused) {
                op.apply_preconditioned(pre, v[k], w);
            } else {
                const auto t0 = t1;
                pre.solve(v[k], z);
                t1 = clock::now();
                report.time_precond += std::chrono::duration<double>(t1 - t0).count();
                op.apply(z, w);
            }
            const auto t2 = clock::now();
            report.time_operator += std::chrono::duration<double>(t2 - t1).count();
            bool normalised = false;
            h(k + 1, k) = detail::arnoldi_orthogonalise(v, k, w, h, coef, opt, report, normalised);
            report.time_orthogonalise += std::chrono::duration<double>(clock::now() - t2).count();
            const bool breakdown = h(k + 1, k) == 0.0;   // exact solution inside the Krylov space
            if (!normalised && h(k + 1, k) > 0) scale(1.0 / h(k + 1, k), w.data(), n, opt.threads);
            for (int i = 0; i < k; ++i) {     // apply previous Givens rotations
                const double t = cs[i] * h(i, k) + sn[i] * h(i + 1, k);
                h(i + 1, k) = -sn[i] * h(i, k) + cs[i] * h(i + 1, k);
                h(i, k) = t;
            }
            const double r = std::hypot(h(k, k), h(k + 1, k));
            cs[k] = h(k, k) / r;
            sn[k] = h(k + 1, k) / r;
            h(k, k) = r;
            h(k + 1, k) = 0.0;
            g[k + 1] = -sn[k] * g[k];
            g[k] = cs[k] * g[k];
            const double est = std::abs(g[k + 1]);
            monitor.estimate(est);
            // The Krylov estimate is of ||b - A x||; stop the cycle a bit below tol, then check truly.
            if (monitor.measure(est, x) <= 0.1 * opt.tol || breakdown) {
                ++k;
                break;
            }
        }
        // x += P^{-1} (V y), y from the triangular system; V y is gathered in v[k], which the update does
        // not use (the cycle's last Arnoldi vector, or a never-filled slot).
        Eigen::VectorXd y = h.topLeftCorner(k, k).triangularView<Eigen::Upper>().solve(g.head(k));
        if constexpr (can_keep) {
            if (keep) {
                // The next cycle's residual from this one: r = g_k V_{k+1} u with u = Q^T e_k, Q the product
                // of the cycle's Givens rotations (gathered in place over v[0]: the update below uses Z).
                arnoldi_residual = arnoldi_residuals && ++since_true < opt.true_residual_every;
                if (arnoldi_residual) {
                    std::vector<double> u(static_cast<std::size_t>(k) + 1, 0.0);
                    u[static_cast<std::size_t>(k)] = g[k];
                    for (int i = k - 1; i >= 0; --i) {
                        const double a = u[static_cast<std::size_t>(i)], b = u[static_cast<std::size_t>(i) + 1];
                        u[static_cast<std::size_t>(i)] = cs[i] * a - sn[i] * b;
                        u[static_cast<std::size_t>(i) + 1] = sn[i] * a + cs[i] * b;
                    }
                    linear_combination(v, k + 1, u.data(), v[0].data(), n, opt.threads);
                }
                op.add_kept(y.data(), k, x);
                monitor.project(x);
                continue;
            }
        }
        Eigen::VectorXcd& vy = v[static_cast<std::size_t>(k)];
        linear_combination(v, k, y.data(), vy.data(), n, opt.threads);
        if constexpr (fused) {
            op.add_preconditioned(pre, vy, x);
        } else {
            pre.solve(vy, z);
            x += z;
        }
        monitor.project(x);
    }
    return report;
}

}  // namespace qbnet::numerics
