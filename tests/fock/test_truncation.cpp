// Truncation error bars of the Fock engine (fock/truncation.hpp) against known exact answers:
//   |fock - exact| <= reported error <= 10 x |fock - exact| + 1e-9   for every figure.
// Cutoffs are chosen so the truncation error is large enough to be measured (1e-6 .. 1e-1), otherwise
// the test would only check the noise floor. J = 0 makes C and b1 independent, so each mode's state is
// its own bath's (plus drive): closed forms.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

#include "qbnet/engine.hpp"
#include "qbnet/fock/truncation.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/model/terms.hpp"

using namespace qbnet;

namespace {

constexpr double kKappa = 0.1;

model::Model two_mode_model(double eps, const model::SqueezedThermalBath& charger, const model::SqueezedThermalBath& battery,
                     double j = 0.0, model::Coupling coupling = model::Coupling::nonreciprocal, int batteries = 1) {
    const model::Network net = model::Network::cascaded(batteries, {coupling, j, {}, {}});
    const int m = net.n_modes();
    model::ModelSpec spec{net, Eigen::VectorXd::Zero(m), Eigen::VectorXcd::Zero(m), {}, Eigen::VectorXd::Zero(m)};
    spec.drive(0) = eps;
    for (int k = 0; k < m; ++k) spec.baths.push_back(k == 0 ? charger : battery);
    return model::build_model(spec);
}

// Checks one figure; returns the ratio reported / true error for the report.
void check_bar(double value, double error, double exact, const std::string& what) {
    const double truth = std::abs(value - exact);
    INFO(what << ": value " << value << ", exact " << exact << ", true error " << truth << ", reported " << error);
    CHECK(truth <= error);
    CHECK(error <= 10.0 * truth + 1e-9);
}

void check_figures(const Figures& f, const std::optional<Figures>& e, const Figures& exact, const std::string& what) {
    REQUIRE(e.has_value());
    check_bar(f.energy, e->energy, exact.energy, what + ".energy");
    check_bar(f.ergotropy, e->ergotropy, exact.ergotropy, what + ".ergotropy");
    check_bar(f.passive_energy, e->passive_energy, exact.passive_energy, what + ".passive_energy");
}

void check_snapshot(const Snapshot& s, const Snapshot& exact, const std::string& where) {
    REQUIRE(s.modes.size() == exact.modes.size());
    for (std::size_t j = 0; j < s.modes.size(); ++j)
        check_figures(s.modes[j], s.modes[j].error, exact.modes[j], where + "." + s.modes[j].name);
    if (s.batteries_ergotropy_available && exact.batteries_ergotropy_available)
        check_figures(s.batteries, s.batteries_error, exact.batteries, where + ".batteries");
}

Snapshot closed_form(const std::vector<Figures>& modes, const Figures& batteries) {
    Snapshot s;
    for (const auto& f : modes) s.modes.push_back(ModeFigures{f, "", std::nullopt});
    s.batteries = batteries;
    return s;
}

RunOptions fixed(int cutoff, Frame frame = Frame::lab) {
    RunOptions o;
    o.fock.cutoff = {cutoff};
    o.fock.frame = frame;
    return o;
}

}  // namespace

TEST_CASE("Truncation error: ladder extrapolation of a geometric sequence", "[fock][truncation]") {
    // f(c) = 1 - q^c exactly geometric. Three rungs (trend unknown): 2 x the true remaining error; four
    // rungs with a constant ratio: 1.3 x.
    const double q = 0.5;
    const auto f = [q](int c) { return 1.0 - std::pow(q, c); };
    const double e = fock::extrapolated_truncation_error(f(10), f(8), f(6), 1e-15);
    CHECK(e == Approx(2.0 * std::pow(q, 10)).epsilon(1e-9));
    const fock::LadderFit fit = fock::fit_ladder({f(10), f(9), f(8), f(7)}, 1e-15);
    CHECK(fit.error == Approx(1.3 * std::pow(q, 10)).epsilon(1e-9));
    REQUIRE(fit.tail);
    CHECK(*fit.tail == Approx(std::pow(q, 10)).epsilon(1e-9));   // signed: f(inf) - f(10) > 0
    // Pre-asymptotic (growing differences): a large error, 20 x the larger difference.
    CHECK(fock::extrapolated_truncation_error(3.0, 2.0, 1.5, 1e-15) == Approx(20.0));
    // Both differences below the noise: the noise level.
    CHECK(fock::extrapolated_truncation_error(1.0, 1.0 + 1e-13, 1.0, 1e-12) == 1e-12);
    // Squeezing (pairs) keeps the even step; otherwise consecutive cutoffs up to c = 31.
    CHECK(fock::truncation_step({4, 5, 6, 16, 40}) == std::vector<int>{1, 1, 2, 2, 4});
    CHECK(fock::truncation_step({4, 5, 6, 16, 40}, false) == std::vector<int>{1, 1, 1, 1, 2});
    CHECK(fock::lowered_cutoffs({6, 3}, {2, 1}, 2).empty());
    CHECK(fock::ladder_lower_rungs({5, 5}, {1, 1}) == 3);
    CHECK(fock::ladder_lower_rungs({7, 7}, {2, 2}) == 2);   // 7 - 6 < 2: three rungs only
    CHECK(fock::ladder_lower_rungs({5}, {2}) == 0);
}

