#include "qbnet/fock/cutoff_guess.hpp"

#include <algorithm>
#include <cmath>
#include <complex>

#include "engine_support.hpp"
#include "qbnet/initial_state.hpp"

namespace qbnet::fock {

// Two estimates of the fluctuation occupation n (thermal: n_th; squeezed vacuum: sinh^2 r + sinh r cosh r,
// whose n/(n+1) = tanh r is the per-level ratio of its photon-number tail), as (G_{a^dag a^dag} +
// |G_{a a^dag}|) / (G_{a a} - G_{a^dag a^dag}) over the Kossakowski entries of:
//  - mode_estimate: each mode's own diagonal entries, i.e. its bath over its TOTAL damping (link reservoirs
//    included). Close for most modes, but it misses the noise a nonreciprocal link carries downstream;
//    the Fock engine's cutoff ladder corrects that, so it starts here (no overshoot to pay for).
//  - hottest_bath: each local bath's own jump operators. A passive network only mixes the baths'
//    fluctuations and adds vacuum (the link reservoirs), so no mode exceeds the hottest bath: a bound,
//    for engines without a ladder (trajectories).
double fluctuation_occupation(const model::Model& model, OccupationGuess kind) {
    const int m = model.n_modes();
    std::vector<double> down(static_cast<std::size_t>(m), 0.0), up(static_cast<std::size_t>(m), 0.0);
    std::vector<std::complex<double>> cross(static_cast<std::size_t>(m), 0.0);
    if (kind == OccupationGuess::mode_estimate) {
        const Eigen::MatrixXcd g = model.kossakowski();
        for (int j = 0; j < m; ++j) {
            const auto k = static_cast<std::size_t>(j);
            down[k] = g(j, j).real();
            up[k] = g(m + j, m + j).real();
            cross[k] = g(j, m + j);
        }
    } else {
        for (const model::LinearJump& jump : model.jumps) {
            int mode = -1;
            bool local = true;
            for (int j = 0; j < m && local; ++j)
                if (jump.u(j) != 0.0 || jump.v(j) != 0.0) {
                    local = mode < 0;
                    mode = j;
                }
            if (!local || mode < 0) continue;
            const auto k = static_cast<std::size_t>(mode);
            down[k] += jump.rate * std::norm(jump.u(mode));
            up[k] += jump.rate * std::norm(jump.v(mode));
            cross[k] += jump.rate * jump.u(mode) * std::conj(jump.v(mode));
        }
    }
    double n = 0.0;
    for (std::size_t k = 0; k < down.size(); ++k) {
        const double net = down[k] - up[k];
        if (net > 0) n = std::max(n, (up[k] + std::abs(cross[k])) / net);
    }
    return n;
}

std::vector<int> guessed_cutoffs(const model::Model& model, double tolerance, Frame frame, const Eigen::VectorXcd& alpha,
                                 double n, double alpha0_sq) {
    const int m = model.n_modes();
    // Geometric fluctuation tail below tolerance/10, plus (lab frame) the Poisson spread of the coherent
    // part, |alpha|^2 + k |alpha| sqrt(2n + 1) with k the number of standard deviations a tol/10 Gaussian
    // tail needs (+1).
    const double tol = std::min(tolerance, 1e-2);
    const double fluct = n > 1e-12 ? std::ceil(std::log(0.1 * tol) / std::log(n / (n + 1.0))) + 1.0 : 2.0;
    const double k = std::sqrt(2.0 * std::log(10.0 / tol)) + 1.0;
    std::vector<int> c(static_cast<std::size_t>(m));
    for (int j = 0; j < m; ++j) {
        double cj = fluct;
        if (frame == Frame::lab && j < alpha.size()) {
            const double a2 = std::max(std::norm(alpha[j]), alpha0_sq);
            cj += a2 + k * std::sqrt(a2 * (2.0 * n + 1.0));
        }
        c[static_cast<std::size_t>(j)] = static_cast<int>(std::min(1e5, std::max(4.0, std::ceil(cj))));
    }
    return c;
}

FockPlan plan_fock_space(const model::Model& model, const RunOptions& options, bool displaced_allowed, OccupationGuess kind) {
    FockPlan plan;
    plan.frame = options.fock.frame;
    if (!options.fock.auto_frame && !options.fock.auto_cutoff) {
        plan.cutoffs = fock::detail::cutoffs_of(model, options);
        return plan;
    }
    // The initial state's own occupation counts as much as the baths' (a thermal start relaxes from n0,
    // a coherent start from |alpha0|^2 in the lab frame; the displaced frame starts rho' in the vacuum).
    const InitialState init = initial_state_or_throw(options.time.initial);
    const bool evolves = options.time.t_end > 0;
    const double n0 = evolves && init.kind == InitialState::Kind::thermal ? init.occupation : 0.0;
    const double a0 = evolves && init.kind == InitialState::Kind::coherent ? std::norm(init.alpha) : 0.0;
    const double n = std::max(fluctuation_occupation(model, kind), n0);
    const MeanFieldSolution mf = mean_field_steady_state(model);
    const auto guess = [&](Frame frame) { return guessed_cutoffs(model, options.fock.tolerance, frame, mf.alpha, n, a0); };
    if (options.fock.auto_frame && !options.fock.auto_cutoff) {
        // Explicit cutoffs mean the lab-frame Fock basis truncated there, as in every other solver: a
        // comparison "at equal cutoff" then compares the same truncated model. The displaced frame is
        // used with explicit cutoffs only when asked for (fock.frame = "displaced").
        plan.frame = Frame::lab;
    } else if (options.fock.auto_frame) {
        // The displaced frame removes the coherent part (the default drive puts ~11 photons per mode on top
        // of a vacuum-like state): chosen when that at least halves the dimension the cutoffs need. It
        // needs a converged mean field.
        const double d_lab = fock::detail::dimension(guess(Frame::lab));
        const double d_displaced = fock::detail::dimension(guess(Frame::displaced));
        plan.frame = (displaced_allowed && mf.converged && d_displaced * 2.0 <= d_lab) ? Frame::displaced : Frame::lab;
    }
    plan.cutoffs = options.fock.auto_cutoff ? guess(plan.frame) : fock::detail::cutoffs_of(model, options);
    return plan;
}

}  // namespace qbnet::fock
