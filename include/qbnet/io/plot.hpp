#pragma once
// Quick-look plots with gnuplot. A plot is a convenience, never a result: every failure here
// (no gnuplot, a gnuplot error) is logged as a warning and the run goes on.
#include <filesystem>
#include <optional>
#include <string>

namespace qbnet {

// True when a `gnuplot` executable is on PATH.
bool gnuplot_available();

// Reads a timeseries CSV (io/results.hpp) and draws `png`: the energy of every mode and of all
// batteries vs t (top panel) and the ergotropies (bottom panel). Uses the pngcairo terminal when
// gnuplot has it, else png. Returns the PNG path, or nullopt (with a logged warning) on failure.
std::optional<std::filesystem::path> plot_timeseries(const std::filesystem::path& csv,
                                                     const std::filesystem::path& png, const std::string& title);

}  // namespace qbnet
