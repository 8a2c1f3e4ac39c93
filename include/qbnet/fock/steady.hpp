#pragma once
// Steady state of the Lindblad equation, solved directly (docs/derivations.md, "Fock steady state"):
// restarted GMRES over HERMITIAN matrices (real-linear Krylov space, so every iterate is a density-
// matrix-like object and the RHS can use its half-cost hermitian kernel) for
//     A(rho) = L(rho) + tr(rho) E = E,     E = I / D,
// whose unique solution has tr rho = 1 and L rho = 0 (A is invertible when the steady state is
// unique). Right preconditioner: the inverse of the Sylvester part K(X) = -i (H X - X H^dag), with
// H = H_eff (dense Schur form + triangular Sylvester solve, small D) or the Kronecker sum of the
// undriven single-mode parts of H_eff (large D, eigenvectors applied mode by mode). If GMRES stalls, time evolution takes over.
#include <complex>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/fock/lindblad.hpp"
#include "qbnet/observables/report.hpp"
#include "qbnet/options.hpp"

namespace qbnet {

class SylvesterPreconditioner {
public:
    using cd = std::complex<double>;
    // full_max_dim: largest D for which the dense H_eff eigen-decomposition is used.
    SylvesterPreconditioner(const Liouvillian& liouvillian, long full_max_dim);
    // x = K^{-1}(r) for hermitian r (row-major D x D); x is hermitian. work: D*D scratch.
    void apply(const cd* r, cd* x, cd* work) const;
    std::string kind() const { return full_ ? "sylvester-full" : "sylvester-kronecker"; }

private:
    void transform_rows(cd* x, const std::vector<Eigen::MatrixXcd>& factors, cd* work) const;
    long dim_;
    bool full_ = false;
    Eigen::MatrixXcd q_, t_, t_rows_;                  // full: H_eff = Q T Q^dag (Schur); t_rows_ = T^T
    std::vector<Eigen::MatrixXcd> vj_, vj_inv_;        // Kronecker: per mode
    std::vector<int> cutoffs_;
    Eigen::VectorXcd lambda_;                          // eigenvalues (full or summed per index)
    double shift_ = 0.0;                               // keeps denominators away from 0
};

struct SteadySummary {
    bool converged = false;
    std::string method;          // "krylov" | "evolve" | "krylov+evolve"
    std::string preconditioner;
    long iterations = 0;
    long rhs_calls = 0;
    double residual = 0.0;       // ||L rho||_F / ||rho||_F at the returned rho
    double wall_s = 0.0;
    std::vector<std::string> warnings;
};

// rho: on exit, the steady state (row-major D x D, hermitian, trace 1).
SteadySummary solve_steady_state(const Liouvillian& liouvillian, const SteadyOptions& options,
                                 Eigen::VectorXcd& rho, const ProgressFn& progress = {});

// ||L rho||_F / ||rho||_F (uses one RHS call; `work` is D*D scratch).
double liouvillian_residual(const Liouvillian& liouvillian, const Eigen::VectorXcd& rho, Eigen::VectorXcd& work);

// Working copies of rho that the steady-state solver holds at its peak (for the memory estimate).
int steady_state_working_copies();

}  // namespace qbnet
