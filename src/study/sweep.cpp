// Parameter sweeps: grid -> typed setters on the base scenario -> run_engine -> a SweepStore, resumable
// (include/qbnet/study/sweep.hpp). Nothing here reads or writes files: io/sweep_files.cpp does.
#include "qbnet/study/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>

#include <omp.h>

#include "qbnet/errors.hpp"
#include "qbnet/engine.hpp"
#include "qbnet/scenario_keys.hpp"
#include "qbnet/parallel/communicator.hpp"
#include "qbnet/parallel/distribute.hpp"
#include "qbnet/study/trust.hpp"

namespace qbnet::study {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    parts.push_back(cur);
    return parts;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

bool parse_count(const std::string& text, long& out) {
    const std::string t = trim(text);
    if (t.empty()) return false;
    char* end = nullptr;
    out = std::strtol(t.c_str(), &end, 10);
    return end == t.c_str() + t.size();
}

// Same number on the grid and in the CSV: values are written with 17 digits, so they round-trip
// exactly; the tolerance only absorbs a hand-edited file.
bool same_value(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b)); }

constexpr std::size_t kMaxPoints = 1000000;

}  // namespace

bool parse_value(const std::string& text, double& out) {
    const std::string t = trim(text);
    if (t.empty()) return false;
    char* end = nullptr;
    out = std::strtod(t.c_str(), &end);
    return end == t.c_str() + t.size() && std::isfinite(out);
}

void check_param_key(const std::string& key) {
    const auto dot = key.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == key.size() || key.find('.', dot + 1) != std::string::npos ||
        key.find_first_of(" =\t") != std::string::npos)
        throw InputError("--param", "must be a scenario key 'section.key', e.g. network.J (got '" + key + "')");
    (void)scenario_key(key, "--param");
}

SweepAxis parse_sweep_axis(const std::string& key, const std::string& spec) {
    check_param_key(key);
    SweepAxis axis;
    axis.key = key;
    axis.spec = spec;
    const std::string allowed = "must be LO:HI:COUNT, LO:HI:COUNT:log (LO, HI > 0) or a list v1,v2,... of finite numbers";
    if (spec.find(':') == std::string::npos) {
        for (const auto& item : split(spec, ',')) {
            double v = 0.0;
            if (!parse_value(item, v)) throw InputError("--values", allowed + " (got '" + spec + "')");
            axis.values.push_back(v);
        }
        return axis;
    }
    const auto parts = split(spec, ':');
    double lo = 0.0, hi = 0.0;
    long count = 0;
    if ((parts.size() != 3 && parts.size() != 4) || !parse_value(parts[0], lo) || !parse_value(parts[1], hi) ||
        !parse_count(parts[2], count) || (parts.size() == 4 && trim(parts[3]) != "log" && trim(parts[3]) != "lin"))
        throw InputError("--values", allowed + " (got '" + spec + "')");
    if (count < 1 || static_cast<std::size_t>(count) > kMaxPoints)
        throw InputError("--values", "COUNT must be an integer in 1.." + std::to_string(kMaxPoints) + " (got '" + spec + "')");
    const bool log = parts.size() == 4 && trim(parts[3]) == "log";
    if (log && (lo <= 0.0 || hi <= 0.0))
        throw InputError("--values", "a log grid needs LO > 0 and HI > 0 (got '" + spec + "')");
    if (count == 1) {
        if (!same_value(lo, hi)) throw InputError("--values", "COUNT = 1 needs LO == HI (got '" + spec + "')");
        axis.values.push_back(lo);
        return axis;
    }
    for (long i = 0; i < count; ++i) {
        const double f = static_cast<double>(i) / static_cast<double>(count - 1);
        double v = log ? std::exp(std::log(lo) + f * (std::log(hi) - std::log(lo))) : lo + f * (hi - lo);
        if (i == 0) v = lo;            // exact end points
        if (i == count - 1) v = hi;
        axis.values.push_back(v);
    }
    return axis;
}

std::string format_number(double value) {
    if (std::isnan(value)) return "nan";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    return buf;
}

std::string override_for(const std::string& key, double value) {
    if (std::abs(value) < 1e15 && value == std::round(value)) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.0f", value);
        return key + "=" + buf;
    }
    return key + "=" + format_number(value);
}

Scenario point_scenario(const Scenario& base, const std::vector<std::pair<std::string, double>>& values,
                        const std::string& engine) {
    Scenario point = base;
    for (const auto& [key, value] : values) set_scenario_input(point.inputs, key, value);
    // The trajectories engine has no steady-state solver: its steady state is the time average from
    // trajectories.average_from to time.t_end, so it keeps the scenario's [time] section.
    if (engine != "trajectories") {
        point.inputs.t_end = 0.0;
        point.inputs.steady_enabled = true;
    }
    derive_scenario(point);   // Gamma = 2J, the per-mode fan-out, the cross-section checks: as the reader
    return point;
}

