// The trajectory engine's frame and cutoff rules (docs/derivations.md, "Trajectories in the displaced
// frame"; docs/trust.md, "Automatic cutoffs and frame"): the displaced frame against closed forms, the
// automatic cutoffs, and the refusals.
#include <catch2/catch.hpp>

#include <cmath>

#include "helpers.hpp"
#include "qbnet/engine.hpp"
#include "qbnet/errors.hpp"

using namespace qbnet;
using namespace traj_test;

namespace {
cd alpha_of(cd eps, double kappa, double t) { return cd(0, -1) * eps * (1.0 - std::exp(-kappa * t / 2)) / (kappa / 2); }

RunOptions displaced(RunOptions o) {
    o.fock.frame = Frame::displaced;
    return o;
}
}  // namespace

// With a vacuum bath, rho' stays the vacuum in the displaced frame: no trajectory ever jumps and the
// whole energy is the c-number |alpha(t)|^2 of the mean-field equation (tolerance 1e-13), with zero spread.
TEST_CASE("displaced frame driven damped mode from vacuum is |alpha(t)|^2 to 1e-9 with no jumps") {
    const double kappa = 1.0;
    const cd eps(2.0, -0.5);   // |alpha_ss|^2 = 17: the lab frame would need ~40 levels, here 4 suffice
    const EngineResult r = run_engine(EngineKind::trajectories, single_mode(kappa, 0.0, eps), displaced(options(4, 6.0, 7, 8)));
    REQUIRE(r.statistics.trajectories);
    CHECK(r.statistics.trajectories->frame == Frame::displaced);
    CHECK(r.statistics.trajectories->jumps == 0);
    int off_by_one_percent = 0;
    for (std::size_t i = 0; i < r.timeseries.t.size(); ++i) {
        const double exact = std::norm(alpha_of(eps, kappa, r.timeseries.t[i]));
        const ModeFigures& c = r.timeseries.samples[i].modes[0];
        CHECK(std::abs(c.energy - exact) <= 1e-9 * (1.0 + exact));
        CHECK(std::abs(c.ergotropy - exact) <= 1e-9 * (1.0 + exact));
        CHECK(std::abs(c.passive_energy) <= 1e-12);
        // Must-fail: an amplitude 1 % off is far outside.
        off_by_one_percent += std::abs(c.energy - 1.0201 * exact) > 1e-9 * (1.0 + exact);
    }
    CHECK(off_by_one_percent == static_cast<int>(r.timeseries.t.size()) - 1);   // t = 0: both are 0
}

// Thermal bath plus a strong drive: <n>(t) = n_th (1 - e^{-kappa t}) + |alpha(t)|^2, ergotropy
// |alpha(t)|^2 (a displaced thermal state's passive part is the thermal state). The fluctuation part is
// random; the c-number shift enters every jackknife sample, so the bars stay honest.
TEST_CASE("displaced frame thermal bath plus drive follows the closed form within 4 sigma") {
    const double kappa = 1.0, n_th = 0.5;
    const cd eps(1.5, 0.0);
    // cutoff 16: thermal tail (1/3)^16 ~ 2e-8.
    const EngineResult r = run_engine(EngineKind::trajectories, single_mode(kappa, n_th, eps), displaced(options(16, 3.0, 7, 640)));
    int fails_shifted = 0;
    for (std::size_t i = 1; i < r.timeseries.t.size(); ++i) {
        const double t = r.timeseries.t[i];
        const double coherent = std::norm(alpha_of(eps, kappa, t));
        const double thermal = n_th * (1.0 - std::exp(-kappa * t));
        const ModeFigures& c = r.timeseries.samples[i].modes[0];
        REQUIRE(c.error);
        CHECK(c.error->energy > 0.0);
        CHECK(within(c.energy, c.error->energy, thermal + coherent, 4.0, 1e-6));
        CHECK(within(c.ergotropy, c.error->ergotropy, coherent, 4.0, 1e-6));
        CHECK(within(c.passive_energy, c.error->passive_energy, thermal, 4.0, 1e-6));
        fails_shifted += !within(c.energy, c.error->energy, thermal + coherent + 10.0 * c.error->energy, 4.0, 1e-6);
    }
    CHECK(fails_shifted == static_cast<int>(r.timeseries.t.size()) - 1);
}

