#include "taylor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <Eigen/Dense>

#include "qbnet/trajectories/random_stream.hpp"
#include "waiting_time.hpp"

namespace qbnet::trajectories::detail {

namespace {
using cd = std::complex<double>;
using Vec = Eigen::VectorXcd;

// Why a Taylor series and not Krylov (Arnoldi): between jumps H_eff is constant, so the exact step is
// exp(h A) psi with A = -i H_eff. An Arnoldi basis of the same degree is a better polynomial, but it
// costs O(D m^2) orthogonalisation plus an m x m exponential (eigen-solver or Pade) per step, which at
// the small D of most runs (a few hundred) costs as much as the H_eff applications saved. The Taylor
// terms need no orthogonalisation, their own norms give the truncation error, and a step that did not
// converge is shortened by rescaling the terms already computed (w_k -> theta^k w_k), never recomputed.
constexpr int kMaxDegree = 30;      // terms per step (kMaxDegree + 4 working vectors of D per thread)
constexpr int kGrowBelow = 18;      // converged with fewer terms: lengthen the next step by kGrow
constexpr double kGrow = 1.5;
constexpr double kFirstStep = 4.0;  // first step: ||h A||_inf <= kFirstStep
constexpr double kPredictionMargin = 1.3;   // step <= this x the waiting time the current decay predicts

// One step: column k of w is (h A)^k psi0 / k!, so psi(t0 + u h) = sum_k u^k w_k for u in [0, reach].
struct Series {
    Eigen::MatrixXcd w;
    std::vector<double> norms;
    Eigen::MatrixXd powers;   // column 0: u^k; column 1: k u^(k-1)
    std::vector<double> slope;   // d psi/du of one block of rows
    static constexpr long kRows = 512;
    int degree = 0;
    double reach = 1.0;

    explicit Series(long d)
        : w(d, kMaxDegree + 1), norms(kMaxDegree + 1), powers(kMaxDegree + 1, 2), slope(kRows) {}

