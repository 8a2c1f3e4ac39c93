#include "taylor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <Eigen/Dense>

#include "qbnet/trajectories/random_stream.hpp"
#include "lanes.hpp"
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

// y = sum_k p_k t_k over the n doubles of the terms t_k (term k at terms + k stride); with q: also
// sum_i y_i^2 and sum_i y_i (sum_k q_k t_k)_i, the squared norm and half its derivative. Register-blocked:
// eight doubles of y (and of the slope) stay in registers while every term adds to them, so each term is
// loaded once and nothing is stored until the block is done. Eight fixed partial sums, combined in a
// fixed order; without FMA contraction (ISO C++ mode) the AVX2 clone (chosen at load time) performs the
// same IEEE operations in the same order as the default one: bit-identical results.
constexpr int kLanes = 8;

// Term k starts at terms + k * stride; n doubles of each are combined.
template <bool Slope>
__attribute__((always_inline)) inline void combine_terms_body(const double* __restrict terms, long stride, long n, int count,
                                                             const double* __restrict p, const double* __restrict q,
                                                             double* __restrict y, double* __restrict sums) {
    Lane4 n2a = {0, 0, 0, 0}, n2b = n2a, sla = n2a, slb = n2a;
    long i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        Lane4 a0 = {0, 0, 0, 0}, a1 = a0, b0 = a0, b1 = a0;
        for (int k = 0; k < count; ++k) {
            const double* t = terms + k * stride + i;
            const Lane4 t0 = load4(t), t1 = load4(t + 4);
            a0 += p[k] * t0;
            a1 += p[k] * t1;
            if (Slope) {
                b0 += q[k] * t0;
                b1 += q[k] * t1;
            }
        }
        store4(y + i, a0);
        store4(y + i + 4, a1);
        if (Slope) {
            n2a += a0 * a0;
            n2b += a1 * a1;
            sla += a0 * b0;
            slb += a1 * b1;
        }
    }
    double n2[kLanes], sl[kLanes];
    store4(n2, n2a);
    store4(n2 + 4, n2b);
    store4(sl, sla);
    store4(sl + 4, slb);
    for (; i < n; ++i) {   // n = 2D is even: a remainder of 2, 4 or 6 doubles
        double a = 0.0, b = 0.0;
        for (int k = 0; k < count; ++k) {
            a += p[k] * terms[k * stride + i];
            if (Slope) b += q[k] * terms[k * stride + i];
        }
        y[i] = a;
        n2[i % kLanes] += a * a;
        sl[i % kLanes] += a * b;
    }
    if (!Slope) return;
    sums[0] = ((n2[0] + n2[1]) + (n2[2] + n2[3])) + ((n2[4] + n2[5]) + (n2[6] + n2[7]));
    sums[1] = ((sl[0] + sl[1]) + (sl[2] + sl[3])) + ((sl[4] + sl[5]) + (sl[6] + sl[7]));
}
__attribute__((target_clones("avx2", "default"))) void combine_terms(const double* __restrict terms, long stride, long n,
                                                                     int count, const double* __restrict p,
                                                                     double* __restrict y) {
    combine_terms_body<false>(terms, stride, n, count, p, nullptr, y, nullptr);
}
__attribute__((target_clones("avx2", "default"))) void combine_terms_slope(const double* __restrict terms, long stride,
                                                                           long n, int count, const double* __restrict p,
                                                                           const double* __restrict q,
                                                                           double* __restrict y, double* __restrict sums) {
    combine_terms_body<true>(terms, stride, n, count, p, q, y, sums);
}

// One step: term k is (h (A - mu))^k psi0 / k!, so psi(t0 + u h) = e^(mu h u) sum_k u^k w_k for u in
// [0, reach]. mu = <psi0, A psi0> / <psi0, psi0> (the state's own mean rate and frequency) shrinks the
// terms, so fewer of them reach the tolerance. Only the magnitude e^(Re(mu) h u) is applied (`growth` =
// Re(mu) h): the phase e^(i Im(mu) h u) is global, invisible in every reduced state and in the jump
// statistics. Each term is a column of w with `pad` zero rows above and below (never written), the
// padded input the fused H_eff kernel reads without clipping (ShiftSum::apply_scaled_padded).
struct Series {
    long d, pad;
    Eigen::MatrixXcd w;
    std::vector<double> norms;
    Eigen::MatrixXd powers;   // the coefficients of the terms at u (fill_powers)
    int degree = 0;
    double reach = 1.0;
    double growth = 0.0;

    Series(long dim, long padding)
        : d(dim), pad(padding), w(Eigen::MatrixXcd::Zero(dim + 2 * padding, kMaxDegree + 1)), norms(kMaxDegree + 1),
          powers(kMaxDegree + 1, 2) {}

