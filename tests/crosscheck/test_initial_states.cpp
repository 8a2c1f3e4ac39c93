// time.initial (vacuum, thermal:<n>, coherent:<alpha>) in all three engines: the Fock engine (lab and
// displaced frame) against the exact Gaussian one, a decaying coherent state against its closed form,
// trajectories from a thermal mixture against the Fock engine at equal cutoff. Each comparison has a
// must-fail twin (a different initial state, a wrong decay rate, a 10 sigma shift).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "qbnet/engine.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/initial_state.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/study/crosscheck.hpp"

using namespace qbnet;

namespace {

// Cascaded NC charger -> battery, rates of order one; a thermal start with n = 0.5 has a Fock tail
// (1/3)^12 ~ 2e-6 at cutoff 12, a coherent one |alpha|^2 = 0.73 a Poisson tail < 1e-8.
const char* kSmall = R"(
[network]
topology = "cascaded"
batteries = 1
coupling = "nonreciprocal"
J = 0.5
[drive]
epsilon = 0.3
[reservoirs]
kappa = 1.0
n_th = 0.3
[fock]
cutoff = 12
tolerance = 1e-3
[time]
t_end = 3.0
samples = 7
[steady_state]
enabled = false
)";

io::Scenario scenario(const std::string& initial, std::vector<std::string> sets = {}) {
    sets.push_back("time.initial=\"" + initial + "\"");
    return io::parse_scenario(kSmall, "initial", sets);
}

EngineResult run(EngineKind kind, const io::Scenario& sc) {
    RunOptions o = sc.options;
    o.threads = 1;
    return run_engine(kind, sc.model, o);
}

}  // namespace

