#pragma once
// Parameter sweeps above the engines (design.md: "built on engines, never inside them").
// Every grid point is a copy of the parsed base scenario with the swept keys set by the typed setters
// (qbnet/scenario_keys.hpp) and re-derived by derive_scenario(), the code the TOML reader ends with: a
// point is validated and built as `qbnet run FILE --set section.key=value` would build it, without
// writing or parsing TOML (the CLI parses the file once, at the io edge).
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// Strict number parse: the whole text (blanks around it allowed), finite. --values items and stored
// axis values.
bool parse_value(const std::string& text, double& out);

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
// engine gives no estimate). The cells are written by io/ (io/sweep_files.hpp, sweep_row).
std::vector<std::string> trust_columns(int n_batteries);

// Column names of a steady-state row for N batteries: E_C,E_b1..E_bN,W_b1..W_bN,E_B,W_B, then
// W_C,P_C,P_b1..P_bN,P_B (energy E, ergotropy W, passive energy P = E - W; appended later, so the first
// block keeps its order).
std::vector<std::string> figure_columns(int n_batteries);
// The values of those columns (NaN for batteries beyond the snapshot's, and for an unavailable W_B, P_B);
// errors: their error bars instead (NaN where the engine gave none).
std::vector<double> figure_row(const Snapshot& s, int n_batteries, bool errors = false);

// Where the base scenario came from, for the store's description of the sweep only: the scenario name,
// its text and the --set overrides (the file store fingerprints and compares them on resume).
struct ScenarioSource {
    std::string name;
    std::string text;
    std::vector<std::string> overrides;
};

// What a sweep is: handed to its store before any point runs, so that the store can refuse to resume a
// different sweep (io/sweep_files.hpp records it in sweep.json).
struct SweepDescription {
    ScenarioSource source;
    std::string engine;
    std::vector<SweepAxis> axes;
    std::vector<std::string> columns;   // parameter keys, figure_columns, trust_columns (largest N on the grid)
    std::size_t points = 0;
};

// One finished grid point, typed: what the store keeps (io/ formats it as a sweep.csv row).
struct SweepRecord {
    std::size_t index = 0;               // grid index (last axis fastest)
    std::vector<double> params;          // the axis values
    std::vector<double> figures;         // figure_row(steady, largest N)
    bool converged = true;               // steady state converged
    double residual = 0.0;
    std::vector<int> cutoffs;            // Fock: the cutoffs used; Gaussian: empty
    std::vector<double> errors;          // figure_row(steady, largest N, errors = true)
};
SweepRecord sweep_record(std::size_t index, const std::vector<double>& params, const PointResult& p, int n_batteries);

// Grid index of a point given by its axis values (compared to 1e-12 relative: the stored values are
// written with 17 digits, the tolerance only absorbs a hand-edited file); nullopt when it is off the grid.
std::optional<std::size_t> grid_index(const std::vector<SweepAxis>& axes, const std::vector<double>& params);

// Where a sweep keeps its finished points (study computes, the store persists; io::SweepFiles keeps
// sweep.csv + sweep.json, tests keep them in memory). Only the root rank calls it.
class SweepStore {
public:
    virtual ~SweepStore() = default;
    // First call, before any point runs: the sweep to hold. Throws InputError when the store holds a
    // different sweep; otherwise keeps the finished points it holds (a resume) and drops anything else.
    virtual void describe(const SweepDescription& sweep) = 0;
    // After describe(): the axis values of every finished point it holds (a point off the grid makes
    // run_sweep refuse the store).
    virtual std::vector<std::vector<double>> finished_points() const = 0;
    // A point just finished (completion order); it must survive an interruption.
    virtual void record(const SweepRecord& point) = 0;
    // Every grid point is finished (not called when --strict stopped the sweep).
    virtual void finish() = 0;
};

struct SweepOptions {
    ScenarioSource source;
    std::string engine = "gaussian";   // "fock" | "gaussian"
    std::vector<SweepAxis> axes;       // 1 (line) or 2 (grid; the last axis varies fastest)
    int threads = 0;                   // 0: OpenMP default (threads of each MPI rank)
    bool strict = false;               // stop handing out points after the first untrustworthy one
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
    std::size_t skipped = 0;           // already in the store (resume)
    std::size_t computed_here = 0;     // by this rank
    std::size_t untrusted = 0;         // root: computed points that assess_trust() rejects
    bool stopped = false;              // every rank: --strict stopped at an untrustworthy point
    int ranks = 1;
    bool parallel_points = false;      // points side by side in each rank (engine single-threaded inside)
    std::vector<std::string> columns;
};

// Collective under MPI: every rank calls it; points go to the ranks with dynamic scheduling and only
// the root uses `store` (the other ranks may pass any store: it is not called), so what is stored is
// the same on any number of ranks.
// Runs every grid point the store does not hold yet and hands each to store.record() as it finishes,
// so an interrupted sweep keeps its finished points and a new call with the same grid computes only
// the missing ones; store.finish() when every point is done. The columns: the parameter keys, then
// figure_columns and trust_columns for the largest N on the grid.
// All points are built (validated) before any runs: a bad value throws InputError first, before the
// store is described.
// `base`: the parsed scenario (with its --set overrides), the same on every rank.
SweepSummary run_sweep(const Scenario& base, const SweepOptions& options, SweepStore& store);

}  // namespace qbnet::study
