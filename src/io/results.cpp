#include "qbnet/io/results.hpp"

#include "signal_hold.hpp"
#include "temporaries.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <stdexcept>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "qbnet/errors.hpp"
#include "qbnet/io/display.hpp"

namespace qbnet::io {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

using oj = nlohmann::ordered_json;

oj figures_json(const Figures& f, bool ergotropy_available = true) {
    oj j;
    j["energy"] = f.energy;
    // null, not 0, when the joint state was too large: a reader must not mistake it for "no ergotropy".
    j["ergotropy"] = ergotropy_available ? oj(f.ergotropy) : oj(nullptr);
    j["passive_energy"] = ergotropy_available ? oj(f.passive_energy) : oj(nullptr);
    return j;
}

oj complex_list_json(const std::vector<std::complex<double>>& z) {
    std::vector<double> re, im;
    for (const auto& v : z) {
        re.push_back(v.real());
        im.push_back(v.imag());
    }
    return {{"re", re}, {"im", im}};
}

oj diagnostics_json(const SteadyDiagnostics& d) {
    oj j;
    j["converged"] = d.converged;
    j["residual"] = d.residual;
    if (d.trace_error) j["trace_error"] = *d.trace_error;
    if (d.hermiticity_error) j["hermiticity_error"] = *d.hermiticity_error;
    if (!d.top_level_population.empty()) j["top_level_population"] = d.top_level_population;
    if (d.min_eigenvalue) j["min_eigenvalue"] = *d.min_eigenvalue;
    if (d.mean_field) {
        const oj alpha = complex_list_json(d.mean_field->alpha);
        j["frame"] = "displaced";
        j["alpha_re"] = alpha["re"];   // the steady mean-field amplitudes alpha_j (frame of rho')
        j["alpha_im"] = alpha["im"];
        j["mean_field"] = {{"method", d.mean_field->method},
                           {"iterations", d.mean_field->iterations},
                           {"residual", d.mean_field->residual},
                           {"converged", d.mean_field->converged}};
    }
    if (d.gaussian_state) {
        const GaussianStateDetails& g = *d.gaussian_state;
        j["batteries_gaussian_unitary_ergotropy"] = g.batteries_gaussian_unitary_ergotropy;
        j["batteries_exact_ergotropy_available"] = g.batteries_exact_ergotropy_available;
        j["batteries_exact_missing_mass"] = g.batteries_exact_missing_mass;
        j["batteries_exact_states"] = g.batteries_exact_states;
        j["purity"] = g.purity;
        j["batteries_purity"] = g.batteries_purity;
        j["battery_entropy"] = g.battery_entropy;
        if (!g.joint_skipped.empty()) j["joint_skipped"] = g.joint_skipped;
    }
    if (d.gaussian_solver) {
        const GaussianSolverDetails& g = *d.gaussian_solver;
        j["mean_residual"] = g.mean_residual;
        j["refinements"] = g.refinements;
        j["schur_method"] = g.schur_method;
        j["schur_blocks"] = g.schur_blocks;
        j["schur_largest_block"] = g.schur_largest_block;
        j["slowest_rate"] = g.slowest_rate;
    }
    return j;
}

oj fock_statistics_json(const FockStatistics& f) {
    oj j;
    j["frame"] = to_string(f.frame);
    j["dimension"] = f.dimension;
    j["cutoffs"] = f.cutoffs;
    j["rhs_cost"] = {{"terms", f.rhs_cost.terms},
                     {"flops", f.rhs_cost.flops},
                     {"bytes_min", f.rhs_cost.bytes_min},
                     {"bytes_max", f.rhs_cost.bytes_max}};
    j["memory_estimate_gib"] = f.memory_estimate_gib;
    if (f.steady_state)
        j["steady_state"] = {{"method", f.steady_state->method},       {"preconditioner", f.steady_state->preconditioner},
                             {"iterations", f.steady_state->iterations}, {"rhs_calls", f.steady_state->rhs_calls},
                             {"wall_s", f.steady_state->wall_s},         {"residual", f.steady_state->residual}};
    if (f.evolution) {
        const EvolutionStatistics& e = *f.evolution;
        oj ev = {{"integrator", e.integrator},           {"steps", e.steps},
                 {"rhs_calls", e.rhs_calls},             {"wall_s", e.wall_s},
                 {"max_trace_error", e.max_trace_error}};
        // A packed hermitian state (krylov, dopri5) is hermitian by construction: no figure then, as for the
        // steady state (docs/trust.md), rather than a 0 or a string in a numeric field.
        if (!e.hermiticity_exact) ev["max_hermiticity_error"] = e.max_hermiticity_error;
        if (e.error_estimate) ev["error_estimate"] = *e.error_estimate;
        if (e.liouvillian_rebuilds) ev["liouvillian_rebuilds"] = *e.liouvillian_rebuilds;
        if (e.rebuild_wall_s) ev["rebuild_wall_s"] = *e.rebuild_wall_s;
        if (!e.alpha_end.empty()) ev["alpha_end"] = complex_list_json(e.alpha_end);
        j["evolution"] = ev;
    }
    return j;
}

oj gaussian_statistics_json(const GaussianStatistics& g) {
    oj j;
    j["n"] = g.n;
    j["modes"] = g.modes;
    if (g.residual) j["residual"] = *g.residual;
    // Seconds are "<what>_s" in every engine's block (issue 19: these were seconds_schur, seconds_solve,
    // seconds_evolve).
    if (g.schur_s) j["schur_s"] = *g.schur_s;
    if (g.solve_s) j["solve_s"] = *g.solve_s;
    if (g.propagation) j["propagation"] = *g.propagation;
    if (g.evolve_s) j["evolve_s"] = *g.evolve_s;
    return j;
}

oj trajectory_statistics_json(const TrajectoryStatistics& t) {
    oj j;
    j["trajectories"] = t.trajectories;
    j["seed"] = t.seed;
    j["jumps"] = t.jumps;
    j["steps"] = t.steps;
    j["batches"] = t.batches;
    j["average_from"] = t.average_from ? oj(*t.average_from) : oj(nullptr);
    j["target_error_met"] = t.target_error_met;
    j["frame"] = to_string(t.frame);
    j["cutoffs"] = t.cutoffs;
    return j;
}

}  // namespace

