// Typed sweep points (qbnet/scenario_keys.hpp): a point built by the typed setters on the parsed base
// scenario is the scenario the TOML reader builds from the same file with the value as a --set override
// (the path sweeps took before): same parameters, derived values, model, options and engine result, and
// the same refusal, word for word, for a value the reader refuses.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "qbnet/engine.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/scenario_keys.hpp"
#include "qbnet/study/sweep.hpp"
#include "support/cli_process.hpp"

using namespace qbnet;

namespace {

// N = 1 NC link: Gamma = 2J derived from J.
const char* kDerived = R"(
[network]
topology = "cascaded"
batteries = 1
J = 0.0015
[drive]
epsilon = 0.01
[reservoirs]
kappa = 0.003
)";

// N = 2 parallel NC links with an explicit link_dissipation (never re-derived), thermal and squeezed
// baths on the batteries only (apply_to), a detuned charger driven on mode 1, Kerr, fixed cutoffs.
const char* kExplicit = R"(
[network]
topology = "parallel"
batteries = 2
J = 0.002
link_dissipation = 0.001
detuning = 0.0005
[drive]
epsilon = 0.02
mode = 1
epsilon_phase = 0.25
[reservoirs]
kappa = 0.003
n_th = 0.5
squeeze_r = 0.1
apply_to = "batteries"
[kerr]
chi = 0.0001
[fock]
cutoff = 4
[trajectories]
average_from = 100
)";

// Per-mode arrays (N = 1): a swept network.batteries must refuse them as a file would.
const char* kArrays = R"(
[network]
batteries = 1
[drive]
epsilon = [0.01, 0.0]
[reservoirs]
kappa = [0.003, 0.002]
)";

// The old path: the file with the value as a --set override, time evolution off and the steady state
// on, as the sweep's override list was.
Scenario by_toml(const char* text, const std::string& key, double value) {
    return io::parse_scenario(text, "t", {study::override_for(key, value), "time.t_end=0", "steady_state.enabled=true"});
}

// The old path for a refused value: the override alone (the sweep's later "time.t_end=0" and
// "steady_state.enabled=true" would replace a swept t_end or enabled before the reader saw it).
Scenario by_override(const char* text, const std::string& key, double value) {
    return io::parse_scenario(text, "t", {study::override_for(key, value)});
}

Scenario by_setter(const char* text, const std::string& key, double value) {
    return study::point_scenario(io::parse_scenario(text, "t"), {{key, value}}, "gaussian");
}

bool same_jumps(const model::Model& a, const model::Model& b) {
    if (a.jumps.size() != b.jumps.size()) return false;
    for (std::size_t k = 0; k < a.jumps.size(); ++k) {
        const auto &x = a.jumps[k], &y = b.jumps[k];
        if (x.rate != y.rate || x.u != y.u || x.v != y.v || x.label != y.label) return false;
    }
    return true;
}

// Exact equality: both paths must do the same arithmetic on the same numbers.
bool same_scenario(const Scenario& a, const Scenario& b) {
    const RunOptions &o = a.options, &p = b.options;
    return a.name == b.name && a.resolved == b.resolved && a.derived == b.derived &&
           a.model.mode_names == b.model.mode_names && a.model.h == b.model.h && a.model.drive == b.model.drive &&
           a.model.kerr == b.model.kerr && same_jumps(a.model, b.model) &&
           o.fock.cutoff == p.fock.cutoff && o.fock.auto_cutoff == p.fock.auto_cutoff &&
           o.fock.tolerance == p.fock.tolerance && o.fock.frame == p.fock.frame && o.fock.auto_frame == p.fock.auto_frame &&
           o.fock.truncation_warning == p.fock.truncation_warning &&
           o.fock.joint_ergotropy_max_dim == p.fock.joint_ergotropy_max_dim && o.time.t_end == p.time.t_end &&
           o.time.samples == p.time.samples && o.time.initial == p.time.initial && o.time.atol == p.time.atol &&
           o.time.rtol == p.time.rtol && o.time.integrator == p.time.integrator && o.steady.enabled == p.steady.enabled &&
           o.steady.method == p.steady.method && o.steady.tol == p.steady.tol &&
           o.steady.max_iterations == p.steady.max_iterations && o.trajectories.count == p.trajectories.count &&
           o.trajectories.target_error == p.trajectories.target_error && o.trajectories.seed == p.trajectories.seed &&
           o.trajectories.average_from == p.trajectories.average_from;
}

