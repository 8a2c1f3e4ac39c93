#include "qbnet/io/scenario.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "qbnet/errors.hpp"
#include "qbnet/initial_state.hpp"
#include "qbnet/scenario_keys.hpp"
#include "toml_reader.hpp"

namespace qbnet::io {

using io::detail::SectionReader;

namespace {

// Every section and key a scenario may contain: the key table (qbnet/scenario_keys.hpp; docs/scenario.md
// documents each one).
const io::detail::Schema& scenario_schema() {
    static const io::detail::Schema schema = [] {
        io::detail::Schema out;
        for (const auto& k : scenario_keys()) out[k.section].insert(k.key);
        return out;
    }();
    return schema;
}

// What the table allows for a key of the section `r` reads.
const ScenarioKey& table_key(const SectionReader& r, const std::string& key) { return scenario_key(r.key_name(key), ""); }
const Range& range_of(const SectionReader& r, const std::string& key) { return table_key(r, key).range; }
const std::vector<std::string>& choices_of(const SectionReader& r, const std::string& key) {
    return table_key(r, key).choices;
}
double real(const SectionReader& r, const std::string& key, double fallback) { return r.real(key, fallback, range_of(r, key)); }
std::optional<double> optional_real(const SectionReader& r, const std::string& key) {
    return r.optional_real(key, range_of(r, key));
}
std::int64_t integer(const SectionReader& r, const std::string& key, std::int64_t fallback, int n_modes = 0) {
    const auto [lo, hi] = integer_bounds(table_key(r, key), n_modes);
    return r.integer(key, fallback, lo, hi);
}
std::string choice(const SectionReader& r, const std::string& key, const std::string& fallback) {
    return r.choice(key, fallback, choices_of(r, key));
}
PerMode<double> real_per_mode(const SectionReader& r, const std::string& key, double fallback, int n_modes) {
    return r.real_per_mode(key, fallback, n_modes, range_of(r, key));
}

// network.links as written; derive_scenario() checks them against the modes.
std::vector<std::pair<std::int64_t, std::int64_t>> read_links(const SectionReader& net, const std::string& topology) {
    if (topology != "custom") {
        if (net.has("links"))
            throw InputError(net.key_name("links"), "only allowed with network.topology = \"custom\"");
        return {};
    }
    if (!net.has("links"))
        throw InputError(net.key_name("links"),
                         "required with network.topology = \"custom\" (e.g. links = [[0, 1], [1, 2]])");
    return net.integer_pairs("links");
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

// Defaults: the ScenarioInputs member initialisers (docs/scenario.md lists them), the one place for them.
const ScenarioInputs kDefaults{};

// Each section's keys -> sc.inputs, checked against the key table (ranges, integer bounds, choices).
// Per-mode array lengths and drive.mode are checked here against the batteries just read (and again by
// derive_scenario(), which the typed setters call too); links and the model's memory by check_network
// after [network]; t_end against the model's time scales and a damped mode by derive_scenario().
void read_network(const toml::table& root, ScenarioInputs& in) {
    const SectionReader net(root, "network");
    in.batteries = static_cast<int>(integer(net, "batteries", kDefaults.batteries));
    in.topology = choice(net, "topology", kDefaults.topology);
    in.coupling = choice(net, "coupling", kDefaults.coupling);
    in.J = real(net, "J", kDefaults.J);
    in.phase = optional_real(net, "phase");
    in.link_dissipation = optional_real(net, "link_dissipation");
    in.links = read_links(net, in.topology);
    in.detuning = real_per_mode(net, "detuning", kDefaults.detuning.values.front(), in.batteries + 1);
    check_network(in);   // links against the modes, the model's memory: before the later sections' keys
}

void read_drive(const toml::table& root, ScenarioInputs& in) {
    const SectionReader drive(root, "drive");
    in.epsilon_phase = real(drive, "epsilon_phase", kDefaults.epsilon_phase);
    in.drive_mode.reset();
    // An array drives every mode (drive.mode is then refused); a scalar drives drive.mode (default 0).
    if (drive.is_array("epsilon") && drive.has("mode"))
        throw InputError(drive.key_name("mode"), drive_mode_with_array_message());
    if (!drive.is_array("epsilon") && drive.has("mode")) in.drive_mode = integer(drive, "mode", 0, in.batteries + 1);
    in.epsilon = real_per_mode(drive, "epsilon", kDefaults.epsilon.values.front(), in.batteries + 1);
}

void read_reservoirs_and_kerr(const toml::table& root, ScenarioInputs& in) {
    const SectionReader res(root, "reservoirs");
    in.kappa = real_per_mode(res, "kappa", kDefaults.kappa.values.front(), in.batteries + 1);
    in.n_th = real_per_mode(res, "n_th", kDefaults.n_th.values.front(), in.batteries + 1);
    in.squeeze_r = real_per_mode(res, "squeeze_r", kDefaults.squeeze_r.values.front(), in.batteries + 1);
    in.squeeze_theta = real_per_mode(res, "squeeze_theta", kDefaults.squeeze_theta.values.front(), in.batteries + 1);
    in.apply_to = choice(res, "apply_to", kDefaults.apply_to);
    in.chi = real_per_mode(SectionReader(root, "kerr"), "chi", kDefaults.chi.values.front(), in.batteries + 1);
}

void read_fock(const toml::table& root, ScenarioInputs& in) {
    const SectionReader fock(root, "fock");
    // fock.cutoff = "auto" (default): cutoffs grown until every error bar meets fock.tolerance.
    in.cutoff_auto = !fock.has("cutoff");
    const auto [lo, hi] = integer_bounds(table_key(fock, "cutoff"), 0);
    if (fock.has("cutoff") && !fock.is_array("cutoff")) {
        try {
            (void)fock.integer("cutoff", 8, lo, hi);
        } catch (const InputError& not_an_integer) {
            try {
                (void)fock.text("cutoff", "auto");
            } catch (const InputError&) {
                throw not_an_integer;   // neither an integer in range nor a word: the integer message
            }
            (void)fock.choice("cutoff", "auto", {"auto"});   // a word: only "auto" is allowed
            in.cutoff_auto = true;
        }
    }
    if (!in.cutoff_auto) in.cutoff = fock.integer_per_mode("cutoff", 8, in.batteries + 1, lo, hi);
    in.tolerance = real(fock, "tolerance", kDefaults.tolerance);
    in.frame = choice(fock, "frame", kDefaults.frame);
    in.truncation_warning = real(fock, "truncation_warning", kDefaults.truncation_warning);
    in.joint_ergotropy_max_dim = static_cast<int>(integer(fock, "joint_ergotropy_max_dim", kDefaults.joint_ergotropy_max_dim));
}

void read_time_steady_trajectories(const toml::table& root, ScenarioInputs& in) {
    const SectionReader time(root, "time");
    in.t_end = real(time, "t_end", kDefaults.t_end);
    in.samples = static_cast<int>(integer(time, "samples", kDefaults.samples));
    in.initial = time.text("initial", kDefaults.initial);
    (void)initial_state_or_throw(in.initial);   // InputError on time.initial naming the allowed forms
    in.atol = real(time, "atol", kDefaults.atol);
    in.rtol = real(time, "rtol", kDefaults.rtol);
    in.integrator = choice(time, "integrator", kDefaults.integrator);

    const SectionReader steady(root, "steady_state");
    in.steady_enabled = steady.boolean("enabled", kDefaults.steady_enabled);
    in.steady_method = choice(steady, "method", kDefaults.steady_method);
    in.steady_tol = real(steady, "tol", kDefaults.steady_tol);
    in.steady_max_iterations = static_cast<int>(integer(steady, "max_iterations", kDefaults.steady_max_iterations));

    const SectionReader traj(root, "trajectories");
    in.trajectory_count = static_cast<int>(integer(traj, "count", kDefaults.trajectory_count));
    in.target_error = optional_real(traj, "target_error");
    in.seed = static_cast<std::uint64_t>(integer(traj, "seed", static_cast<std::int64_t>(kDefaults.seed)));
    in.average_from = optional_real(traj, "average_from");
    in.trajectory_integrator = choice(traj, "integrator", kDefaults.trajectory_integrator);
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
    sc.inputs.description = meta.text("description", "");

    // Sections in file order of the docs: the first bad key is the one reported.
    read_network(root, sc.inputs);
    read_drive(root, sc.inputs);
    read_reservoirs_and_kerr(root, sc.inputs);
    read_fock(root, sc.inputs);
    read_time_steady_trajectories(root, sc.inputs);
    derive_scenario(sc);
    return sc;
}

}  // namespace

void check_scenario_key(const std::string& key, const std::string& option) { (void)scenario_key(key, option); }

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
