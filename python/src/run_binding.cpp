// qbnet._qbnet.run: scenario text -> parse_scenario (the CLI's validation) -> run_engine (one engine or
// a cross-checked pair) -> a dict of numpy arrays plus summary_json() (the CLI's summary.json, provenance
// included) converted to Python objects.
#include <cmath>
#include <complex>
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
#include "qbnet/io/provenance.hpp"
#include "qbnet/io/results.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/study/crosscheck.hpp"

namespace py = pybind11;

namespace qbnet::python {

namespace {

// [samples, modes] array of one figure; `error` selects the error bar (NaN where the engine gave none).
template <class Get>
py::array_t<double> mode_matrix(const std::vector<Snapshot>& samples, Get get) {
    const std::size_t modes = samples.empty() ? 0 : samples.front().modes.size();
    py::array_t<double> out({samples.size(), modes});
    auto view = out.mutable_unchecked<2>();
    for (std::size_t k = 0; k < samples.size(); ++k)
        for (std::size_t j = 0; j < modes; ++j) view(k, j) = get(samples[k].modes.at(j));
    return out;
}

template <class Get>
py::array_t<double> batteries_vector(const std::vector<Snapshot>& samples, Get get) {
    py::array_t<double> out(samples.size());
    auto view = out.mutable_unchecked<1>();
    for (std::size_t k = 0; k < samples.size(); ++k) view(k) = get(samples[k]);
    return out;
}

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

bool has_errors(const std::vector<Snapshot>& samples) {
    for (const auto& s : samples)
        for (const auto& m : s.modes)
            if (m.error) return true;
    return false;
}

// energy / ergotropy / passive_energy (and *_error when the engine estimated errors), shape [samples, modes],
// plus the joint-battery figures, shape [samples].
void put_figures(py::dict& out, const std::vector<Snapshot>& samples) {
    out["energy"] = mode_matrix(samples, [](const ModeFigures& f) { return f.energy; });
    out["ergotropy"] = mode_matrix(samples, [](const ModeFigures& f) { return f.ergotropy; });
    out["passive_energy"] = mode_matrix(samples, [](const ModeFigures& f) { return f.passive_energy; });
    if (has_errors(samples)) {
        out["energy_error"] = mode_matrix(samples, [](const ModeFigures& f) { return f.error ? f.error->energy : nan; });
        out["ergotropy_error"] = mode_matrix(samples, [](const ModeFigures& f) { return f.error ? f.error->ergotropy : nan; });
        out["passive_energy_error"] =
            mode_matrix(samples, [](const ModeFigures& f) { return f.error ? f.error->passive_energy : nan; });
    } else {
        out["energy_error"] = py::none();
        out["ergotropy_error"] = py::none();
        out["passive_energy_error"] = py::none();
    }
    out["batteries_energy"] = batteries_vector(samples, [](const Snapshot& s) { return s.batteries.energy; });
    out["batteries_ergotropy"] = batteries_vector(
        samples, [](const Snapshot& s) { return s.batteries_ergotropy_available ? s.batteries.ergotropy : nan; });
    out["batteries_passive_energy"] = batteries_vector(
        samples, [](const Snapshot& s) { return s.batteries_ergotropy_available ? s.batteries.passive_energy : nan; });
}

// One snapshot as 1-d arrays over the modes (the [samples, modes] layout with one sample, squeezed).
py::dict snapshot_dict(const Snapshot& s) {
    py::dict matrices;
    put_figures(matrices, {s});
    py::dict out;
    for (auto item : matrices) {
        py::object value = py::reinterpret_borrow<py::object>(item.second);
        if (value.is_none()) {
            out[item.first] = value;
        } else {
            py::array_t<double> a = value.cast<py::array_t<double>>();
            out[item.first] = a[py::int_(0)];   // modes: 1-d array; batteries: a number
        }
    }
    return out;
}

py::object fock_state(const std::optional<StateData>& data) {
    if (!data || !data->fock) return py::none();
    const FockState& f = *data->fock;
    const auto d = static_cast<py::ssize_t>(std::sqrt(static_cast<double>(f.rho.size())) + 0.5);
    py::array_t<std::complex<double>> rho({d, d});
    std::copy(f.rho.begin(), f.rho.end(), rho.mutable_data());
    py::dict out;
    out["rho"] = rho;
    out["dims"] = f.dims;
    out["frame"] = std::string(to_string(f.frame));
    out["alpha"] = py::array_t<std::complex<double>>(f.alpha.size(), f.alpha.data());
    return std::move(out);
}

py::object gaussian_state(const std::optional<StateData>& data) {
    if (!data || !data->gaussian) return py::none();
    const GaussianStateData& g = *data->gaussian;
    const auto n = static_cast<py::ssize_t>(g.mean.size());
    py::array_t<double> cov({n, n});
    std::copy(g.covariance.begin(), g.covariance.end(), cov.mutable_data());
    py::dict out;
    out["mean"] = py::array_t<double>(g.mean.size(), g.mean.data());
    out["covariance"] = cov;
    return std::move(out);
}

// The arrays of one engine's result. `summary` is the whole run's summary (both engines of a pair).
py::dict result_dict(const io::Scenario& scenario, const EngineResult& r, const py::object& summary) {
    py::dict out;
    out["summary"] = summary;
    out["engine"] = std::string(to_string(r.engine));
    std::vector<std::string> names;
    for (int j = 0; j < scenario.model.n_modes(); ++j) names.push_back(j == 0 ? "C" : "b" + std::to_string(j));
    out["modes"] = names;
    out["times"] = py::array_t<double>(r.timeseries.t.size(), r.timeseries.t.data());
    py::dict series;
    put_figures(series, r.timeseries.samples);
    out["timeseries"] = series;
    out["steady_state"] = r.steady_state ? py::object(snapshot_dict(*r.steady_state)) : py::object(py::none());
    out["final_state"] = r.final_state ? py::object(snapshot_dict(*r.final_state)) : py::object(py::none());
    out["steady_fock"] = fock_state(r.steady_state_data);
    out["final_fock"] = fock_state(r.final_state_data);
    out["steady_gaussian"] = gaussian_state(r.steady_state_data);
    out["final_gaussian"] = gaussian_state(r.final_state_data);
    out["dims"] = r.statistics.fock ? py::cast(r.statistics.fock->cutoffs) : py::object(py::none());
    out["warnings"] = r.warnings;
    return out;
}

// engine: one engine, "both" (= fock,gaussian) or a pair "A,B" of two different engines, as the CLI's
// --engine.
std::vector<EngineKind> engine_kinds(const std::string& engine) {
    std::vector<std::string> names;
    if (engine == "both") {
        names = {"fock", "gaussian"};
    } else {
        std::size_t start = 0;
        while (true) {
            const std::size_t comma = engine.find(',', start);
            names.push_back(engine.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    if (names.size() > 2 || (names.size() == 2 && names[0] == names[1]))
        throw InputError("engine", "one of fock, gaussian, trajectories, both, or a pair of two different engines "
                                   "such as \"fock,trajectories\" (got '" + engine + "')");
    std::vector<EngineKind> kinds;
    for (const auto& n : names) kinds.push_back(engine_kind(n));
    return kinds;
}

// The same steps as `qbnet run`: validation, each engine, the cross-check of a pair, summary_json with
// the provenance block (command_line: given by the package, the Python process's sys.argv).
py::dict run(const std::string& toml_text, const std::string& name, const std::vector<std::string>& overrides,
             const std::string& engine, int threads, py::object progress, bool keep_states,
             const std::vector<std::string>& command_line) {
    io::Scenario scenario = io::parse_scenario(toml_text, name, overrides);
    const std::vector<EngineKind> kinds = engine_kinds(engine);
    scenario.options.threads = resolve_threads(threads);
    scenario.options.keep_states = keep_states;
    for (const EngineKind kind : kinds)   // engine-specific refusals before any run, as the CLI
        (void)make_engine(kind)->memory_estimate_gib(scenario.model, scenario.options);
    std::vector<EngineResult> results;
    for (const EngineKind kind : kinds) {
        InterruptibleProgress guard(progress, to_string(kind));
        results.push_back(guard.run_released(
            [&] { return run_engine(kind, scenario.model, scenario.options, guard.callback()); }));
        guard.finish();
    }
    nlohmann::json check = nullptr;
    if (results.size() == 2)
        check = io::cross_check_json(study::cross_check(results[0], results[1], study::CrossCheckOptions::from(scenario.options)));
    io::Provenance provenance = io::current_provenance(scenario.options.threads, 1);
    provenance.command_line = command_line;
    const py::object summary = to_python(io::summary_json(scenario, results, check, io::provenance_json(provenance)));
    py::dict out = result_dict(scenario, results[0], summary);
    if (results.size() == 2) {
        py::list each;
        for (const auto& r : results) each.append(result_dict(scenario, r, summary));
        out["pair"] = each;
    }
    return out;
}

}  // namespace

void bind_run(py::module_& m) {
    m.def("run", &run, py::arg("toml_text"), py::arg("name"), py::arg("overrides"), py::arg("engine"),
          py::arg("threads"), py::arg("progress"), py::arg("keep_states"), py::arg("command_line"));
    m.def(
        "check_scenario",
        [](const std::string& toml_text, const std::string& name, const std::vector<std::string>& overrides) {
            return to_python(nlohmann::ordered_json(io::parse_scenario(toml_text, name, overrides).resolved));
        },
        py::arg("toml_text"), py::arg("name"), py::arg("overrides"));
}

}  // namespace qbnet::python
