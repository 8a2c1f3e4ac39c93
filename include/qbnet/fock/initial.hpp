#pragma once
// Initial states of the Fock engine (time.initial, qbnet/initial_state.hpp) as density matrices.
#include <Eigen/Dense>

#include "qbnet/fock/basis.hpp"
#include "qbnet/initial_state.hpp"

namespace qbnet::fock {

// Product state rho = (x)_j rho_j in `basis` (row-major D x D, flattened), each rho_j the truncated and
// renormalised single-mode state (vacuum, thermal or coherent), so trace rho = 1 exactly.
Eigen::VectorXcd initial_density_matrix(const InitialState& state, const FockBasis& basis);

// The displaced frame rho = D(alpha) rho' D(alpha)^dag: a coherent state is alpha0 = its amplitude with
// rho' = vacuum (exact, no truncation); vacuum and thermal states have alpha0 = 0 and rho' = the state.
struct DisplacedInitialState {
    Eigen::VectorXcd alpha;
    Eigen::VectorXcd rho;
};
DisplacedInitialState displaced_initial_state(const InitialState& state, const FockBasis& basis);

}  // namespace qbnet::fock
