// qbnet.ergotropy / passive_energy / figures on any numpy density matrix: the library's exact
// spectrum-reordering functions (observables/ergotropy.hpp), nothing recomputed here.
#include <cmath>
#include <complex>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "qbnet/observables/ergotropy.hpp"

namespace py = pybind11;

namespace qbnet::python {

namespace {

using ComplexArray = py::array_t<std::complex<double>, py::array::c_style | py::array::forcecast>;
using RealArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// A density matrix must be Hermitian: the reordering reads its spectrum. States from other codes carry
// round-off in their anti-Hermitian part; 1e-8 relative is far above double round-off of any solver
// and far below a physically different state.
constexpr double kHermiticityTolerance = 1e-8;

Figures checked_figures(const ComplexArray& rho, const RealArray& energies) {
    if (rho.ndim() != 2 || rho.shape(0) != rho.shape(1) || rho.shape(0) == 0)
        throw py::value_error("rho: must be a square, non-empty 2-d array (a density matrix)");
    const auto d = static_cast<Eigen::Index>(rho.shape(0));
    if (energies.ndim() != 1 || energies.shape(0) != d)
        throw py::value_error("energies: must be a 1-d array with one level per basis state (" + std::to_string(d) +
                              "), got shape " + std::string(py::str(py::make_tuple(energies.request().shape))));
    std::vector<double> levels(energies.data(), energies.data() + d);
    for (double e : levels)
        if (!std::isfinite(e)) throw py::value_error("energies: must be finite");
    using RowMajor = Eigen::Matrix<std::complex<double>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::MatrixXcd m = Eigen::Map<const RowMajor>(rho.data(), d, d);
    if (!m.allFinite()) throw py::value_error("rho: must be finite");
    const double norm = m.norm();
    const double anti = (m - m.adjoint()).norm();
    if (anti > kHermiticityTolerance * std::max(norm, 1e-300))
        throw py::value_error("rho: must be Hermitian (||rho - rho^dag|| / ||rho|| = " + std::to_string(anti / norm) +
                              " > 1e-8)");
    py::gil_scoped_release release;   // a large rho's eigen-decomposition may take a while
    return observables::ergotropy_figures(m, levels);
}

}  // namespace

void bind_ergotropy(py::module_& m) {
    m.def(
        "figures",
        [](const ComplexArray& rho, const RealArray& energies) {
            const Figures f = checked_figures(rho, energies);
            py::dict out;
            out["energy"] = f.energy;
            out["ergotropy"] = f.ergotropy;
            out["passive_energy"] = f.passive_energy;
            return out;
        },
        py::arg("rho"), py::arg("energies"));
    m.def(
        "ergotropy", [](const ComplexArray& rho, const RealArray& energies) { return checked_figures(rho, energies).ergotropy; },
        py::arg("rho"), py::arg("energies"));
    m.def(
        "passive_energy",
        [](const ComplexArray& rho, const RealArray& energies) { return checked_figures(rho, energies).passive_energy; },
        py::arg("rho"), py::arg("energies"));
    m.def("photon_number_levels", &observables::photon_number_levels, py::arg("cutoffs"));
}

}  // namespace qbnet::python
