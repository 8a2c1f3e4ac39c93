#pragma once
// Quick-look plots with gnuplot. A plot is a convenience, never a result: every failure here
// (no gnuplot, a gnuplot error) is logged as a warning and the run goes on.
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qbnet::io {

// True when a `gnuplot` executable is on PATH.
bool gnuplot_available();

// A gnuplot started before the engines run, with the opening commands of the time-series plot of `png`
// already sent: its start-up and font set-up then overlap the computation, and plot_timeseries only
// sends the curves. It draws into a private file in the temporary folder (the output folder may not
// exist yet), which plot_timeseries copies next to `png` and renames. An unused warm-up is stopped and
// its file removed when destroyed; a failed one makes plot_timeseries start a fresh gnuplot.
class TimeseriesPlotWarmup {
public:
    // nullptr when gnuplot is missing or cannot be started (the plot then starts gnuplot itself).
    static std::unique_ptr<TimeseriesPlotWarmup> start(const std::filesystem::path& png, const std::string& title);
    ~TimeseriesPlotWarmup();
    TimeseriesPlotWarmup(const TimeseriesPlotWarmup&) = delete;
    TimeseriesPlotWarmup& operator=(const TimeseriesPlotWarmup&) = delete;
    const std::filesystem::path& png() const { return png_; }
    const std::string& title() const { return title_; }
    // Sends the rest of the script, waits for gnuplot and moves its drawing to png() (through a temporary
    // next to it): the PNG path, or nullopt on any failure (then nothing is left behind). Once only.
    std::optional<std::filesystem::path> finish(const std::string& rest);

private:
    TimeseriesPlotWarmup() = default;
    void stop();
    pid_t pid_ = -1;
    int in_ = -1, out_ = -1;
    std::filesystem::path png_, drawing_;
    std::string title_;
};

// Reads a timeseries CSV (io/results.hpp) and draws `png`: the energy of every mode and of all
// batteries vs t (top panel) and the ergotropies (bottom panel). Uses the pngcairo terminal when
// gnuplot has it, else png. Returns the PNG path, or nullopt (with a logged warning) on failure. With
// `warm` started for the same png and title, that gnuplot finishes the plot.
std::optional<std::filesystem::path> plot_timeseries(const std::filesystem::path& csv,
                                                     const std::filesystem::path& png, const std::string& title,
                                                     TimeseriesPlotWarmup* warm = nullptr);

// gnuplot style of the curve of a CSV column ("E_C", "W_b2", "E_B") in a plot of `rows` samples:
// colour, line width, dash type, point type and marker interval. Each mode (C, b1, b2, ...) differs
// from every other one in dash type and point type, not only in colour, so curves that coincide (the
// batteries of a parallel network) stay distinguishable; the joint batteries (B) are a thick black
// dashed line.
std::string plot_curve_style(const std::string& column, std::size_t rows);

// Draws `png` from a sweep.csv (study/sweep.hpp) whose first `axis_keys.size()` columns are the swept
// keys. 1-D: energy of the charger and of each battery (top) and each battery's ergotropy (bottom)
// against the swept key, with error bars where the err_<column> cells are finite. 2-D: heat maps of the
// last battery's energy and ergotropy, one cell per grid point (empty where the value is nan).
// log_axes[k]: axis k on a logarithmic scale (geometric grids). Failures: as plot_timeseries.
std::optional<std::filesystem::path> plot_sweep(const std::filesystem::path& csv, const std::filesystem::path& png,
                                                const std::string& title, const std::vector<std::string>& axis_keys,
                                                const std::vector<bool>& log_axes);

// True when `values` (>= 3, all > 0) form a geometric progression with a ratio away from 1 (a
// LO:HI:COUNT:log grid or a list like 1e-4,1e-3,1e-2): such an axis is drawn on a log scale.
bool is_geometric(const std::vector<double>& values);

}  // namespace qbnet::io