TEST_CASE("time.initial parses the documented forms and refuses the rest naming the key") {
    CHECK(parse_initial_state("vacuum")->kind == InitialState::Kind::vacuum);
    CHECK(parse_initial_state("thermal:0.5")->occupation == 0.5);
    CHECK(parse_initial_state("coherent:0.8")->alpha == std::complex<double>(0.8, 0.0));
    CHECK(parse_initial_state("coherent:0.8,-0.3")->alpha == std::complex<double>(0.8, -0.3));
    for (const char* bad : {"thermal", "thermal:", "thermal:-1", "thermal:1.5x", "thermal:nan", "coherent:1,2,3",
                            "coherent:", "coherent:inf", "fock:2", "squeezed:0.1", "Vacuum"}) {
        INFO(bad);
        CHECK_FALSE(parse_initial_state(bad));
        try {
            (void)scenario(bad);
            FAIL("accepted");
        } catch (const InputError& e) {
            CHECK(e.key() == "time.initial");
        }
    }
    // Truncated single-mode states are normalised.
    double sum = 0.0;
    for (double p : thermal_populations(2.0, 5)) sum += p;
    CHECK(sum == Approx(1.0).epsilon(1e-15));
    sum = 0.0;
    for (auto c : coherent_amplitudes({30.0, 0.0}, 2000)) sum += std::norm(c);   // |alpha|^2 = 900: no overflow
    CHECK(sum == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("Fock and Gaussian agree from thermal and coherent initial states and a different start disagrees") {
    for (const std::string frame : {"lab", "displaced"}) {
        for (const auto& [initial, other] : {std::pair<std::string, std::string>{"thermal:0.5", "thermal:0.55"},
                                             {"coherent:0.8,0.3", "coherent:0.8,0.35"}}) {
            INFO(frame << " " << initial);
            const io::Scenario sc = scenario(initial, {"fock.frame=" + frame});
            const EngineResult fock = run(EngineKind::fock, sc);
            const EngineResult gauss = run(EngineKind::gaussian, sc);
            const study::CrossCheck cc = study::cross_check(fock, gauss, study::CrossCheckOptions::from(sc.options));
            CHECK(cc.verdict == study::Verdict::agree);
            // The start itself: Gaussian t = 0 figures are exact; thermal energy n, coherent |alpha|^2.
            const double e0 = initial[0] == 't' ? 0.5 : 0.73;
            CHECK(gauss.timeseries.samples[0].modes[0].energy == Approx(e0).epsilon(1e-12));
            const auto& f0 = fock.timeseries.samples[0].modes[0];
            REQUIRE(f0.error);
            CHECK(std::abs(f0.energy - e0) <= f0.error->energy + 1e-9);
            // Must-fail: the Gaussian engine from a slightly different state.
            const EngineResult moved = run(EngineKind::gaussian, scenario(other, {"fock.frame=" + frame}));
            CHECK(study::cross_check(fock, moved, study::CrossCheckOptions::from(sc.options)).verdict == study::Verdict::disagree);
        }
    }
}

TEST_CASE("a decaying coherent state follows the closed form in both Fock frames and a wrong rate fails") {
    // One undriven mode at zero temperature: |alpha> stays coherent, |alpha e^{-kappa t/2}>, so
    // E(t) = W(t) = |alpha|^2 e^{-kappa t} and the passive energy is 0.
    const char* kDecay = R"(
[network]
topology = "cascaded"
batteries = 1
coupling = "nonreciprocal"
J = 0.0
[drive]
epsilon = 0.0
[reservoirs]
kappa = 0.7
n_th = 0.0
[fock]
cutoff = 14
tolerance = 1e-3
[time]
t_end = 4.0
samples = 9
atol = 1e-10
rtol = 1e-8
[steady_state]
enabled = false
)";
    const double kappa = 0.7, a2 = 1.2 * 1.2 + 0.5 * 0.5;
    for (const std::string frame : {"lab", "displaced"}) {
        INFO(frame);
        const io::Scenario sc = io::parse_scenario(kDecay, "decay", {"time.initial=\"coherent:1.2,0.5\"", "fock.frame=" + frame});
        const EngineResult r = run(EngineKind::fock, sc);
        int wrong_rate_outside = 0;
        for (std::size_t i = 0; i < r.timeseries.t.size(); ++i) {
            const double t = r.timeseries.t[i];
            for (const auto& mode : r.timeseries.samples[i].modes) {
                REQUIRE(mode.error);
                // b1 starts in |alpha> too and decays the same way (J = 0: nothing couples them).
                const double exact = a2 * std::exp(-kappa * t);
                const double tol = 1e-6 + mode.error->energy;
                CHECK(std::abs(mode.energy - exact) <= tol);
                CHECK(std::abs(mode.ergotropy - exact) <= 1e-6 + mode.error->ergotropy);
                CHECK(std::abs(mode.passive_energy) <= 1e-6 + mode.error->passive_energy);
                wrong_rate_outside += std::abs(mode.energy - a2 * std::exp(-1.02 * kappa * t)) > tol;
            }
        }
        CHECK(wrong_rate_outside == 2 * 8);   // every sample but t = 0, both modes
    }
}

TEST_CASE("trajectories from a thermal initial state agree with the Fock engine within 4 sigma and a 10 sigma shift fails") {
    const io::Scenario sc = scenario("thermal:0.5", {"trajectories.count=384", "trajectories.seed=5", "fock.cutoff=6"});
    RunOptions o = sc.options;
    o.threads = 1;
    const EngineResult traj = run_engine(EngineKind::trajectories, sc.model, o);
    o.fock.error_estimate = false;   // equal cutoff: the Fock answer is exact for the same truncated model
    const EngineResult fock = run_engine(EngineKind::fock, sc.model, o);
    int checked = 0, outside = 0, shifted_outside = 0;
    for (std::size_t i = 0; i < traj.timeseries.t.size(); ++i)
        for (std::size_t j = 0; j < traj.timeseries.samples[i].modes.size(); ++j) {
            const auto& a = traj.timeseries.samples[i].modes[j];
            const auto& b = fock.timeseries.samples[i].modes[j];
            REQUIRE(a.error);
            ++checked;
            outside += std::abs(a.energy - b.energy) > 4.0 * a.error->energy + 1e-6;
            shifted_outside += std::abs(a.energy - (b.energy + 10.0 * a.error->energy)) > 4.0 * a.error->energy + 1e-6;
        }
    CHECK(checked == 14);
    CHECK(outside == 0);
    CHECK(shifted_outside == checked);
    // The mixture is sampled, not replaced by its mean: at t = 0 the spread is the thermal one.
    CHECK(traj.timeseries.samples[0].modes[0].error->energy > 0.01);
}
