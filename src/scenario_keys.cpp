// The scenario key table and the typed setters (include/qbnet/scenario_keys.hpp).
#include "qbnet/scenario_keys.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include <fmt/format.h>

#include "qbnet/errors.hpp"

namespace qbnet {

namespace {

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
// drive.mode: its upper bound is the last mode of the scenario (integer_bounds).
constexpr std::int64_t last_mode = -1;

const Range rate{0.0, max_rate, false, false};              // >= 0: couplings, decay rates
const Range signed_rate{-max_rate, max_rate, false, false};  // detuning, Kerr, drive amplitude
const Range angle{-1e6, 1e6, false, false};

using Setter = void (*)(ScenarioInputs&, double);
using IntSetter = void (*)(ScenarioInputs&, std::int64_t);

struct Entry {
    ScenarioKey key;
    Setter set = nullptr;           // real keys
    IntSetter set_integer = nullptr;   // integer keys (fock.cutoff too)
};

Entry real(const char* section, const char* key, Range range, Setter set, bool per_mode = false) {
    Entry e;
    e.key.section = section;
    e.key.key = key;
    e.key.kind = KeyKind::real;
    e.key.range = range;
    e.key.per_mode = per_mode;
    e.set = set;
    return e;
}

Entry integer(const char* section, const char* key, std::int64_t lo, std::int64_t hi, IntSetter set,
              KeyKind kind = KeyKind::integer) {
    Entry e;
    e.key.section = section;
    e.key.key = key;
    e.key.kind = kind;
    e.key.lo = lo;
    e.key.hi = hi;
    e.key.per_mode = kind == KeyKind::cutoff;
    e.set_integer = set;
    return e;
}

Entry other(const char* section, const char* key, KeyKind kind, std::vector<std::string> choices = {}) {
    Entry e;
    e.key.section = section;
    e.key.key = key;
    e.key.kind = kind;
    e.key.choices = std::move(choices);
    return e;
}

// The table. A sweep value is one number: a per-mode key gets it for every mode (the fan-out of a
// scalar in a file), and derive_scenario() makes everything that follows from it.
const std::vector<Entry>& entries() {
    using I = ScenarioInputs;
    static const std::vector<Entry> table = {
        other("network", "topology", KeyKind::choice, {"cascaded", "parallel", "custom"}),
        integer("network", "batteries", 1, max_batteries, [](I& in, std::int64_t v) { in.batteries = static_cast<int>(v); }),
        other("network", "coupling", KeyKind::choice, {"nonreciprocal", "reciprocal"}),
        real("network", "J", rate, [](I& in, double v) { in.J = v; }),
        real("network", "phase", angle, [](I& in, double v) { in.phase = v; }),
        real("network", "link_dissipation", rate, [](I& in, double v) { in.link_dissipation = v; }),
        other("network", "links", KeyKind::links),
        real("network", "detuning", signed_rate, [](I& in, double v) { in.detuning = PerMode<double>::all(v); }, true),
        real("drive", "epsilon", signed_rate, [](I& in, double v) { in.epsilon = PerMode<double>::all(v); }, true),
        integer("drive", "mode", 0, last_mode, [](I& in, std::int64_t v) { in.drive_mode = v; }),
        real("drive", "epsilon_phase", angle, [](I& in, double v) { in.epsilon_phase = v; }),
        real("reservoirs", "kappa", rate, [](I& in, double v) { in.kappa = PerMode<double>::all(v); }, true),
        real("reservoirs", "n_th", Range{0.0, max_n_th, false, false},
             [](I& in, double v) { in.n_th = PerMode<double>::all(v); }, true),
        real("reservoirs", "squeeze_r", Range{0.0, max_squeeze_r, false, false},
             [](I& in, double v) { in.squeeze_r = PerMode<double>::all(v); }, true),
        real("reservoirs", "squeeze_theta", angle, [](I& in, double v) { in.squeeze_theta = PerMode<double>::all(v); },
             true),
        other("reservoirs", "apply_to", KeyKind::choice, {"all", "batteries", "charger"}),
        real("kerr", "chi", signed_rate, [](I& in, double v) { in.chi = PerMode<double>::all(v); }, true),
        integer("fock", "cutoff", 2, max_cutoff,
                [](I& in, std::int64_t v) {
                    in.cutoff_auto = false;
                    in.cutoff = PerMode<std::int64_t>::all(v);
                },
                KeyKind::cutoff),
        real("fock", "tolerance", Range::open(0.0, 1.0), [](I& in, double v) { in.tolerance = v; }),
        other("fock", "frame", KeyKind::choice, {"auto", "lab", "displaced"}),
        real("fock", "truncation_warning", Range::open(0.0, 1.0), [](I& in, double v) { in.truncation_warning = v; }),
        integer("fock", "joint_ergotropy_max_dim", 1, 1 << 20,
                [](I& in, std::int64_t v) { in.joint_ergotropy_max_dim = static_cast<int>(v); }),
        real("time", "t_end", Range::at_least(0.0), [](I& in, double v) { in.t_end = v; }),
        integer("time", "samples", 2, max_samples, [](I& in, std::int64_t v) { in.samples = static_cast<int>(v); }),
        other("time", "initial", KeyKind::text),
        real("time", "atol", Range::positive(), [](I& in, double v) { in.atol = v; }),
        real("time", "rtol", Range::positive(), [](I& in, double v) { in.rtol = v; }),
        other("time", "integrator", KeyKind::choice, {"auto", "dopri5", "rkc", "krylov"}),
        other("steady_state", "enabled", KeyKind::boolean),
        other("steady_state", "method", KeyKind::choice, {"auto", "krylov", "evolve"}),
        real("steady_state", "tol", Range::positive(), [](I& in, double v) { in.steady_tol = v; }),
        integer("steady_state", "max_iterations", 1, 100000000,
                [](I& in, std::int64_t v) { in.steady_max_iterations = static_cast<int>(v); }),
        integer("trajectories", "count", 1, 1000000000, [](I& in, std::int64_t v) { in.trajectory_count = static_cast<int>(v); }),
        real("trajectories", "target_error", Range::positive(), [](I& in, double v) { in.target_error = v; }),
        integer("trajectories", "seed", 0, std::numeric_limits<std::int64_t>::max(),
                [](I& in, std::int64_t v) { in.seed = static_cast<std::uint64_t>(v); }),
        real("trajectories", "average_from", Range::at_least(0.0), [](I& in, double v) { in.average_from = v; }),
        other("trajectories", "integrator", KeyKind::choice, {"taylor", "dopri5"}),
        other("scenario", "name", KeyKind::text),
        other("scenario", "description", KeyKind::text),
    };
    return table;
}

const Entry* find_entry(const std::string& name) {
    for (const auto& e : entries())
        if (e.key.name() == name) return &e;
    return nullptr;
}

std::string join_quoted(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", \"" : "\"") + items[i] + "\"";
    return out;
}

// The integer a swept value stands for, as the reader would see `section.key=value` text written by
// a sweep: integral values below 1e15 as integers, others with 17 digits (an integer literal only when
// that text has no '.', exponent, nan or inf).
bool integral_value(double v, std::int64_t* out) {
    if (std::abs(v) < 1e15 && v == std::round(v)) {
        *out = static_cast<std::int64_t>(v);
        return true;
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    const std::string text = buf;
    if (text.find_first_of(".eEnNiI") != std::string::npos) return false;
    *out = std::strtoll(buf, nullptr, 10);
    return true;
}

}  // namespace

bool Range::contains(double x) const {
    if (!std::isfinite(x)) return false;
    if (lo_open ? !(x > lo) : !(x >= lo)) return false;
    if (hi_open ? !(x < hi) : !(x <= hi)) return false;
    return true;
}

std::string Range::describe() const {
    const bool has_lo = std::isfinite(lo);
    const bool has_hi = std::isfinite(hi);
    if (has_lo && has_hi)
        return fmt::format("a finite number in {}{:g}, {:g}{}", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]");
    if (has_lo) return fmt::format("a finite number {} {:g}", lo_open ? ">" : ">=", lo);
    if (has_hi) return fmt::format("a finite number {} {:g}", hi_open ? "<" : "<=", hi);
    return "a finite number";
}

const std::vector<ScenarioKey>& scenario_keys() {
    static const std::vector<ScenarioKey> keys = [] {
        std::vector<ScenarioKey> out;
        for (const auto& e : entries()) out.push_back(e.key);
        return out;
    }();
    return keys;
}

const ScenarioKey& scenario_key(const std::string& name, const std::string& option) {
    if (const Entry* e = find_entry(name)) return e->key;
    // Sorted lists, as the reader's schema prints them.
    const auto dot = name.find('.');
    const std::string section = dot == std::string::npos ? name : name.substr(0, dot);
    std::set<std::string> sections, in_section;
    for (const auto& e : entries()) {
        sections.insert(e.key.section);
        if (e.key.section == section) in_section.insert(e.key.name());
    }
    std::string allowed;
    if (in_section.empty()) {
        for (const auto& s : sections) allowed += (allowed.empty() ? "" : ", ") + s;
        throw InputError(option, "unknown key " + name + " (allowed sections: " + allowed + ")");
    }
    for (const auto& k : in_section) allowed += (allowed.empty() ? "" : ", ") + k;
    throw InputError(option, "unknown key " + name + " (allowed: " + allowed + ")");
}

std::pair<std::int64_t, std::int64_t> integer_bounds(const ScenarioKey& key, int n_modes) {
    return {key.lo, key.hi == last_mode ? n_modes - 1 : key.hi};
}

std::string integer_allowed(std::int64_t lo, std::int64_t hi) { return fmt::format("an integer in [{}, {}]", lo, hi); }

std::string describe_swept_number(double value) {
    std::int64_t i = 0;
    if (integral_value(value, &i)) return std::to_string(i);
    std::string text = fmt::format("{:g}", value);
    if (text.find_first_of(".eni") == std::string::npos) text += ".0";
    return text;
}

void set_scenario_input(ScenarioInputs& in, const std::string& name, double value) {
    const Entry* e = find_entry(name);
    if (!e) (void)scenario_key(name, name);   // throws: unknown key
    const ScenarioKey& k = e->key;
    const std::string got = " (got " + describe_swept_number(value) + ")";
    switch (k.kind) {
        case KeyKind::real:
            if (!k.range.contains(value)) throw InputError(name, "must be " + k.range.describe() + got);
            break;
        case KeyKind::integer:
        case KeyKind::cutoff: {
            if (name == "drive.mode" && in.epsilon.array) throw InputError(name, drive_mode_with_array_message());
            const auto [lo, hi] = integer_bounds(k, in.batteries + 1);
            std::int64_t i = 0;
            if (!integral_value(value, &i) || i < lo || i > hi)
                throw InputError(name, "must be " + integer_allowed(lo, hi) + got);
            e->set_integer(in, i);
            return;
        }
        case KeyKind::choice: throw InputError(name, "must be one of " + join_quoted(k.choices) + got);
        case KeyKind::text: throw InputError(name, "must be a string" + got);
        case KeyKind::boolean: throw InputError(name, "must be true or false" + got);
        case KeyKind::links:
            if (in.topology != "custom") throw InputError(name, "only allowed with network.topology = \"custom\"");
            throw InputError(name, "must be an array of [source, target] integer pairs, e.g. [[0, 1], [1, 2]]" + got);
    }
    e->set(in, value);
}

void apply_scenario_values(Scenario& sc, const std::vector<std::pair<std::string, double>>& values) {
    for (const auto& [name, value] : values) set_scenario_input(sc.inputs, name, value);
    derive_scenario(sc);
}

}  // namespace qbnet
