#pragma once
// Shared by the plots of io (plot.cpp: time series; sweep_plot.cpp: sweeps): quoting and one atomic
// gnuplot run. Private to src/io.
#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace qbnet::io::detail {

// gnuplot's path from PATH, as a shell's `command -v` finds it, without starting a shell.
std::optional<std::string> find_gnuplot();

// Starts `gnuplot [script]` without a shell: stdout and stderr into out_fd, stdin from in_fd when it is
// >= 0, in a process group of its own when own_group (a terminal's Ctrl-C then stays qbnet's). The
// descriptors are only dup2'd: open them close-on-exec. Returns the pid, or -1.
pid_t spawn_gnuplot(const std::string& gnuplot, const std::string* script, int in_fd, int out_fd, bool own_group);
// Appends everything fd delivers until end of file to log.
void read_until_eof(int fd, std::string& log);
// The wait status of pid (waitpid retried on EINTR), or -1.
int wait_status(pid_t pid);

// The opening commands of a time-series plot drawing into `drawing` (plot_timeseries; a warm-up sends
// them before the engines run).
std::string timeseries_prologue(const std::string& drawing, const std::string& title);

// gnuplot single-quoted string: a quote is written twice.
std::string gp_quote(const std::string& s);

// The terminal lines every qbnet PNG starts with: pngcairo when gnuplot has it, else png.
std::string gp_png_terminal(int width, int height);

// Runs gnuplot on script(tmp_png), which must draw into tmp_png (a temporary next to `png`), and renames
// the result to `png`: no half-written PNG, temporaries of killed runs removed, signals held meanwhile.
// Every failure (no gnuplot, a gnuplot error) is a logged warning and nullopt.
std::optional<std::filesystem::path> render_png(const std::filesystem::path& png,
                                                const std::function<std::string(const std::string& tmp_png)>& script);

}  // namespace qbnet::io::detail
