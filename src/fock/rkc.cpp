#include "qbnet/fock/rkc.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "qbnet/fock/observables.hpp"
#include "qbnet/numerics/parallel.hpp"

namespace qbnet::fock {

using cd = std::complex<double>;

namespace {

// Vector kernels over the state as 2 D^2 doubles; `nt` threads, chosen once per run from the length
// (numerics::vector_threads: 1 below ~10^6 doubles, where a parallel region costs more than it saves).

// y = a*yn + b*y1 + c*y2 + h*(m*(f - g*fn))   (one RKC stage, fused into a single pass)
void stage(double* y, const double* yn, const double* y1, const double* y2, const double* f, const double* fn,
           double a, double b, double c, double hm, double g, long n, int nt) {
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (long i = 0; i < n; ++i) y[i] = a * yn[i] + b * y1[i] + c * y2[i] + hm * (f[i] - g * fn[i]);
}

// RMS of the RKC error estimate est = 0.8 (yn - y) + 0.4 h (fn + fy), weighted by atol + rtol max(|yn|, |y|).
double error_norm(const double* yn, const double* y, const double* fn, const double* fy, double h, double atol,
                  double rtol, long n, int nt) {
    double sum = 0.0;
#pragma omp parallel for reduction(+ : sum) schedule(static) num_threads(nt) if (nt > 1)
    for (long i = 0; i < n; ++i) {
        const double est = 0.8 * (yn[i] - y[i]) + 0.4 * h * (fn[i] + fy[i]);
        const double w = atol + rtol * std::max(std::abs(yn[i]), std::abs(y[i]));
        sum += (est / w) * (est / w);
    }
    return std::sqrt(sum / static_cast<double>(n));
}

// Spectral radius of L for the stage count (the reference RKC code's rkcrho): a power iteration from a
// fixed pseudo-random hermitian state, 1.2 x its settled estimate, never above the Gershgorin bound --
// which is also the answer when the iteration does not settle in 50 products. The bound alone can be
// loose (0.40 against a true 0.22 on the bench model) and the stage count grows like its square root.
// v and w are scratch states; the products count as RHS calls.
template <class Rhs>
double spectral_radius(const Liouvillian& lv, Rhs& rhs, Eigen::VectorXd& v, Eigen::VectorXd& w) {
    const double bound = lv.spectral_radius_bound();
    const long d = lv.dim();
    cd* p = reinterpret_cast<cd*>(v.data());
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    auto uniform = [&]() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<double>(state >> 11) * 0x1.0p-53 - 0.5;
    };
    for (long m = 0; m < d; ++m) {
        for (long k = 0; k < m; ++k) {
            p[m * d + k] = cd(uniform(), uniform());
            p[k * d + m] = std::conj(p[m * d + k]);
        }
        p[m * d + m] = uniform();
    }
    double prev = 0.0;
    for (int it = 0; it < 50; ++it) {
        const double nv = v.norm();
        if (!(nv > 0.0) || !std::isfinite(nv)) break;
        v /= nv;
        rhs(v, w);
        const double est = w.norm();   // |L v| for |v| = 1
        std::swap(v, w);
        if (it >= 10 && std::abs(est - prev) <= 0.01 * est) return std::min(bound, 1.2 * est);
        prev = est;
    }
    return bound;
}

void copy(double* dst, const double* src, long n, int nt) {
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (long i = 0; i < n; ++i) dst[i] = src[i];
}

}  // namespace

