#pragma once
// Parameter sweeps above the engines (design.md: "built on engines, never inside them").
// Every grid point is a copy of the parsed base scenario with the swept keys set by the typed setters
// (qbnet/scenario_keys.hpp) and re-derived by derive_scenario(), the code the TOML reader ends with: a
// point is validated and built as `qbnet run FILE --set section.key=value` would build it, without
// writing or parsing TOML (the CLI parses the file once, at the io edge).
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "qbnet/result.hpp"
#include "qbnet/scenario.hpp"

namespace qbnet::study {

// One swept scenario key and its values.
struct SweepAxis {
    std::string key;              // "section.key", e.g. "network.J"
    std::vector<double> values;
    std::string spec;             // the --values text it came from
};

// Checks that `key` is a scenario key "section.key" of the key table; throws InputError("--param",
// "unknown key network.JJ (allowed: ...)") otherwise. Whether a value is allowed is checked when points
// are built (all of them, before the first one runs).
void check_param_key(const std::string& key);

// "LO:HI:COUNT" (linear), "LO:HI:COUNT:log" (geometric, LO, HI > 0) or a comma list "v1,v2,...".
// Throws InputError("--values", ...) naming what is allowed.
SweepAxis parse_sweep_axis(const std::string& key, const std::string& spec);

// "section.key=value" with `value` written so that the scenario reader accepts it: integral values
// without a decimal point (integer keys such as network.batteries reject 4.0; real keys accept 4),
// everything else with 17 significant digits (exact round trip). Sweeps no longer use it (typed setters);
// it is the `--set` form of a swept value, e.g. to compare both paths in tests.
std::string override_for(const std::string& key, double value);

// Formats a double with 17 significant digits ("nan" for NaN): the CSV and JSON number format.
std::string format_number(double value);

// The scenario of one sweep or optimisation point: `base` with each (key, value) set by
// set_scenario_input, time evolution off and the steady state on (every engine but trajectories, whose
// steady state is a time average over the scenario's [time] section), then derive_scenario() once.
// Throws InputError (the reader's message, naming the key) for a value the reader would refuse.
Scenario point_scenario(const Scenario& base, const std::vector<std::pair<std::string, double>>& values,
                        const std::string& engine);

// Steady-state figures of a point built by point_scenario. threads: engine threads (1 inside a
// parallel sweep).
Snapshot steady_figures(const Scenario& point, const std::string& engine, int threads);

// One steady state with what says whether to trust it (issue 12: sweeps carry trust).
struct PointResult {
    Snapshot steady;
    SteadyDiagnostics diagnostics;
    std::vector<int> cutoffs;              // Fock: the cutoffs used (auto cutoffs: the chosen ones); Gaussian: empty
    bool trustworthy = true;               // assess_trust() of the point's result and options
    std::vector<std::string> trust_reasons;
    std::vector<std::string> warnings;     // the engine's warnings for this point
};
PointResult steady_point(const Scenario& point, const std::string& engine, int threads);

// Trust columns after the figures: converged (1/0), residual, cutoffs ("8x8x8"; empty for the
// Gaussian engine), then the error bar of every figure column (err_E_C, ..., err_P_B; nan when the
// engine gives no estimate).
std::vector<std::string> trust_columns(int n_batteries);
std::vector<std::string> trust_cells(const PointResult& p, int n_batteries);

// Column names of a steady-state row for N batteries: E_C,E_b1..E_bN,W_b1..W_bN,E_B,W_B, then
// W_C,P_C,P_b1..P_bN,P_B (energy E, ergotropy W, passive energy P = E - W; appended later, so the first
// block keeps its order).
std::vector<std::string> figure_columns(int n_batteries);
// The values of those columns (NaN for batteries beyond the snapshot's, and for an unavailable W_B, P_B);
// errors: their error bars instead (NaN where the engine gave none).
std::vector<double> figure_row(const Snapshot& s, int n_batteries, bool errors = false);

// Where the base scenario came from, for sweep.json only: the scenario name, a fingerprint of the file's
// text and the --set overrides are recorded there and compared on resume (never parsed here).
struct ScenarioSource {
    std::string name;
    std::string text;
    std::vector<std::string> overrides;
};

struct SweepOptions {
    ScenarioSource source;
    std::string engine = "gaussian";   // "fock" | "gaussian"
    std::vector<SweepAxis> axes;       // 1 (line) or 2 (grid; the last axis varies fastest)
    std::filesystem::path out_dir;     // sweep.csv and sweep.json go here
    int threads = 0;                   // 0: OpenMP default (threads of each MPI rank)
    bool strict = false;               // stop handing out points after the first untrustworthy one
    // Written into sweep.json as "provenance" (io/provenance.hpp; null: none). Never part of the resume
    // fingerprint: a resume on another host, date or rank count continues the same sweep.
    nlohmann::ordered_json provenance;
    // Root only: an engine warning or an untrustworthy point, prefixed with the grid point it belongs to
    // ("point network.J = 0.001: ..."). Each text once: later points with the same text are counted and
    // reported after the last point as "the same at K more point(s): <text>".
    std::function<void(const std::string&)> on_warning;
    // Called (from one thread at a time) after each finished point: points done, total, the point.
    std::function<void(std::size_t done, std::size_t total, const std::vector<double>& point)> on_point;
};

struct SweepSummary {
    std::size_t total = 0;
    std::size_t computed = 0;          // this call
    std::size_t skipped = 0;           // already in sweep.csv (resume)
    std::size_t computed_here = 0;     // by this rank
    std::size_t untrusted = 0;         // root: computed points that assess_trust() rejects
    bool stopped = false;              // every rank: --strict stopped at an untrustworthy point
    int ranks = 1;
    bool parallel_points = false;      // points side by side in each rank (engine single-threaded inside)
    std::filesystem::path csv;
    std::filesystem::path json;
    std::vector<std::string> columns;
};

// Collective under MPI: every rank calls it; points go to the ranks with dynamic scheduling and only
// the root reads and writes files (rows as they arrive, then the grid-order rewrite), so the files
// are the same bytes on any number of ranks.
// Runs every grid point and writes out_dir/sweep.csv (parameter columns, then figure_columns for the
// largest N on the grid) and out_dir/sweep.json (the grid). Rows are appended and flushed as points
// finish, so an interrupted sweep keeps its finished points; a new call with the same grid reads
// sweep.csv and computes only the missing points (a different grid in out_dir is an InputError).
// When every point is done the CSV is rewritten in grid order.
// All points are built (validated) before any runs: a bad value throws InputError first.
// `base`: the parsed scenario (with its --set overrides), the same on every rank.
SweepSummary run_sweep(const Scenario& base, const SweepOptions& options);

}  // namespace qbnet::study
