#pragma once
// Result writers: EngineResult -> summary.json, timeseries-<engine>.csv and a terminal table.
// Every file is written to a temporary name and renamed, so a crash never leaves half a file.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qbnet/io/scenario.hpp"
#include "qbnet/result.hpp"
#include "qbnet/study/crosscheck.hpp"

namespace qbnet::io {

// Typed results -> JSON (the only place that serialises them).
nlohmann::ordered_json snapshot_json(const Snapshot& snapshot);
nlohmann::ordered_json steady_diagnostics_json(const SteadyDiagnostics& diagnostics);
nlohmann::ordered_json statistics_json(const Statistics& statistics);
nlohmann::ordered_json cross_check_json(const study::CrossCheck& check);

// { steady_state: {modes, batteries, diagnostics}, statistics, warnings } for one engine.
nlohmann::ordered_json engine_result_json(const EngineResult& result);

// The whole summary.json: scenario name, resolved parameters, results.<engine>, and `cross_check`
// when it is not null. Ordered at the top level so the file reads in that order.
nlohmann::ordered_json summary_json(const Scenario& scenario, const std::vector<EngineResult>& results,
                                    const nlohmann::json& cross_check = nullptr,
                                    const nlohmann::ordered_json& provenance = nullptr);

// CSV with header t,E_C,E_b1..E_bN,W_b1..W_bN,E_B,W_B ("nan" where not available); empty string
// when the result has no time series.
std::string timeseries_csv(const EngineResult& result);

// "timeseries-<engine>.csv" inside `dir`.
std::filesystem::path timeseries_path(const std::filesystem::path& dir, const std::string& engine);

// Writes `content` to `path` via a temporary file in the same folder ("<path>.tmp-<pid>", fsync'ed) and
// a rename. Throws std::runtime_error ("cannot write '<path>': <reason>") when the file cannot be
// written; then neither a temporary nor a half-written `path` is left.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

// Checks, BEFORE any work, that `dir` can be created (where missing) and written: creates the missing
// folders, writes and removes a probe file, and removes the folders it created again. Throws InputError
// with key "--out" (one line: which folder, why) for a path below a file, a read-only or full file
// system, /proc, missing permissions.
void ensure_writable_output_dir(const std::filesystem::path& dir);

// Creates `dir` and writes summary.json plus one CSV per engine with a time series: all of them to
// temporary names first, then renamed (a failure leaves the previous files untouched and no temporary).
// Then removes what an earlier run left that this one does not rewrite: timeseries-<engine>.csv of
// other engines and every energy-<engine>.png (the caller draws this run's plots afterwards), and
// "*.tmp-<pid>" files of qbnet processes that no longer exist.
// Returns the paths written, in order.
std::vector<std::filesystem::path> write_results(const std::filesystem::path& dir, const Scenario& scenario,
                                                 const std::vector<EngineResult>& results,
                                                 const nlohmann::json& cross_check = nullptr,
                                                 const nlohmann::ordered_json& provenance = nullptr);

// Fixed-width table for the terminal: one row per mode (energy, ergotropy, passive energy), the
// joint batteries row, then the solver diagnostics. Uses the last time sample when there is no
// steady state.
std::string format_result_table(const EngineResult& result);

}  // namespace qbnet::io
