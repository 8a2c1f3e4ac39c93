#include "qbnet/io/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "qbnet/errors.hpp"
#include "qbnet/initial_state.hpp"
#include "qbnet/numerics/memory.hpp"
#include "toml_reader.hpp"

namespace qbnet::io {

using io::detail::Range;
using io::detail::SectionReader;

namespace {

// Every section and key a scenario may contain (docs/scenario.md documents each one).
const io::detail::Schema& scenario_schema() {
    static const io::detail::Schema schema = {
        {"network", {"topology", "batteries", "coupling", "J", "phase", "link_dissipation", "links", "detuning"}},
        {"drive", {"epsilon", "mode", "epsilon_phase"}},
        {"reservoirs", {"kappa", "n_th", "squeeze_r", "squeeze_theta", "apply_to"}},
        {"kerr", {"chi"}},
        {"fock", {"cutoff", "tolerance", "frame", "truncation_warning", "joint_ergotropy_max_dim"}},
        {"time", {"t_end", "samples", "initial", "atol", "rtol", "integrator"}},
        {"steady_state", {"enabled", "method", "tol", "max_iterations"}},
        {"trajectories", {"count", "target_error", "seed", "average_from", "integrator"}},
        {"scenario", {"name", "description"}},
    };
    return schema;
}

// Generous sanity bounds: they catch typos (batteries = 1e6) and int overflow, not physics. The
// engines refuse runs that do not fit in memory on their own (RunRefused).
constexpr std::int64_t max_batteries = 100000;
constexpr std::int64_t max_cutoff = 100000;
constexpr std::int64_t max_samples = 10000000;

// Model parameters are in units of the mode frequency omega (rotating-wave model): a rate, coupling,
// detuning, Kerr coefficient or drive above 1e3 omega is far outside the model and only produces
// overflow (J = 1e300: nan in every solver, issue 18). The squeezing parameter r of a reservoir is capped
// at 3 (26 dB, sinh^2 r = 100 noise quanta; the best squeezed light is ~15 dB, r = 1.7): r = 50 stalled
// the Fock engine, r = 5 still took > 25 s at cutoff 3 (Fock) and 19 s (Gaussian ergotropy spectrum) for
// three modes. n_th is capped at 1e6 quanta.
constexpr double max_rate = 1e3;
constexpr double max_squeeze_r = 3.0;
constexpr double max_n_th = 1e6;
// A time evolution is refused when t_end is shorter than 1e-6 or longer than 1e5 times the model's
// fastest time scale (t_end = 1e-30 crashed the Fock engine; t_end = 1e300 never ends; 1e5 relaxation
// times is already ~10 minutes of Fock integration at D = 27). t_end = 0 still means "no time evolution".
constexpr double min_t_end_rate = 1e-6;
constexpr double max_t_end_rate = 1e5;
// Bytes per mode^2 of the Model itself (dense h, one or two coefficient vectors per jump operator, the
// Kossakowski matrix of the Gaussian engine): checked before build_model allocates it.
constexpr double model_bytes_per_mode2 = 160.0;

Range magnitude(double lo_zero) {
    return lo_zero >= 0 ? Range{0.0, max_rate, false, false} : Range{-max_rate, max_rate, false, false};
}

std::vector<std::pair<int, int>> read_links(const SectionReader& net, const std::string& topology, int n_modes) {
    if (topology != "custom") {
        if (net.has("links"))
            throw InputError(net.key_name("links"), "only allowed with network.topology = \"custom\"");
        return {};
    }
    if (!net.has("links"))
        throw InputError(net.key_name("links"),
                         "required with network.topology = \"custom\" (e.g. links = [[0, 1], [1, 2]])");
    std::vector<std::pair<int, int>> links;
    std::set<std::pair<int, int>> seen;   // unordered pairs: (0,1) and (1,0) would couple the same modes twice
    for (const auto& [s, t] : net.integer_pairs("links")) {
        const std::string where = "[" + std::to_string(s) + ", " + std::to_string(t) + "]";
        if (s < 0 || s >= n_modes || t < 0 || t >= n_modes)
            throw InputError(net.key_name("links"), "link " + where + " joins a missing mode (mode indices are 0.." +
                                                        std::to_string(n_modes - 1) + ")");
        if (s == t) throw InputError(net.key_name("links"), "link " + where + " is a self link (not allowed)");
        const std::pair<int, int> key(static_cast<int>(std::min(s, t)), static_cast<int>(std::max(s, t)));
        if (!seen.insert(key).second)
            throw InputError(net.key_name("links"), "link " + where + " joins two modes that are already linked");
        links.emplace_back(static_cast<int>(s), static_cast<int>(t));
    }
    if (links.empty()) throw InputError(net.key_name("links"), "must contain at least one link");
    return links;
}

Eigen::VectorXd to_eigen(const std::vector<double>& v) {
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

std::string validated_name(const std::string& name, const std::string& key) {
    // The name becomes the default output folder results/<name>/: keep it a plain folder name.
    const bool ok = !name.empty() && name != "." && name != ".." &&
                    name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
                        std::string::npos;
    if (!ok) throw InputError(key, "must be a non-empty name of letters, digits, '.', '_' or '-' (got \"" + name + "\")");
    return name;
}


// JSON (the `parameters` block of a summary.json) -> the TOML table the reader validates. Numbers keep
// their binary value (no text round trip), so a rerun reproduces the run exactly.
void json_to_toml(const nlohmann::json& j, toml::table& out, const std::string& where);

toml::array json_array_to_toml(const nlohmann::json& j, const std::string& where) {
    toml::array arr;
    for (const auto& v : j) {
        if (v.is_array()) arr.push_back(json_array_to_toml(v, where));
        else if (v.is_boolean()) arr.push_back(v.get<bool>());
        else if (v.is_number_integer()) arr.push_back(v.get<std::int64_t>());
        else if (v.is_number()) arr.push_back(v.get<double>());
        else if (v.is_string()) arr.push_back(v.get<std::string>());
        else throw InputError(where, "unsupported value in an array of the parameters block");
    }
    return arr;
}

void json_to_toml(const nlohmann::json& j, toml::table& out, const std::string& where) {
    for (const auto& [key, v] : j.items()) {
        const std::string name = where.empty() ? key : where + "." + key;
        if (v.is_null()) continue;   // optional values the run did not set
        if (v.is_object()) {
            toml::table sub;
            json_to_toml(v, sub, name);
            out.insert(key, std::move(sub));
        } else if (v.is_array()) {
            out.insert(key, json_array_to_toml(v, name));
        } else if (v.is_boolean()) {
            out.insert(key, v.get<bool>());
        } else if (v.is_number_integer()) {
            out.insert(key, v.get<std::int64_t>());
        } else if (v.is_number()) {
            out.insert(key, v.get<double>());
        } else if (v.is_string()) {
            out.insert(key, v.get<std::string>());
        } else {
            throw InputError(name, "unsupported value in the parameters block");
        }
    }
}

Scenario parse_scenario_table(toml::table root, const std::string& name, const std::vector<std::string>& overrides);

}  // namespace

Scenario parse_scenario(const std::string& toml_text, const std::string& name,
                        const std::vector<std::string>& overrides) {
    toml::table root;
    int bad_line = 0, bad_column = 0;
    if (io::detail::find_non_ascii_outside_strings(toml_text, &bad_line, &bad_column))
        throw InputError("", "invalid TOML at line " + std::to_string(bad_line) + ", column " +
                                 std::to_string(bad_column) +
                                 ": a non-ASCII character outside a string or comment");
    try {
        root = toml::parse(toml_text);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        throw InputError("", "invalid TOML at line " + std::to_string(where.line) + ", column " +
                                 std::to_string(where.column) + ": " + std::string(e.description()));
    }
    return parse_scenario_table(std::move(root), name, overrides);
}

Scenario parse_summary_parameters(const std::string& json_text, const std::string& name,
                                  const std::vector<std::string>& overrides) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::exception& e) {
        throw InputError("", std::string("invalid JSON: ") + e.what());
    }
    if (!j.is_object() || !j.contains("parameters") || !j["parameters"].is_object())
        throw InputError("parameters", "a JSON scenario must be a qbnet summary.json with a \"parameters\" object");
    toml::table root;
    json_to_toml(j["parameters"], root, "");
    return parse_scenario_table(std::move(root), name, overrides);
}