nlohmann::ordered_json snapshot_json(const Snapshot& s) {
    oj modes = oj::array();
    for (const auto& mode : s.modes) {
        oj j = {{"name", mode.name}};
        j.update(figures_json(mode));
        if (mode.error) j["error"] = figures_json(*mode.error);
        modes.push_back(j);
    }
    oj batteries = figures_json(s.batteries, s.batteries_ergotropy_available);
    if (s.batteries_error) batteries["error"] = figures_json(*s.batteries_error, s.batteries_ergotropy_available);
    return {{"modes", modes}, {"batteries", batteries}};
}

nlohmann::ordered_json steady_diagnostics_json(const SteadyDiagnostics& d) { return diagnostics_json(d); }

nlohmann::ordered_json statistics_json(const Statistics& s) {
    oj j;
    if (s.fock) j.update(fock_statistics_json(*s.fock));
    if (s.gaussian) j.update(gaussian_statistics_json(*s.gaussian));
    if (s.trajectories) j.update(trajectory_statistics_json(*s.trajectories));
    j["threads"] = s.threads;
    j["wall_s"] = s.wall_s;
    return j;
}

nlohmann::ordered_json cross_check_json(const study::CrossCheck& c) {
    return {{"verdict", to_string(c.verdict)},
            {"agree", c.agree},
            {"figures", c.figures},
            {"disagreeing", c.disagreeing},
            {"inconclusive", c.inconclusive},
            {"inconclusive_quantity", c.inconclusive_quantity},
            {"max_abs_diff", c.max_abs_diff},
            {"max_rel_diff", c.max_rel_diff},
            {"tolerance", c.tolerance},
            {"worst_quantity", c.worst_quantity}};
}

