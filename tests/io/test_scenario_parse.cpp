// Scenario reader, valid inputs: the TOML keys end up in the right places of the Model and options.
#include <catch2/catch.hpp>

#include "qbnet/engine.hpp"

#include <cmath>
#include <complex>
#include <filesystem>

#include "qbnet/io/scenario.hpp"

using namespace qbnet;
using Catch::Matchers::Contains;

namespace {
constexpr double tight = 1e-15;   // values are copied, not computed: only rounding of e^{i phi}
}

TEST_CASE("scenario: full file fills Model and RunOptions", "[io][scenario]") {
    const std::string text = R"(
[scenario]
name = "full"
[network]
topology = "cascaded"
batteries = 2
coupling = "nonreciprocal"
J = 0.002
detuning = [0.0, 0.1, 0.0]
[drive]
epsilon = 0.01
epsilon_phase = 0.5
mode = 0
[reservoirs]
kappa = [0.003, 0.004, 0.005]
n_th = 0.5
apply_to = "batteries"
[kerr]
chi = [0.0, 0.0, 0.01]
[fock]
cutoff = [4, 3, 3]
frame = "displaced"
truncation_warning = 0.01
[time]
t_end = 100
samples = 11
atol = 1e-9
rtol = 1e-7
[steady_state]
enabled = false
method = "krylov"
tol = 1e-9
)";
    const io::Scenario sc = io::parse_scenario(text, "ignored");
    const model::Model& m = sc.model;
    CHECK(sc.name == "full");
    REQUIRE(m.n_modes() == 3);
    CHECK(m.mode_names == std::vector<std::string>{"C", "b1", "b2"});

    // NC link s -> t: h_st = J e^{i pi/2} = iJ, h_ts = conj (docs/physics.md, "Network").
    const std::complex<double> iJ(0.0, 0.002);
    CHECK(std::abs(m.h(0, 1) - iJ) < tight);
    CHECK(std::abs(m.h(1, 0) - std::conj(iJ)) < tight);
    CHECK(std::abs(m.h(1, 2) - iJ) < tight);
    CHECK(std::abs(m.h(0, 2)) == 0.0);
    CHECK(m.h(1, 1).real() == 0.1);

    CHECK(std::abs(m.drive(0) - std::polar(0.01, 0.5)) < tight);
    CHECK(m.drive(1) == 0.0);
    CHECK(m.kerr(2) == 0.01);

    // Jumps: C vacuum (1) + b1, b2 thermal (2 each) + two NC link reservoirs = 7.
    REQUIRE(m.jumps.size() == 7);
    CHECK(m.jumps[0].rate == Approx(0.003));
    CHECK(m.jumps[1].rate == Approx(1.5 * 0.004));
    CHECK(m.jumps[2].rate == Approx(0.5 * 0.004));
    CHECK(m.jumps[5].rate == Approx(2 * 0.002));   // Gamma = 2J
    CHECK(sc.spec.baths[0].n_th == 0.0);            // apply_to = batteries: charger keeps a vacuum bath
    CHECK(sc.spec.baths[2].n_th == 0.5);

    const RunOptions& o = sc.options;
    CHECK(o.fock.cutoff == std::vector<int>{4, 3, 3});
    CHECK(o.fock.frame == Frame::displaced);
    CHECK(o.fock.truncation_warning == 0.01);
    CHECK(o.time.t_end == 100.0);
    CHECK(o.time.samples == 11);
    CHECK(o.time.atol == 1e-9);
    CHECK(o.steady.enabled == false);
    CHECK(o.steady.method == SteadyMethod::krylov);
    std::string why;
    CHECK(o.is_valid(&why));

    // Links are resolved only for custom graphs, so the block reads back as a scenario (round trip).
    CHECK_FALSE(sc.resolved["network"].contains("links"));
    // phase and link_dissipation were not given: null in the parameters, their values (Gamma = 2J) derived.
    CHECK(sc.resolved["network"]["link_dissipation"].is_null());
    CHECK(sc.resolved["network"]["phase"].is_null());
    CHECK(sc.derived["network"]["link_dissipation"].get<double>() == Approx(0.004));
    CHECK(sc.resolved["reservoirs"]["n_th"] == nlohmann::json::parse("[0.0, 0.5, 0.5]"));
    CHECK(sc.resolved["drive"]["epsilon"] == nlohmann::json::parse("[0.01, 0.0, 0.0]"));
}