PointResult steady_point(const Scenario& point, const std::string& engine, int threads) {
    if (engine == "trajectories" && !point.options.trajectories.average_from)
        throw InputError("trajectories.average_from",
                         "required with --engine trajectories: the steady state is the time average of the samples "
                         "from average_from to time.t_end");
    RunOptions options = point.options;
    options.threads = threads;
    const auto kind = parse_engine_kind(engine);
    if (!kind) throw InputError("--engine", "unknown engine '" + engine + "'");
    EngineResult result = run_engine(*kind, point.model, options);
    if (!result.steady_state) throw std::runtime_error("the " + engine + " engine returned no steady state");
    PointResult p;
    p.steady = *result.steady_state;
    p.diagnostics = result.steady_diagnostics;
    if (result.statistics.fock) p.cutoffs = result.statistics.fock->cutoffs;
    const TrustReport trust = assess_trust(result, options);
    p.trustworthy = trust.trustworthy;
    p.trust_reasons = trust.reasons;
    p.warnings = result.warnings;
    return p;
}

Snapshot steady_figures(const Scenario& point, const std::string& engine, int threads) {
    return steady_point(point, engine, threads).steady;
}

std::vector<std::string> trust_columns(int n_batteries) {
    std::vector<std::string> cols{"converged", "residual", "cutoffs"};
    for (const auto& c : figure_columns(n_batteries)) cols.push_back("err_" + c);
    return cols;
}

SweepRecord sweep_record(std::size_t index, const std::vector<double>& params, const PointResult& p, int n_batteries) {
    SweepRecord r;
    r.index = index;
    r.params = params;
    r.figures = figure_row(p.steady, n_batteries);
    r.converged = p.diagnostics.converged;
    r.residual = p.diagnostics.residual;
    r.cutoffs = p.cutoffs;
    // The error bars in the order of figure_row: the same snapshot with each figure replaced by its error.
    r.errors = figure_row(p.steady, n_batteries, true);
    return r;
}

std::optional<std::size_t> grid_index(const std::vector<SweepAxis>& axes, const std::vector<double>& params) {
    if (params.size() != axes.size()) return std::nullopt;
    std::size_t index = 0;
    std::size_t stride = 1;
    for (std::size_t k = axes.size(); k-- > 0;) {
        const auto& vals = axes[k].values;
        auto it = std::find_if(vals.begin(), vals.end(), [&](double x) { return same_value(x, params[k]); });
        if (it == vals.end()) return std::nullopt;
        index += stride * static_cast<std::size_t>(it - vals.begin());
        stride *= vals.size();
    }
    return index;
}

std::vector<std::string> figure_columns(int n_batteries) {
    // The original block first (E_C, E_b.., W_b.., E_B, W_B), then the later additions W_C, P_C, P_b.., P_B,
    // so that the older columns keep their order.
    std::vector<std::string> cols{"E_C"};
    for (int j = 1; j <= n_batteries; ++j) cols.push_back("E_b" + std::to_string(j));
    for (int j = 1; j <= n_batteries; ++j) cols.push_back("W_b" + std::to_string(j));
    cols.push_back("E_B");
    cols.push_back("W_B");
    cols.push_back("W_C");
    cols.push_back("P_C");
    for (int j = 1; j <= n_batteries; ++j) cols.push_back("P_b" + std::to_string(j));
    cols.push_back("P_B");
    return cols;
}

std::vector<double> figure_row(const Snapshot& s, int n_batteries, bool errors) {
    const double nan = std::nan("");
    const int modes = static_cast<int>(s.modes.size());
    // Mode j's figure (or its error bar); nan for modes the snapshot does not have.
    auto mode = [&](int j, double Figures::*field) {
        if (j >= modes) return nan;
        if (!errors) return s.modes[j].*field;
        return s.modes[j].error ? (*s.modes[j].error).*field : nan;
    };
    // The joint batteries; ergotropy and passive energy are nan when the joint state was too large.
    auto joint = [&](double Figures::*field, bool needs_joint) {
        if (needs_joint && !s.batteries_ergotropy_available) return nan;
        if (!errors) return s.batteries.*field;
        return s.batteries_error ? (*s.batteries_error).*field : nan;
    };
    std::vector<double> row;
    row.push_back(mode(0, &Figures::energy));
    for (int j = 1; j <= n_batteries; ++j) row.push_back(mode(j, &Figures::energy));
    for (int j = 1; j <= n_batteries; ++j) row.push_back(mode(j, &Figures::ergotropy));
    row.push_back(joint(&Figures::energy, false));
    row.push_back(joint(&Figures::ergotropy, true));
    row.push_back(mode(0, &Figures::ergotropy));
    row.push_back(mode(0, &Figures::passive_energy));
    for (int j = 1; j <= n_batteries; ++j) row.push_back(mode(j, &Figures::passive_energy));
    row.push_back(joint(&Figures::passive_energy, true));
    return row;
}