namespace {

// Full round-trip precision: the CSV is the input of validation scripts and cross-checks.
std::string number(double x) { return std::isfinite(x) ? fmt::format("{:.17g}", x) : std::string("nan"); }

// Compact text of one diagnostic value: 3 significant digits, arrays element by element.
std::string short_text(const nlohmann::ordered_json& value) {
    if (value.is_number_float()) return fmt::format("{:.3g}", value.get<double>());
    if (value.is_string()) return value.get<std::string>();
    if (value.is_array()) {
        std::string out = "[";
        for (const auto& element : value) out += (out.size() > 1 ? "," : "") + short_text(element);
        return out + "]";
    }
    return value.dump();
}

// At most two lines for the terminal; the complete diagnostics are in summary.json.
std::string format_diagnostics(const nlohmann::ordered_json& diagnostics) {
    if (!diagnostics.is_object() || diagnostics.empty()) return "";
    constexpr std::size_t width = 110;
    const std::string indent(15, ' ');
    std::string first = "  diagnostics:";
    std::string second;
    for (const auto& [key, value] : diagnostics.items()) {
        const std::string item = " " + key + "=" + short_text(value);
        if (second.empty() && first.size() + item.size() <= width) {
            first += item;
        } else if (indent.size() + second.size() + item.size() <= width - 24) {
            second += item;
        } else {
            second += " ... (all in summary.json)";
            break;
        }
    }
    return first + "\n" + (second.empty() ? "" : indent + second + "\n");
}

}  // namespace

nlohmann::ordered_json engine_result_json(const EngineResult& result) {
    nlohmann::ordered_json j;
    if (result.steady_state) {
        j["steady_state"] = snapshot_json(*result.steady_state);
        j["steady_state"]["diagnostics"] = diagnostics_json(result.steady_diagnostics);
    } else {
        j["steady_state"] = nullptr;
    }
    if (result.final_state) j["final"] = snapshot_json(*result.final_state);
    j["statistics"] = statistics_json(result.statistics);
    j["warnings"] = result.warnings;
    return j;
}

nlohmann::ordered_json summary_json(const Scenario& scenario, const std::vector<EngineResult>& results,
                                    const nlohmann::json& cross_check, const nlohmann::ordered_json& provenance) {
    nlohmann::ordered_json j;
    j["scenario"] = scenario.name;
    if (!provenance.is_null()) j["provenance"] = provenance;
    j["parameters"] = nlohmann::ordered_json(scenario.resolved);
    if (!scenario.derived.is_null()) j["derived"] = nlohmann::ordered_json(scenario.derived);
    j["results"] = nlohmann::ordered_json::object();
    for (const auto& r : results) j["results"][to_string(r.engine)] = engine_result_json(r);
    if (!cross_check.is_null()) j["cross_check"] = nlohmann::ordered_json(cross_check);
    return j;
}

