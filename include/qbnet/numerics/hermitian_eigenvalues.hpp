#pragma once
// Eigenvalues (ascending) of a small Hermitian matrix, without eigenvectors: the passive energy of
// every ergotropy figure needs the spectrum of a reduced state only, and the trajectories' jackknife
// needs it for every leave-one-batch-out state (thousands of 36 x 36 problems per run).
// Householder reduction to a real symmetric tridiagonal matrix (LAPACK's zhetd2, lower triangle, in
// real arithmetic: no complex division in the inner loops), then the implicit QL iteration with shifts
// (Numerical Recipes' tqli without eigenvectors) on the tridiagonal matrix.
#include <Eigen/Dense>

namespace qbnet::numerics {

// Reads the lower triangle of h (n x n, Hermitian; the diagonal's imaginary parts are ignored).
Eigen::VectorXd hermitian_eigenvalues(const Eigen::MatrixXcd& h);

}  // namespace qbnet::numerics
