#include "qbnet/io/plot.hpp"

#include "gnuplot.hpp"
#include "signal_hold.hpp"
#include "temporaries.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>


#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace qbnet::io {

namespace {

using io::detail::gp_quote;

// Runs `gnuplot script` and collects its stdout and stderr into log; returns the wait status, or -1
// when it could not be started.
int run_gnuplot(const std::string& gnuplot, const std::string& script, std::string& log) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
    const pid_t pid = detail::spawn_gnuplot(gnuplot, &script, -1, fds[1], false);
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        return -1;
    }
    detail::read_until_eof(fds[0], log);
    ::close(fds[0]);
    return detail::wait_status(pid);
}

std::vector<std::string> csv_header(const std::filesystem::path& csv) {
    std::ifstream in(csv);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> columns;
    std::stringstream ss(line);
    for (std::string col; std::getline(ss, col, ',');) columns.push_back(col);
    return columns;
}

// "E_b1" -> "E_{b1}" (gnuplot enhanced text subscript).
std::string label(const std::string& column) {
    const auto us = column.find('_');
    return us == std::string::npos ? column : column.substr(0, us) + "_{" + column.substr(us + 1) + "}";
}

// Same colour for a mode in both panels: C -> 1, bK -> K+1, the joint batteries (B) black.
std::string colour(const std::string& column) {
    const std::string mode = column.substr(column.find('_') + 1);
    if (mode == "B") return "lc rgb 'black'";
    if (mode.size() > 1 && mode[0] == 'b') return "lc " + std::to_string(std::stoi(mode.substr(1)) + 1);
    return "lc 1";
}

// Index of the mode a column belongs to: C -> 0, bK -> K, anything else (B) -> -1.
int mode_index(const std::string& column) {
    const std::string mode = column.substr(column.find('_') + 1);
    if (mode == "C") return 0;
    if (mode.size() > 1 && mode[0] == 'b' && mode.find_first_not_of("0123456789", 1) == std::string::npos)
        return std::stoi(mode.substr(1));
    return -1;
}

}  // namespace

std::string plot_curve_style(const std::string& column, std::size_t rows) {
    const int k = mode_index(column);
    if (k < 0) return colour(column) + " lw 3 dt 2";   // the joint batteries: thick, black, dashed
    // Curves that coincide (identical parallel batteries) must stay distinguishable without colour: each
    // mode gets its own dash pattern and point shape, a line width that shrinks with the index (the
    // wider one shows around the narrower one on top of it), and, in a long series, its markers at
    // samples shifted by k so that two coinciding curves do not stack their markers (a short one, such as
    // a sweep, marks every point).
    static const int kPointTypes[] = {7, 6, 4, 8, 12, 10, 2, 14, 3, 1};   // C filled, batteries open/crosses
    const int dash = 1 + k % 5;
    const int point = kPointTypes[static_cast<std::size_t>(k) % (sizeof kPointTypes / sizeof kPointTypes[0])];
    const double width = std::max(1.0, 3.5 - 0.5 * (k % 5));
    const std::size_t interval = rows <= 30 ? 1 : rows / 8 + static_cast<std::size_t>(k % 7);
    char buf[160];
    std::snprintf(buf, sizeof buf, " lw %.1f dt %d pt %d ps 1.2 pi %zu", width, dash, point, interval);
    return colour(column) + buf;
}

namespace {

// One `plot` command over every column whose name starts with `prefix` (E or W); `rows` samples.
std::string plot_command(const std::string& data, const std::vector<std::string>& all_columns, char prefix,
                         std::size_t rows) {
    // The charger's ergotropy (W_C, in the CSV since issue 19) stays off the ergotropy panel: the driven
    // charger's is usually far larger than the batteries' and would flatten their curves. Blanked, not erased,
    // so that the column numbers below stay those of the file.
    std::vector<std::string> columns = all_columns;
    for (auto& c : columns)
        if (c == "W_C" || c == "dW_C") c.clear();
    std::string cmd;
    // Error bands first (columns "dE_x"/"dW_x" written with statistical errors), lines on top.
    for (std::size_t i = 1; i < columns.size(); ++i) {
        if (columns[i].empty() || columns[i][0] != prefix) continue;
        for (std::size_t k = 1; k < columns.size(); ++k) {
            if (columns[k] != "d" + columns[i]) continue;
            const std::string v = "$" + std::to_string(i + 1), e = "$" + std::to_string(k + 1);
            cmd += (cmd.empty() ? "plot " : ", \\\n     ") + data + " using 1:(" + v + "-" + e + "):(" + v + "+" + e +
                   ") with filledcurves fs transparent solid 0.25 noborder " + colour(columns[i]) + " notitle";
        }
    }
    for (std::size_t i = 1; i < columns.size(); ++i) {
        if (columns[i].empty() || columns[i][0] != prefix) continue;
        const bool joint = mode_index(columns[i]) < 0;
        cmd += (cmd.empty() ? "plot " : ", \\\n     ") + data + " using 1:" + std::to_string(i + 1) + " with " +
               (joint ? "lines " : "linespoints ") + plot_curve_style(columns[i], rows) + " title " +
               gp_quote(label(columns[i]));
    }
    return cmd + "\n";
}

using io::detail::SignalHold;

}  // namespace

