#pragma once
// Private to src/fock: the ONE sampled (and, with checkpoints, segmented) odeint loop of the dopri5
// evolutions, used by evolve() (lab frame, src/fock/evolve.cpp) and evolve_displaced()
// (src/fock/displaced.cpp), so the checkpoint boundaries, the step size carried across them and the
// "first time already observed" rule cannot drift apart between the two frames.
#include <cstddef>
#include <functional>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "qbnet/fock/evolve.hpp"

namespace qbnet::fock::detail {

// Integrates `x` over `times` with the dense-output `stepper`, calling observe(x, t) once per sample
// time, in order (times.front() only when options.observe_first: a resumed run saw it before).
// Without options.segment_samples: one integrate_times over every time. With it: integrate_times on each
// segment between checkpoint boundaries (absolute sample index first_index + e a multiple of
// segment_samples), the stepper (held by reference) restarted at the boundary with the step size its
// controller proposed last (summary.last_dt); at every boundary but the last time
// on_boundary(first_index + e, times[e]) is asked and, when it returns true, the loop stops there
// (summary.stopped). summary.steps counts the steps.
template <class Stepper, class System, class State, class Observer, class Summary, class Boundary>
void integrate_samples(Stepper& stepper, System rhs, State& x, const std::vector<double>& times, double dt0,
                       const EvolveOptions& options, Observer observe, Summary& summary, Boundary on_boundary) {
    namespace odeint = boost::numeric::odeint;
    bool skip_next = !options.observe_first;   // segmented: a segment's first time is the previous one's last
    auto obs = [&](const State& s, double t) {
        if (skip_next) {
            skip_next = false;
            return;
        }
        observe(s, t);
    };
    if (options.segment_samples == 0 || times.size() <= 1) {
        summary.steps = static_cast<long>(odeint::integrate_times(stepper, rhs, x, times.begin(), times.end(), dt0, obs));
        return;
    }
    const std::size_t n = times.size(), seg = options.segment_samples;
    double dt = dt0;
    for (std::size_t s = 0; s + 1 < n;) {
        std::size_t e = s + 1;
        while (e + 1 < n && (options.first_index + e) % seg != 0) ++e;
        summary.steps += static_cast<long>(odeint::integrate_times(std::ref(stepper), rhs, x, times.begin() + s,
                                                                   times.begin() + e + 1, dt, obs));
        dt = stepper.current_time_step();
        summary.last_dt = dt;
        s = e;
        skip_next = true;
        if (e + 1 < n && on_boundary(options.first_index + e, times[e])) {
            summary.stopped = true;
            break;
        }
    }
}

}  // namespace qbnet::fock::detail
