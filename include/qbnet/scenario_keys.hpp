#pragma once
// The table of scenario keys: every "section.key" a scenario may contain, its kind and what values it
// allows. ONE table, read by the TOML reader (io/scenario.cpp: ranges, integer bounds, choices, the
// schema of known keys) and by the typed setters below (sweeps and the optimiser set a swept value on a
// parsed Scenario), so a range cannot differ between a file and a sweep point.
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "qbnet/scenario.hpp"

namespace qbnet {

// Allowed interval of a real-valued key; always excludes NaN and +-inf.
struct Range {
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    bool lo_open = false;
    bool hi_open = false;

    static Range any() { return {}; }
    static Range at_least(double lo) { return {lo, std::numeric_limits<double>::infinity(), false, false}; }
    static Range positive() { return {0.0, std::numeric_limits<double>::infinity(), true, false}; }
    static Range open(double lo, double hi) { return {lo, hi, true, true}; }

    bool contains(double x) const;
    std::string describe() const;   // e.g. "a finite number >= 0"
};

enum class KeyKind {
    real,       // a finite number in `range` (per_mode: or one per mode)
    integer,    // an integer in [lo, hi] (per_mode: or one per mode)
    choice,     // one of `choices`
    text,       // a string
    boolean,    // true or false
    links,      // an array of [source, target] pairs (network.links)
    cutoff,     // "auto", an integer in [lo, hi] or one per mode (fock.cutoff)
};

struct ScenarioKey {
    std::string section;
    std::string key;
    KeyKind kind = KeyKind::real;
    Range range;                          // real
    std::int64_t lo = 0, hi = 0;          // integer, cutoff (drive.mode: hi is the last mode, see integer_bounds)
    std::vector<std::string> choices;     // choice
    bool per_mode = false;
    std::string name() const { return section + "." + key; }
};

// Every key, sections in the order of docs/scenario.md.
const std::vector<ScenarioKey>& scenario_keys();
// The entry of "section.key"; throws InputError(option, "unknown key ... (allowed: ...)") naming the
// allowed keys of the section (or the allowed sections) when there is none.
const ScenarioKey& scenario_key(const std::string& name, const std::string& option);
// Integer bounds of an integer key for a scenario with `n_modes` modes (drive.mode: 0..n_modes-1).
std::pair<std::int64_t, std::int64_t> integer_bounds(const ScenarioKey& key, int n_modes);
// "an integer in [lo, hi]" (the reader's and the setters' text).
std::string integer_allowed(std::int64_t lo, std::int64_t hi);

// Typed setter: sets key `name` of sc.inputs to `value` (a per-mode key: the same value for every mode;
// drive.epsilon: the driven mode's amplitude; fock.cutoff: fixed cutoffs) after checking it against the
// table, WITHOUT re-deriving. A value the reader would refuse is refused with the reader's message
// (a non-number key such as network.topology refuses every number). Throws InputError naming the key.
void set_scenario_input(ScenarioInputs& inputs, const std::string& name, double value);
// set_scenario_input for each (key, value) in order, then derive_scenario(sc) once.
void apply_scenario_values(Scenario& sc, const std::vector<std::pair<std::string, double>>& values);

// How the reader shows a swept number when it refuses it: the value as `section.key=value` text would be
// written by a sweep (integral values below 1e15 as integers, others with 17 digits) and then parsed.
std::string describe_swept_number(double value);

}  // namespace qbnet
