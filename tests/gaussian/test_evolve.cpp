// Exact propagation of the moments: closed-form N = 1 transient, approach to the steady state,
// the two propagation forms, initial states.
#include <catch2/catch.hpp>

#include <cmath>

#include "gaussian/helpers.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/gaussian/evolve.hpp"
#include "qbnet/gaussian/moments.hpp"
#include "qbnet/gaussian/steady.hpp"

using namespace qbnet_test;
using cd = std::complex<double>;

TEST_CASE("Evolution: N=1 NC transient of the means matches the closed form", "[gaussian][evolve]") {
    // J = kappa/2: both modes relax at g = kappa/2 + J = kappa. From vacuum,
    //   a_0(t) = A (1 - e^{-gt}),  A = -i eps/g,
    //   a_1' = -g a_1 - 2J a_0  =>  a_1(t) = a_1ss (1 - e^{-gt} - g t e^{-gt}),  a_1ss = -2J A/g
    // (resonant forcing: the t e^{-gt} term). Vacuum baths keep sigma = I/2, so E_j = |a_j|^2.
    const double j = kKappa / 2, g = kKappa / 2 + j;
    RunOptions o;
    o.time.t_end = 8 / kKappa;
    o.time.samples = 41;
    const auto r = gaussian::run_gaussian(cascaded(1, model::Coupling::nonreciprocal, j), o);
    REQUIRE(r.timeseries.t.size() == 41);
    const cd amp0 = cd(0, -kEps) / g, amp1 = -2 * j * amp0 / g;
    for (std::size_t k = 0; k < r.timeseries.t.size(); ++k) {
        const double t = r.timeseries.t[k], e = std::exp(-g * t);
        const double e0 = std::norm(amp0 * (1 - e)), e1 = std::norm(amp1 * (1 - e - g * t * e));
        // exp(A dt) to ~1e-15 per step, 40 steps: 1e-9 relative (plus 1e-12 absolute near t = 0).
        CHECK(r.timeseries.samples[k].modes[0].energy == Approx(e0).epsilon(1e-9).margin(1e-12));
        CHECK(r.timeseries.samples[k].modes[1].energy == Approx(e1).epsilon(1e-9).margin(1e-12));
    }
}

TEST_CASE("Evolution: reaches the steady state - Van Loan and deviation forms agree", "[gaussian][evolve]") {
    NetSpec s;
    s.battery_bath = {kKappa, 1.0, 0.4, 0.5};
    s.detuning = 0.001;
    const model::Model m = cascaded(3, model::Coupling::reciprocal, 0.002, s);
    const gaussian::GaussianMoments g = gaussian::gaussian_moments(m);
    const gaussian::GaussianSteadyState ss = gaussian::gaussian_steady_state(g);
    const gaussian::GaussianState vac = gaussian::gaussian_initial_state("vacuum", m.n_modes());
    const double t_end = 40 / kKappa;   // slowest rate >= kappa/2 e^{-20} ~ 2e-9
    const auto dev = gaussian::gaussian_evolve(g, vac, t_end, 21, &ss.state);
    const auto vl = gaussian::gaussian_evolve(g, vac, t_end, 21, nullptr);
    for (std::size_t k = 0; k < dev.size(); ++k) {
        CHECK((dev[k].covariance - vl[k].covariance).norm() < 1e-9 * ss.state.covariance.norm());
        CHECK((dev[k].mean - vl[k].mean).norm() < 1e-9 * ss.state.mean.norm());
    }
    CHECK((vl.back().covariance - ss.state.covariance).norm() < 1e-6 * ss.state.covariance.norm());
    CHECK((vl.back().mean - ss.state.mean).norm() < 1e-6 * ss.state.mean.norm());
}

TEST_CASE("Evolution: initial states vacuum / thermal:<n> / coherent:<alpha> - bad ones refused", "[gaussian][evolve]") {
    const auto th = gaussian::gaussian_initial_state("thermal:1.5", 2);
    CHECK(th.covariance(0, 0) == Approx(2.0));
    const auto co = gaussian::gaussian_initial_state("coherent:0.3,0.4", 2);
    CHECK(std::abs(gaussian::mode_amplitudes(co.mean)(1) - cd(0.3, 0.4)) < 1e-15);
    RunOptions o;
    o.time.t_end = 1.0;
    o.time.samples = 2;
    o.time.initial = "thermal:2";
    const auto r = gaussian::run_gaussian(cascaded(1, model::Coupling::nonreciprocal, 0.001), o);
    CHECK(r.timeseries.samples[0].modes[1].energy == Approx(2.0));
    CHECK(r.timeseries.samples[0].modes[1].ergotropy == Approx(0.0).margin(1e-12));
    CHECK_THROWS_AS(gaussian::gaussian_initial_state("squeezed:1", 2), InputError);
    CHECK_THROWS_AS(gaussian::gaussian_initial_state("thermal:x", 2), InputError);
}