std::string timeseries_csv(const EngineResult& result) {
    const auto& ts = result.timeseries;
    if (ts.t.empty() || ts.samples.empty()) return "";
    const auto& first = ts.samples.front().modes;
    // Column order (docs/cli.md): the original block E_<mode>.., W_b1.., E_B, W_B first (readers of older
    // files keep working), then the later additions W_C, P_<mode>.., P_B. Each figure column is a
    // (name, value) pair so the error block below repeats exactly the same order with a "d" prefix.
    struct Column {
        std::string name;
        std::function<double(const Snapshot&, bool error)> value;
    };
    // Value of one figure of mode j (error: its error bar; nan when the engine gave none).
    const auto mode_figure = [](std::size_t j, double Figures::*field) {
        return [j, field](const Snapshot& s, bool error) {
            if (j >= s.modes.size()) return nan;
            if (!error) return s.modes[j].*field;
            return s.modes[j].error ? (*s.modes[j].error).*field : nan;
        };
    };
    // The joint batteries; ergotropy and passive energy are nan when the joint state was too large.
    const auto joint_figure = [](double Figures::*field, bool needs_joint) {
        return [field, needs_joint](const Snapshot& s, bool error) {
            if (needs_joint && !s.batteries_ergotropy_available) return nan;
            if (!error) return s.batteries.*field;
            return s.batteries_error ? (*s.batteries_error).*field : nan;
        };
    };
    std::vector<Column> columns;
    for (std::size_t j = 0; j < first.size(); ++j) columns.push_back({"E_" + first[j].name, mode_figure(j, &Figures::energy)});
    for (std::size_t j = 1; j < first.size(); ++j)
        columns.push_back({"W_" + first[j].name, mode_figure(j, &Figures::ergotropy)});
    columns.push_back({"E_B", joint_figure(&Figures::energy, false)});
    columns.push_back({"W_B", joint_figure(&Figures::ergotropy, true)});
    if (!first.empty()) columns.push_back({"W_" + first[0].name, mode_figure(0, &Figures::ergotropy)});
    for (std::size_t j = 0; j < first.size(); ++j)
        columns.push_back({"P_" + first[j].name, mode_figure(j, &Figures::passive_energy)});
    columns.push_back({"P_B", joint_figure(&Figures::passive_energy, true)});

    // Samples with error bars (Fock with error estimates, trajectories: 1-sigma standard errors) get one
    // d-column per figure after all figures, in the same order: dE_C, ..., dW_B, dW_C, dP_C, ..., dP_B
    // (the plot draws them as bands).
    const bool errors = !first.empty() && first.front().error.has_value();
    std::string out = "t";
    for (const auto& c : columns) out += "," + c.name;
    if (errors)
        for (const auto& c : columns) out += ",d" + c.name;
    out += "\n";
    for (std::size_t k = 0; k < ts.t.size() && k < ts.samples.size(); ++k) {
        const Snapshot& s = ts.samples[k];
        out += number(ts.t[k]);
        for (const auto& c : columns) out += "," + number(c.value(s, false));
        if (errors)
            for (const auto& c : columns) out += "," + number(c.value(s, true));
        out += "\n";
    }
    return out;
}

std::filesystem::path timeseries_path(const std::filesystem::path& dir, const std::string& engine) {
    return dir / ("timeseries-" + engine + ".csv");
}

namespace {

using io::detail::SignalHold;

// "cannot write 'x': No space left on device" -- one line, the reason from errno.
[[noreturn]] void write_failed(const std::filesystem::path& path, int err) {
    throw std::runtime_error("cannot write '" + path.string() + "': " + std::strerror(err));
}

std::filesystem::path temporary_name(const std::filesystem::path& path) {
    std::filesystem::path tmp = path;
    tmp += ".tmp-" + std::to_string(::getpid());
    return tmp;
}

// Writes content to `tmp` with POSIX calls (every short write and a failing fsync/close -- a full
// disk, a quota -- is seen) and removes it again on failure.
void write_temporary(const std::filesystem::path& tmp, const std::filesystem::path& target, const std::string& content) {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) write_failed(target, errno);
    const char* p = content.data();
    std::size_t left = content.size();
    int err = 0;
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? errno : EIO;
            break;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (!err && ::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) err = errno;
    if (::close(fd) != 0 && !err) err = errno;
    if (err) {
        ::unlink(tmp.c_str());
        write_failed(target, err);
    }
}

void rename_into_place(const std::filesystem::path& tmp, const std::filesystem::path& path) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        write_failed(path, err);
    }
}

}  // namespace

