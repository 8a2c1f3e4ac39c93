#include "qbnet/io/plot.hpp"

#include "signal_hold.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include <cerrno>
#include <csignal>

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace qbnet {

namespace {

// gnuplot single-quoted string: a quote is written twice.
std::string gp_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("''") : std::string(1, c);
    return out + "'";
}

// POSIX shell single-quoted word.
std::string sh_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return out + "'";
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

// One `plot` command over every column whose name starts with `prefix` (E or W).
std::string plot_command(const std::string& data, const std::vector<std::string>& columns, char prefix) {
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
        const bool joint = columns[i] == "E_B" || columns[i] == "W_B";
        cmd += (cmd.empty() ? "plot " : ", \\\n     ") + data + " using 1:" + std::to_string(i + 1) +
               " with lines " + colour(columns[i]) + " lw " + (joint ? "3 dt 2" : "2") + " title " + gp_quote(label(columns[i]));
    }
    return cmd + "\n";
}

using io_detail::SignalHold;

// Temporaries of this PNG left by a qbnet that was killed outright (SIGKILL): "<png>.tmp-<pid>" and
// "<png>.gp.tmp-<pid>" whose process no longer exists.
void remove_stale_temporaries(const std::filesystem::path& png) {
    const std::string stem = png.filename().string();
    std::error_code ec;
    const auto dir = png.has_parent_path() ? png.parent_path() : std::filesystem::path(".");
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.rfind(stem, 0) != 0) continue;
        const auto pos = name.rfind(".tmp-");
        if (pos == std::string::npos) continue;
        const std::string pid_text = name.substr(pos + 5);
        if (pid_text.empty() || pid_text.size() > 9 || pid_text.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
        if (pid == ::getpid() || (::kill(pid, 0) != 0 && errno == ESRCH)) {
            std::error_code ignore;
            std::filesystem::remove(it->path(), ignore);
        }
    }
}

}  // namespace

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

std::optional<std::filesystem::path> plot_timeseries(const std::filesystem::path& csv,
                                                     const std::filesystem::path& png, const std::string& title) {
    if (!gnuplot_available()) {
        spdlog::warn("gnuplot not found: skipping {}", png.string());
        return std::nullopt;
    }
    const auto columns = csv_header(csv);
    if (columns.size() < 3 || columns[0] != "t") {
        spdlog::warn("cannot plot {}: unexpected CSV header", csv.string());
        return std::nullopt;
    }
    // Draw into a temporary file and rename, like every other output (no half-written PNG).
    const SignalHold hold;
    remove_stale_temporaries(png);
    std::filesystem::path tmp_png = png;
    tmp_png += ".tmp-" + std::to_string(::getpid());
    std::filesystem::path script = png;
    script += ".gp.tmp-" + std::to_string(::getpid());

    const std::string data = gp_quote(csv.string());
    std::ostringstream gp;
    gp << "set datafile separator ','\n"
       << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
       << "  set terminal pngcairo size 1000,800 enhanced\n"
       << "} else {\n"
       << "  set terminal png size 1000,800 enhanced\n"
       << "}\n"
       << "set output " << gp_quote(tmp_png.string()) << "\n"
       << "set multiplot layout 2,1 title " << gp_quote(title) << " noenhanced\n"
       << "set key outside right\nset grid\nset xlabel 't  [1/{/Symbol w}]'\n"
       << "set ylabel 'energy  [{/Symbol w}]'\n"
       << plot_command(data, columns, 'E') << "set ylabel 'ergotropy  [{/Symbol w}]'\n"
       << plot_command(data, columns, 'W') << "unset multiplot\nset output\n";
    {
        std::ofstream out(script);
        out << gp.str();
        out.close();
        if (!out) {
            std::error_code ignore;
            std::filesystem::remove(script, ignore);
            spdlog::warn("cannot write the gnuplot script for {}: skipping the plot", png.string());
            return std::nullopt;
        }
    }

    std::string log;
    int status = -1;
    if (FILE* pipe = ::popen(("gnuplot " + sh_quote(script.string()) + " 2>&1").c_str(), "r")) {
        char buffer[512];
        while (std::fgets(buffer, sizeof buffer, pipe)) log += buffer;
        status = ::pclose(pipe);
    }
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

}  // namespace qbnet