namespace {

// The grid of a sweep: points in order (last axis fastest), the largest N and cost over them.
struct Grid {
    std::vector<std::vector<double>> points;
    int max_batteries = 0;
    double max_cost = 0.0;   // Fock: D = prod cutoffs; Gaussian: number of modes
};

// (key, value) of every axis at grid point p.
std::vector<std::pair<std::string, double>> point_values(const SweepOptions& options, const std::vector<double>& p) {
    std::vector<std::pair<std::string, double>> values;
    for (std::size_t k = 0; k < p.size(); ++k) values.emplace_back(options.axes[k].key, p[k]);
    return values;
}

std::string point_label(const SweepOptions& options, const std::vector<double>& p) {
    std::string where;
    for (std::size_t k = 0; k < p.size(); ++k) where += (k ? ", " : "") + options.axes[k].key + " = " + format_number(p[k]);
    return where;
}

// Checks the options and builds (validates) every point; collective: every rank does it.
Grid build_grid(const Scenario& base, const SweepOptions& options) {
    Grid g;
    // Every rank validates the options and builds every point before any work; a bad input is
    // reported once (by the lowest rank that saw it) and every rank exits with the same code.
    parallel::all_or_none([&] {
        if (options.engine != "fock" && options.engine != "gaussian" && options.engine != "trajectories")
            throw InputError("--engine", "must be fock, gaussian or trajectories (got '" + options.engine + "')");
        if (options.axes.empty() || options.axes.size() > 2)
            throw InputError("--param", "give one or two --param/--values pairs");
        if (options.axes.size() == 2 && options.axes[0].key == options.axes[1].key)
            throw InputError("--param", "the two swept keys must differ (got '" + options.axes[0].key + "' twice)");
        for (const auto& axis : options.axes) {
            check_param_key(axis.key);
            if (axis.values.empty()) throw InputError("--values", "no values for " + axis.key);
        }
        if (options.axes.size() == 1) {
            for (double v : options.axes[0].values) g.points.push_back({v});
        } else {
            if (options.axes[0].values.size() * options.axes[1].values.size() > kMaxPoints)
                throw InputError("--values", "too many grid points (at most 1000000)");
            for (double a : options.axes[0].values)
                for (double b : options.axes[1].values) g.points.push_back({a, b});
        }
        for (const auto& p : g.points) {
            const Scenario sc = point_scenario(base, point_values(options, p), options.engine);   // as compute builds it
            g.max_batteries = std::max(g.max_batteries, sc.model.n_batteries());
            double cost = sc.model.n_modes();
            if (options.engine == "fock") {
                cost = 1.0;
                for (int c : sc.options.fock.cutoff) cost *= c;
            }
            g.max_cost = std::max(g.max_cost, cost);
        }
    });
    return g;
}

// Root: describes the sweep to the store and returns the grid indices still to compute. A finished
// point the store holds off this grid means it holds another sweep: refused (exit 2, naming --out).
std::vector<std::uint64_t> missing_points(SweepStore& store, const SweepDescription& sweep, std::size_t& skipped) {
    store.describe(sweep);
    std::vector<bool> done(sweep.points, false);
    skipped = 0;
    for (const auto& params : store.finished_points()) {
        const auto index = grid_index(sweep.axes, params);
        if (!index || *index >= sweep.points)
            throw InputError("--out", "the sweep store holds a point that is not on this grid; choose another --out folder");
        if (done[*index]) continue;   // the same point twice: the first one counts
        done[*index] = true;
        ++skipped;
    }
    std::vector<std::uint64_t> todo;
    for (std::size_t i = 0; i < sweep.points; ++i)
        if (!done[i]) todo.push_back(i);
    return todo;
}

// A point's record, trust and messages as bytes for the root (bit-exact doubles).
parallel::Payload pack_point(const SweepRecord& r, const PointResult& p) {
    std::string reasons, warnings;
    for (const auto& w : p.trust_reasons) reasons += w + "\n";
    for (const auto& w : p.warnings) {
        // The trust reason "steady state did not converge (residual, target)" says it already.
        if (!p.diagnostics.converged && !p.trustworthy && w.rfind("steady state not converged", 0) == 0) continue;
        warnings += w + "\n";
    }
    const std::vector<double> cutoffs(r.cutoffs.begin(), r.cutoffs.end());
    return parallel::pack({parallel::to_payload(r.figures), parallel::to_payload(r.errors), parallel::to_payload({r.residual}),
                           parallel::to_payload(cutoffs), r.converged ? "1" : "0", p.trustworthy ? "1" : "0", reasons,
                           warnings});
}

struct PackedPoint {
    SweepRecord record;
    bool trustworthy = true;
    std::string reasons, warnings;   // one per line
};

PackedPoint unpack_point(const parallel::Payload& payload, std::size_t index, const std::vector<double>& params) {
    const auto parts = parallel::unpack(payload);
    PackedPoint p;
    p.record.index = index;
    p.record.params = params;
    p.record.figures = parallel::doubles_from(parts[0]);
    p.record.errors = parallel::doubles_from(parts[1]);
    p.record.residual = parallel::doubles_from(parts[2]).at(0);
    for (double c : parallel::doubles_from(parts[3])) p.record.cutoffs.push_back(static_cast<int>(c));
    p.record.converged = parts[4] == "1";
    p.trustworthy = parts[5] == "1";
    p.reasons = parts[6];
    p.warnings = parts[7];
    return p;
}

}  // namespace

