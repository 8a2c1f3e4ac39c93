#pragma once
// Optimal coupling (docs/physics.md, "Optimal coupling J_op(N)"): maximise a steady-state figure of merit
// over one scenario key. A coarse scan brackets every local maximum, Brent's method
// (boost::math::tools::brent_find_minima) refines each one on log(value) (linear when LO <= 0).
// Points are built like sweep points: the typed setters on a copy of the parsed base scenario
// (study/sweep.hpp, point_scenario).
#include <optional>
#include <string>
#include <vector>

#include "qbnet/result.hpp"
#include "qbnet/scenario.hpp"

namespace qbnet::study {

enum class Objective {
    energy_last,          // E of the last battery b_N (end of a cascaded chain)
    energy_total,         // E_B = sum_i E_i
    energy_per_battery,   // E_B / N
    ergotropy_last,       // local ergotropy of b_N
    ergotropy_total,      // ergotropy of the joint state of all batteries
};

// Throws InputError("--objective", ...) listing the allowed names.
Objective parse_objective(const std::string& name);
std::string objective_name(Objective objective);
// The figure of merit of one steady state. Throws RunRefused when the joint ergotropy is unavailable.
double objective_value(Objective objective, const Snapshot& steady);

// "LO:HI" with finite LO < HI; throws InputError("--bounds", ...).
void parse_bounds(const std::string& spec, double& lower, double& upper);

struct OptimizeOptions {
    std::string param = "network.J";
    Objective objective = Objective::energy_last;
    double lower = 1e-5;        // search interval (log-spaced when lower > 0)
    double upper = 1.0;
    int scan_points = 41;       // coarse scan that brackets the local maxima
    std::string engine = "gaussian";
    int threads = 0;            // 0: OpenMP default; the scan runs its points in parallel
    // Brent tolerance in bits on the search variable (log value): 2^(1-bits) relative, i.e. ~2e-8 at
    // 26 bits -- below that the objective is flat to double precision (error ~ sqrt(machine eps)).
    int bits = 26;
    int max_iterations = 200;
};

struct LocalMaximum {
    double value = 0.0;             // the parameter at the maximum
    double objective_value = 0.0;
    int iterations = 0;             // Brent iterations
};

struct OptimizeResult {
    std::string param;
    std::string objective;
    std::string engine;
    // The global maximum over the interior local maxima; empty when the objective is largest at a
    // bound (then at_bound says which) or has no interior maximum at all.
    std::optional<double> value;
    std::optional<double> objective_value;
    std::string at_bound;           // "" | "lower" | "upper": the objective is largest at that bound
    double bound_value = 0.0;       // that bound and the objective there (when at_bound is set)
    double bound_objective_value = 0.0;
    std::vector<LocalMaximum> local_maxima;   // interior maxima, by parameter value
    std::vector<double> scan_values;
    std::vector<double> scan_objective;
    std::vector<bool> scan_converged;   // steady state converged at each scan point
    std::vector<double> scan_residual;
    int untrusted_evaluations = 0;      // evaluations assess_trust() rejects (scan and Brent)
    std::vector<std::string> warnings;
    int evaluations = 0;
};

// Collective under MPI: the coarse scan is spread over the ranks, the Brent stage runs on every rank
// alike (same inputs, same steps), and every rank returns the same result.
// Maximises `options.objective` of the steady state of the parsed base scenario over `options.param` in
// [lower, upper]. Throws InputError for bad options or a bad parameter value (both bounds are built
// before any work).
OptimizeResult optimize(const Scenario& base, const OptimizeOptions& options);

}  // namespace qbnet::study
