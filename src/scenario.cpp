// ScenarioInputs -> ModelSpec, Model, RunOptions, parameters block (include/qbnet/scenario.hpp).
#include "qbnet/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "qbnet/errors.hpp"
#include "qbnet/numerics/memory.hpp"
#include "qbnet/scenario_keys.hpp"

namespace qbnet {

namespace {

// A time evolution is refused when t_end is shorter than 1e-6 or longer than 1e5 times the model's
// fastest time scale (t_end = 1e-30 crashed the Fock engine; t_end = 1e300 never ends; 1e5 relaxation
// times is already ~10 minutes of Fock integration at D = 27). t_end = 0 still means "no time evolution".
constexpr double min_t_end_rate = 1e-6;
constexpr double max_t_end_rate = 1e5;
// Bytes per mode^2 of the Model itself (dense h, one or two coefficient vectors per jump operator, the
// Kossakowski matrix of the Gaussian engine): checked before build_model allocates it.
constexpr double model_bytes_per_mode2 = 160.0;

// A per-mode key for m modes: a scalar fans out to every mode, an array must have one entry per mode.
template <class T>
std::vector<T> expand(const PerMode<T>& v, int m, const char* key) {
    if (!v.array) return std::vector<T>(static_cast<std::size_t>(m), v.values.front());
    if (static_cast<int>(v.values.size()) != m) throw InputError(key, per_mode_length_message(m, v.values.size()));
    return v.values;
}

Eigen::VectorXd to_eigen(const std::vector<double>& v) {
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

std::vector<std::pair<int, int>> checked_links(const ScenarioInputs& in, int n_modes) {
    std::vector<std::pair<int, int>> links;
    if (in.topology != "custom") return links;
    std::set<std::pair<int, int>> seen;   // unordered pairs: (0,1) and (1,0) would couple the same modes twice
    for (const auto& [s, t] : in.links) {
        const std::string where = "[" + std::to_string(s) + ", " + std::to_string(t) + "]";
        if (s < 0 || s >= n_modes || t < 0 || t >= n_modes)
            throw InputError("network.links", "link " + where + " joins a missing mode (mode indices are 0.." +
                                                  std::to_string(n_modes - 1) + ")");
        if (s == t) throw InputError("network.links", "link " + where + " is a self link (not allowed)");
        const std::pair<int, int> key(static_cast<int>(std::min(s, t)), static_cast<int>(std::max(s, t)));
        if (!seen.insert(key).second)
            throw InputError("network.links", "link " + where + " joins two modes that are already linked");
        links.emplace_back(static_cast<int>(s), static_cast<int>(t));
    }
    if (links.empty()) throw InputError("network.links", "must contain at least one link");
    return links;
}

// The Model is dense in the modes: refuse a network that does not fit in memory before building it.
void check_model_memory(int n_batteries, int m) {
    const double need = model_bytes_per_mode2 * static_cast<double>(m) * static_cast<double>(m);
    const double have = 0.9 * numerics::available_memory_bytes();
    if (have > 0 && need > have) {
        char text[256];
        std::snprintf(text, sizeof text,
                      "%d batteries need about %.3g GiB for the model alone, but only %.3g GiB are available: "
                      "use fewer batteries",
                      n_batteries, need / 1073741824.0, have / 1073741824.0);
        throw InputError("network.batteries", text);
    }
}

// ---- [network] -> spec.network, spec.detuning ----
void derive_network(Scenario& sc, int m) {
    const ScenarioInputs& in = sc.inputs;
    model::LinkSpec link_spec;
    link_spec.coupling = in.coupling == "reciprocal" ? model::Coupling::reciprocal : model::Coupling::nonreciprocal;
    link_spec.J = in.J;
    link_spec.phase = in.phase;
    link_spec.gamma = in.link_dissipation;
    const auto custom_links = checked_links(in, m);
    const auto detuning = expand(in.detuning, m, "network.detuning");
    check_model_memory(in.batteries, m);
    model::ModelSpec& spec = sc.spec;
    if (in.topology == "cascaded")
        spec.network = model::Network::cascaded(in.batteries, link_spec);
    else if (in.topology == "parallel")
        spec.network = model::Network::parallel(in.batteries, link_spec);
    else
        spec.network = model::Network::custom(in.batteries, custom_links, link_spec);
    spec.detuning = to_eigen(detuning);

    // phase and link_dissipation default to values DERIVED from coupling and J (NC: pi/2 and Gamma = 2J).
    // The parameters block records them only when the user set them (null otherwise), so that a rerun of
    // a summary.json with --set network.J=X re-derives Gamma = 2X; the values used are in sc.derived.
    const model::Link effective = link_spec.make(0, 1);
    const auto given = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    sc.resolved["network"] = {{"topology", in.topology},
                              {"batteries", in.batteries},
                              {"coupling", in.coupling},
                              {"J", in.J},
                              {"phase", given(in.phase)},
                              {"link_dissipation", given(in.link_dissipation)},
                              {"detuning", detuning}};
    sc.derived["network"] = {{"phase", effective.phase}, {"link_dissipation", effective.gamma}};
    // Links only where the user gives them (custom topology), so the block reads back as a scenario.
    if (in.topology == "custom") {
        nlohmann::json links_json = nlohmann::json::array();
        for (const auto& link : spec.network.links()) links_json.push_back({link.source, link.target});
        sc.resolved["network"]["links"] = links_json;
    }
}

// ---- [drive] -> spec.drive: a scalar epsilon drives drive.mode (default 0), an array every mode ----
void derive_drive(Scenario& sc, int m) {
    const ScenarioInputs& in = sc.inputs;
    std::vector<double> epsilon(static_cast<std::size_t>(m), 0.0);
    if (in.epsilon.array) {
        if (in.drive_mode) throw InputError("drive.mode", drive_mode_with_array_message());
        epsilon = expand(in.epsilon, m, "drive.epsilon");
    } else {
        const std::int64_t mode = in.drive_mode.value_or(0);
        if (mode < 0 || mode > m - 1)
            throw InputError("drive.mode", "must be " + integer_allowed(0, m - 1) + " (got " + std::to_string(mode) + ")");
        epsilon[static_cast<std::size_t>(mode)] = in.epsilon.values.front();
    }
    sc.spec.drive = Eigen::VectorXcd(m);
    for (int j = 0; j < m; ++j) sc.spec.drive(j) = std::polar(1.0, in.epsilon_phase) * epsilon[j];
    sc.resolved["drive"] = {{"epsilon", epsilon}, {"epsilon_phase", in.epsilon_phase}};
}

// ---- [reservoirs] -> spec.baths; [kerr] -> spec.kerr ----
void derive_reservoirs_and_kerr(Scenario& sc, int m) {
    const ScenarioInputs& in = sc.inputs;
    const auto kappa = expand(in.kappa, m, "reservoirs.kappa");
    auto n_th = expand(in.n_th, m, "reservoirs.n_th");
    auto squeeze_r = expand(in.squeeze_r, m, "reservoirs.squeeze_r");
    auto squeeze_theta = expand(in.squeeze_theta, m, "reservoirs.squeeze_theta");
    sc.spec.baths.assign(m, model::SqueezedThermalBath{});
    for (int j = 0; j < m; ++j) {
        // Modes outside apply_to keep their decay rate but see a vacuum bath (docs/physics.md: which
        // reservoirs are thermal or squeezed is a model option).
        const bool applies = in.apply_to == "all" || (in.apply_to == "charger") == (j == 0);
        if (!applies) n_th[j] = squeeze_r[j] = squeeze_theta[j] = 0.0;
        sc.spec.baths[j] = {kappa[j], n_th[j], squeeze_r[j], squeeze_theta[j]};
    }
    sc.resolved["reservoirs"] = {{"kappa", kappa},         {"n_th", n_th},         {"squeeze_r", squeeze_r},
                                 {"squeeze_theta", squeeze_theta}, {"apply_to", in.apply_to}};
    const auto chi = expand(in.chi, m, "kerr.chi");
    sc.spec.kerr = to_eigen(chi);
    sc.resolved["kerr"] = {{"chi", chi}};
}

// ---- [fock], [time], [steady_state], [trajectories] -> sc.options (the scenario's fields only) ----
void derive_options(Scenario& sc, int m) {
    const ScenarioInputs& in = sc.inputs;
    RunOptions& opt = sc.options;
    opt.fock.auto_cutoff = in.cutoff_auto;
    opt.fock.cutoff.clear();
    if (!in.cutoff_auto)
        for (auto c : expand(in.cutoff, m, "fock.cutoff")) opt.fock.cutoff.push_back(static_cast<int>(c));
    opt.fock.tolerance = in.tolerance;
    opt.fock.auto_frame = in.frame == "auto";
    opt.fock.frame = opt.fock.auto_frame ? Frame::lab : *parse_frame(in.frame);
    opt.fock.truncation_warning = in.truncation_warning;
    opt.fock.joint_ergotropy_max_dim = in.joint_ergotropy_max_dim;
    sc.resolved["fock"] = {{"cutoff", opt.fock.auto_cutoff ? nlohmann::json("auto") : nlohmann::json(opt.fock.cutoff)},
                           {"tolerance", opt.fock.tolerance},
                           {"frame", in.frame},
                           {"truncation_warning", opt.fock.truncation_warning},
                           {"joint_ergotropy_max_dim", opt.fock.joint_ergotropy_max_dim}};

    opt.time.t_end = in.t_end;
    opt.time.samples = in.samples;
    opt.time.initial = in.initial;
    opt.time.atol = in.atol;
    opt.time.rtol = in.rtol;
    opt.time.integrator = *parse_integrator(in.integrator);
    sc.resolved["time"] = {{"t_end", in.t_end}, {"samples", in.samples}, {"initial", in.initial},
                           {"atol", in.atol},   {"rtol", in.rtol},       {"integrator", in.integrator}};

    opt.steady.enabled = in.steady_enabled;
    opt.steady.method = *parse_steady_method(in.steady_method);
    opt.steady.tol = in.steady_tol;
    opt.steady.max_iterations = in.steady_max_iterations;
    sc.resolved["steady_state"] = {{"enabled", in.steady_enabled},
                                   {"method", in.steady_method},
                                   {"tol", in.steady_tol},
                                   {"max_iterations", in.steady_max_iterations}};

    opt.trajectories.count = in.trajectory_count;
    opt.trajectories.target_error = in.target_error.value_or(0.0);
    opt.trajectories.seed = in.seed;
    opt.trajectories.average_from = in.average_from;
    opt.trajectories.integrator = in.trajectory_integrator == "dopri5" ? TrajectoryOptions::Integrator::dopri5
                                                                       : TrajectoryOptions::Integrator::taylor;
    sc.resolved["trajectories"] = {{"count", in.trajectory_count}, {"seed", in.seed}, {"integrator", in.trajectory_integrator}};
    if (opt.trajectories.target_error > 0) sc.resolved["trajectories"]["target_error"] = opt.trajectories.target_error;
    if (in.average_from) sc.resolved["trajectories"]["average_from"] = *in.average_from;
}

// ---- checks across sections: t_end against the model's time scales, a steady state that exists ----
void check_across_sections(const Scenario& sc) {
    const model::ModelSpec& spec = sc.spec;
    const RunOptions& opt = sc.options;
    const int m = static_cast<int>(spec.baths.size());
    // The model's fastest rate sets the time scale t_end is measured against.
    double fastest = sc.inputs.J;
    bool damped = false;
    for (const auto& link : spec.network.links()) {
        fastest = std::max({fastest, std::abs(link.J), link.gamma});
        damped = damped || link.gamma > 0;
    }
    for (int j = 0; j < m; ++j) {
        const auto& b = spec.baths[j];
        fastest = std::max({fastest, b.kappa * (2.0 * b.n_th + 1.0) * std::cosh(2.0 * b.squeeze_r),
                            std::abs(spec.detuning(j)), std::abs(spec.kerr(j))});
        damped = damped || b.kappa > 0;
    }
    if (opt.time.t_end > 0 && fastest > 0) {
        const double lo = min_t_end_rate / fastest;
        const double hi = max_t_end_rate / fastest;
        if (opt.time.t_end < lo || opt.time.t_end > hi) {
            char text[320];
            std::snprintf(text, sizeof text,
                          "must be 0 (no time evolution) or in [%.3g, %.3g], i.e. 1e-6 to 1e5 times the model's "
                          "fastest time scale 1/%.3g (got %g)",
                          lo, hi, fastest, opt.time.t_end);
            throw InputError("time.t_end", text);
        }
    }
    // Without any damping (every kappa = 0, no link dissipation) the state never becomes stationary:
    // no steady state exists (the Fock solver would search for ever, issue 18).
    if (opt.steady.enabled && !damped)
        throw InputError("reservoirs.kappa",
                         "no mode is damped (kappa = 0 everywhere and no link_dissipation): no steady state "
                         "exists; give some mode kappa > 0 or set steady_state.enabled = false");
}

}  // namespace

std::string per_mode_length_message(int n_modes, std::size_t got) {
    return fmt::format("per-mode array must have {} entries (one per mode C, b1..bN), got {}", n_modes, got);
}

std::string drive_mode_with_array_message() { return "not allowed when drive.epsilon is a per-mode array"; }

void check_network(const ScenarioInputs& in) {
    const int m = in.batteries + 1;
    (void)checked_links(in, m);
    (void)expand(in.detuning, m, "network.detuning");
    check_model_memory(in.batteries, m);
}

void derive_scenario(Scenario& sc) {
    sc.resolved = nlohmann::json::object();
    sc.derived = nlohmann::json::object();
    sc.resolved["scenario"] = {{"name", sc.name}, {"description", sc.inputs.description}};
    // Sections in the order of the docs: the first bad key is the one reported.
    const int m = sc.inputs.batteries + 1;
    derive_network(sc, m);
    derive_drive(sc, m);
    derive_reservoirs_and_kerr(sc, m);
    derive_options(sc, m);
    check_across_sections(sc);
    std::string why;
    if (!sc.options.is_valid(&why)) throw InputError("", why);   // defence in depth: the checks above cover it
    sc.model = model::build_model(sc.spec);
}

}  // namespace qbnet
