#pragma once
// A scenario in typed form (shared vocabulary, below io/ and study/): what the user wrote (Inputs, after
// defaults, before anything is derived) and what follows from it (ModelSpec, Model, RunOptions, the
// parameters block). derive_scenario() is the ONE place that turns inputs into a model: the TOML reader
// (io/scenario.cpp) calls it after reading a file, and the typed setters (scenario_keys.hpp) call it after
// changing a value, so a sweep point re-derives Gamma = 2J, the per-mode fan-out, the cutoffs and every
// cross-section check exactly as a file with that value would.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "qbnet/model/terms.hpp"
#include "qbnet/options.hpp"

namespace qbnet {

// A per-mode key as written: one value for every mode, or an array with one entry per mode (its length
// is checked against the number of modes when the scenario is derived, so a swept network.batteries
// refuses an array of the old length as a file would).
template <class T>
struct PerMode {
    std::vector<T> values{T{}};
    bool array = false;
    static PerMode all(T v) { return PerMode{{v}, false}; }
    static PerMode each(std::vector<T> v) { return PerMode{std::move(v), true}; }
};

// Every scenario key after defaults, as the user gave it (docs/scenario.md). Choice keys keep their
// names; derive_scenario() parses them. Optional keys whose default is derived from others
// (network.phase, network.link_dissipation) stay empty unless the user set them.
struct ScenarioInputs {
    std::string description;   // [scenario] (the name is Scenario::name)
    // [network]
    int batteries = 1;
    std::string topology = "cascaded";
    std::string coupling = "nonreciprocal";
    double J = 1.5e-3;
    std::optional<double> phase;
    std::optional<double> link_dissipation;
    std::vector<std::pair<std::int64_t, std::int64_t>> links;   // topology "custom" only
    PerMode<double> detuning = PerMode<double>::all(0.0);
    // [drive]
    PerMode<double> epsilon = PerMode<double>::all(0.01);
    std::optional<std::int64_t> drive_mode;   // scalar epsilon only (0 when not given)
    double epsilon_phase = 0.0;
    // [reservoirs]
    PerMode<double> kappa = PerMode<double>::all(0.003);
    PerMode<double> n_th = PerMode<double>::all(0.0);
    PerMode<double> squeeze_r = PerMode<double>::all(0.0);
    PerMode<double> squeeze_theta = PerMode<double>::all(0.0);
    std::string apply_to = "all";
    // [kerr]
    PerMode<double> chi = PerMode<double>::all(0.0);
    // [fock]
    bool cutoff_auto = true;
    PerMode<std::int64_t> cutoff = PerMode<std::int64_t>::all(8);
    double tolerance = 1e-6;
    std::string frame = "auto";
    double truncation_warning = 1e-3;
    int joint_ergotropy_max_dim = FockOptions{}.joint_ergotropy_max_dim;
    // [time]
    double t_end = 5000.0;
    int samples = 201;
    std::string initial = "vacuum";
    double atol = 1e-8;
    double rtol = 1e-6;
    std::string integrator = "auto";
    // [steady_state]
    bool steady_enabled = true;
    std::string steady_method = "auto";
    double steady_tol = 1e-10;
    int steady_max_iterations = SteadyOptions{}.max_iterations;
    // [trajectories]
    int trajectory_count = 500;
    std::optional<double> target_error;
    std::uint64_t seed = 1;
    std::optional<double> average_from;
    std::string trajectory_integrator = "taylor";
};

struct Scenario {
    std::string name;            // file stem (used for the default output folder)
    ScenarioInputs inputs;       // what everything below is derived from (derive_scenario)
    model::ModelSpec spec;
    model::Model model;
    RunOptions options;
    // Every parameter after defaults and --set overrides (the summary.json "parameters" block, read back
    // by parse_summary_parameters). Keys whose default is derived from other keys (network.phase and
    // network.link_dissipation: from coupling and J) are null unless the user set them.
    nlohmann::json resolved;
    // The values those derived keys took in this run ({"network": {"phase", "link_dissipation"}}):
    // written to summary.json as "derived", never read back.
    nlohmann::json derived;
};

// Re-derives everything in `sc` from sc.inputs: the network (links made from coupling, J and the optional
// phase / link_dissipation: NC gives Gamma = 2J unless link_dissipation is given), the per-mode fan-out,
// the drive vector, the baths (apply_to), the cutoffs, RunOptions (the scenario's fields only; threads
// and the hooks are left alone), `resolved`, `derived` and the Model. Checks what depends on more than
// one key (per-mode array lengths, drive.mode, custom links, the model's memory, t_end against the
// model's time scales, a damped mode when a steady state is asked for). Throws InputError naming the key.
void derive_scenario(Scenario& sc);

// The checks of [network] that need the number of modes (custom links, the length of a network.detuning
// array, the model's memory), as derive_scenario() makes them: the reader calls it right after reading
// [network], so a file reports them before the keys of later sections.
void check_network(const ScenarioInputs& inputs);

// "per-mode array must have M entries (one per mode C, b1..bN), got K": the reader's and derive's text.
std::string per_mode_length_message(int n_modes, std::size_t got);
// "not allowed when drive.epsilon is a per-mode array" (key drive.mode).
std::string drive_mode_with_array_message();

}  // namespace qbnet
