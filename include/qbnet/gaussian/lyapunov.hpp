#pragma once
// Continuous Lyapunov equation A X + X A^T + D = 0 by Bartels-Stewart (derivations.md, "Lyapunov
// solver"): real Schur A = U T U^T (StructuredSchur), the quasi-triangular equation
// T Y + Y T^T = -U^T D U solved by a recursive blocked algorithm (Jonsson & Kagstrom: split T in two,
// solve the trailing block, update with one matrix product, recurse; 1x1/2x2 diagonal blocks at the
// leaves), then X = U Y U^T. O(n^3) with most of the work in GEMMs (cache blocked, OpenMP via Eigen);
// never the n^2 x n^2 Kronecker system.
#include <complex>
#include <string>

#include <Eigen/Dense>

#include "qbnet/gaussian/schur.hpp"

namespace qbnet::gaussian {

struct LyapunovSolution {
    Eigen::MatrixXd x;          // symmetric solution
    double residual = 0.0;      // ||A X + X A^T + D||_F / ||D||_F
    int refinements = 0;        // iterative-refinement sweeps applied
    std::string method;         // StructuredSchur::method()
};

// Throws RunRefused ("no steady state: drift eigenvalue ... has Re >= 0") unless A is stable.
LyapunovSolution lyapunov_solve(const Eigen::MatrixXd& a, const Eigen::MatrixXd& d);
// Same with a factorisation of A computed beforehand (the steady state reuses it for the means).
LyapunovSolution lyapunov_solve(const StructuredSchur& schur, const Eigen::MatrixXd& a, const Eigen::MatrixXd& d);

// Throws RunRefused when an eigenvalue of A has Re >= -tol * ||A|| (tol = 1e-13: rounding of a
// marginal eigenvalue such as an undamped mode).
void require_stable(const StructuredSchur& schur, const Eigen::MatrixXd& a);
// The same refusal for a rightmost drift eigenvalue found otherwise; scale = max |A_ij| sets the zero.
void require_stable(std::complex<double> rightmost, double scale);

// ||A X + X A^T + D||_F / ||D||_F (X symmetric); uses a sparse A when A is sparse.
double lyapunov_residual(const Eigen::MatrixXd& a, const Eigen::MatrixXd& x, const Eigen::MatrixXd& d);

// Kernels on an upper quasi-triangular T (2x2 blocks marked by T(k+1,k) != 0), C overwritten:
//   T Y + Y T^T = C (C symmetric)            and      T1 X + X T2^T = C.
void solve_quasi_triangular_lyapunov(const Eigen::Ref<const Eigen::MatrixXd>& t, Eigen::Ref<Eigen::MatrixXd> c);
void solve_quasi_triangular_sylvester(const Eigen::Ref<const Eigen::MatrixXd>& t1,
                                      const Eigen::Ref<const Eigen::MatrixXd>& t2, Eigen::Ref<Eigen::MatrixXd> c);

}  // namespace qbnet::gaussian
