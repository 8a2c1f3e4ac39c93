#pragma once
// Each file registers one group of functions on the extension module qbnet._qbnet.
#include <string>

#include <pybind11/pybind11.h>

#include "qbnet/options.hpp"

namespace qbnet::python {

void bind_run(pybind11::module_& m);          // run_engine on a scenario -> arrays + summary dict
void bind_study(pybind11::module_& m);        // sweep over scenario keys, optimize one key
void bind_ergotropy(pybind11::module_& m);    // exact ergotropy of any density matrix

// "fock" | "gaussian" | "trajectories"; anything else is an InputError naming the allowed engines.
EngineKind engine_kind(const std::string& name);
// threads > 0: that many; 0: the OpenMP default (OMP_NUM_THREADS, else all cores), as the CLI does.
int resolve_threads(int threads);

}  // namespace qbnet::python
