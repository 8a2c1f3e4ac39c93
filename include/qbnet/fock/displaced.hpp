#pragma once
// Fock engine in the displaced (coherent-shift) frame (docs/derivations.md, "Displaced frame"):
//     rho = D(alpha) rho' D(alpha)^dag,   D(alpha) = exp(sum_j alpha_j a_j^dag - conj(alpha_j) a_j),
// with alpha(t) following the classical (mean-field) equations of the same Model. The transformed master
// equation keeps EVERY term (drive, hopping, Kerr expansion, the c-number shift of the jump operators and
// the frame term of d alpha/dt), so it is exact for any alpha(t); alpha only decides how close rho' stays
// to the vacuum, i.e. how small a cutoff suffices. Observables are reported in the lab frame.
#include <complex>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/fock/basis.hpp"
#include "qbnet/fock/evolve.hpp"
#include "qbnet/fock/lindblad.hpp"
#include "qbnet/fock/observables.hpp"
#include "qbnet/model/terms.hpp"
#include "qbnet/result.hpp"
#include "qbnet/options.hpp"

namespace qbnet::fock {

// Mean-field drift f(alpha) = d alpha/dt of the classical amplitudes:
//   f_j = -i (h alpha)_j - i eps_j - i chi_j |alpha_j|^2 alpha_j
//         + 1/2 [ sum_b G_{M+j,b} conj(at_b) - sum_a G_{a,j} at_a ],   at = (alpha, conj(alpha)).
Eigen::VectorXcd mean_field_rhs(const model::Model& model, const Eigen::VectorXcd& alpha);

// Fixed point f(alpha) = 0: one real linear solve for quadratic models, damped Newton for Kerr models
// (started from the Kerr-free solution; falls back to that solution, with converged = false, if Newton
// fails: the frame stays exact, only the truncation gets worse).
struct MeanFieldSolution {
    Eigen::VectorXcd alpha;
    double residual = 0.0;       // max_j |f_j(alpha)|
    int iterations = 0;          // Newton iterations (0: linear solve)
    bool converged = true;
    std::string method;          // "linear" | "newton"
};
MeanFieldSolution mean_field_steady_state(const model::Model& model);

// alpha(t) at the listed (increasing) times from alpha(times[0]) = alpha0, integrated to ~1e-13.
std::vector<Eigen::VectorXcd> mean_field_trajectory(const model::Model& model, const Eigen::VectorXcd& alpha0,
                                                    const std::vector<double>& times);

// Coefficients of a_j^dag in the displaced-frame Hamiltonian (a_j gets the complex conjugate):
//   lambda_j = i (f_j(alpha) - alpha_dot_j).
// Zero when alpha follows the mean-field equation exactly; kept whatever alpha does.
Eigen::VectorXcd displaced_linear_coefficients(const model::Model& model, const Eigen::VectorXcd& alpha,
                                               const Eigen::VectorXcd& alpha_dot);

// H'_eff of the displaced frame, assembled from shift operators built once per basis:
//   H'_eff = sum h_jk a_j^dag a_k + sum (chi_j/2) a_j^dag^2 a_j^2 - (i/2) sum_ab G_ab c_b^dag c_a       (fixed)
//          + sum_j chi_j [ alpha_j a_j^dag^2 a_j + conj(alpha_j) a_j^dag a_j^2 + (alpha_j^2/2) a_j^dag^2
//                          + (conj(alpha_j)^2/2) a_j^2 + 2 |alpha_j|^2 a_j^dag a_j ]                         (Kerr, alpha-dependent)
//          + sum_j ( lambda_j a_j^dag + conj(lambda_j) a_j )                                               (linear)
class DisplacedHamiltonian {
public:
    DisplacedHamiltonian(const model::Model& model, const FockBasis& basis);
    OperatorSum at(const Eigen::VectorXcd& alpha, const Eigen::VectorXcd& linear) const;
    // Single-mode parts (no linear terms) per mode, cutoff_j x cutoff_j dense: for the preconditioner.
    std::vector<Eigen::MatrixXcd> local_parts(const Eigen::VectorXcd& alpha) const;
    bool alpha_dependent() const { return has_kerr_; }   // quadratic part changes with alpha only via Kerr
    const Eigen::MatrixXcd& kossakowski() const { return g_; }

private:
    model::Model model_;
    FockBasis basis_;
    Eigen::MatrixXcd g_;
    OperatorSum fixed_;
    bool has_kerr_ = false;
    std::vector<ShiftOp> a_, ad_, ad2a_, ada2_, ad2_, a2_, ada_;
};

// The displaced-frame Liouvillian at fixed alpha and alpha_dot.
Liouvillian displaced_liouvillian(const model::Model& model, const FockBasis& basis, const Eigen::VectorXcd& alpha,
                                  const Eigen::VectorXcd& alpha_dot);

// Lab-frame figures of rho = D(alpha) rho' D(alpha)^dag from rho' (row-major D x D) and alpha:
//   <a^dag a> = |alpha|^2 + 2 Re(conj(alpha) <a>') + <a^dag a>';  passive energies from the spectra of the
//   reduced rho' (a displacement is a product of local unitaries: reduced spectra are invariant).
// top_level_population refers to rho'.
FockObservables displaced_observables(const std::complex<double>* rho_prime, const FockBasis& basis,
                                      const Eigen::VectorXcd& alpha, const std::vector<std::string>& mode_names,
                                      long joint_max_dim);

// Joint integration of (alpha, rho') from times.front() (Odeint dopri5, dense output). alpha and rho hold
// the initial values on entry and the values at times.back() on exit.
using DisplacedObserver =
    std::function<void(std::size_t, double, const Eigen::VectorXcd& alpha, const std::complex<double>* rho)>;
struct DisplacedEvolveSummary : EvolveSummary {
    long rebuilds = 0;           // Liouvillian rebuilds (Kerr models: one per RHS call)
    double rebuild_wall_s = 0.0;
};
// Checkpoint boundaries as in evolve() (EvolveOptions::segment_samples, first_index, observe_first); at each
// one `on_boundary` gets (absolute sample index, t, alpha, rho', the summary so far with last_dt) and
// returns true to stop there (EvolveSummary::stopped). EvolveOptions::on_boundary is not used here.
using DisplacedBoundary = std::function<bool(std::size_t, double, const Eigen::VectorXcd& alpha,
                                             const std::complex<double>* rho, const EvolveSummary&)>;
DisplacedEvolveSummary evolve_displaced(const model::Model& model, const FockBasis& basis, Eigen::VectorXcd& alpha,
                                        Eigen::VectorXcd& rho, const std::vector<double>& times,
                                        const EvolveOptions& options, const DisplacedObserver& observer = {},
                                        const ProgressFn& progress = {}, const DisplacedBoundary& on_boundary = {});

// The Fock engine with fock.frame = "displaced" (called by run_fock after its memory check). reported:
// false for a cutoff-ladder rung below the reported cutoffs, whose diagnostics nobody reads (the full
// spectrum behind min_eigenvalue is then skipped).
namespace detail {
class CheckpointLedger;   // src/fock/checkpoint_ledger.hpp
}
EngineResult run_fock_displaced(const model::Model& model, const RunOptions& options, const std::vector<int>& cutoffs,
                                const ProgressFn& progress, fock::detail::CheckpointLedger& ledger,
                                bool reported = true);

}  // namespace qbnet::fock