TEST_CASE("Truncation error: a sign-changing error sequence is bounded by the last difference", "[fock][truncation]") {
    // Measured (tests/crosscheck, RC cascaded N = 2, t = 12, charger passive energy at lab cutoffs 3..6):
    // errors -7.4e-5, -1.4e-7, +2.4e-7, +2.7e-8. The rungs 2, 4, 6 of the old even ladder saw a monotone
    // sequence and extrapolated 2e-9; the consecutive rungs see the turn and report |f(6) - f(5)|.
    const double exact = 0.25;
    const std::vector<double> error_at{-7.4e-5, -1.4e-7, 2.4e-7, 2.7e-8};   // cutoffs 3, 4, 5, 6
    const std::vector<double> f{exact + error_at[3], exact + error_at[2], exact + error_at[1], exact + error_at[0]};
    const fock::LadderFit fit = fock::fit_ladder(f, 1e-11);
    const double truth = std::abs(error_at[3]);
    INFO("true error " << truth << ", reported " << fit.error);
    CHECK(truth <= fit.error);
    CHECK(fit.error <= 10.0 * truth + 1e-9);
    CHECK_FALSE(fit.tail);   // not geometric: no signed tail
    // The old three-rung ladder (2, 4, 6) misses it; -2.2e-3 is the measured error at cutoff 2.
    CHECK(fock::extrapolated_truncation_error(f[0], f[2], exact - 2.2e-3, 1e-11) < truth);
}

TEST_CASE("Truncation error: a difference figure cancelling on its own ladder gets the difference of the tails",
          "[fock][truncation]") {
    // E and W with the same geometric ratio 0.1 and remaining errors 1e-6 and 0.9e-6 at c: P = E - W is
    // 1e-7 off. A P ladder whose differences cancel (here: flat on every rung, the extreme case) must
    // still carry >= 1e-7.
    Snapshot s0, s1, s2, s3;
    const auto at = [](double tail_e, double tail_w, int k) {
        const double scale = std::pow(10.0, k);   // the error at c - k Delta is 10^k times the one at c
        ModeFigures m{{1.0 - tail_e * scale, 0.5 - tail_w * scale, 0.5}, "C", std::nullopt};
        return m;
    };
    Snapshot* snaps[] = {&s0, &s1, &s2, &s3};
    for (int k = 0; k < 4; ++k) {
        snaps[k]->modes = {at(1e-6, 0.9e-6, k)};
        snaps[k]->batteries_ergotropy_available = false;
    }
    EngineResult run, r1, r2, r3;
    run.steady_state = s0;
    r1.steady_state = s1;
    r2.steady_state = s2;
    r3.steady_state = s3;
    fock::attach_truncation_errors(run, {&r1, &r2, &r3}, 1e-12, 1e-10, 1e-10);
    const Figures e = *run.steady_state->modes[0].error;
    CHECK(e.energy >= 1e-6 * (1 - 1e-9));
    CHECK(e.ergotropy >= 0.9e-6 * (1 - 1e-9));
    CHECK(e.passive_energy >= 1e-7 * (1 - 1e-6));   // its own ladder is flat: only the coupling gives this
    CHECK(e.passive_energy <= 10.0 * 1e-7);
}

TEST_CASE("Truncation error bounds the true error: coherent charger (steady state and time samples)",
          "[fock][truncation]") {
    // C: drive eps = kappa -> alpha = -2 i eps / kappa, |alpha|^2 = 4: coherent, ergotropy = energy.
    // Cutoff 14 leaves a Poisson tail ~1e-4. b1: vacuum (exact zeros).
    const model::Model model = two_mode_model(kKappa, {kKappa, 0, 0, 0}, {kKappa, 0, 0, 0});
    RunOptions o = fixed(14);
    o.time.t_end = 40.0;
    o.time.samples = 5;
    o.time.atol = 1e-13;
    o.time.rtol = 1e-11;
    const EngineResult r = run_engine(EngineKind::fock, model, o);
    REQUIRE(r.steady_state);
    const Figures zero{0, 0, 0};
    check_snapshot(*r.steady_state, closed_form({{4, 4, 0}, zero}, zero), "steady_state");
    for (std::size_t k = 0; k < r.timeseries.t.size(); ++k) {
        const double n = 4.0 * std::pow(1.0 - std::exp(-0.5 * kKappa * r.timeseries.t[k]), 2);
        check_snapshot(r.timeseries.samples[k], closed_form({{n, n, 0}, zero}, zero),
                       "t=" + std::to_string(r.timeseries.t[k]));
    }
}

