// qbnet._qbnet: thin bindings over the C++ library; the package layer (qbnet/__init__.py) turns its
// plain dicts into qbnet.Result and accepts dict / TOML text / path scenarios. No physics here.
#include <omp.h>

#include "bindings.hpp"
#include "qbnet/errors.hpp"

namespace py = pybind11;

namespace qbnet::python {

EngineKind engine_kind(const std::string& name) {
    if (auto kind = parse_engine_kind(name)) return *kind;
    throw InputError("engine", "'" + name + "' is not an engine; allowed: fock, gaussian, trajectories");
}

int resolve_threads(int threads) {
    if (threads < 0) throw InputError("threads", "must be a positive integer (or 0 for the OpenMP default)");
    return threads > 0 ? threads : omp_get_max_threads();
}

}  // namespace qbnet::python

PYBIND11_MODULE(_qbnet, m) {
    m.doc() = "qbnet C++ engines (use the qbnet package, not this module directly)";
    // Both are ValueErrors: the input (scenario, options) is at fault. Their message is the CLI's error
    // line without the "qbnet: error: " prefix: "<key>: <what is allowed>".
    py::register_exception<qbnet::InputError>(m, "InputError", PyExc_ValueError);
    py::register_exception<qbnet::RunRefused>(m, "RunRefused", PyExc_ValueError);
    qbnet::python::bind_run(m);
    qbnet::python::bind_study(m);
    qbnet::python::bind_ergotropy(m);
}
