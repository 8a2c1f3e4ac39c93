#pragma once
// First and second moments of a quadratic model (docs/derivations.md, "Gaussian engine"):
//   d<R>/dt = A <R> + b,   d sigma/dt = A sigma + sigma A^T + D,
// in quadrature ordering R = (x_1, p_1, x_2, p_2, ...), x = (a + a^dag)/sqrt2, p = (a - a^dag)/(i sqrt2),
// sigma_ij = 1/2 <{dR_i, dR_j}> (vacuum: I/2). Derived from Model::h, Model::drive and the Kossakowski
// matrix of Model::jumps only -- never per bath type.
#include <Eigen/Dense>

#include "qbnet/model/terms.hpp"

namespace qbnet::gaussian {

struct GaussianMoments {
    Eigen::MatrixXd drift;       // A (2M x 2M)
    Eigen::VectorXd drive;       // b (2M)
    Eigen::MatrixXd diffusion;   // D (2M x 2M), symmetric positive semidefinite
};

// A Gaussian state: quadrature means <R> and covariance sigma (vacuum: 0 and I/2).
struct GaussianState {
    Eigen::VectorXd mean;
    Eigen::MatrixXd covariance;
};

// Throws RunRefused for a model with a Kerr term (not quadratic: the Fock engine runs it).
GaussianMoments gaussian_moments(const model::Model& model);

// Kossakowski matrix G over (a_1..a_M, a_1^dag..a_M^dag), same definition as Model::kossakowski(),
// accumulated over the non-zero coefficients of each jump only: O(sum_k nnz_k^2) instead of
// O(jumps * M^2), which matters at N = 1000 (2000 jumps).
Eigen::MatrixXcd sparse_kossakowski(const model::Model& model);

// Complex mode amplitudes <a_j> = (<x_j> + i <p_j>)/sqrt2 from quadrature means.
Eigen::VectorXcd mode_amplitudes(const Eigen::VectorXd& quadrature_means);
// Inverse: quadrature means from amplitudes.
Eigen::VectorXd quadrature_means(const Eigen::VectorXcd& amplitudes);

// Symplectic form Omega = diag([[0,1],[-1,0]], ...), [R_i, R_j] = i Omega_ij.
Eigen::MatrixXd symplectic_form(int n_modes);

}  // namespace qbnet::gaussian
