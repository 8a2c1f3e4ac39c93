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
#include "qbnet/result.hpp"
#include "qbnet/options.hpp"

namespace qbnet {

// Right preconditioner of the steady-state Krylov solver: x ~ A^{-1}(r) for hermitian r (row-major D x D).
class SteadyPreconditioner {
public:
    using cd = std::complex<double>;
    virtual ~SteadyPreconditioner() = default;
    // x = P^{-1}(r); x is hermitian. work: D*D scratch (may be unused).
    virtual void apply(const cd* r, cd* x, cd* work) const = 0;
    virtual std::string kind() const = 0;
    // Does apply() use `work`? (a solver that knows it is unused need not allocate it)
    virtual bool needs_work() const { return true; }
};

class SylvesterPreconditioner : public SteadyPreconditioner {
public:
    using cd = std::complex<double>;
    // full_max_dim: largest D for which the dense H_eff eigen-decomposition is used.
    SylvesterPreconditioner(const Liouvillian& liouvillian, long full_max_dim);
    // x = K^{-1}(r) for hermitian r (row-major D x D); x is hermitian. work: D*D scratch.
    void apply(const cd* r, cd* x, cd* work) const override;
    std::string kind() const override { return full_ ? "sylvester-full" : "sylvester-kronecker"; }

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

// Inverse of the LOCAL Liouvillian L_loc = sum_j L_j (docs/derivations.md, "Fock steady state"): every
// mode's own undriven H_eff part AND its own refill terms G c_j rho c_j^dag (the part the Sylvester
// preconditioner misses: populations are then a birth-death chain, not a pure decay). L_loc is a Kronecker
// sum over the digit pairs (m_j, n_j) of (m, n), so with L_j = W_j diag(mu_j) W_j^{-1} (c_j^2 x c_j^2):
//   L_loc^{-1} = (W_0 x W_1 x ...) diag(1 / sum_j mu_j) (W_0^{-1} x ...),
// applied in place mode by mode (each W_j is block diagonal by the charge m_j - n_j without squeezing:
// cost ~ D^2 * cutoff per mode). The null direction (the product of local steady states) gets factor 1,
// which matches A(sigma) = I/D for the trace-augmented operator. No D x D scratch.
class LocalLiouvillianPreconditioner : public SteadyPreconditioner {
public:
    explicit LocalLiouvillianPreconditioner(const Liouvillian& liouvillian);
    void apply(const cd* r, cd* x, cd* work) const override;
    std::string kind() const override { return "local-liouvillian"; }
    bool needs_work() const override { return false; }
    // Largest eigenvector condition number over the modes (too large: do not use it).
    double condition() const { return condition_; }

private:
    struct ModeFactor {
        int cutoff = 0;
        long stride = 0;
        std::vector<int> order;                     // pair slots sorted into blocks
        std::vector<std::pair<int, int>> blocks;    // [start, size) in `order`
        std::vector<Eigen::MatrixXcd> w, w_inv;     // per block (eigenvectors and their inverse)
        std::vector<char> real;                     // per block: eigenvectors real (then w_real is used)
        std::vector<Eigen::MatrixXd> w_real, w_inv_real;
        Eigen::VectorXcd mu;                        // eigenvalue per pair slot (slot = m_j * c + n_j)
    };
    void transform(cd* x, const ModeFactor& f, bool inverse) const;
    long dim_;
    std::vector<ModeFactor> modes_;
    double condition_ = 1.0;
    double null_tol_ = 0.0;
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

// Working copies of rho that the steady-state solver holds at its peak for dimension D (for the
// memory estimate; the Krylov restart is shorter at large D).
int steady_state_working_copies(long d);

}  // namespace qbnet