bool gnuplot_available() { return detail::find_gnuplot().has_value(); }

namespace detail {

std::optional<std::string> find_gnuplot() {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/gnuplot";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

pid_t spawn_gnuplot(const std::string& gnuplot, const std::string* script, int in_fd, int out_fd, bool own_group) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (in_fd >= 0) posix_spawn_file_actions_adddup2(&actions, in_fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDERR_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    if (own_group) {
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attr, 0);
    }
    std::vector<char*> argv{const_cast<char*>("gnuplot")};
    if (script) argv.push_back(const_cast<char*>(script->c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, gnuplot.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return rc == 0 ? pid : -1;
}

void read_until_eof(int fd, std::string& log) {
    char buffer[512];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
        if (n > 0) log.append(buffer, static_cast<std::size_t>(n));
        else if (errno != EINTR) break;
    }
}

int wait_status(pid_t pid) {
    int status = -1;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return status;
}

std::string timeseries_prologue(const std::string& drawing, const std::string& title) {
    return "set datafile separator ','\n" + gp_png_terminal(1000, 800) + "set output " + gp_quote(drawing) +
           "\nset multiplot layout 2,1 title " + gp_quote(title) +
           " noenhanced\nset key outside right\nset grid\nset xlabel 't  [1/{/Symbol w}]'\n"
           "set ylabel 'energy  [{/Symbol w}]'\n";
}

std::string gp_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::string gp_png_terminal(int width, int height) {
    const std::string size = " size " + std::to_string(width) + "," + std::to_string(height) + " enhanced\n";
    return "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n  set terminal pngcairo" + size +
           "} else {\n  set terminal png" + size + "}\n";
}

std::optional<std::filesystem::path> render_png(const std::filesystem::path& png,
                                                const std::function<std::string(const std::string& tmp_png)>& make_script) {
    const std::optional<std::string> gnuplot = detail::find_gnuplot();
    if (!gnuplot) {
        spdlog::warn("gnuplot not found: skipping {}", png.string());
        return std::nullopt;
    }
    // Draw into a temporary file and rename, like every other output (no half-written PNG).
    const SignalHold hold;
    // Temporaries of this PNG left by a qbnet killed outright: "<png>.tmp-<pid>", "<png>.gp.tmp-<pid>".
    io::detail::remove_stale_temporaries(png.has_parent_path() ? png.parent_path() : std::filesystem::path("."),
                                         png.filename().string());
    std::filesystem::path tmp_png = png;
    tmp_png += ".tmp-" + std::to_string(::getpid());
    std::filesystem::path script = png;
    script += ".gp.tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(script);
        out << make_script(tmp_png.string());
        out.close();
        if (!out) {
            std::error_code ignore;
            std::filesystem::remove(script, ignore);
            spdlog::warn("cannot write the gnuplot script for {}: skipping the plot", png.string());
            return std::nullopt;
        }
    }

    std::string log;
    const int status = run_gnuplot(*gnuplot, script.string(), log);
    std::error_code ec;
    std::filesystem::remove(script, ec);
    const bool ok = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
                    std::filesystem::exists(tmp_png, ec);
    if (ok) std::filesystem::rename(tmp_png, png, ec);
    if (!ok || ec) {
        std::filesystem::remove(tmp_png, ec);
        spdlog::warn("gnuplot failed to draw {}{}", png.string(), log.empty() ? "" : ": " + log.substr(0, 300));
        return std::nullopt;
    }
    return png;
}

}  // namespace io_detail

std::optional<std::filesystem::path> plot_timeseries(const std::filesystem::path& csv,
                                                     const std::filesystem::path& png, const std::string& title,
                                                     TimeseriesPlotWarmup* warm) {
    const auto columns = csv_header(csv);
    if (columns.size() < 3 || columns[0] != "t") {
        spdlog::warn("cannot plot {}: unexpected CSV header", csv.string());
        return std::nullopt;
    }
    std::size_t rows = 0;
    {
        std::ifstream in(csv);
        for (std::string line; std::getline(in, line);) rows += !line.empty();
        rows = rows > 0 ? rows - 1 : 0;   // the header
    }
    const std::string data = gp_quote(csv.string());
    const std::string body = plot_command(data, columns, 'E', rows) + "set ylabel 'ergotropy  [{/Symbol w}]'\n" +
                             plot_command(data, columns, 'W', rows) + "unset multiplot\nset output\n";
    if (warm && warm->png() == png && warm->title() == title)
        if (auto drawn = warm->finish(body)) return drawn;   // else: a fresh gnuplot below
    return io::detail::render_png(png, [&](const std::string& tmp_png) {
        return io::detail::timeseries_prologue(tmp_png, title) + body;
    });
}

}  // namespace qbnet::io
