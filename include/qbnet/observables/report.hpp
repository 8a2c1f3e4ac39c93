#pragma once
// Result: what an engine hands to the writers. Same shape for every engine, so the cross-check,
// the studies and the writers never need to know which engine produced it.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qbnet {

struct Figures {
    double energy = 0.0;           // <H_S> with H_S = sum a^dag a (omega = 1)
    double ergotropy = 0.0;        // W = energy - passive energy
    double passive_energy = 0.0;
};

struct ModeFigures : Figures {
    std::string name;              // "C", "b1", ...
};

// Figures of merit at one instant (steady state or one time sample).
struct Snapshot {
    std::vector<ModeFigures> modes;    // local figures per mode (reduced single-mode states)
    Figures batteries;                 // joint state of all batteries (global ergotropy)
    bool batteries_ergotropy_available = true;  // false when the joint state was too large
};

struct TimeSeries {
    std::vector<double> t;
    std::vector<Snapshot> samples;
};

struct EngineResult {
    std::string engine;                        // "fock" | "gaussian"
    std::optional<Snapshot> steady_state;
    nlohmann::json steady_diagnostics = nlohmann::json::object();   // residual, trace_error, ...
    TimeSeries timeseries;                     // empty when t_end == 0
    nlohmann::json statistics = nlohmann::json::object();           // wall time, steps, rhs calls ...
    std::vector<std::string> warnings;
    // Engine-specific truncation estimate (Fock): max top-level population; used by the cross-check.
    double truncation_estimate = 0.0;
};

// Progress callback: fraction done in [0,1] and a short label. Engines call it from one thread.
using ProgressFn = std::function<void(double fraction, const std::string& what)>;

}  // namespace qbnet