namespace {

// ---- [network]: topology, links, detuning -> sc.spec.network; returns the number of modes ----
int read_network(const toml::table& root, Scenario& sc) {
    nlohmann::json& resolved = sc.resolved;
    const SectionReader net(root, "network");
    const int n_batteries = static_cast<int>(net.integer("batteries", 1, 1, max_batteries));
    const int m = n_batteries + 1;
    const std::string topology = net.choice("topology", "cascaded", {"cascaded", "parallel", "custom"});
    const std::string coupling = net.choice("coupling", "nonreciprocal", {"nonreciprocal", "reciprocal"});
    model::LinkSpec link_spec;
    link_spec.coupling = coupling == "reciprocal" ? model::Coupling::reciprocal : model::Coupling::nonreciprocal;
    link_spec.J = net.real("J", 1.5e-3, magnitude(0.0));
    link_spec.phase = net.optional_real("phase", Range{-1e6, 1e6, false, false});
    link_spec.gamma = net.optional_real("link_dissipation", magnitude(0.0));
    const auto custom_links = read_links(net, topology, m);
    const auto detuning = net.real_per_mode("detuning", 0.0, m, magnitude(-1.0));
    // The Model is dense in the modes: refuse a network that does not fit in memory before building it.
    {
        const double need = model_bytes_per_mode2 * static_cast<double>(m) * static_cast<double>(m);
        const double have = 0.9 * numerics::available_memory_bytes();
        if (have > 0 && need > have) {
            char text[256];
            std::snprintf(text, sizeof text,
                          "%d batteries need about %.3g GiB for the model alone, but only %.3g GiB are available: "
                          "use fewer batteries",
                          n_batteries, need / 1073741824.0, have / 1073741824.0);
            throw InputError(net.key_name("batteries"), text);
        }
    }

    model::ModelSpec& spec = sc.spec;
    if (topology == "cascaded")
        spec.network = model::Network::cascaded(n_batteries, link_spec);
    else if (topology == "parallel")
        spec.network = model::Network::parallel(n_batteries, link_spec);
    else
        spec.network = model::Network::custom(n_batteries, custom_links, link_spec);
    spec.detuning = to_eigen(detuning);

    // phase and link_dissipation default to values DERIVED from coupling and J (NC: pi/2 and Gamma = 2J).
    // The parameters block records them only when the user set them (null otherwise), so that a rerun of
    // a summary.json with --set network.J=X re-derives Gamma = 2X; the values used are in sc.derived.
    const model::Link effective = link_spec.make(0, 1);
    const auto given = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    resolved["network"] = {{"topology", topology},
                           {"batteries", n_batteries},
                           {"coupling", coupling},
                           {"J", link_spec.J},
                           {"phase", given(link_spec.phase)},
                           {"link_dissipation", given(link_spec.gamma)},
                           {"detuning", detuning}};
    sc.derived["network"] = {{"phase", effective.phase}, {"link_dissipation", effective.gamma}};
    // Links only where the user gives them (custom topology), so the block reads back as a scenario.
    if (topology == "custom") {
        nlohmann::json links_json = nlohmann::json::array();
        for (const auto& link : spec.network.links()) links_json.push_back({link.source, link.target});
        resolved["network"]["links"] = links_json;
    }

    return m;
}

// ---- [drive] -> sc.spec.drive ----
void read_drive(const toml::table& root, int m, Scenario& sc) {
    nlohmann::json& resolved = sc.resolved;
    model::ModelSpec& spec = sc.spec;
    const SectionReader drive(root, "drive");
    const double drive_phase = drive.real("epsilon_phase", 0.0, Range{-1e6, 1e6, false, false});
    std::vector<double> epsilon(m, 0.0);
    if (drive.is_array("epsilon")) {
        if (drive.has("mode"))
            throw InputError(drive.key_name("mode"), "not allowed when drive.epsilon is a per-mode array");
        epsilon = drive.real_per_mode("epsilon", 0.0, m, magnitude(-1.0));
    } else {
        const int mode = static_cast<int>(drive.integer("mode", 0, 0, m - 1));
        epsilon[mode] = drive.real("epsilon", 0.01, magnitude(-1.0));
    }
    spec.drive = Eigen::VectorXcd(m);
    for (int j = 0; j < m; ++j) spec.drive(j) = std::polar(1.0, drive_phase) * epsilon[j];
    resolved["drive"] = {{"epsilon", epsilon}, {"epsilon_phase", drive_phase}};

}

// ---- [reservoirs] -> sc.spec.baths ----
void read_reservoirs(const toml::table& root, int m, Scenario& sc) {
    nlohmann::json& resolved = sc.resolved;
    model::ModelSpec& spec = sc.spec;
    const SectionReader res(root, "reservoirs");
    const auto kappa = res.real_per_mode("kappa", 0.003, m, magnitude(0.0));
    auto n_th = res.real_per_mode("n_th", 0.0, m, Range{0.0, max_n_th, false, false});
    auto squeeze_r = res.real_per_mode("squeeze_r", 0.0, m, Range{0.0, max_squeeze_r, false, false});
    auto squeeze_theta = res.real_per_mode("squeeze_theta", 0.0, m, Range{-1e6, 1e6, false, false});
    const std::string apply_to = res.choice("apply_to", "all", {"all", "batteries", "charger"});
    spec.baths.assign(m, model::SqueezedThermalBath{});
    for (int j = 0; j < m; ++j) {
        // Modes outside apply_to keep their decay rate but see a vacuum bath (docs/physics.md: which
        // reservoirs are thermal or squeezed is a model option).
        const bool applies = apply_to == "all" || (apply_to == "charger") == (j == 0);
        if (!applies) n_th[j] = squeeze_r[j] = squeeze_theta[j] = 0.0;
        spec.baths[j] = {kappa[j], n_th[j], squeeze_r[j], squeeze_theta[j]};
    }
    resolved["reservoirs"] = {{"kappa", kappa},         {"n_th", n_th},         {"squeeze_r", squeeze_r},
                              {"squeeze_theta", squeeze_theta}, {"apply_to", apply_to}};

}

// ---- [kerr] -> sc.spec.kerr ----
void read_kerr(const toml::table& root, int m, Scenario& sc) {
    nlohmann::json& resolved = sc.resolved;
    model::ModelSpec& spec = sc.spec;
    const auto chi = SectionReader(root, "kerr").real_per_mode("chi", 0.0, m, magnitude(-1.0));
    spec.kerr = to_eigen(chi);
    resolved["kerr"] = {{"chi", chi}};

}

// ---- [fock] -> sc.options.fock (also read by the trajectory engine) ----
void read_fock(const toml::table& root, int m, Scenario& sc) {
    nlohmann::json& resolved = sc.resolved;
    RunOptions& opt = sc.options;
    const SectionReader fock(root, "fock");
    // fock.cutoff = "auto" (default): cutoffs grown until every error bar meets fock.tolerance.
    opt.fock.auto_cutoff = !fock.has("cutoff");
    if (fock.has("cutoff") && !fock.is_array("cutoff")) {
        try {
            (void)fock.integer("cutoff", 8, 2, max_cutoff);
        } catch (const InputError& not_an_integer) {
            try {
                (void)fock.text("cutoff", "auto");
            } catch (const InputError&) {
                throw not_an_integer;   // neither an integer in range nor a word: the integer message
            }
            (void)fock.choice("cutoff", "auto", {"auto"});   // a word: only "auto" is allowed
            opt.fock.auto_cutoff = true;
        }
    }
    if (!opt.fock.auto_cutoff)
        for (auto c : fock.integer_per_mode("cutoff", 8, m, 2, max_cutoff)) opt.fock.cutoff.push_back(static_cast<int>(c));
    opt.fock.tolerance = fock.real("tolerance", 1e-6, Range::open(0.0, 1.0));
    const std::string frame = fock.choice("frame", "auto", {"auto", "lab", "displaced"});
    opt.fock.auto_frame = frame == "auto";
    opt.fock.frame = opt.fock.auto_frame ? Frame::lab : *parse_frame(frame);
    opt.fock.truncation_warning = fock.real("truncation_warning", 1e-3, Range::open(0.0, 1.0));
    opt.fock.joint_ergotropy_max_dim =
        static_cast<int>(fock.integer("joint_ergotropy_max_dim", opt.fock.joint_ergotropy_max_dim, 1, 1 << 20));
    resolved["fock"] = {{"cutoff", opt.fock.auto_cutoff ? nlohmann::json("auto") : nlohmann::json(opt.fock.cutoff)},
                        {"tolerance", opt.fock.tolerance},
                        {"frame", frame},
                        {"truncation_warning", opt.fock.truncation_warning},
                        {"joint_ergotropy_max_dim", opt.fock.joint_ergotropy_max_dim}};

}

// ---- [time] -> sc.options.time ----
void read_time(const toml::table& root, Scenario& sc) {
    nlohmann::json& resolved = sc.resolved;
    RunOptions& opt = sc.options;
    const SectionReader time(root, "time");
    opt.time.t_end = time.real("t_end", 5000.0, Range::at_least(0.0));
    opt.time.samples = static_cast<int>(time.integer("samples", 201, 2, max_samples));
    opt.time.initial = time.text("initial", "vacuum");
    (void)initial_state_or_throw(opt.time.initial);   // InputError on time.initial naming the allowed forms
    opt.time.atol = time.real("atol", 1e-8, Range::positive());
    opt.time.rtol = time.real("rtol", 1e-6, Range::positive());
    const std::string integrator = time.choice("integrator", "dopri5", {"dopri5", "rkc"});
    opt.time.integrator = *parse_integrator(integrator);
    resolved["time"] = {{"t_end", opt.time.t_end}, {"samples", opt.time.samples}, {"initial", opt.time.initial},
                        {"atol", opt.time.atol},   {"rtol", opt.time.rtol}, {"integrator", integrator}};

}

// ---- [steady_state] -> sc.options.steady ----
void read_steady_state(const toml::table& root, Scenario& sc) {
    nlohmann::json& resolved = sc.resolved;
    RunOptions& opt = sc.options;
    const SectionReader steady(root, "steady_state");
    opt.steady.enabled = steady.boolean("enabled", true);
    const std::string method = steady.choice("method", "auto", {"auto", "krylov", "evolve"});
    opt.steady.method = *parse_steady_method(method);
    opt.steady.tol = steady.real("tol", 1e-10, Range::positive());
    opt.steady.max_iterations =
        static_cast<int>(steady.integer("max_iterations", opt.steady.max_iterations, 1, 100000000));
    resolved["steady_state"] = {{"enabled", opt.steady.enabled},
                                {"method", method},
                                {"tol", opt.steady.tol},
                                {"max_iterations", opt.steady.max_iterations}};

}

// ---- [trajectories] -> sc.options.trajectories (read by the trajectory engine only) ----
void read_trajectories(const toml::table& root, Scenario& sc) {
    nlohmann::json& resolved = sc.resolved;
    RunOptions& opt = sc.options;
    const SectionReader traj(root, "trajectories");
    opt.trajectories.count = static_cast<int>(traj.integer("count", 500, 1, 1000000000));
    if (auto target = traj.optional_real("target_error", Range::positive())) opt.trajectories.target_error = *target;
    opt.trajectories.seed = static_cast<std::uint64_t>(
        traj.integer("seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
    opt.trajectories.average_from = traj.optional_real("average_from", Range::at_least(0.0));
    const std::string integrator = traj.choice("integrator", "taylor", {"taylor", "dopri5"});
    opt.trajectories.integrator = integrator == "dopri5" ? TrajectoryOptions::Integrator::dopri5 : TrajectoryOptions::Integrator::taylor;
    resolved["trajectories"] = {{"count", opt.trajectories.count}, {"seed", opt.trajectories.seed}, {"integrator", integrator}};
    if (opt.trajectories.target_error > 0) resolved["trajectories"]["target_error"] = opt.trajectories.target_error;
    if (opt.trajectories.average_from) resolved["trajectories"]["average_from"] = *opt.trajectories.average_from;

}

// ---- checks across sections: t_end against the model's time scales, a steady state that exists ----
void check_across_sections(const toml::table& root, const Scenario& sc) {
    const model::ModelSpec& spec = sc.spec;
    const RunOptions& opt = sc.options;
    const int m = static_cast<int>(spec.baths.size());
    const SectionReader time(root, "time"), res(root, "reservoirs");
    // The model's fastest rate sets the time scale t_end is measured against.
    double fastest = sc.resolved["network"]["J"].get<double>();
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
            throw InputError(time.key_name("t_end"), text);
        }
    }
    // Without any damping (every kappa = 0, no link dissipation) the state never becomes stationary:
    // no steady state exists (the Fock solver would search for ever, issue 18).
    if (opt.steady.enabled && !damped)
        throw InputError(res.key_name("kappa"),
                         "no mode is damped (kappa = 0 everywhere and no link_dissipation): no steady state "
                         "exists; give some mode kappa > 0 or set steady_state.enabled = false");

}

Scenario parse_scenario_table(toml::table root, const std::string& name, const std::vector<std::string>& overrides) {
    // Overrides go onto the table first, so they pass through exactly the same checks as the file.
    for (const auto& text : overrides) io::detail::apply_override(root, text, scenario_schema());
    io::detail::check_known_keys(root, scenario_schema());

    Scenario sc;
    // ---- [scenario] ----
    const SectionReader meta(root, "scenario");
    sc.name = meta.has("name") ? validated_name(meta.text("name", ""), "scenario.name")
                               : validated_name(name, "scenario.name");
    const std::string description = meta.text("description", "");
    sc.resolved["scenario"] = {{"name", sc.name}, {"description", description}};

    // Sections in file order of the docs: the first bad key is the one reported.
    const int m = read_network(root, sc);
    read_drive(root, m, sc);
    read_reservoirs(root, m, sc);
    read_kerr(root, m, sc);
    read_fock(root, m, sc);
    read_time(root, sc);
    read_steady_state(root, sc);
    read_trajectories(root, sc);
    check_across_sections(root, sc);

    std::string why;
    if (!sc.options.is_valid(&why)) throw InputError("", why);   // defence in depth: the checks above cover it
    sc.model = model::build_model(sc.spec);
    return sc;
}

}  // namespace

