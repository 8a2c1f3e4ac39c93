// Optimal coupling search: coarse scan + Brent refinement of every bracketed maximum
// (include/qbnet/study/optimize.hpp).
#include "qbnet/study/optimize.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <sstream>

#include <omp.h>

#include <boost/math/tools/minima.hpp>

#include "qbnet/errors.hpp"
#include "qbnet/parallel/communicator.hpp"
#include "qbnet/parallel/distribute.hpp"
#include "qbnet/study/sweep.hpp"

namespace qbnet::study {

namespace {

struct NamedObjective {
    const char* name;
    Objective objective;
};
constexpr NamedObjective kObjectives[] = {
    {"energy_last", Objective::energy_last},         {"energy_total", Objective::energy_total},
    {"energy_per_battery", Objective::energy_per_battery}, {"ergotropy_last", Objective::ergotropy_last},
    {"ergotropy_total", Objective::ergotropy_total},
};

bool parse_finite(const std::string& text, double& out) {
    if (text.empty()) return false;
    char* end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size() && std::isfinite(out);
}

// Relative tolerance under which two objective values count as equal (the engines' steady states
// are accurate to ~1e-12 relative; a bound only "wins" when it is clearly larger).
constexpr double kTieTolerance = 1e-9;

}  // namespace

Objective parse_objective(const std::string& name) {
    for (const auto& o : kObjectives)
        if (name == o.name) return o.objective;
    std::string allowed;
    for (const auto& o : kObjectives) allowed += std::string(allowed.empty() ? "" : ", ") + o.name;
    throw InputError("--objective", "must be one of " + allowed + " (got '" + name + "')");
}

std::string objective_name(Objective objective) {
    for (const auto& o : kObjectives)
        if (o.objective == objective) return o.name;
    return "?";
}

double objective_value(Objective objective, const Snapshot& s) {
    const int n = static_cast<int>(s.modes.size()) - 1;   // batteries
    switch (objective) {
        case Objective::energy_last: return s.modes.back().energy;
        case Objective::energy_total: return s.batteries.energy;
        case Objective::energy_per_battery: return s.batteries.energy / std::max(n, 1);
        case Objective::ergotropy_last: return s.modes.back().ergotropy;
        case Objective::ergotropy_total:
            if (!s.batteries_ergotropy_available)
                throw RunRefused("ergotropy_total: the joint-battery ergotropy is not available for this model "
                                 "(raise fock.joint_ergotropy_max_dim or use the gaussian engine)");
            return s.batteries.ergotropy;
    }
    return 0.0;
}

void parse_bounds(const std::string& spec, double& lower, double& upper) {
    const auto colon = spec.find(':');
    double lo = 0.0, hi = 0.0;
    if (colon == std::string::npos || !parse_finite(spec.substr(0, colon), lo) ||
        !parse_finite(spec.substr(colon + 1), hi) || !(lo < hi))
        throw InputError("--bounds", "must be LO:HI with finite numbers LO < HI (got '" + spec + "')");
    lower = lo;
    upper = hi;
}

namespace {

// The size of one evaluation, for the choice between points side by side and threads inside a point.
struct PointSize {
    int n_modes = 0;
    double fock_dim = 1.0;
};

// Every rank validates before any work; a bad input is reported once (parallel::all_or_none).
PointSize validate(const Scenario& base, const OptimizeOptions& options) {
    PointSize size;
    parallel::all_or_none([&] {
        check_param_key(options.param);
        if (options.engine != "fock" && options.engine != "gaussian" && options.engine != "trajectories")
            throw InputError("--engine", "must be fock, gaussian or trajectories (got '" + options.engine + "')");
        if (!(std::isfinite(options.lower) && std::isfinite(options.upper) && options.lower < options.upper))
            throw InputError("--bounds", "must be LO:HI with finite numbers LO < HI");
        if (options.scan_points < 3) throw InputError("--points", "the scan needs at least 3 points");
        for (double v : {options.lower, options.upper}) {   // the end points, built as every evaluation is
            const Scenario sc = point_scenario(base, {{options.param, v}}, options.engine);
            if (v == options.upper) {
                size.n_modes = sc.model.n_modes();
                for (int c : sc.options.fock.cutoff) size.fock_dim *= c;
            }
        }
    });
    return size;
}

// Search variable x: log(value) on a positive interval (couplings span decades; the objective is smooth in
// log J), the value itself otherwise.
struct SearchAxis {
    bool log_scale;
    double x_lo, x_hi;
    explicit SearchAxis(const OptimizeOptions& o)
        : log_scale(o.lower > 0.0), x_lo(to_x(o.lower)), x_hi(to_x(o.upper)) {}
    double to_x(double v) const { return log_scale ? std::log(v) : v; }
    double to_value(double x) const { return log_scale ? std::exp(x) : x; }
};

// One evaluation outside the scan (a Brent step): the objective, with the point's warnings and trust
// recorded in the result.
double evaluate(const Scenario& base, const OptimizeOptions& options, double value, int threads, OptimizeResult& result) {
    const PointResult p = steady_point(point_scenario(base, {{options.param, value}}, options.engine), options.engine, threads);
    for (const auto& w : p.warnings)
        result.warnings.push_back("evaluation at " + options.param + " = " + format_number(value) + ": " + w);
    if (!p.trustworthy) {
        ++result.untrusted_evaluations;
        std::string why;
        for (const auto& r : p.trust_reasons) why += r + "; ";
        result.warnings.push_back("evaluation at " + options.param + " = " + format_number(value) + " not trustworthy: " + why);
    }
    return objective_value(options.objective, p.steady);
}

// 1. The coarse scan. Scan points go over the MPI ranks (dynamic scheduling) and, when each is small, side
// by side inside a rank, as in run_sweep. The payload is the objective and the point's trust, bit-exact, so
// every rank ends up with the same scan and runs the same (cheap, sequential) Brent stage.
void scan(const Scenario& base, const OptimizeOptions& options, const SearchAxis& axis, const PointSize& size,
          int threads, std::vector<double>& xs, OptimizeResult& result) {
    const int n = options.scan_points;
    result.scan_values.resize(n);
    result.scan_objective.resize(n);
    xs.resize(n);
    for (int i = 0; i < n; ++i) {
        xs[i] = axis.x_lo + (axis.x_hi - axis.x_lo) * i / (n - 1);
        result.scan_values[i] = i == 0 ? options.lower : i == n - 1 ? options.upper : axis.to_value(xs[i]);
    }
    const bool parallel = threads > 1 && (options.engine == "gaussian" ? size.n_modes <= 400 : size.fock_dim <= 512.0);
    parallel::DistributeOptions dist;
    dist.local_workers = parallel ? threads : 1;
    const auto payloads = parallel::distribute_ordered(
        static_cast<std::size_t>(n),
        [&](std::size_t i) {
            const PointResult p = steady_point(point_scenario(base, {{options.param, result.scan_values[i]}}, options.engine),
                                               options.engine, parallel ? 1 : threads);
            const double value = objective_value(options.objective, p.steady);
            std::string reasons, warnings;
            for (const auto& r : p.trust_reasons) reasons += r + "; ";
            for (const auto& w : p.warnings) warnings += w + "\n";
            return parallel::pack({parallel::to_payload({value, p.diagnostics.converged ? 1.0 : 0.0,
                                                         p.diagnostics.residual, p.trustworthy ? 1.0 : 0.0}),
                                   reasons, warnings});
        },
        dist);
    // The root has every payload; the other ranks receive them (one small message per rank).
    std::vector<double> flat(4 * static_cast<std::size_t>(n));
    std::vector<std::string> reasons(static_cast<std::size_t>(n)), point_warnings(static_cast<std::size_t>(n));
    if (parallel::is_root()) {
        for (int i = 0; i < n; ++i) {
            const auto parts = parallel::unpack(*payloads.payloads[static_cast<std::size_t>(i)]);
            const auto v = parallel::doubles_from(parts[0]);
            std::copy(v.begin(), v.end(), flat.begin() + 4 * i);
            reasons[static_cast<std::size_t>(i)] = parts[1];
            point_warnings[static_cast<std::size_t>(i)] = parts[2];
        }
    }
    flat = parallel::broadcast_doubles(flat);
    result.scan_converged.resize(n);
    result.scan_residual.resize(n);
    for (int i = 0; i < n; ++i) {
        result.scan_objective[i] = flat[4 * i];
        result.scan_converged[i] = flat[4 * i + 1] != 0.0;
        result.scan_residual[i] = flat[4 * i + 2];
        // The engine's warnings of each scan point, tagged with the point (root: it has the payloads).
        std::istringstream lines(point_warnings[static_cast<std::size_t>(i)]);
        for (std::string line; std::getline(lines, line);)
            result.warnings.push_back("scan point " + options.param + " = " + format_number(result.scan_values[i]) + ": " + line);
        if (flat[4 * i + 3] == 0.0) {
            ++result.untrusted_evaluations;
            if (parallel::is_root())
                result.warnings.push_back("scan point " + options.param + " = " + format_number(result.scan_values[i]) +
                                          " not trustworthy: " + reasons[static_cast<std::size_t>(i)]);
        }
    }
    result.evaluations = n;
}

// 2. Brent on -objective inside [x_{i-1}, x_{i+1}] around every scan point that beats its neighbours; the end
// intervals too when an end point is the larger one (the maximum may lie between the last two scan points
// rather than at the bound). Every rank runs the same Brent steps on the same scan; a failure is reported once.
std::vector<LocalMaximum> refine_maxima(const Scenario& base, const OptimizeOptions& options, const SearchAxis& axis,
                                        int threads, const std::vector<double>& xs, OptimizeResult& result) {
    const int n = options.scan_points;
    const std::vector<double> f = result.scan_objective;
    std::vector<LocalMaximum> maxima;
    parallel::all_or_none([&] {
        auto refine = [&](double a, double b) {
            std::uintmax_t iters = static_cast<std::uintmax_t>(options.max_iterations);
            const auto best = boost::math::tools::brent_find_minima(
                [&](double x) {
                    ++result.evaluations;
                    return -evaluate(base, options, axis.to_value(x), threads, result);
                },
                a, b, options.bits, iters);
            LocalMaximum m;
            m.value = axis.to_value(best.first);
            m.objective_value = -best.second;
            m.iterations = static_cast<int>(iters);
            return std::make_pair(best.first, m);
        };
        const double dx = (axis.x_hi - axis.x_lo) / (n - 1);
        auto add = [&](double x, const LocalMaximum& m) {
            // interior only: a refinement that runs onto the bound is the bound, not a maximum
            if (x - axis.x_lo < 1e-6 * dx || axis.x_hi - x < 1e-6 * dx) return;
            for (const auto& other : maxima)
                if (std::abs(axis.to_x(other.value) - x) < 1e-4 * dx) return;   // the same maximum twice
            maxima.push_back(m);
        };
        for (int i = 1; i + 1 < n; ++i) {
            if (f[i] > f[i - 1] && f[i] >= f[i + 1]) {
                auto [x, m] = refine(xs[i - 1], xs[i + 1]);
                add(x, m);
            }
        }
        if (f[0] > f[1]) {
            auto [x, m] = refine(xs[0], xs[1]);
            if (m.objective_value > f[0] * (1 + kTieTolerance)) add(x, m);
        }
        if (f[n - 1] > f[n - 2]) {
            auto [x, m] = refine(xs[n - 2], xs[n - 1]);
            if (m.objective_value > f[n - 1] * (1 + kTieTolerance)) add(x, m);
        }
    });
    std::sort(maxima.begin(), maxima.end(), [](const auto& a, const auto& b) { return a.value < b.value; });
    return maxima;
}

// 3. The optimum: the best interior maximum, unless a bound is larger still.
void choose_optimum(const OptimizeOptions& options, OptimizeResult& result) {
    const int n = options.scan_points;
    const auto& f = result.scan_objective;
    const LocalMaximum* best = nullptr;
    for (const auto& m : result.local_maxima)
        if (!best || m.objective_value > best->objective_value) best = &m;
    const double best_f = best ? best->objective_value : -HUGE_VAL;
    auto beats = [&](double fb) { return !best || fb > best_f + kTieTolerance * std::abs(best_f); };
    if (f[n - 1] >= f[0] && beats(f[n - 1]) && f[n - 1] > f[n - 2]) {
        result.at_bound = "upper";
        result.bound_value = options.upper;
        result.bound_objective_value = f[n - 1];
    } else if (beats(f[0]) && f[0] > f[1]) {
        result.at_bound = "lower";
        result.bound_value = options.lower;
        result.bound_objective_value = f[0];
    }
    if (!result.at_bound.empty()) {
        result.warnings.push_back(result.objective + " is largest at the " + result.at_bound + " bound " +
                                  options.param + " = " + format_number(result.bound_value) +
                                  " (no optimum inside the bounds; widen --bounds or the objective keeps growing)");
    } else if (best) {
        result.value = best->value;
        result.objective_value = best->objective_value;
    } else {
        result.warnings.push_back(result.objective + " has no maximum in the bounds (constant over the scan)");
    }
}

}  // namespace

OptimizeResult optimize(const Scenario& base, const OptimizeOptions& options) {
    const PointSize size = validate(base, options);
    OptimizeResult result;
    result.param = options.param;
    result.objective = objective_name(options.objective);
    result.engine = options.engine;
    const SearchAxis axis(options);
    const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
    std::vector<double> xs;
    scan(base, options, axis, size, threads, xs, result);
    result.local_maxima = refine_maxima(base, options, axis, threads, xs, result);
    choose_optimum(options, result);
    return result;
}

}  // namespace qbnet::study