TEST_CASE("trajectories with automatic cutoffs and frame report what they chose") {
    RunOptions o = options(4, 2.0, 3, 8);
    o.fock.cutoff.clear();
    o.fock.auto_cutoff = true;
    o.fock.auto_frame = true;
    o.fock.tolerance = 1e-4;
    SECTION("strong drive on a vacuum bath: displaced frame, small cutoff") {
        const EngineResult r = run_engine(EngineKind::trajectories, single_mode(1.0, 0.0, cd(2.0, 0.0)), o);
        const auto& st = *r.statistics.trajectories;
        CHECK(st.frame == Frame::displaced);
        REQUIRE(st.cutoffs.size() == 1);
        CHECK(st.cutoffs[0] <= 4);
        const double exact = std::norm(alpha_of(cd(2.0, 0.0), 1.0, 2.0));
        CHECK(std::abs(r.final_state->modes[0].energy - exact) <= 1e-9 * exact);
    }
    SECTION("thermal bath without drive: lab frame, geometric tail below tolerance/10") {
        const EngineResult r = run_engine(EngineKind::trajectories, single_mode(1.0, 0.5, 0.0), o);
        const auto& st = *r.statistics.trajectories;
        CHECK(st.frame == Frame::lab);
        REQUIRE(st.cutoffs.size() == 1);
        // (1/3)^c <= 1e-5 needs c >= 11.
        CHECK(st.cutoffs[0] >= 11);
        CHECK(std::pow(1.0 / 3.0, st.cutoffs[0]) <= 1e-5);
    }
    SECTION("a Kerr model stays in the lab frame under auto and refuses an explicit displaced frame") {
        model::Model m = single_mode(1.0, 0.0, cd(2.0, 0.0));
        m.kerr(0) = 0.05;
        const EngineResult r = run_engine(EngineKind::trajectories, m, o);
        CHECK(r.statistics.trajectories->frame == Frame::lab);
        RunOptions d = displaced(options(8, 1.0, 3, 4));
        CHECK_THROWS_AS(run_engine(EngineKind::trajectories, m, d), InputError);
    }
}

// A coherent start in the displaced frame is alpha(0) = alpha0 with psi' in the vacuum: a decaying
// coherent state needs no jumps and no levels, E = W = |alpha0|^2 e^{-kappa t}; a thermal start is not
// displaced and relaxes as n0 e^{-kappa t} (within 4 sigma).
TEST_CASE("displaced frame trajectories start from the initial coherent or thermal state") {
    const double kappa = 1.0;
    RunOptions o = displaced(options(4, 2.0, 5, 8));
    o.time.initial = "coherent:1.5,0.5";
    const EngineResult r = run_engine(EngineKind::trajectories, single_mode(kappa, 0.0, 0.0), o);
    CHECK(r.statistics.trajectories->jumps == 0);
    for (std::size_t i = 0; i < r.timeseries.t.size(); ++i) {
        const double exact = 2.5 * std::exp(-kappa * r.timeseries.t[i]);
        const ModeFigures& c = r.timeseries.samples[i].modes[0];
        CHECK(std::abs(c.energy - exact) <= 1e-9);
        CHECK(std::abs(c.ergotropy - exact) <= 1e-9);
        CHECK_FALSE(std::abs(c.energy - 1.02 * exact) <= 1e-9);   // must-fail: 2 % off
    }
    RunOptions t = displaced(options(16, 2.0, 5, 640));
    t.time.initial = "thermal:0.5";
    const EngineResult th = run_engine(EngineKind::trajectories, single_mode(kappa, 0.0, 0.0), t);
    for (std::size_t i = 1; i < th.timeseries.t.size(); ++i) {
        const ModeFigures& c = th.timeseries.samples[i].modes[0];
        REQUIRE(c.error);
        CHECK(within(c.energy, c.error->energy, 0.5 * std::exp(-kappa * th.timeseries.t[i]), 4.0, 1e-6));
    }
}
