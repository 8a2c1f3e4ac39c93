// The two propagators of the waiting-time algorithm ("taylor", the default, and "dopri5") against
// closed forms, and the jump-time location against the exact waiting times of a damped coherent state.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>
#include <random>

#include "helpers.hpp"
#include "qbnet/engine.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/trajectories/random_stream.hpp"
#include "qbnet/trajectories/trajectory.hpp"
#include "qbnet/trajectories/unravelling.hpp"

using namespace qbnet;
using namespace traj_test;

namespace {
using TIntegrator = TrajectoryOptions::Integrator;

RunOptions with(RunOptions o, TIntegrator integrator) {
    o.trajectories.integrator = integrator;
    return o;
}

// Exact jump times of a coherent start |beta> under kappa D[a] alone (no drive, no heating): the
// unnormalised state stays coherent, ||psi(tau)||^2 = exp(-|beta|^2 (1 - e^{-kappa tau})), and a jump
// keeps the amplitude beta e^{-kappa tau/2}. The draws follow the trajectory's stream: r, then per jump
// the channel draw and the next r.
std::vector<double> exact_jump_times(double kappa, double beta2, double t_end, std::uint64_t seed, std::uint64_t k) {
    std::mt19937_64 gen = trajectories::trajectory_stream(seed, k);
    std::vector<double> out;
    double t = 0.0, r = trajectories::uniform_open01(gen);
    while (-std::log(r) < beta2) {
        const double tau = -std::log1p(std::log(r) / beta2) / kappa;
        if (t + tau > t_end) break;
        t += tau;
        out.push_back(t);
        beta2 *= std::exp(-kappa * tau);
        trajectories::uniform_open01(gen);   // the channel (only one)
        r = trajectories::uniform_open01(gen);
    }
    return out;
}

// Largest |t_numeric - t_exact| over the jumps of trajectories 0..n-1 (infinite when the counts differ).
double worst_jump_time_error(trajectories::Propagator method, double atol, double rtol, int n) {
    const double kappa = 1.0, t_end = 6.0;
    const cd alpha(2.0, 0.5);
    const model::Model m = single_mode(kappa, 0.0, 0.0);
    // cutoff 40: the Poisson tail of |alpha|^2 = 4.25 above 40 photons is < 1e-25.
    const trajectories::Unravelling system(m, {40});
    InitialState coherent;
    coherent.kind = InitialState::Kind::coherent;
    coherent.alpha = alpha;
    const std::vector<double> times{0.0, t_end};
    double worst = 0.0;
    for (int k = 0; k < n; ++k) {
        std::vector<double> got;
        trajectories::run_trajectory(system, times, {atol, rtol, method}, 5, static_cast<std::uint64_t>(k),
                                     [](std::size_t, const cd*) {}, coherent,
                                     [&](double t, std::size_t) { got.push_back(t); });
        const std::vector<double> want = exact_jump_times(kappa, std::norm(alpha), t_end, 5, static_cast<std::uint64_t>(k));
        if (got.size() != want.size()) return INFINITY;
        for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
    }
    return worst;
}
}  // namespace

// Every trajectory of a damped coherent state is the same coherent state (it is an eigenstate of the
// jump): <n>(t) = |alpha|^2 e^{-kappa t}, ergotropy = energy, no spread between trajectories.
TEST_CASE("decaying coherent state follows |alpha|^2 e^{-kappa t} with both propagators") {
    const double kappa = 1.0;
    const cd alpha(1.2, -0.4);
    for (TIntegrator integrator : {TIntegrator::taylor, TIntegrator::dopri5}) {
        RunOptions o = with(options(24, 3.0, 7, 16), integrator);
        o.time.initial = "coherent:1.2,-0.4";
        const EngineResult r = run_engine(EngineKind::trajectories, single_mode(kappa, 0.0, 0.0), o);
        for (std::size_t i = 0; i < r.timeseries.t.size(); ++i) {
            const double exact = std::norm(alpha) * std::exp(-kappa * r.timeseries.t[i]);
            const ModeFigures& c = r.timeseries.samples[i].modes[0];
            // Allowance 1e-6: local tolerances atol 1e-10, rtol 1e-8 over the steps of a trajectory.
            CHECK(within(c.energy, c.error->energy, exact, 4.0, 1e-6));
            CHECK(within(c.ergotropy, c.error->ergotropy, exact, 4.0, 1e-6));
            // Must-fail: 1e-4 off is far outside the allowance.
            CHECK_FALSE(within(c.energy, c.error->energy, exact + 1e-4, 4.0, 1e-6));
        }
        CHECK(r.statistics.trajectories->jumps > 0);
    }
}