TEST_CASE("scenario: empty file gives the documented defaults", "[io][scenario]") {
    const io::Scenario sc = io::parse_scenario("", "my_stem");
    CHECK(sc.name == "my_stem");
    CHECK(sc.model.n_modes() == 2);
    CHECK(std::abs(sc.model.h(0, 1) - std::complex<double>(0.0, 1.5e-3)) < tight);
    CHECK(sc.model.drive(0) == 0.01);
    CHECK(sc.spec.baths[1].kappa == 0.003);
    CHECK(sc.options.fock.cutoff.empty());   // fock.cutoff = "auto" (issue 12)
    CHECK(sc.options.fock.auto_cutoff);
    CHECK(sc.options.fock.tolerance == 1e-6);
    CHECK(sc.options.fock.auto_frame);
    CHECK(sc.options.time.t_end == 5000.0);
    CHECK(sc.options.time.samples == 201);
    CHECK(sc.options.steady.enabled);
    CHECK(sc.options.steady.method == SteadyMethod::automatic);
    CHECK(sc.resolved["network"]["topology"] == "cascaded");
}

TEST_CASE("scenario: --set overrides go through the same reader", "[io][scenario]") {
    const io::Scenario sc = io::parse_scenario("[network]\nbatteries = 1\n", "x",
                                       {"network.batteries=3", "network.topology=parallel", "fock.cutoff=[2,3,4,5]",
                                        "network.coupling=\"reciprocal\"", "scenario.name=renamed"});
    CHECK(sc.name == "renamed");
    CHECK(sc.model.n_modes() == 4);
    CHECK(sc.options.fock.cutoff == std::vector<int>{2, 3, 4, 5});
    // parallel RC: C - bi for every i, real hopping J, no link reservoirs
    CHECK(sc.model.h(0, 3) == std::complex<double>(1.5e-3, 0.0));
    CHECK(sc.model.h(1, 2) == 0.0);
    CHECK(sc.model.jumps.size() == 4);
}

TEST_CASE("scenario: per-mode drive array and custom links", "[io][scenario]") {
    const io::Scenario sc = io::parse_scenario(R"(
[network]
topology = "custom"
batteries = 2
coupling = "reciprocal"
phase = 0.25
link_dissipation = 0.001
links = [[0, 2], [2, 1]]
[drive]
epsilon = [0.0, 0.02, 0.03]
)", "x");
    CHECK(sc.model.drive(1) == 0.02);
    CHECK(sc.model.drive(2) == 0.03);
    CHECK(std::abs(sc.model.h(2, 1) - std::polar(1.5e-3, 0.25)) < tight);
    CHECK(sc.model.h(0, 1) == 0.0);
    CHECK(sc.model.jumps.size() == 3 + 2);   // three vacuum baths + two link reservoirs
}

TEST_CASE("scenario: every example file is valid and small", "[io][scenario][examples]") {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(QBNET_SOURCE_DIR "/examples")) {
        if (entry.path().extension() != ".toml") continue;
        INFO(entry.path().string());
        const io::Scenario sc = io::load_scenario(entry.path().string());
        CHECK(sc.name == entry.path().stem().string());
        // Examples use fock.cutoff = "auto": the planned cutoffs must stay small.
        CHECK(make_engine(EngineKind::fock)->memory_estimate_gib(sc.model, sc.options) <= 1.0);
        ++count;
    }
    CHECK(count >= 5);
}
