#include "qbnet/fock/evolve.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

// Odeint on Eigen vectors: eigen.hpp supplies vector_space_algebra support and, crucially, the
// vector_space_norm_inf specialisation (max |x_i|) that the controlled stepper's error check needs;
// without it the generic version misbehaves (tests/fock: "adaptive stepper vs exact decay").
#include <boost/numeric/odeint.hpp>
#include <boost/numeric/odeint/external/eigen/eigen.hpp>

#include "qbnet/errors.hpp"
#include "qbnet/fock/observables.hpp"
#include "qbnet/fock/krylov_evolve.hpp"
#include "qbnet/fock/rkc.hpp"
#include "qbnet/numerics/parallel.hpp"
#include "detail/packed_workspace.hpp"
#include "detail/parallel_algebra.hpp"
#include "detail/sampled_integration.hpp"

#include <tuple>
#include <utility>

namespace qbnet::fock {

namespace odeint = boost::numeric::odeint;
using cd = std::complex<double>;


EvolveSummary evolve(const Liouvillian& liouvillian, Eigen::VectorXcd& rho, const std::vector<double>& times,
                     const EvolveOptions& options, const RhoObserver& observer, const ProgressFn& progress) {
    // The integrator is chosen here, not by callers, so every path (engine, steady-state fallback,
    // library users) gets the one its options name.
    if (options.integrator == "rkc") return evolve_rkc(liouvillian, rho, times, options, observer, progress);
    if (options.integrator == "krylov") return evolve_krylov(liouvillian, rho, times, options, observer, progress);
    if (options.integrator != "dopri5")
        throw InputError("time.integrator",
                         "must be \"dopri5\", \"rkc\" or \"krylov\" (got \"" + options.integrator + "\")");
    const auto start = std::chrono::steady_clock::now();
    EvolveSummary summary;
    summary.hermiticity_exact = true;
    const long d = liouvillian.dim();
    // The state is rho in packed hermitian form (detail/packed_workspace.hpp): D^2 doubles, half a copy
    // of rho per stepper vector (issue 17 goal 6: the dense-output stepper keeps ~12 of them). odeint's
    // error norm and step control then act on the diagonal and sqrt(2) Re, sqrt(2) Im of the upper triangle.
    using State = Eigen::VectorXd;
    detail::PackedWorkspace work(d, options.threads);
    auto packed = [](State& s) { return reinterpret_cast<cd*>(s.data()); };
    auto packed_in = [](const State& s) { return reinterpret_cast<const cd*>(s.data()); };
    State x(work.packed_doubles());
    work.pack(rho.data(), packed(x));
    auto rhs = [&](const State& s, State& ds, double /*t*/) {
        if (options.max_rhs_calls > 0 && summary.rhs_calls >= options.max_rhs_calls)
            throw EvolutionBudgetExhausted{summary.rhs_calls};
        ++summary.rhs_calls;
        work.apply(liouvillian, packed_in(s), packed(ds), options.threads);
    };
    const double t0 = times.front(), t1 = times.back();
    std::size_t sample = options.observe_first ? 0 : 1;
    auto observe = [&](const State& s, double t) {
        const cd* r = work.unpack(packed_in(s));
        summary.max_trace_error = std::max(summary.max_trace_error, trace_error(r, d));
        // integrate_times calls the observer once per requested time, in order.
        const std::size_t index = sample++;
        if (observer) observer(index, t, r);
        if (progress && t1 > t0) progress((t - t0) / (t1 - t0), "time evolution");
    };
    auto at_boundary = [&](std::size_t index, double t) {
        const cd* r = work.repack(packed(x));
        return options.on_boundary && options.on_boundary(index, t, r, summary);
    };
    const double dt0 = options.initial_dt > 0 ? options.initial_dt : std::max(1e-6, (t1 - t0) * 1e-4);
    const bool segmented = options.segment_samples > 0 && times.size() > 1;
    if (!segmented && !options.parallel_algebra) {
        // Eigen's single-threaded vector_space_algebra (the "before" of bench/OPTIMISATIONS.md).
        using Stepper = odeint::runge_kutta_dopri5<State, double, State, double, odeint::vector_space_algebra>;
        auto stepper = odeint::make_dense_output(options.atol, options.rtol, Stepper());
        detail::integrate_samples(stepper, rhs, x, times, dt0, options, observe, summary, at_boundary);
    } else {
        using Stepper = odeint::runge_kutta_dopri5<State, double, State, double, detail::ParallelAlgebra>;
        auto stepper = odeint::make_dense_output(options.atol, options.rtol, Stepper(detail::ParallelAlgebra{options.threads}));
        detail::integrate_samples(stepper, rhs, x, times, dt0, options, observe, summary, at_boundary);
    }
    work.unpack_into(packed_in(x), rho.data());
    summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
}

}  // namespace qbnet::fock