TEST_CASE("driven damped mode follows |alpha(t)|^2 with both propagators and they agree") {
    const double kappa = 1.0;
    const cd eps(0.3, 0.1);
    std::vector<double> energies[2];
    int i_int = 0;
    for (TIntegrator integrator : {TIntegrator::taylor, TIntegrator::dopri5}) {
        const EngineResult r = run_engine(EngineKind::trajectories, single_mode(kappa, 0.0, eps),
                                          with(options(14, 4.0, 9, 16), integrator));
        for (std::size_t i = 0; i < r.timeseries.t.size(); ++i) {
            const double t = r.timeseries.t[i];
            const cd alpha = cd(0, -1) * eps * (1.0 - std::exp(-kappa * t / 2)) / (kappa / 2);
            const ModeFigures& c = r.timeseries.samples[i].modes[0];
            CHECK(within(c.energy, c.error->energy, std::norm(alpha), 4.0, 1e-6));
            CHECK_FALSE(within(c.energy, c.error->energy, std::norm(alpha) + 1e-4, 4.0, 1e-6));
            energies[i_int].push_back(c.energy);
        }
        ++i_int;
    }
    for (std::size_t i = 0; i < energies[0].size(); ++i) CHECK(std::abs(energies[0][i] - energies[1][i]) <= 2e-6);
}

// Jump times: the norm is located to 1e-2 of the step tolerance, and the local errors of the steps before
// add up; at atol 1e-10, rtol 1e-8 the times must agree to 1e-6 (kappa = 1, times O(1), rates O(1)).
// Must-fail: tolerances 1e6 times looser miss that bound.
TEST_CASE("jump times of a damped coherent state match the exact waiting times to the tolerance") {
    for (auto method : {trajectories::Propagator::taylor, trajectories::Propagator::dopri5}) {
        const double tight = worst_jump_time_error(method, 1e-10, 1e-8, 20);
        INFO("propagator " << (method == trajectories::Propagator::taylor ? "taylor" : "dopri5") << " worst " << tight);
        CHECK(tight <= 1e-6);
        const double loose = worst_jump_time_error(method, 1e-4, 1e-2, 20);
        INFO("loose " << loose);
        CHECK(loose > 1e-6);
    }
}

// The fused H_eff kernel of the Taylor propagator (zero-padded input, real and imaginary coefficient
// parts split, register-blocked) against the clipped per-term kernel, on a network where every kind of
// coefficient occurs: detuning and Kerr (complex diagonal), squeezed baths, a drive, an odd D = 3 x 5.
TEST_CASE("fused padded H_eff kernel equals the clipped one to 1e-14 and a Hamiltonian without Kerr differs") {
    const char* text = R"(
[network]
topology = "cascaded"
batteries = 1
coupling = "nonreciprocal"
J = 0.5
detuning = 0.3
[kerr]
chi = 0.05
[drive]
epsilon = 0.3
[reservoirs]
kappa = 1.0
n_th = 0.2
squeeze_r = 0.3
squeeze_theta = 0.5
apply_to = "all"
)";
    const io::Scenario sc = io::parse_scenario(text, "kernel");
    for (const std::vector<int>& cutoffs : {std::vector<int>{3, 5}, std::vector<int>{6, 6}, std::vector<int>{2, 9}}) {
        trajectories::Unravelling system(sc.model, cutoffs);
        const long d = system.dim(), pad = system.generator_padding();
        REQUIRE(pad > 0);
        Eigen::VectorXcd padded = Eigen::VectorXcd::Zero(d + 2 * pad);
        std::mt19937_64 gen(11);
        std::normal_distribution<double> g;
        for (long m = 0; m < d; ++m) padded[pad + m] = cd(g(gen), g(gen));
        const Eigen::VectorXcd psi = padded.segment(pad, d);
        Eigen::VectorXcd clipped(d), fused(d);
        const double f = 0.37;
        system.generator(psi.data(), clipped.data());   // the clipped per-term kernel (dopri5's)
        clipped *= f;
        const double n_clipped = clipped.squaredNorm();
        const double n_fused = system.generator_scaled_padded(padded.data() + pad, fused.data(), f);
        INFO("D = " << d);
        CHECK((fused - clipped).norm() <= 1e-14 * clipped.norm());
        CHECK(std::abs(n_fused - n_clipped) <= 1e-14 * n_clipped);
        CHECK(std::abs(n_fused - fused.squaredNorm()) <= 1e-14 * n_fused);
        // Must-fail: the same comparison against the H_eff without the Kerr term fails.
        model::Model no_kerr = sc.model;
        no_kerr.kerr.setZero();
        trajectories::Unravelling other(no_kerr, cutoffs);
        Eigen::VectorXcd without(d);
        other.generator(psi.data(), without.data());
        without *= f;
        CHECK((fused - without).norm() > 1e-3 * clipped.norm());
    }
}