SweepSummary run_sweep(const Scenario& base, const SweepOptions& options, SweepStore& store) {
    const Grid g = build_grid(base, options);
    const auto& points = g.points;
    const int max_batteries = g.max_batteries;

    SweepSummary summary;
    summary.total = points.size();
    summary.ranks = parallel::size();
    for (const auto& axis : options.axes) summary.columns.push_back(axis.key);
    for (const auto& c : figure_columns(max_batteries)) summary.columns.push_back(c);
    for (const auto& c : trust_columns(max_batteries)) summary.columns.push_back(c);

    // The root asks the store what a previous (interrupted) run finished; the other ranks learn the
    // missing points from it.
    std::vector<std::uint64_t> todo;
    parallel::all_or_none([&] {
        if (!parallel::is_root()) return;
        const SweepDescription sweep{options.source, options.engine, options.axes, summary.columns, points.size()};
        todo = missing_points(store, sweep, summary.skipped);
    });
    todo = parallel::broadcast(todo);

    // Small points run side by side, each engine single-threaded; large ones run one at a time with
    // all the rank's threads inside the engine. Thresholds: a Gaussian point with a few hundred modes
    // or a Fock point with D <= 512 is cheap enough that per-point parallelism wins. The choice
    // depends on the grid and the thread count only (not on the rank count or on what a resume left),
    // so a point gets the same engine thread count wherever and whenever it runs.
    const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
    summary.parallel_points = threads > 1 && points.size() > 1 &&
                              (options.engine == "gaussian" ? g.max_cost <= 400.0 : g.max_cost <= 512.0);
    const int engine_threads = summary.parallel_points ? 1 : threads;
    std::size_t finished = summary.skipped;

    auto compute = [&](std::size_t k) {
        const auto& p = points[todo[k]];
        const PointResult r =
            steady_point(point_scenario(base, point_values(options, p), options.engine), options.engine, engine_threads);
        return pack_point(sweep_record(todo[k], p, r, max_batteries), r);
    };
    // Each warning once: the first point with a given text is named, later identical ones are counted
    // and summed up at the end (e.g. the cutoff-ladder note of every Fock point).
    std::map<std::string, std::size_t> repeats;
    parallel::DistributeOptions dist;
    dist.local_workers = summary.parallel_points ? threads : 1;
    dist.on_done = [&](std::size_t k, const parallel::Payload& payload) {
        const auto& p = points[todo[k]];
        const PackedPoint point = unpack_point(payload, todo[k], p);
        store.record(point.record);   // a finished point survives an interruption
        ++finished;
        const std::string where = "point " + point_label(options, p);
        auto each_line = [&](const std::string& text, const std::string& prefix) {
            std::istringstream lines(text);
            std::string line;
            while (std::getline(lines, line)) {
                const auto seen = repeats.emplace(prefix + line, 0);
                if (!seen.second) {
                    ++seen.first->second;
                    continue;
                }
                if (options.on_warning) options.on_warning(where + ": " + prefix + line);
            }
        };
        each_line(point.warnings, "");
        if (!point.trustworthy) {
            ++summary.untrusted;
            each_line(point.reasons, "not trustworthy: ");
        }
        if (options.on_point) options.on_point(finished, points.size(), p);
        return point.trustworthy || !options.strict;
    };
    const auto outcome = parallel::distribute_ordered(todo.size(), compute, dist);
    summary.computed_here = outcome.computed_here;
    summary.stopped = outcome.stopped;
    if (!parallel::is_root()) return summary;
    for (const auto& [text, n] : repeats)
        if (n > 0 && options.on_warning)
            options.on_warning("the same at " + std::to_string(n) + " more point(s): " + text);
    summary.computed = finished - summary.skipped;
    if (summary.stopped) return summary;   // the store keeps its journal as it is: a later run resumes it
    store.finish();
    return summary;
}

}  // namespace qbnet::study
