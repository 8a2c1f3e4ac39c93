// sweep.png: the figures of a sweep.csv against the swept key(s) (include/qbnet/io/plot.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>

#include "gnuplot.hpp"
#include "qbnet/io/plot.hpp"

namespace qbnet::io {

namespace {

using io::detail::gp_quote;

struct Table {
    std::vector<std::string> columns;
    std::vector<std::vector<double>> rows;   // nan for "nan" and for cells that are not numbers (cutoffs)
    int column(const std::string& name) const {
        const auto it = std::find(columns.begin(), columns.end(), name);
        return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
    }
};

std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    return cells;
}

Table read_table(const std::filesystem::path& csv) {
    Table t;
    std::ifstream in(csv);
    std::string line;
    if (!std::getline(in, line)) return t;
    t.columns = split_csv(line);
    while (std::getline(in, line)) {
        const auto cells = split_csv(line);
        if (cells.size() != t.columns.size()) continue;
        std::vector<double> row;
        for (const auto& c : cells) {
            char* end = nullptr;
            const double v = std::strtod(c.c_str(), &end);
            row.push_back(!c.empty() && end == c.c_str() + c.size() ? v : std::nan(""));
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::string number(double v) {
    if (!std::isfinite(v)) return "nan";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

// "E_b1" -> "E_{b1}" (gnuplot enhanced text subscript).
std::string label(const std::string& column) {
    const auto us = column.find('_');
    return us == std::string::npos ? column : column.substr(0, us) + "_{" + column.substr(us + 1) + "}";
}

// The datablock $d: the given columns of every row, comma separated.
std::string datablock(const Table& t, const std::vector<int>& cols) {
    std::string out = "$d << EOD\n";
    for (const auto& row : t.rows) {
        for (std::size_t k = 0; k < cols.size(); ++k) out += (k ? "," : "") + number(row[static_cast<std::size_t>(cols[k])]);
        out += "\n";
    }
    return out + "EOD\n";
}

// Charger and battery columns with prefix E or W, in header order (the joint B columns are left out:
// E_B grows with N and would flatten the per-mode curves; so is the charger's ergotropy W_C, far larger
// than the batteries').
std::vector<int> mode_columns(const Table& t, std::size_t n_axes, char prefix) {
    std::vector<int> cols;
    for (std::size_t i = n_axes; i < t.columns.size(); ++i) {
        const auto& c = t.columns[i];
        if (c.size() > 2 && c[0] == prefix && c[1] == '_' && c != std::string(1, prefix) + "_B" && c != "W_C")
            cols.push_back(static_cast<int>(i));
    }
    return cols;
}

bool any_finite(const Table& t, int col) {
    if (col < 0) return false;
    for (const auto& row : t.rows)
        if (std::isfinite(row[static_cast<std::size_t>(col)])) return true;
    return false;
}

std::string line_plot(const Table& t, const std::vector<int>& figure_cols) {
    // Datablock columns: x, then for each figure its value and its error (nan when absent).
    std::vector<int> cols{0};
    for (int c : figure_cols) {
        cols.push_back(c);
        cols.push_back(t.column("err_" + t.columns[static_cast<std::size_t>(c)]));
    }
    // A figure without an err_ column gets a column of nan.
    Table copy = t;
    const int nan_col = static_cast<int>(copy.columns.size());
    copy.columns.emplace_back("-");
    for (auto& row : copy.rows) row.push_back(std::nan(""));
    for (int& c : cols)
        if (c < 0) c = nan_col;
    std::string gp = datablock(copy, cols);
    std::string cmd;
    for (std::size_t k = 0; k < figure_cols.size(); ++k) {
        const std::string& name = t.columns[static_cast<std::size_t>(figure_cols[k])];
        const std::string v = std::to_string(2 + 2 * k), e = std::to_string(3 + 2 * k);
        const std::string style = plot_curve_style(name, t.rows.size());
        cmd += (cmd.empty() ? "plot " : ", \\\n     ") + std::string("$d using 1:") + v + " with linespoints " + style +
               " title " + gp_quote(label(name));
        if (any_finite(copy, cols[2 + 2 * k]))
            cmd += ", \\\n     $d using 1:" + v + ":" + e + " with yerrorbars " + style.substr(0, style.find(" lw")) +
                   " ps 0 notitle";
    }
    return gp + cmd + "\n";
}

// Cell edges of a heat map axis: midpoints between neighbouring values (geometric on a log axis), the
// outer cells as wide as their neighbour (a single value: a cell of half its size either side).
std::vector<double> cell_edges(std::vector<double> v, bool log) {
    std::vector<double> edges;
    if (v.size() == 1) {
        const double x = v[0];
        if (log) return {x / std::sqrt(2.0), x * std::sqrt(2.0)};
        const double h = x == 0.0 ? 0.5 : 0.5 * std::abs(x);
        return {x - h, x + h};
    }
    auto mid = [log](double a, double b) { return log ? std::sqrt(a * b) : 0.5 * (a + b); };
    edges.push_back(log ? v[0] * v[0] / mid(v[0], v[1]) : 2 * v[0] - mid(v[0], v[1]));
    for (std::size_t i = 0; i + 1 < v.size(); ++i) edges.push_back(mid(v[i], v[i + 1]));
    const double last = mid(v[v.size() - 2], v.back());
    edges.push_back(log ? v.back() * v.back() / last : 2 * v.back() - last);
    return edges;
}

std::string heat_map(const Table& t, const std::vector<std::string>& keys, const std::vector<bool>& log_axes,
                     int energy_col, int ergotropy_col) {
    std::vector<std::vector<double>> values(2), edges(2);
    for (int a = 0; a < 2; ++a) {
        std::set<double> unique;
        for (const auto& row : t.rows)
            if (std::isfinite(row[static_cast<std::size_t>(a)])) unique.insert(row[static_cast<std::size_t>(a)]);
        values[a].assign(unique.begin(), unique.end());
        edges[a] = cell_edges(values[a], log_axes[static_cast<std::size_t>(a)]);
    }
    auto cell = [&](int a, double x, double& lo, double& hi) {
        const auto i = static_cast<std::size_t>(std::lower_bound(values[a].begin(), values[a].end(), x) - values[a].begin());
        lo = edges[a][i];
        hi = edges[a][i + 1];
    };
    std::string gp = "$d << EOD\n";
    for (const auto& row : t.rows) {
        if (!std::isfinite(row[0]) || !std::isfinite(row[1])) continue;
        double xlo, xhi, ylo, yhi;
        cell(0, row[0], xlo, xhi);
        cell(1, row[1], ylo, yhi);
        gp += number(row[0]) + "," + number(row[1]) + "," + number(xlo) + "," + number(xhi) + "," + number(ylo) + "," +
              number(yhi) + "," + number(row[static_cast<std::size_t>(energy_col)]) + "," +
              number(ergotropy_col >= 0 ? row[static_cast<std::size_t>(ergotropy_col)] : std::nan("")) + "\n";
    }
    gp += "EOD\n";
    gp += "set xrange [" + number(edges[0].front()) + ":" + number(edges[0].back()) + "]\n";
    gp += "set yrange [" + number(edges[1].front()) + ":" + number(edges[1].back()) + "]\n";
    gp += "set xlabel " + gp_quote(keys[0]) + " noenhanced\nset ylabel " + gp_quote(keys[1]) + " noenhanced\n";
    if (log_axes[0]) gp += "set logscale x\n";
    if (log_axes[1]) gp += "set logscale y\n";
    gp += "unset grid\nset tics out\n";
    const auto panel = [&](int col, int data_col, const char* what) {
        return "set title " + gp_quote(what + std::string(" ") + label(t.columns[static_cast<std::size_t>(col)]) +
                                       "  [{/Symbol w}]") +
               "\nplot $d using 1:2:3:4:5:6:" + std::to_string(data_col) +
               " with boxxyerror fs solid 1.0 noborder lc palette notitle\n";
    };
    gp += panel(energy_col, 7, "energy");
    if (ergotropy_col >= 0) gp += panel(ergotropy_col, 8, "ergotropy");
    return gp;
}

}  // namespace

bool is_geometric(const std::vector<double>& values) {
    if (values.size() < 3) return false;
    for (double v : values)
        if (!(v > 0.0) || !std::isfinite(v)) return false;
    const double r = values[1] / values[0];
    if (std::abs(r - 1.0) < 1e-6) return false;
    for (std::size_t i = 1; i + 1 < values.size(); ++i)
        if (std::abs(values[i + 1] / values[i] / r - 1.0) > 1e-6) return false;
    return true;
}

std::optional<std::filesystem::path> plot_sweep(const std::filesystem::path& csv, const std::filesystem::path& png,
                                                const std::string& title, const std::vector<std::string>& axis_keys,
                                                const std::vector<bool>& log_axes) {
    const Table t = read_table(csv);
    const std::size_t n_axes = axis_keys.size();
    if ((n_axes != 1 && n_axes != 2) || log_axes.size() != n_axes || t.columns.size() <= n_axes || t.rows.empty() ||
        !std::equal(axis_keys.begin(), axis_keys.end(), t.columns.begin())) {
        spdlog::warn("cannot plot {}: unexpected sweep CSV (no rows or other columns)", csv.string());
        return std::nullopt;
    }
    std::string body;
    int width = 1000, height = 800;
    if (n_axes == 1) {
        const auto energies = mode_columns(t, 1, 'E');
        const auto ergotropies = mode_columns(t, 1, 'W');
        // xfix: the axis ends at the first and last grid value (a log axis would round out to decades).
        body = std::string(log_axes[0] ? "set logscale x\n" : "") + "set autoscale xfix\nset key outside right\nset grid\n" +
               "set xlabel " + gp_quote(axis_keys[0]) + " noenhanced\n" + "set multiplot layout 2,1 title " +
               gp_quote(title) + " noenhanced\n" + "set ylabel 'energy  [{/Symbol w}]'\n" + line_plot(t, energies);
        if (!ergotropies.empty()) body += "set ylabel 'ergotropy  [{/Symbol w}]'\n" + line_plot(t, ergotropies);
        body += "unset multiplot\n";
    } else {
        // The last battery: the highest bK among the E_ columns.
        int last = -1, last_k = -1;
        for (int c : mode_columns(t, 2, 'E')) {
            const std::string mode = t.columns[static_cast<std::size_t>(c)].substr(2);
            if (mode.size() > 1 && mode[0] == 'b' && std::atoi(mode.c_str() + 1) > last_k) {
                last_k = std::atoi(mode.c_str() + 1);
                last = c;
            }
        }
        if (last < 0) {
            spdlog::warn("cannot plot {}: no battery column", csv.string());
            return std::nullopt;
        }
        width = 1400;
        height = 600;
        body = "set multiplot layout 1,2 title " + gp_quote(title) + " noenhanced\n" +
               heat_map(t, axis_keys, log_axes, last, t.column("W_b" + std::to_string(last_k))) + "unset multiplot\n";
    }
    return io::detail::render_png(png, [&](const std::string& tmp_png) {
        return "set datafile separator ','\n" + io::detail::gp_png_terminal(width, height) + "set output " +
               gp_quote(tmp_png) + "\n" + body + "set output\n";
    });
}

}  // namespace qbnet::io
