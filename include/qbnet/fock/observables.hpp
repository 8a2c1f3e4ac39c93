#pragma once
// Observables of a full density matrix on a truncated Fock basis: reduced states, energies,
// exact ergotropies (local and joint batteries), truncation populations.
#include <complex>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/fock/basis.hpp"
#include "qbnet/result.hpp"

namespace qbnet::fock {

// Reduced density matrix of the modes in `keep` (ascending), for a row-major D x D rho.
Eigen::MatrixXcd partial_trace(const std::complex<double>* rho, const FockBasis& basis,
                               const std::vector<int>& keep);

struct FockObservables {
    Snapshot snapshot;
    std::vector<double> top_level_population;   // per mode: population of the highest Fock level
};

// Figures of merit of rho. The joint-battery ergotropy needs an eigen-decomposition of the batteries'
// reduced state; it is skipped (batteries_ergotropy_available = false) when that dimension exceeds
// joint_max_dim. Energy of the joint batteries is always exact.
FockObservables fock_observables(const std::complex<double>* rho, const FockBasis& basis,
                                 const std::vector<std::string>& mode_names, long joint_max_dim);

double trace_error(const std::complex<double>* rho, long dim);        // |tr rho - 1|
double hermiticity_error(const std::complex<double>* rho, long dim);  // max |rho - rho^dag|

}  // namespace qbnet::fock
