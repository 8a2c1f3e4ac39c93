#include "qbnet/fock/evolve.hpp"

#include <chrono>

// Odeint on Eigen vectors: eigen.hpp supplies vector_space_algebra support and, crucially, the
// vector_space_norm_inf specialisation (max |x_i|) that the controlled stepper's error check needs;
// without it the generic version misbehaves (tests/fock: "adaptive stepper vs exact decay").
#include <boost/numeric/odeint.hpp>
#include <boost/numeric/odeint/external/eigen/eigen.hpp>

#include "qbnet/fock/observables.hpp"

namespace qbnet {

namespace odeint = boost::numeric::odeint;
using cd = std::complex<double>;

EvolveSummary evolve(const Liouvillian& liouvillian, Eigen::VectorXcd& rho, const std::vector<double>& times,
                     const EvolveOptions& options, const RhoObserver& observer, const ProgressFn& progress) {
    const auto start = std::chrono::steady_clock::now();
    EvolveSummary summary;
    const long d = liouvillian.dim();
    // The state is rho viewed as 2 D^2 doubles: odeint's error norm and step control then work on
    // real and imaginary parts separately (no complex abs inside the algebra).
    using State = Eigen::VectorXd;
    State x = Eigen::Map<const State>(reinterpret_cast<const double*>(rho.data()), 2 * d * d);
    auto rhs = [&](const State& s, State& ds, double /*t*/) {
        ++summary.rhs_calls;
        liouvillian.apply(reinterpret_cast<const cd*>(s.data()), reinterpret_cast<cd*>(ds.data()));
    };
    const double t0 = times.front(), t1 = times.back();
    std::size_t sample = 0;
    auto obs = [&](const State& s, double t) {
        const cd* r = reinterpret_cast<const cd*>(s.data());
        summary.max_trace_error = std::max(summary.max_trace_error, trace_error(r, d));
        summary.max_hermiticity_error = std::max(summary.max_hermiticity_error, hermiticity_error(r, d));
        // integrate_times calls the observer once per requested time, in order.
        const std::size_t index = sample++;
        if (observer) observer(index, t, r);
        if (progress && t1 > t0) progress((t - t0) / (t1 - t0), "time evolution");
    };
    using Stepper = odeint::runge_kutta_dopri5<State, double, State, double, odeint::vector_space_algebra>;
    auto stepper = odeint::make_dense_output(options.atol, options.rtol, Stepper());
    const double dt0 = options.initial_dt > 0 ? options.initial_dt : std::max(1e-6, (t1 - t0) * 1e-4);
    summary.steps = static_cast<long>(odeint::integrate_times(stepper, rhs, x, times.begin(), times.end(), dt0, obs));
    Eigen::Map<State>(reinterpret_cast<double*>(rho.data()), 2 * d * d) = x;
    summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
}

}  // namespace qbnet