namespace detail {

void remove_stale_temporaries(const std::filesystem::path& dir, const std::string& prefix) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.rfind(prefix, 0) != 0) continue;
        const auto pos = name.rfind(".tmp-");
        if (pos == std::string::npos) continue;
        const std::string pid_text = name.substr(pos + 5);
        if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9)
            continue;
        const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
        if (pid == ::getpid() || (::kill(pid, 0) != 0 && errno == ESRCH)) {
            std::error_code ignore;
            std::filesystem::remove(it->path(), ignore);
        }
    }
}

}  // namespace detail

void write_file_atomic(const std::filesystem::path& path, const std::string& content) {
    // Same folder as the target, so the rename never crosses file systems and is atomic.
    const SignalHold hold;
    const std::filesystem::path tmp = temporary_name(path);
    write_temporary(tmp, path, content);
    rename_into_place(tmp, path);
}

void ensure_writable_output_dir(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    const std::string shown = "'" + dir.string() + "'";
    if (dir.empty()) throw InputError("--out", "the output folder must not be empty");
    // Find the nearest existing ancestor; every missing component will be created below it.
    fs::path existing = dir;
    std::vector<fs::path> missing;
    std::error_code ec;
    while (!fs::exists(existing, ec)) {
        if (ec && ec != std::errc::no_such_file_or_directory)
            throw InputError("--out", "cannot use output folder " + shown + ": " + ec.message());
        missing.push_back(existing);
        const fs::path parent = existing.has_parent_path() ? existing.parent_path() : fs::path(".");
        if (parent == existing) break;
        existing = parent;
    }
    if (existing.empty()) existing = ".";
    if (!fs::is_directory(existing, ec))
        throw InputError("--out", "cannot create output folder " + shown + ": '" + existing.string() +
                                      "' exists and is not a folder");
    // Create what is missing and write a probe file: the only reliable test (permission bits say nothing
    // to root, nor about read-only mounts, /proc or a full disk). What was created is removed again, so a
    // refused run leaves nothing behind.
    std::reverse(missing.begin(), missing.end());
    std::vector<fs::path> created;
    auto undo = [&created] {
        std::error_code ignore;
        for (auto it = created.rbegin(); it != created.rend(); ++it) fs::remove(*it, ignore);
    };
    for (const auto& d : missing) {
        if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) {
            const int err = errno;
            undo();
            throw InputError("--out", "cannot create output folder " + shown + ": " + std::strerror(err));
        }
        created.push_back(d);
    }
    const fs::path probe = dir / (".qbnet-write-test.tmp-" + std::to_string(::getpid()));
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        const int err = errno;
        undo();
        throw InputError("--out", "output folder " + shown + " is not writable: " + std::strerror(err));
    }
    ::close(fd);
    ::unlink(probe.c_str());
    undo();
}

