// Trajectories vs the Fock engine at equal cutoff, and determinism in the thread count and seed.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "helpers.hpp"
#include "qbnet/engine.hpp"
#include "qbnet/io/scenario.hpp"

using namespace qbnet;
using namespace traj_test;

namespace {

// Cascaded NC charger -> battery with squeezed-thermal baths on both modes and a drive (rates of order
// one so that a short run reaches the charged regime). D = 7 x 7 = 49.
const char* kSqueezedNetwork = R"(
[network]
topology = "cascaded"
batteries = 1
coupling = "nonreciprocal"
J = 0.5
[drive]
epsilon = 0.3
[reservoirs]
kappa = 1.0
n_th = 0.2
squeeze_r = 0.3
squeeze_theta = 0.5
apply_to = "all"
[fock]
cutoff = 7
[time]
t_end = 3.0
samples = 4
atol = 1e-10
rtol = 1e-8
[steady_state]
enabled = false
[trajectories]
count = 384
seed = 3
)";

struct Band {
    int checked = 0;
    int outside = 0;
};

// |traj - other| <= 4 sigma_traj (1-sigma statistical) + the other engine's own error + 1e-6
// (both integrators' tolerances). `shift` moves the other engine's answer by that many sigmas.
void compare(const Figures& t, const std::optional<Figures>& st, const Figures& f, const std::optional<Figures>& sf,
             double shift, bool ergotropy, Band& band) {
    REQUIRE(st);
    auto one = [&](double vt, double et, double vf, double ef) {
        ++band.checked;
        band.outside += !within(vt, et, vf + shift * et, 4.0, ef + 1e-6);
    };
    one(t.energy, st->energy, f.energy, sf ? sf->energy : 0.0);
    if (ergotropy) {
        one(t.ergotropy, st->ergotropy, f.ergotropy, sf ? sf->ergotropy : 0.0);
        one(t.passive_energy, st->passive_energy, f.passive_energy, sf ? sf->passive_energy : 0.0);
    }
}

Band compare_runs(const EngineResult& traj, const EngineResult& fock, double shift) {
    Band band;
    REQUIRE(traj.timeseries.t.size() == fock.timeseries.t.size());
    for (std::size_t i = 1; i < traj.timeseries.t.size(); ++i) {
        const Snapshot& a = traj.timeseries.samples[i];
        const Snapshot& b = fock.timeseries.samples[i];
        for (std::size_t j = 0; j < a.modes.size(); ++j) compare(a.modes[j], a.modes[j].error, b.modes[j], b.modes[j].error, shift, true, band);
        REQUIRE(a.batteries_ergotropy_available);
        compare(a.batteries, a.batteries_error, b.batteries, b.batteries_error, shift, true, band);
    }
    return band;
}

}  // namespace

TEST_CASE("trajectories agree with the Fock engine at equal cutoff on a squeezed-bath network and a 10 sigma shift fails") {
    const io::Scenario sc = io::parse_scenario(kSqueezedNetwork, "squeezed");
    RunOptions o = sc.options;
    o.threads = 1;
    const EngineResult traj = run_engine(EngineKind::trajectories, sc.model, o);
    // Equal cutoff: the Fock answer at this cutoff is the exact reference of the same truncated model,
    // so its truncation error bar (which concerns the infinite-cutoff limit) is not part of the band.
    RunOptions fo = o;
    fo.fock.error_estimate = false;
    const EngineResult fock = run_engine(EngineKind::fock, sc.model, fo);
    const Band ok = compare_runs(traj, fock, 0.0);
    CHECK(ok.checked == 3 * 9);
    CHECK(ok.outside == 0);
    // The squeezed baths and drive give a state with real ergotropy: the comparison is not trivial.
    CHECK(traj.final_state->modes[1].ergotropy > 10 * traj.final_state->modes[1].error->ergotropy);
    // Must-fail: the Fock answer moved by 10 trajectory sigmas is outside every band.
    const Band shifted = compare_runs(traj, fock, 10.0);
    CHECK(shifted.outside == shifted.checked);
}

