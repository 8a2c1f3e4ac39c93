// Trajectory engine vs closed forms of a single damped mode (docs/conventions.md: H contains
// eps a^dag + conj(eps) a, so d<a>/dt = -i eps - (kappa/2) <a>).
#include <catch2/catch.hpp>

#include <cmath>

#include "helpers.hpp"
#include "qbnet/engine.hpp"

using namespace qbnet;
using namespace traj_test;

// A coherent state is an eigenstate of the only jump (a), so every trajectory is the same deterministic
// wave function: this tests the adaptive Dormand-Prince integration of H_eff and the jump/renormalise
// step against alpha(t) = -i eps (1 - e^{-kappa t/2}) / (kappa/2), <n> = |alpha|^2.
TEST_CASE("driven damped mode from vacuum follows |alpha(t)|^2 within error bars") {
    const double kappa = 1.0;
    const cd eps(0.3, 0.1);
    // cutoff 14: Poisson tail of |alpha|^2 <= 0.4 above 14 photons < 1e-15.
    const EngineResult r = run_engine(EngineKind::trajectories, single_mode(kappa, 0.0, eps), options(14, 4.0, 9, 32));
    REQUIRE(r.timeseries.samples.size() == 9);
    for (std::size_t i = 0; i < r.timeseries.t.size(); ++i) {
        const double t = r.timeseries.t[i];
        const cd alpha = cd(0, -1) * eps * (1.0 - std::exp(-kappa * t / 2)) / (kappa / 2);
        const ModeFigures& c = r.timeseries.samples[i].modes[0];
        REQUIRE(c.error);
        // A coherent state is pure and displaced: ergotropy = energy, passive energy 0.
        // Allowance 1e-6: the stepper's local tolerances (atol 1e-10, rtol 1e-8) over ~100 steps.
        CHECK(within(c.energy, c.error->energy, std::norm(alpha), 4.0, 1e-6));
        CHECK(within(c.ergotropy, c.error->ergotropy, std::norm(alpha), 4.0, 1e-6));
        CHECK(std::abs(c.passive_energy) <= 4.0 * c.error->passive_energy + 1e-6);
    }
    const auto& st = *r.statistics.trajectories;
    CHECK(st.trajectories == 32);
    CHECK(st.batches == 32);
    CHECK(st.jumps > 0);
}

// Thermal bath from vacuum: <n>(t) = n_th (1 - e^{-kappa t}); here the trajectories really are random.
TEST_CASE("thermal bath mode from vacuum follows n_th (1 - e^{-kappa t}) within 4 sigma and a 10 sigma shift fails") {
    const double kappa = 1.0, n_th = 0.5;
    // cutoff 16: thermal tail (1/3)^16 ~ 2e-8 changes <n> by < 1e-6.
    const EngineResult r = run_engine(EngineKind::trajectories, single_mode(kappa, n_th, 0.0), options(16, 3.0, 7, 640));
    int fails_shifted = 0;
    for (std::size_t i = 1; i < r.timeseries.t.size(); ++i) {
        const double t = r.timeseries.t[i];
        const double exact = n_th * (1.0 - std::exp(-kappa * t));
        const ModeFigures& c = r.timeseries.samples[i].modes[0];
        REQUIRE(c.error);
        CHECK(c.error->energy > 0.0);
        CHECK(within(c.energy, c.error->energy, exact, 4.0, 1e-6));
        // A thermal (diagonal, decreasing) state is passive: ergotropy 0.
        CHECK(std::abs(c.ergotropy) <= 4.0 * c.error->ergotropy + 1e-6);
        // Must-fail: the closed form shifted by 10 of our sigmas is outside the band.
        fails_shifted += !within(c.energy, c.error->energy, exact + 10.0 * c.error->energy, 4.0, 1e-6);
    }
    CHECK(fails_shifted == static_cast<int>(r.timeseries.t.size()) - 1);
    // Vacuum at t = 0, the same for every trajectory: no spread.
    CHECK(r.timeseries.samples[0].modes[0].energy == 0.0);
    CHECK(r.timeseries.samples[0].modes[0].error->energy == 0.0);
}

// sigma ~ 1/sqrt(count). A variance estimate from B = 32 jackknife batches has relative spread
// sqrt(2/31) = 0.25; pooled over 4 seeds 0.127, so each pooled sigma spreads by 0.064 and the log of
// the ratio of two (count 128 vs 512, expected 2) by 0.09. A 3.5-spread band: 2 * exp(+-0.32) =
// [1.45, 2.75].
TEST_CASE("standard error falls as 1 over sqrt(count)") {
    const model::Model m = single_mode(1.0, 0.5, 0.0);
    double var_small = 0.0, var_large = 0.0;
    for (std::uint64_t seed = 11; seed < 15; ++seed) {
        const EngineResult a = run_engine(EngineKind::trajectories, m, options(12, 1.0, 2, 128, seed));
        const EngineResult b = run_engine(EngineKind::trajectories, m, options(12, 1.0, 2, 512, seed));
        var_small += std::pow(a.final_state->modes[0].error->energy, 2);
        var_large += std::pow(b.final_state->modes[0].error->energy, 2);
    }
    const double ratio = std::sqrt(var_small / var_large);
    CHECK(ratio > 1.45);
    CHECK(ratio < 2.75);
    // Must-fail direction: the same runs do not scale like 1/count (ratio 4) or not at all (ratio 1).
    CHECK_FALSE((ratio > 3.2 || ratio < 1.25));
}