std::vector<std::filesystem::path> write_results(const std::filesystem::path& dir, const Scenario& scenario,
                                                 const std::vector<EngineResult>& results,
                                                 const nlohmann::json& cross_check,
                                                 const nlohmann::ordered_json& provenance) {
    const SignalHold hold;
    std::filesystem::create_directories(dir);
    detail::remove_stale_temporaries(dir);
    // Two phases: every file goes to its temporary name first; only when all of them are complete are
    // they renamed. A failure (full disk) removes the temporaries and leaves the previous results intact.
    std::vector<std::pair<std::filesystem::path, std::string>> files;
    files.emplace_back(dir / "summary.json", summary_json(scenario, results, cross_check, provenance).dump(2) + "\n");
    std::set<std::string> engines_with_series;
    for (const auto& r : results) {
        std::string csv = timeseries_csv(r);
        if (csv.empty()) continue;
        engines_with_series.insert(to_string(r.engine));
        files.emplace_back(timeseries_path(dir, to_string(r.engine)), std::move(csv));
    }
    std::vector<std::filesystem::path> temporaries;
    try {
        for (const auto& [path, content] : files) {
            temporaries.push_back(temporary_name(path));
            write_temporary(temporaries.back(), path, content);
        }
    } catch (...) {
        for (const auto& tmp : temporaries) ::unlink(tmp.c_str());
        throw;
    }
    std::vector<std::filesystem::path> written;
    for (std::size_t i = 0; i < files.size(); ++i) {
        rename_into_place(temporaries[i], files[i].first);
        written.push_back(files[i].first);
    }
    // Files of an earlier run that this one does not rewrite would sit beside a summary that no longer
    // mentions them (issue 18: a Gaussian run into a folder with Fock results): remove every
    // timeseries-<engine>.csv not written now and every energy-<engine>.png (the caller redraws the plots
    // of this run's series; a plot that fails must not leave the old one looking current).
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const auto ends_with = [&name](const std::string& suffix) {
            return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
        };
        bool stale = false;
        if (name.rfind("timeseries-", 0) == 0 && ends_with(".csv"))
            stale = !engines_with_series.count(name.substr(11, name.size() - 11 - 4));
        else if (name.rfind("energy-", 0) == 0 && ends_with(".png"))
            stale = true;
        else if ((name.rfind("state-", 0) == 0 && ends_with(".npy")) || name == "state.json")
            stale = true;   // --save-state rewrites them after this call when asked
        if (stale) {
            std::error_code ignore;
            std::filesystem::remove(it->path(), ignore);
        }
    }
    return written;
}

std::string format_result_table(const EngineResult& result) {
    const Snapshot* s = nullptr;
    std::string title;
    if (result.steady_state) {
        s = &*result.steady_state;
        title = "steady state";
    } else if (!result.timeseries.samples.empty()) {
        s = &result.timeseries.samples.back();
        title = fmt::format("at t = {:g} (no steady state computed)", result.timeseries.t.back());
    }
    std::string out = fmt::format("[{}] {}\n", to_string(result.engine), s ? title : "no steady state and no time series");
    if (!s) return out;
    // Each figure with its error bar (absolute) in a +- column; "-" where the engine made no estimate.
    // Figures (and error bars) within round-off of zero read "0" (io/display.hpp; the files keep them raw).
    double scale = std::abs(s->batteries.energy);
    for (const auto& m : s->modes) scale = std::max(scale, std::abs(m.energy));
    double dim = static_cast<double>(s->modes.size());
    if (result.statistics.fock && result.statistics.fock->dimension > 0)
        dim = static_cast<double>(result.statistics.fock->dimension);
    else if (result.statistics.gaussian && result.statistics.gaussian->n > 0)
        dim = result.statistics.gaussian->n;
    const double bound = roundoff_bound(scale, dim);
    const auto pm = [bound](double err) { return format_error_bar(err, bound); };
    const auto row = [&](const std::string& name, double e, double w, double p, const std::optional<Figures>& err) {
        const Figures d = err.value_or(Figures{nan, nan, nan});
        return fmt::format("  {:<10} {:>15} {:>8} {:>15} {:>8} {:>15} {:>8}\n", name, format_figure(e, bound),
                           pm(d.energy), format_figure(w, bound), std::isfinite(w) ? pm(d.ergotropy) : "",
                           format_figure(p, bound), std::isfinite(p) ? pm(d.passive_energy) : "");
    };
    out += fmt::format("  {:<10} {:>15} {:>8} {:>15} {:>8} {:>15} {:>8}\n", "mode", "energy", "+-", "ergotropy", "+-",
                       "passive energy", "+-");
    for (const auto& m : s->modes) out += row(m.name, m.energy, m.ergotropy, m.passive_energy, m.error);
    const bool joint = s->batteries_ergotropy_available;
    out += row("batteries", s->batteries.energy, joint ? s->batteries.ergotropy : nan,
               joint ? s->batteries.passive_energy : nan, s->batteries_error);
    if (result.steady_state) out += format_diagnostics(diagnostics_json(result.steady_diagnostics));
    return out;
}

}  // namespace qbnet::io