void check_scenario_key(const std::string& key, const std::string& option) {
    const auto dot = key.find('.');
    const std::string section = dot == std::string::npos ? key : key.substr(0, dot);
    const auto& schema = scenario_schema();
    auto it = schema.find(section);
    std::string allowed;
    if (it == schema.end()) {
        for (const auto& entry : schema) allowed += (allowed.empty() ? "" : ", ") + entry.first;
        throw InputError(option, "unknown key " + key + " (allowed sections: " + allowed + ")");
    }
    if (dot == std::string::npos || !it->second.count(key.substr(dot + 1))) {
        for (const auto& k : it->second) allowed += (allowed.empty() ? "" : ", ") + section + "." + k;
        throw InputError(option, "unknown key " + key + " (allowed: " + allowed + ")");
    }
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
    std::ifstream in(path);
    if (!in) throw InputError("", "cannot read scenario file '" + path + "'");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw InputError("", "cannot read scenario file '" + path + "'");
    const std::filesystem::path p(path);
    // A summary.json of an earlier run: its parameters block reproduces that run (same name, same values).
    if (p.extension() == ".json") return parse_summary_parameters(text.str(), p.stem().string(), overrides);
    return parse_scenario(text.str(), p.stem().string(), overrides);
}

}  // namespace qbnet::io