namespace {
bool identical(const Snapshot& a, const Snapshot& b) {
    for (std::size_t j = 0; j < a.modes.size(); ++j) {
        const auto& x = a.modes[j];
        const auto& y = b.modes[j];
        if (x.energy != y.energy || x.ergotropy != y.ergotropy || x.passive_energy != y.passive_energy) return false;
        if (x.error->energy != y.error->energy || x.error->ergotropy != y.error->ergotropy) return false;
    }
    return a.batteries.energy == b.batteries.energy && a.batteries.ergotropy == b.batteries.ergotropy &&
           a.batteries_error->ergotropy == b.batteries_error->ergotropy;
}
bool identical(const EngineResult& a, const EngineResult& b) {
    if (a.timeseries.samples.size() != b.timeseries.samples.size()) return false;
    for (std::size_t i = 0; i < a.timeseries.samples.size(); ++i)
        if (!identical(a.timeseries.samples[i], b.timeseries.samples[i])) return false;
    return a.statistics.trajectories->jumps == b.statistics.trajectories->jumps;
}
}  // namespace

TEST_CASE("threads 1 and 2 give bit-identical results and only the seed changes them") {
    io::Scenario sc = io::parse_scenario(kSqueezedNetwork, "squeezed");
    RunOptions o = sc.options;
    o.trajectories.count = 40;
    o.time.atol = 1e-8;
    o.time.rtol = 1e-6;
    o.threads = 1;
    const EngineResult one = run_engine(EngineKind::trajectories, sc.model, o);
    o.threads = 2;
    const EngineResult two = run_engine(EngineKind::trajectories, sc.model, o);
    const EngineResult again = run_engine(EngineKind::trajectories, sc.model, o);
    CHECK(identical(one, two));
    CHECK(identical(two, again));
    o.trajectories.seed = 4;
    const EngineResult other = run_engine(EngineKind::trajectories, sc.model, o);
    CHECK_FALSE(identical(one, other));
    CHECK(other.statistics.trajectories->seed == 4);
}

TEST_CASE("target_error stops early when met and reports when it is not") {
    const model::Model m = single_mode(1.0, 0.5, 0.0);
    RunOptions o = options(12, 2.0, 3, 2000);
    o.trajectories.target_error = 0.05;   // relative error of <n> ~ 1/sqrt(count): met after a few hundred
    const EngineResult met = run_engine(EngineKind::trajectories, m, o);
    CHECK(met.statistics.trajectories->target_error_met);
    CHECK(met.statistics.trajectories->trajectories < 2000);
    CHECK(met.final_state->modes[0].error->energy <= 0.05 * met.final_state->modes[0].energy);
    o.trajectories.count = 100;
    o.trajectories.target_error = 1e-4;
    const EngineResult unmet = run_engine(EngineKind::trajectories, m, o);
    CHECK_FALSE(unmet.statistics.trajectories->target_error_met);
    CHECK(unmet.statistics.trajectories->trajectories == 100);
}

TEST_CASE("average_from gives a time-averaged steady state with error bars") {
    const model::Model m = single_mode(1.0, 0.5, 0.0);
    RunOptions o = options(12, 12.0, 25, 256);
    o.trajectories.average_from = 6.0;   // e^{-6} = 2.5e-3 of relaxation left at the start of the window
    const EngineResult r = run_engine(EngineKind::trajectories, m, o);
    REQUIRE(r.steady_state);
    const ModeFigures& c = r.steady_state->modes[0];
    // Mean of n_th (1 - e^{-t}) over t in {6, 6.5, ..., 12}: the closed form of the window average.
    double exact = 0.0;
    for (int i = 12; i <= 24; ++i) exact += 0.5 * (1.0 - std::exp(-0.5 * i));
    exact /= 13.0;
    CHECK(within(c.energy, c.error->energy, exact, 4.0, 1e-6));
}