    // The terms as one real (2D x (degree + 1)) matrix: real coefficients u^k make psi(u) a real gemv.
    Eigen::Map<const Eigen::MatrixXd> real_terms() const {
        return {reinterpret_cast<const double*>(w.data()), 2 * w.rows(), degree + 1};
    }
    void fill_powers(double u) {
        double p = 1.0;
        for (int k = 0; k <= degree; ++k, p *= u) powers(k, 0) = p;
        powers(0, 1) = 0.0;
        for (int k = 1; k <= degree; ++k) powers(k, 1) = k * powers(k - 1, 0);
    }
    // psi(t0 + u h) into out.
    void evaluate(double u, Vec& out) {
        fill_powers(u);
        Eigen::Map<Eigen::VectorXd>(reinterpret_cast<double*>(out.data()), 2 * out.size()).noalias() =
            real_terms() * powers.col(0).head(degree + 1);
    }
    // psi(u) into out; returns ||psi(u)||^2 and its u-derivative. One pass over the terms, by blocks of
    // rows (psi and d psi/du of a block stay in L1 while every term adds to them); four partial sums in
    // a fixed order (the same for every thread count).
    std::pair<double, double> value_and_slope(double u, Vec& out) {
        fill_powers(u);
        const long n = 2 * w.rows();
        const double* terms = reinterpret_cast<const double*>(w.data());
        double* y = reinterpret_cast<double*>(out.data());
        double* dy = slope.data();
        double n2[4] = {0, 0, 0, 0}, sl[4] = {0, 0, 0, 0};
        for (long b0 = 0; b0 < n; b0 += kRows) {
            const long len = std::min(kRows, n - b0);
            std::fill(y + b0, y + b0 + len, 0.0);
            std::fill(dy, dy + len, 0.0);
            for (int k = 0; k <= degree; ++k) {
                const double p = powers(k, 0), q = powers(k, 1);
                const double* col = terms + k * n + b0;
                for (long i = 0; i < len; ++i) {
                    y[b0 + i] += p * col[i];
                    dy[i] += q * col[i];
                }
            }
            for (long i = 0; i < len; ++i) {
                n2[i & 3] += y[b0 + i] * y[b0 + i];
                sl[i & 3] += y[b0 + i] * dy[i];
            }
        }
        return {(n2[0] + n2[1]) + (n2[2] + n2[3]), 2.0 * ((sl[0] + sl[1]) + (sl[2] + sl[3]))};
    }
};

// A w_0 is in column 1 (unscaled): the step h, then the other terms until the last two are below tol
// (the first neglected ones are smaller still: the terms decay factorially once k exceeds ||h A||).
// Not converged within kMaxDegree: the step is cut to reach = theta < 1 with
// theta^(K-1) (|w_{K-1}| + |w_K|) = tol.
void build_series(const Unravelling& system, double h, double tol, Series& s) {
    s.norms[0] = s.w.col(0).norm();
    for (int k = 0; k < kMaxDegree; ++k) {
        const double f = h / static_cast<double>(k + 1);
        if (k > 0) {
            s.norms[k + 1] = std::sqrt(system.generator_scaled(s.w.col(k).data(), s.w.col(k + 1).data(), f));
        } else {
            s.w.col(1) *= f;
            s.norms[1] = s.w.col(1).norm();
        }
        if (k + 1 >= 2 && s.norms[k] + s.norms[k + 1] <= tol) {
            s.degree = k + 1;
            s.reach = 1.0;
            return;
        }
    }
    s.degree = kMaxDegree;
    const double tail = s.norms[kMaxDegree - 1] + s.norms[kMaxDegree];
    s.reach = std::pow(tol / tail, 1.0 / (kMaxDegree - 1));
}

// Root in (0, b) of the cubic Hermite interpolant of f through (0, f0, d0) and (b, fb, db), f0 > 0 >= fb:
// the first guess of the jump (safeguarded Newton on the cubic: scalar work only).
double hermite_root(double b, double f0, double d0, double fb, double db) {
    auto cubic = [&](double x, double& slope) {
        const double t = x / b, t2 = t * t, t3 = t2 * t;
        const double h00 = 2 * t3 - 3 * t2 + 1, h10 = t3 - 2 * t2 + t, h01 = -2 * t3 + 3 * t2, h11 = t3 - t2;
        slope = (6 * t2 - 6 * t) / b * f0 + (3 * t2 - 4 * t + 1) * d0 + (-6 * t2 + 6 * t) / b * fb + (3 * t2 - 2 * t) * db;
        return h00 * f0 + h10 * b * d0 + h01 * fb + h11 * b * db;
    };
    double lo = 0.0, hi = b, x = b * f0 / (f0 - fb);
    for (int it = 0; it < 60; ++it) {
        double slope = 0.0;
        const double f = cubic(x, slope);
        if (f > 0) lo = x; else hi = x;
        double next = slope < 0.0 ? x - f / slope : 0.5 * (lo + hi);
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (std::abs(next - x) <= 1e-15 * b) return next;
        x = next;
    }
    return x;
}

// ||psi(u)||^2 = r on [0, b] (||psi||^2 decreases monotonically; f(0) > 0 >= f(b)): Newton steps on the
// series (value and slope from one pass) from the Hermite guess, kept inside the bracket (bisection
// otherwise), to a norm accuracy well inside the step tolerance, as the dopri5 path locates it on its
// dense output. d0, db: slopes of ||psi(u)||^2 at 0 and b.
double locate_jump(Series& s, double r, double b, double f0, double d0, double fb, double db, double goal, Vec& at) {
    double a = 0.0;
    double c = hermite_root(b, f0 - r, d0, fb - r, db);
    if (!(c > a && c < b)) c = 0.5 * (a + b);
    for (int it = 0; it < 100; ++it) {
        const auto [n, slope] = s.value_and_slope(c, at);
        const double fc = n - r;
        if (std::abs(fc) <= goal || (b - a) <= 1e-15 * std::max(1.0, b)) break;
        if (fc > 0) a = c; else b = c;
        double next = slope < 0.0 ? c - fc / slope : 0.5 * (a + b);
        if (!(next > a && next < b)) next = 0.5 * (a + b);
        c = next;
    }
    return c;
}
}  // namespace

TrajectoryCounters run_taylor_trajectory(const Unravelling& system, const std::vector<double>& times,
                                         const TrajectoryTolerances& tol, std::uint64_t seed, std::uint64_t index,
                                         const StateObserver& observer, const InitialState& initial,
                                         const JumpObserver& on_jump) {
    TrajectoryCounters counters;
    const long d = system.dim();
    std::mt19937_64 gen = trajectory_stream(seed, index);
    Vec psi = Vec::Zero(d);
    set_initial_state(system.basis(), initial, gen, psi.data());
    Vec end(d), at(d), scratch(d);
    Series s(d);
    auto emit = [&](std::size_t i, const Vec& v) {
        at = v / v.norm();
        observer(i, at.data());
    };
    std::size_t next = 0;
    while (next < times.size() && times[next] <= 0.0) emit(next++, psi);
    if (next == times.size()) return counters;

    const double t_end = times.back();
    const double bound = system.generator_bound();
    double h = bound > 0.0 ? std::min(t_end, kFirstStep / bound) : t_end;
    double t = 0.0;
    double r = uniform_open01(gen);
    while (next < times.size()) {
        bool last = h >= t_end - t;
        s.w.col(0) = psi;
        const double n0 = psi.squaredNorm();
        // d||psi||^2/dt = 2 Re <psi, A psi>: a step much longer than the predicted waiting time would
        // be cut by the jump and its terms wasted, so it ends a little after the prediction.
        system.generator(psi.data(), s.w.col(1).data());
        const double decay = -2.0 * psi.dot(s.w.col(1)).real();
        double step = last ? t_end - t : h;
        if (decay > 0.0) step = std::min(step, kPredictionMargin * std::log(n0 / r) * n0 / decay);
        build_series(system, step, tol.atol + tol.rtol * std::sqrt(n0), s);
        if (!(s.reach > 1e-6)) {   // overflowing terms (a far too long step): retry shorter
            h = step / 16.0;
            if (!(h > 0.0)) throw std::runtime_error("trajectories: the Taylor propagator cannot make progress");
            continue;
        }
        ++counters.steps;
        last = last && step == t_end - t;
        const double reach = std::min(1.0, s.reach);
        const double t_next = (last && reach == 1.0) ? t_end : t + reach * step;
        const auto [n1, d1] = s.value_and_slope(reach, end);
        const bool jump = n1 <= r;
        double u_stop = reach, t_stop = t_next;
        if (jump) {
            // d||psi||^2/du at u = 0 from the first term: 2 Re <w_0, w_1>.
            const double d0 = 2.0 * s.w.col(0).dot(s.w.col(1)).real();
            u_stop = locate_jump(s, r, reach, n0, d0, n1, d1, 1e-2 * (tol.atol + tol.rtol * r), at);
            t_stop = t + u_stop * step;
        }
        while (next < times.size() && times[next] <= t_stop) {
            s.evaluate(std::min(u_stop, (times[next] - t) / step), scratch);
            emit(next++, scratch);
        }
        if (s.reach < 1.0)
            h = step * s.reach;
        else if (s.degree < kGrowBelow)
            h = std::max(h, kGrow * step);
        if (!jump) {
            psi.swap(end);
            t = t_next;
            continue;
        }
        if (next == times.size()) break;
        s.evaluate(u_stop, at);
        const std::size_t chosen = apply_random_jump(system, at.data(), gen, psi.data(), scratch.data());
        if (chosen < system.jumps().size()) {
            ++counters.jumps;
            if (on_jump) on_jump(t_stop, chosen);
        }
        psi /= psi.norm();
        r = uniform_open01(gen);
        t = t_stop;
    }
    return counters;
}

}  // namespace qbnet::trajectories::detail
