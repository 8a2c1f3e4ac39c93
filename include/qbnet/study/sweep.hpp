#pragma once
// Parameter sweeps above the engines (design.md: "built on engines, never inside them").
// Every grid point is the base scenario plus "section.key=value" overrides, so a sweep point is
// validated and built exactly like `qbnet run FILE --set section.key=value`.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "qbnet/result.hpp"

namespace qbnet {

// One swept scenario key and its values.
struct SweepAxis {
    std::string key;              // "section.key", e.g. "network.J"
    std::vector<double> values;
    std::string spec;             // the --values text it came from
};

// Checks that `key` has the form "section.key" (whether the key exists is checked by the scenario
// reader when the first point is built). Throws InputError("--param", ...).
void check_param_key(const std::string& key);

// "LO:HI:COUNT" (linear), "LO:HI:COUNT:log" (geometric, LO, HI > 0) or a comma list "v1,v2,...".
// Throws InputError("--values", ...) naming what is allowed.
SweepAxis parse_sweep_axis(const std::string& key, const std::string& spec);

// "section.key=value" with `value` written so that the scenario reader accepts it: integral values
// without a decimal point (integer keys such as network.batteries reject 4.0; real keys accept 4),
// everything else with 17 significant digits (exact round trip).
std::string override_for(const std::string& key, double value);

// Formats a double with 17 significant digits ("nan" for NaN): the CSV and JSON number format.
std::string format_number(double value);

// Steady state of the base scenario plus `overrides`, with time evolution switched off
// (time.t_end=0, steady_state.enabled=true, also through the override mechanism).
// threads: engine threads (1 inside a parallel sweep).
Snapshot steady_figures(const std::string& toml_text, const std::string& name,
                        const std::vector<std::string>& overrides, const std::string& engine, int threads);

// Column names of a steady-state row for N batteries: E_C,E_b1..E_bN,W_b1..W_bN,E_B,W_B.
std::vector<std::string> figure_columns(int n_batteries);
// The values of those columns (NaN for batteries beyond the snapshot's, and for an unavailable W_B).
std::vector<double> figure_row(const Snapshot& s, int n_batteries);

struct SweepOptions {
    std::string engine = "gaussian";   // "fock" | "gaussian"
    std::vector<SweepAxis> axes;       // 1 (line) or 2 (grid; the last axis varies fastest)
    std::filesystem::path out_dir;     // sweep.csv and sweep.json go here
    int threads = 0;                   // 0: OpenMP default
    // Called (from one thread at a time) after each finished point: points done, total, the point.
    std::function<void(std::size_t done, std::size_t total, const std::vector<double>& point)> on_point;
};

struct SweepSummary {
    std::size_t total = 0;
    std::size_t computed = 0;          // this call
    std::size_t skipped = 0;           // already in sweep.csv (resume)
    bool parallel_points = false;      // OpenMP across points (engine single-threaded inside)
    std::filesystem::path csv;
    std::filesystem::path json;
    std::vector<std::string> columns;
};

// Runs every grid point and writes out_dir/sweep.csv (parameter columns, then figure_columns for the
// largest N on the grid) and out_dir/sweep.json (the grid). Rows are appended and flushed as points
// finish, so an interrupted sweep keeps its finished points; a new call with the same grid reads
// sweep.csv and computes only the missing points (a different grid in out_dir is an InputError).
// When every point is done the CSV is rewritten in grid order.
// All points are built (validated) before any runs: a bad value throws InputError first.
SweepSummary run_sweep(const std::string& toml_text, const std::string& name,
                       const std::vector<std::string>& base_overrides, const SweepOptions& options);

}  // namespace qbnet