    cd* term(int k) { return w.col(k).data() + pad; }
    Eigen::Map<Vec> term_vec(int k) { return {term(k), d}; }
    const double* terms() const { return reinterpret_cast<const double*>(w.data() + pad); }
    long stride() const { return 2 * w.rows(); }
    // column 0: g u^k, column 1: g k u^(k-1), with g = e^(growth u).
    void fill_powers(double u) {
        const double g = std::exp(growth * u);
        double p = 1.0;
        for (int k = 0; k <= degree; ++k, p *= u) powers(k, 0) = g * p;
        powers(0, 1) = 0.0;
        for (int k = 1; k <= degree; ++k) powers(k, 1) = k * powers(k - 1, 0);
    }
    // psi(t0 + u h) into out.
    void evaluate(double u, Vec& out) {
        fill_powers(u);
        combine_terms(terms(), stride(), 2 * d, degree + 1, &powers(0, 0), reinterpret_cast<double*>(out.data()));
    }
    // psi(u) into out; returns ||psi(u)||^2 and its u-derivative, from one pass over the terms:
    // with y = g Y and y' = g Y', d/du (g^2 ||Y||^2) = 2 growth g^2 ||Y||^2 + 2 g^2 Re <Y, Y'>.
    std::pair<double, double> value_and_slope(double u, Vec& out) {
        fill_powers(u);
        double sums[2];
        combine_terms_slope(terms(), stride(), 2 * d, degree + 1, &powers(0, 0), &powers(0, 1),
                            reinterpret_cast<double*>(out.data()), sums);
        return {sums[0], 2.0 * sums[1] + 2.0 * growth * sums[0]};
    }
};

// A w_0 is in column 1 (unscaled): the step h, then the other terms until the last two are below tol
// (the first neglected ones are smaller still: the terms decay factorially once k exceeds ||h A||).
// Not converged within kMaxDegree: the step is cut to reach = theta < 1 with
// theta^(K-1) (|w_{K-1}| + |w_K|) = tol.
// Column 1 holds A w_0 on entry (unscaled, unshifted).
void build_series(const Unravelling& system, double h, double tol, cd mu, Series& s) {
    s.norms[0] = s.term_vec(0).norm();
    s.growth = mu.real() * h;
    for (int k = 0; k < kMaxDegree; ++k) {
        const double f = h / static_cast<double>(k + 1);
        if (k > 0) {
            s.norms[k + 1] = std::sqrt(system.generator_scaled_padded(s.term(k), s.term(k + 1), f, mu));
        } else {
            s.term_vec(1) = f * (s.term_vec(1) - mu * s.term_vec(0));
            s.norms[1] = s.term_vec(1).norm();
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
// dense output. d0, db: slopes of ||psi(u)||^2 at 0 and b. Returns u; `at` holds psi(u).
// Both the guess and the Newton steps work on ln ||psi(u)||^2 - ln r: between jumps the norm decays
// nearly exponentially, so its logarithm is nearly linear and the cubic and Newton's tangent fit it far
// better than the norm itself (fewer series evaluations per jump; the root is the same).
double locate_jump(Series& s, double r, double b, double f0, double d0, double fb, double db, double goal, Vec& at) {
    double a = 0.0;
    double c = fb > 0.0 ? hermite_root(b, std::log(f0 / r), d0 / f0, std::log(fb / r), db / fb)
                        : hermite_root(b, f0 - r, d0, fb - r, db);
    if (!(c > a && c < b)) c = 0.5 * (a + b);
    for (int it = 0; it < 100; ++it) {
        const auto [n, slope] = s.value_and_slope(c, at);
        const double fc = n - r;
        if (std::abs(fc) <= goal || (b - a) <= 1e-15 * std::max(1.0, b)) return c;
        if (fc > 0) a = c; else b = c;
        double next = slope < 0.0 && n > 0.0 ? c - std::log(n / r) * n / slope : 0.5 * (a + b);
        if (!(next > a && next < b)) next = 0.5 * (a + b);
        c = next;
    }
    s.evaluate(c, at);
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
    Vec end(d), at(d), scratch(d), jump_state(d);
    Series s(d, system.generator_padding());
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
        s.term_vec(0) = psi;
        const double n0 = psi.squaredNorm();
        // d||psi||^2/dt = 2 Re <psi, A psi>: a step much longer than the predicted waiting time would
        // be cut by the jump and its terms wasted, so it ends a little after the prediction.
        system.generator_scaled_padded(s.term(0), s.term(1), 1.0);
        const cd rayleigh = psi.dot(s.term_vec(1)) / n0;   // <psi, A psi> / <psi, psi>
        const double decay = -2.0 * rayleigh.real() * n0;
        double step = last ? t_end - t : h;
        if (decay > 0.0) step = std::min(step, kPredictionMargin * std::log(n0 / r) * n0 / decay);
        build_series(system, step, tol.atol + tol.rtol * std::sqrt(n0), rayleigh, s);
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
            // d||psi||^2/du at u = 0 from the first term: 2 Re <w_0, w_1> + 2 growth ||w_0||^2.
            const double d0 = 2.0 * s.term_vec(0).dot(s.term_vec(1)).real() + 2.0 * s.growth * n0;
            u_stop = locate_jump(s, r, reach, n0, d0, n1, d1, 1e-2 * (tol.atol + tol.rtol * r), jump_state);
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
        const std::size_t chosen = apply_random_jump(system, jump_state.data(), gen, psi.data(), scratch.data());
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
