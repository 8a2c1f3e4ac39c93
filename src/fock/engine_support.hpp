#pragma once
// Helpers shared by the lab-frame and displaced-frame Fock engines (private to src/fock).
#include <complex>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/fock/evolve.hpp"
#include "qbnet/fock/lindblad.hpp"
#include "qbnet/fock/steady.hpp"
#include "qbnet/model/terms.hpp"
#include "qbnet/options.hpp"
#include "qbnet/result.hpp"

namespace qbnet::fock::detail {

// Per-mode cutoffs from the options (one value broadcast to every mode).
std::vector<int> cutoffs_of(const model::Model& model, const RunOptions& options);
double dimension(const std::vector<int>& cutoffs);

// Smallest eigenvalue of the Hermitian part of rho; NaN above D = 2048, where the O(D^3) spectrum
// would dominate the run.
double min_eigenvalue(const std::complex<double>* rho, long d);

// Equally spaced sample times 0 .. t_end.
std::vector<double> sample_times(const TimeOptions& time);

RhsCostInfo rhs_cost_info(const Liouvillian::Cost& cost);

// Adds one warning per mode whose top Fock level holds more than fock.truncation_warning.
void warn_truncation(const std::vector<double>& top, const model::Model& model, const RunOptions& options,
                     const std::string& when, const std::string& frame_note, std::vector<std::string>& warnings);

// The state as handed to writers (state export, Python).
StateData fock_state_data(const std::vector<int>& cutoffs, const Eigen::VectorXcd& rho, Frame frame,
                          std::vector<std::complex<double>> alpha);

// Solver options of the steady state from the run options (thread count).
SteadySolverOptions steady_solver_options(const RunOptions& options);

// The integrator settings both frames share: the run's tolerances and threads, a first step of 1% of the
// slowest damping time (at most 1). The caller adds the integrator and the checkpoint stride.
EvolveOptions evolve_options(const RunOptions& options, double slowest_damping_rate);

// Statistics of one time evolution, as both frames report them.
EvolutionStatistics evolution_statistics(const EvolveSummary& summary, const std::string& integrator);

double max_of(const std::vector<double>& v);

}  // namespace qbnet::fock::detail