EvolveSummary evolve_rkc(const Liouvillian& liouvillian, Eigen::VectorXcd& rho, const std::vector<double>& times,
                         const EvolveOptions& options, const RhoObserver& observer, const ProgressFn& progress) {
    // RKC (Sommeijer, Shampine & Verwer 1997): second-order Runge-Kutta-Chebyshev with s stages and
    // damping eps = 2/13, whose stability region covers [-0.65 (s^2 - 1), 0] along the real axis. The
    // stage count grows like sqrt(h * rho(L)) while dopri5's step is capped at ~3.3 / rho(L): for the
    // long, damped relaxation of a Lindbladian (eigenvalues near the negative real axis) the number of
    // RHS calls drops from ~ t rho to ~ sqrt(t rho) per accuracy-limited step. Oscillatory spectra
    // (large |Im lambda|) are outside the region: the error test then shrinks the step; dopri5 remains
    // the default for that reason. rho(L) is estimated by a power iteration, capped by the Gershgorin
    // bound (Liouvillian::spectral_radius_bound; spectral_radius() above).
    const auto start = std::chrono::steady_clock::now();
    EvolveSummary summary;
    const long d = liouvillian.dim();
    const long n = 2 * d * d;
    const int nt = numerics::vector_threads(n, numerics::resolve_threads(options.threads));
    constexpr int kMaxStages = 200;   // rounding in the three-term recursion stays harmless below this

    Eigen::VectorXd yn = Eigen::Map<const Eigen::VectorXd>(reinterpret_cast<const double*>(rho.data()), n);
    Eigen::VectorXd fn(n), y1(n), y2(n), y(n), f(n);
    auto rhs = [&](const Eigen::VectorXd& s, Eigen::VectorXd& ds) {
        if (options.max_rhs_calls > 0 && summary.rhs_calls >= options.max_rhs_calls)
            throw EvolutionBudgetExhausted{summary.rhs_calls};
        ++summary.rhs_calls;
        liouvillian.apply(reinterpret_cast<const cd*>(s.data()), reinterpret_cast<cd*>(ds.data()), options.threads);
    };
    const double spectral = std::max(spectral_radius(liouvillian, rhs, y1, y), 1e-300);
    const double h_stability = 0.65 * (static_cast<double>(kMaxStages) * kMaxStages - 1.0) / spectral;
    auto observe = [&](std::size_t index, double t, const Eigen::VectorXd& s) {
        const cd* r = reinterpret_cast<const cd*>(s.data());
        summary.max_trace_error = std::max(summary.max_trace_error, trace_error(r, d));
        summary.max_hermiticity_error = std::max(summary.max_hermiticity_error, hermiticity_error(r, d));
        if (observer) observer(index, t, r);
        if (progress && times.back() > times.front())
            progress((t - times.front()) / (times.back() - times.front()), "time evolution");
    };

    double t = times.front();
    observe(0, t, yn);
    rhs(yn, fn);
    double h = options.initial_dt > 0 ? options.initial_dt : 1.0 / spectral;
    double err_prev = 0.0, h_prev = 0.0;
    for (std::size_t k = 1; k < times.size(); ++k) {
        const double target = times[k];
        while (t < target) {
            const bool last = h >= target - t;
            const double hs = std::min({h, target - t, h_stability});
            const int s = std::max(2, std::min(kMaxStages, 1 + static_cast<int>(std::sqrt(1.0 + 1.54 * hs * spectral))));
            // Chebyshev coefficients of the damped RKC scheme (the reference implementation's rkcstp).
            const double w0 = 1.0 + 2.0 / (13.0 * s * s);
            const double t1 = w0 * w0 - 1.0, t2 = std::sqrt(t1);
            const double arg = s * std::log(w0 + t2);
            const double w1 = std::sinh(arg) * t1 / (std::cosh(arg) * s * t2 - w0 * std::sinh(arg));
            double bjm1 = 1.0 / (4.0 * w0 * w0), bjm2 = bjm1;
            // stage 1: y1 = yn + h mu~_1 fn
            stage(y1.data(), yn.data(), yn.data(), yn.data(), fn.data(), fn.data(), 1.0, 0.0, 0.0, hs * w1 * bjm1, 0.0, n, nt);
            copy(y2.data(), yn.data(), n, nt);
            double zjm1 = w0, zjm2 = 1.0, dzjm1 = 1.0, dzjm2 = 0.0, d2zjm1 = 0.0, d2zjm2 = 0.0;
            for (int j = 2; j <= s; ++j) {
                const double zj = 2.0 * w0 * zjm1 - zjm2;
                const double dzj = 2.0 * w0 * dzjm1 - dzjm2 + 2.0 * zjm1;
                const double d2zj = 2.0 * w0 * d2zjm1 - d2zjm2 + 4.0 * dzjm1;
                const double bj = d2zj / (dzj * dzj);
                const double ajm1 = 1.0 - zjm1 * bjm1;
                const double mu = 2.0 * w0 * bj / bjm1, nu = -bj / bjm2, mus = mu * w1 / w0;
                rhs(y1, f);
                stage(y.data(), yn.data(), y1.data(), y2.data(), f.data(), fn.data(), 1.0 - mu - nu, mu, nu, hs * mus,
                      ajm1, n, nt);
                std::swap(y2, y1);   // y_{j-2} <- y_{j-1}
                std::swap(y1, y);    // y_{j-1} <- y_j
                zjm2 = zjm1; zjm1 = zj; dzjm2 = dzjm1; dzjm1 = dzj; d2zjm2 = d2zjm1; d2zjm1 = d2zj;
                bjm2 = bjm1; bjm1 = bj;
            }
            // y1 holds y_{n+1}; f <- F(y_{n+1}) for the error estimate (and the next step's fn).
            rhs(y1, f);
            const double err = error_norm(yn.data(), y1.data(), fn.data(), f.data(), hs, options.atol, options.rtol, n, nt);
            // Step-size proposal with the RKC code's error-per-step predictor (order 2: exponent 1/3).
            double fac = 10.0;
            if (err > 0.0) {
                fac = 0.8 * std::pow(1.0 / err, 1.0 / 3.0);
                if (err_prev > 0.0 && h_prev > 0.0 && err <= 1.0)
                    fac = std::min(fac, 0.8 * (hs / h_prev) * std::pow(err_prev / (err * err), 1.0 / 3.0));
            }
            fac = std::clamp(fac, 0.1, 10.0);
            if (err <= 1.0) {
                ++summary.steps;
                t = (hs >= target - t) ? target : t + hs;
                std::swap(yn, y1);
                std::swap(fn, f);
                err_prev = err;
                h_prev = hs;
                // Landing on a sample time truncates the step: keep the untruncated proposal then.
                h = (last && hs < h) ? std::max(h, hs * fac) : hs * fac;
            } else {
                h = hs * std::max(0.1, fac);
                if (h < 1e-14 * std::max(1.0, std::abs(t)))
                    throw std::runtime_error("RKC: step size underflow at t = " + std::to_string(t));
            }
        }
        observe(k, t, yn);
    }
    Eigen::Map<Eigen::VectorXd>(reinterpret_cast<double*>(rho.data()), n) = yn;
    summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
}

}  // namespace qbnet::fock