// What each path says when it refuses the value ("" when it accepts it).
std::string refusal(const std::function<Scenario()>& build) {
    try {
        (void)build();
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

const std::vector<std::pair<std::string, double>> kValues = {
    {"network.J", 1e-4},          {"network.J", 0.02},          {"network.J", 0.0},
    {"network.batteries", 3},     {"network.phase", 0.3},       {"network.link_dissipation", 0.004},
    {"network.detuning", -0.001}, {"drive.epsilon", 0.05},      {"drive.mode", 1},
    {"drive.epsilon_phase", 1.5}, {"reservoirs.kappa", 0.004},  {"reservoirs.n_th", 2},
    {"reservoirs.squeeze_r", 0.3}, {"reservoirs.squeeze_theta", 0.7}, {"kerr.chi", 2e-4},
    {"fock.cutoff", 5},           {"fock.tolerance", 1e-3},     {"fock.truncation_warning", 0.01},
    {"fock.joint_ergotropy_max_dim", 64}, {"time.t_end", 100},  {"time.samples", 11},
    {"time.atol", 1e-9},          {"time.rtol", 1e-7},          {"steady_state.tol", 1e-9},
    {"steady_state.max_iterations", 50}, {"trajectories.count", 20}, {"trajectories.target_error", 0.1},
    {"trajectories.seed", 7},     {"trajectories.average_from", 10},
};

}  // namespace

TEST_CASE("typed points: every numeric key gives the scenario the reader builds from the override") {
    for (const char* text : {kDerived, kExplicit}) {
        for (const auto& [key, value] : kValues) {
            INFO(key << " = " << value << " on\n" << text);
            const Scenario toml = by_toml(text, key, value);
            const Scenario typed = by_setter(text, key, value);
            CHECK(same_scenario(typed, toml));
        }
    }
}

TEST_CASE("typed points: a swept J on an NC link re-derives Gamma = 2J - an explicit link_dissipation stays") {
    for (double J : {1e-4, 0.0015, 0.02}) {
        const Scenario derived = by_setter(kDerived, "network.J", J);
        for (const auto& link : derived.spec.network.links()) CHECK(link.gamma == 2.0 * J);
        CHECK(derived.derived["network"]["link_dissipation"].get<double>() == 2.0 * J);
        CHECK(derived.resolved["network"]["link_dissipation"].is_null());
        const Scenario fixed = by_setter(kExplicit, "network.J", J);
        for (const auto& link : fixed.spec.network.links()) CHECK(link.gamma == 0.001);
        CHECK(fixed.resolved["network"]["link_dissipation"].get<double>() == 0.001);
    }
    // apply_scenario_values: set and re-derive in one call (no time/steady changes): the --set scenario.
    Scenario applied = io::parse_scenario(kDerived, "t");
    apply_scenario_values(applied, {{"network.J", 0.02}, {"reservoirs.n_th", 0.5}});
    CHECK(same_scenario(applied, io::parse_scenario(kDerived, "t", {"network.J=0.02", "reservoirs.n_th=0.5"})));
    CHECK(applied.spec.network.links().front().gamma == 0.04);
    // Must fail: setting the input without re-deriving leaves the old links (Gamma = 2 x 0.0015), and the
    // comparison with the reader sees it.
    Scenario stale = io::parse_scenario(kDerived, "t", {"time.t_end=0"});
    set_scenario_input(stale.inputs, "network.J", 0.02);
    CHECK_FALSE(same_scenario(stale, by_toml(kDerived, "network.J", 0.02)));
    CHECK(stale.spec.network.links().front().gamma == 2.0 * 0.0015);
}

TEST_CASE("typed points: the steady state of a typed point is the one of the TOML point bit for bit") {
    for (const auto& [key, value] : std::vector<std::pair<std::string, double>>{
             {"network.J", 0.0007}, {"network.batteries", 2}, {"reservoirs.n_th", 0.5}, {"drive.epsilon", 0.03}}) {
        INFO(key << " = " << value);
        const Scenario toml = by_toml(kDerived, key, value);
        RunOptions options = toml.options;
        options.threads = 1;
        const EngineResult a = run_engine(EngineKind::gaussian, toml.model, options);
        const Snapshot b = study::steady_figures(by_setter(kDerived, key, value), "gaussian", 1);
        REQUIRE(a.steady_state);
        REQUIRE(a.steady_state->modes.size() == b.modes.size());
        for (std::size_t j = 0; j < b.modes.size(); ++j) {
            CHECK(b.modes[j].energy == a.steady_state->modes[j].energy);
            CHECK(b.modes[j].ergotropy == a.steady_state->modes[j].ergotropy);
        }
        CHECK(b.batteries.energy == a.steady_state->batteries.energy);
    }
    // Must fail: a neighbouring J gives a different steady state (the comparison tells points apart).
    const Snapshot near = study::steady_figures(by_setter(kDerived, "network.J", 0.0008), "gaussian", 1);
    const Snapshot at = study::steady_figures(by_setter(kDerived, "network.J", 0.0007), "gaussian", 1);
    CHECK(near.modes[1].energy != at.modes[1].energy);
}

TEST_CASE("typed points: a value the reader refuses is refused by the setter with the same message") {
    struct Bad {
        const char* text;
        std::string key;
        double value;
        std::string expected_key;   // the key the message names
    };
    const std::vector<Bad> table = {
        {kDerived, "network.J", -1.0, "network.J"},
        {kDerived, "network.J", 1e4, "network.J"},
        {kDerived, "network.J", 0.123456789, ""},   // accepted by both
        {kDerived, "network.batteries", 0, "network.batteries"},
        {kDerived, "network.batteries", 2.5, "network.batteries"},
        {kDerived, "network.batteries", 1e16, "network.batteries"},
        {kDerived, "network.batteries", 1e20, "network.batteries"},
        {kDerived, "fock.cutoff", 1, "fock.cutoff"},
        {kDerived, "fock.tolerance", 1, "fock.tolerance"},
        {kDerived, "reservoirs.squeeze_r", 5, "reservoirs.squeeze_r"},
        {kDerived, "reservoirs.kappa", 0, ""},   // accepted: the NC link (Gamma = 2J) still damps
        {kDerived, "drive.mode", 2, "drive.mode"},
        {kDerived, "time.samples", 1, "time.samples"},
        {kDerived, "network.topology", 1, "network.topology"},
        {kDerived, "network.links", 1, "network.links"},
        {kDerived, "steady_state.enabled", 1, "steady_state.enabled"},
        {kDerived, "time.initial", 1, "time.initial"},
        {kDerived, "scenario.name", 3, "scenario.name"},
        {kArrays, "network.batteries", 2, "drive.epsilon"},   // the per-mode arrays have the old length
        {kArrays, "drive.mode", 1, "drive.mode"},             // epsilon is a per-mode array
        {kExplicit, "trajectories.seed", -1, "trajectories.seed"},
    };
    for (const auto& bad : table) {
        INFO(bad.key << " = " << bad.value);
        const std::string toml = refusal([&] { return by_override(bad.text, bad.key, bad.value); });
        const std::string typed = refusal([&] { return by_setter(bad.text, bad.key, bad.value); });
        CHECK(typed == toml);
        if (bad.expected_key.empty()) {
            CHECK(typed.empty());
        } else {
            CHECK(typed.rfind(bad.expected_key + ": ", 0) == 0);
            CHECK(typed.find('\n') == std::string::npos);
        }
    }
    // Must fail: different values are refused with different messages (the comparison reads the text).
    CHECK(refusal([] { return by_setter(kDerived, "network.J", -1.0); }) !=
          refusal([] { return by_override(kDerived, "network.J", -2.0); }));
}

TEST_CASE("typed points: the key table is the reader's schema and ranges") {
    // Every key of the table is a key the reader knows (a --set of it is not an unknown key) ...
    for (const auto& k : scenario_keys()) {
        INFO(k.name());
        CHECK_NOTHROW(io::check_scenario_key(k.name(), "--param"));
        CHECK_NOTHROW(study::check_param_key(k.name()));
    }
    // ... and an unknown one is refused by both with the list of allowed keys.
    CHECK_THROWS_WITH(study::check_param_key("network.JJ"), Catch::StartsWith("--param: unknown key network.JJ (allowed: network.J, network.batteries,"));
    CHECK_THROWS_AS(io::parse_scenario(kDerived, "t", {"network.JJ=1"}), InputError);
    // The ranges of the table are those the reader applies: the edge values are accepted, just beyond refused.
    CHECK(refusal([] { return by_override(kDerived, "reservoirs.squeeze_r", 3.0); }).empty());
    CHECK_FALSE(refusal([] { return by_override(kDerived, "reservoirs.squeeze_r", 3.0000001); }).empty());
    CHECK(scenario_key("reservoirs.squeeze_r", "").range.contains(3.0));
    CHECK_FALSE(scenario_key("reservoirs.squeeze_r", "").range.contains(3.0000001));
}

TEST_CASE("typed points CLI: an out-of-range swept value is one line naming the key and exit 2 before any file") {
    qbnet_test::Scratch tmp("typed-cli");
    tmp.write("s.toml", kDerived);
    const auto sweep = tmp.run("sweep s.toml --param network.J --values 1e-3,-1 --out o -q");
    CHECK(sweep.exit_code == 2);
    CHECK(qbnet_test::count_lines(sweep.err) == 1);
    CHECK(sweep.err.find("network.J: must be a finite number in [0, 1000] (got -1)") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(tmp.dir / "o"));
    const auto opt = tmp.run("optimize s.toml --param reservoirs.squeeze_r --bounds 0:5 --objective energy_last --out p");
    CHECK(opt.exit_code == 2);
    CHECK(opt.err.find("reservoirs.squeeze_r: must be a finite number in [0, 3] (got 5)") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(tmp.dir / "p"));
    // Must fail: the same sweep inside the range runs (exit 0) and writes its files.
    const auto good = tmp.run("sweep s.toml --param network.J --values 1e-3,2e-3 --out o -q");
    CHECK(good.exit_code == 0);
    CHECK(std::filesystem::exists(tmp.dir / "o" / "sweep.csv"));
}