TEST_CASE("Truncation error bounds the true error: thermal charger and squeezed-vacuum battery", "[fock][truncation]") {
    // C: thermal n = 1 (energy 1, ergotropy 0, passive 1; tail 2^-c). b1: squeezed vacuum r = 0.5
    // (pure: energy = ergotropy = sinh^2 r, passive 0; tail tanh(r)^c).
    const double r = 0.5, s2 = std::sinh(r) * std::sinh(r);
    const model::Model model = two_mode_model(0.0, {kKappa, 1.0, 0, 0}, {kKappa, 0, r, 0.3});
    const EngineResult res = run_engine(EngineKind::fock, model, fixed(16));
    REQUIRE(res.steady_state);
    check_snapshot(*res.steady_state, closed_form({{1, 0, 1}, {s2, s2, 0}}, {s2, s2, 0}), "steady_state");
}

TEST_CASE("Truncation error bounds the true error: displaced thermal state in the displaced frame", "[fock][truncation]") {
    // C: drive with |alpha|^2 = 4 in a thermal bath n = 0.5: energy 4.5, ergotropy 4 (the coherent
    // part), passive 0.5. Displaced frame: only the thermal tail (1/3)^c is truncated.
    const model::Model model = two_mode_model(kKappa, {kKappa, 0.5, 0, 0}, {kKappa, 0, 0, 0});
    const EngineResult res = run_engine(EngineKind::fock, model, fixed(12, Frame::displaced));
    REQUIRE(res.steady_state);
    const Figures zero{0, 0, 0};
    check_snapshot(*res.steady_state, closed_form({{4.5, 4, 0.5}, zero}, zero), "steady_state");
}

TEST_CASE("Truncation error bounds the true error: Gaussian engine on cascaded NC N = 2 thermal",
          "[fock][truncation]") {
    const model::Model model = two_mode_model(0.03, {kKappa, 0.3, 0, 0}, {kKappa, 0.3, 0, 0}, 0.05, model::Coupling::nonreciprocal, 2);
    const RunOptions o = fixed(8);
    const EngineResult f = run_engine(EngineKind::fock, model, o);
    const EngineResult g = run_engine(EngineKind::gaussian, model, o);
    REQUIRE(f.steady_state);
    check_snapshot(*f.steady_state, *g.steady_state, "steady_state");
}

// The b1 passive energy here is 3.9e-5 off at cutoff 8 while E and W are 2e-3 off: P's error crosses zero
// near c = 8 (+1.0e-4 at c = 9). The old even ladder 4, 6, 8 put 9.2e-4 on it (23x); the ladder 5..8
// sees its ratio settle (0.32, 0.26) and reports 3.8e-4.
TEST_CASE("Truncation error bounds the true error: examples/rc_chain_thermal.toml at cutoff 8", "[fock][truncation]") {
    // The case: W_B = 0.093 at cutoff 8 against the exact 0.0988, with no warning before.
    io::Scenario sc = io::load_scenario(QBNET_SOURCE_DIR "/examples/rc_chain_thermal.toml", {"fock.cutoff=8", "time.t_end=0"});
    const EngineResult f = run_engine(EngineKind::fock, sc.model, sc.options);
    const EngineResult g = run_engine(EngineKind::gaussian, sc.model, sc.options);
    REQUIRE(f.steady_state);
    CHECK(g.steady_state->batteries.ergotropy == Approx(0.0988).margin(5e-4));
    check_snapshot(*f.steady_state, *g.steady_state, "steady_state");
}

TEST_CASE("Steady-state ladder noise follows the residual target steady_state.tol", "[fock][truncation]") {
    CHECK(fock::steady_noise(0.5, 1e-8) == 1e-8);
    CHECK(fock::steady_noise(4.0, 1e-8) == 4e-8);
    // Differences of 3e-9 and 1e-8 (a geometric tail with q = 0.3): resolved when the rungs were solved to
    // 1e-10, at the noise when they were solved to 1e-8 (the error is then that noise, 1e-8).
    const std::vector<double> f{1.0, 1.0 - 3e-9, 1.0 - 13e-9, 1.0 - 46e-9};
    const fock::LadderFit tight = fock::fit_ladder(f, fock::steady_noise(1.0, 1e-10));
    const fock::LadderFit loose = fock::fit_ladder(f, fock::steady_noise(1.0, 1e-8));
    CHECK(tight.error < 5e-9);
    CHECK(loose.error == 1e-8);
    // Must-fail twin: the tight noise cannot hide a difference of 1e-8.
    CHECK(fock::fit_ladder({1.0, 1.0 - 1e-8, 1.0 - 1.2e-8, 1.0 - 1.3e-8}, fock::steady_noise(1.0, 1e-10)).error > 1e-8);
}
