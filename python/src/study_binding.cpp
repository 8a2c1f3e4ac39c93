// qbnet._qbnet.sweep / optimize. A sweep point is the base scenario plus "section.key=value"
// overrides, parsed by parse_scenario exactly like `qbnet run --set`; all points are validated before
// the first one runs. The optimiser is the library's (study/optimize.hpp).
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "interruptible.hpp"
#include "json_to_python.hpp"
#include "qbnet/engine.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/io/optimum.hpp"
#include "qbnet/io/provenance.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/study/optimize.hpp"

namespace py = pybind11;

namespace qbnet::python {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string mode_name(std::size_t j) { return j == 0 ? "C" : "b" + std::to_string(j); }

// Steady-state columns over all points: E_<mode>, W_<mode>, P_<mode> (and dE_, dW_, dP_ error bars when
// an engine estimated them), E_B, W_B, P_B, converged. Modes a point does not have are NaN.
py::dict sweep(const std::string& toml_text, const std::string& name, const std::vector<std::string>& base,
               const std::vector<std::vector<std::string>>& points, const std::string& engine, int threads,
               py::object progress) {
    const EngineKind kind = engine_kind(engine);
    std::vector<io::Scenario> scenarios;
    scenarios.reserve(points.size());
    std::size_t modes = 0;
    for (const auto& point : points) {
        std::vector<std::string> overrides = base;
        overrides.insert(overrides.end(), point.begin(), point.end());
        io::Scenario s = io::parse_scenario(toml_text, name, overrides);
        // A sweep compares steady states: no time evolution, steady state always on.
        s.options.time.t_end = 0.0;
        s.options.steady.enabled = true;
        s.options.threads = resolve_threads(threads);
        modes = std::max(modes, static_cast<std::size_t>(s.model.n_modes()));
        scenarios.push_back(std::move(s));
    }
    std::vector<Snapshot> steady(points.size());
    std::vector<bool> converged(points.size(), false);
    InterruptibleProgress guard(progress, engine);
    const ProgressFn callback = guard.callback();
    guard.run_released([&] {
        for (std::size_t k = 0; k < scenarios.size(); ++k) {
            const double base_fraction = static_cast<double>(k) / scenarios.size();
            const std::string label = "sweep point " + std::to_string(k + 1) + "/" + std::to_string(scenarios.size());
            const EngineResult r = run_engine(kind, scenarios[k].model, scenarios[k].options,
                                              [&](double f, const std::string&) {
                                                  callback(base_fraction + f / scenarios.size(), label);
                                              });
            if (r.steady_state) steady[k] = *r.steady_state;
            converged[k] = r.steady_state && r.steady_diagnostics.converged;
        }
        return 0;
    });
    guard.finish();

    const auto n = static_cast<py::ssize_t>(points.size());
    py::dict out;
    bool any_error = false;
    for (const auto& s : steady)
        for (const auto& m : s.modes) any_error = any_error || m.error.has_value();
    auto column = [&](const std::string& key, auto get) {
        py::array_t<double> a(n);
        auto v = a.mutable_unchecked<1>();
        for (py::ssize_t k = 0; k < n; ++k) v(k) = get(steady[k]);
        out[py::str(key)] = a;
    };
    struct Field {
        const char* prefix;
        double Figures::*member;
    };
    const Field fields[] = {{"E_", &Figures::energy}, {"W_", &Figures::ergotropy}, {"P_", &Figures::passive_energy}};
    for (const Field& f : fields) {
        for (std::size_t j = 0; j < modes; ++j)
            column(f.prefix + mode_name(j), [&](const Snapshot& s) { return j < s.modes.size() ? s.modes[j].*f.member : nan; });
        if (any_error)
            for (std::size_t j = 0; j < modes; ++j)
                column(std::string("d") + f.prefix + mode_name(j), [&](const Snapshot& s) {
                    return j < s.modes.size() && s.modes[j].error ? (*s.modes[j].error).*f.member : nan;
                });
    }
    column("E_B", [](const Snapshot& s) { return s.modes.empty() ? nan : s.batteries.energy; });
    column("W_B", [](const Snapshot& s) {
        return s.modes.empty() || !s.batteries_ergotropy_available ? nan : s.batteries.ergotropy;
    });
    column("P_B", [](const Snapshot& s) {
        return s.modes.empty() || !s.batteries_ergotropy_available ? nan : s.batteries.passive_energy;
    });
    py::array_t<bool> conv(n);
    for (py::ssize_t k = 0; k < n; ++k) conv.mutable_at(k) = converged[k];
    out["converged"] = conv;
    return out;
}

py::dict optimize_key(const std::string& toml_text, const std::string& name, const std::vector<std::string>& base,
                      const std::string& key, double lower, double upper, const std::string& objective,
                      const std::string& engine, int scan_points, int threads,
                      const std::vector<std::string>& command_line) {
    study::OptimizeOptions options;
    options.param = key;
    options.lower = lower;
    options.upper = upper;
    if (!(std::isfinite(lower) && std::isfinite(upper) && lower < upper))
        throw InputError("bounds", "lower and upper must be finite with lower < upper");
    options.objective = study::parse_objective(objective);
    engine_kind(engine);
    options.engine = engine;
    if (scan_points < 3) throw InputError("scan_points", "must be at least 3");
    options.scan_points = scan_points;
    options.threads = resolve_threads(threads);
    // As `qbnet optimize` (src/cli/optimize_command.cpp): provenance taken at the start, its command_line
    // the Python process's.
    io::Provenance provenance = io::current_provenance(options.threads, 1);
    provenance.command_line = command_line;
    // The io edge: the scenario is parsed once; the optimiser sets each point's value on a copy.
    const io::Scenario scenario = io::parse_scenario(toml_text, name, base);
    study::OptimizeResult r;
    {
        // No progress callback in the optimiser's API: this call cannot be interrupted with Ctrl-C.
        py::gil_scoped_release release;
        r = study::optimize(scenario, options);
    }
    // The keys of optimum.json in its order: who ran it, on what, then the result.
    const nlohmann::ordered_json json = io::optimum_json(name, io::provenance_json(provenance), base, r);
    py::dict out = to_python(json).cast<py::dict>();
    out["scan_values"] = py::array_t<double>(r.scan_values.size(), r.scan_values.data());
    out["scan_objective"] = py::array_t<double>(r.scan_objective.size(), r.scan_objective.data());
    return out;
}

}  // namespace

void bind_study(py::module_& m) {
    m.def("sweep", &sweep, py::arg("toml_text"), py::arg("name"), py::arg("overrides"), py::arg("points"),
          py::arg("engine"), py::arg("threads"), py::arg("progress"));
    m.def("optimize", &optimize_key, py::arg("toml_text"), py::arg("name"), py::arg("overrides"), py::arg("key"),
          py::arg("lower"), py::arg("upper"), py::arg("objective"), py::arg("engine"), py::arg("scan_points"),
          py::arg("threads"), py::arg("command_line"));
}

}  // namespace qbnet::python
