#include "qbnet/trajectories/trajectory.hpp"

#include <algorithm>
#include <cmath>

// eigen.hpp supplies the vector_space_norm_inf specialisation (max |x_i|) for Eigen vectors that the
// controlled stepper's error check needs; without it the generic version misbehaves (see
// src/fock/evolve.cpp and tests/trajectories "adaptive stepper vs closed forms").
#include <boost/numeric/odeint.hpp>
#include <boost/numeric/odeint/external/eigen/eigen.hpp>

#include "qbnet/trajectories/random_stream.hpp"
#include "taylor.hpp"
#include "waiting_time.hpp"

namespace qbnet::trajectories {

namespace odeint = boost::numeric::odeint;
using cd = std::complex<double>;

namespace {
// psi as 2D doubles: the stepper's error control then works on real and imaginary parts separately.
using State = Eigen::VectorXd;
const cd* as_complex(const State& s) { return reinterpret_cast<const cd*>(s.data()); }
cd* as_complex(State& s) { return reinterpret_cast<cd*>(s.data()); }
}  // namespace

TrajectoryCounters run_trajectory(const Unravelling& system, const std::vector<double>& times,
                                  const TrajectoryTolerances& tol, std::uint64_t seed, std::uint64_t index,
                                  const StateObserver& observer, const InitialState& initial,
                                  const JumpObserver& on_jump) {
    if (tol.method == Propagator::taylor)
        return detail::run_taylor_trajectory(system, times, tol, seed, index, observer, initial, on_jump);
    TrajectoryCounters counters;
    const long d = system.dim();
    std::mt19937_64 gen = trajectory_stream(seed, index);
    State x = State::Zero(2 * d);
    detail::set_initial_state(system.basis(), initial, gen, as_complex(x));
    State at(2 * d);
    std::vector<cd> sample(static_cast<std::size_t>(d)), scratch(static_cast<std::size_t>(d));

    auto emit = [&](std::size_t i, const State& s) {
        const double inv = 1.0 / std::sqrt(s.squaredNorm());
        const cd* p = as_complex(s);
        for (long m = 0; m < d; ++m) sample[static_cast<std::size_t>(m)] = p[m] * inv;
        observer(i, sample.data());
    };
    std::size_t next = 0;
    while (next < times.size() && times[next] <= 0.0) emit(next++, x);
    if (next == times.size()) return counters;

    auto rhs = [&](const State& s, State& ds, double) { system.generator(as_complex(s), as_complex(ds)); };
    using Stepper = odeint::runge_kutta_dopri5<State, double, State, double, odeint::vector_space_algebra>;
    auto stepper = odeint::make_dense_output(tol.atol, tol.rtol, Stepper());
    double r = uniform_open01(gen);
    double dt = std::min(1e-2, 1e-4 * std::max(1.0, times.back()));
    stepper.initialize(x, 0.0, dt);

    while (next < times.size()) {
        stepper.do_step(rhs);
        ++counters.steps;
        const double t0 = stepper.previous_time(), t1 = stepper.current_time();
        const double n1 = stepper.current_state().squaredNorm();
        double t_stop = t1;
        const bool jump = n1 <= r;
        if (jump) {
            // ||psi(t)||^2 decreases monotonically: Illinois regula falsi on the dense output, to a
            // norm accuracy well inside the stepper's own tolerance.
            double a = t0, b = t1;
            double fa = stepper.previous_state().squaredNorm() - r, fb = n1 - r;
            const double goal = 1e-2 * (tol.atol + tol.rtol * r);
            int side = 0;
            t_stop = b;
            for (int it = 0; it < 200; ++it) {
                double c = (fa - fb) != 0.0 ? b - fb * (b - a) / (fb - fa) : 0.5 * (a + b);
                if (!(c > a && c < b)) c = 0.5 * (a + b);
                stepper.calc_state(c, at);
                const double fc = at.squaredNorm() - r;
                t_stop = c;
                if (std::abs(fc) <= goal || (b - a) <= 1e-15 * std::max(1.0, std::abs(b))) break;
                if (fc > 0) {
                    a = c;
                    fa = fc;
                    if (side == -1) fb *= 0.5;
                    side = -1;
                } else {
                    b = c;
                    fb = fc;
                    if (side == 1) fa *= 0.5;
                    side = 1;
                }
            }
        }
        while (next < times.size() && times[next] <= t_stop) {
            stepper.calc_state(times[next], at);
            emit(next, at);
            ++next;
        }
        if (!jump || next == times.size()) continue;

        stepper.calc_state(t_stop, at);
        const std::size_t chosen = detail::apply_random_jump(system, as_complex(at), gen, as_complex(x), scratch.data());
        if (chosen < system.jumps().size()) {
            ++counters.jumps;
            if (on_jump) on_jump(t_stop, chosen);
        }
        x /= std::sqrt(x.squaredNorm());
        r = uniform_open01(gen);
        const double h = stepper.current_time_step();
        stepper.initialize(x, t_stop, h);
    }
    return counters;
}

}  // namespace qbnet::trajectories
