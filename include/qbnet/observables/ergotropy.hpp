#pragma once
// Exact ergotropy by spectrum reordering (docs/physics.md, "Figures of merit"):
//   W(rho) = tr(rho H) - sum_k r_k e_k,  r_k decreasing eigenvalues of rho, e_k increasing levels of H.
#include <Eigen/Dense>
#include <vector>

#include "qbnet/result.hpp"

namespace qbnet::observables {

// Passive energy of a state with spectrum `populations` against energy levels `levels`
// (both any order; sorted internally). Sizes must match.
double passive_energy(std::vector<double> populations, std::vector<double> levels);

// Exact figures of a density matrix rho whose Hamiltonian is diagonal in its basis with `levels`.
Figures ergotropy_figures(const Eigen::MatrixXcd& rho, const std::vector<double>& levels);

// Convenience: ergotropy only.
double ergotropy(const Eigen::MatrixXcd& rho, const std::vector<double>& levels);

// Levels of sum_j a_j^dag a_j on a truncated tensor basis with the given cutoffs (row-major order:
// the last mode varies fastest), i.e. the total photon number of each basis state.
std::vector<double> photon_number_levels(const std::vector<int>& cutoffs);

}  // namespace qbnet::observables
