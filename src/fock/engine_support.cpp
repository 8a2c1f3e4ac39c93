#include "engine_support.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <Eigen/Dense>

#include "qbnet/errors.hpp"

namespace qbnet::fock::detail {

using cd = std::complex<double>;

std::vector<int> cutoffs_of(const model::Model& model, const RunOptions& options) {
    std::vector<int> c = options.fock.cutoff;
    if (c.size() == 1 && model.n_modes() > 1) c.assign(static_cast<std::size_t>(model.n_modes()), c[0]);
    if (static_cast<int>(c.size()) != model.n_modes())
        throw InputError("fock.cutoff", "needs one cutoff or one per mode (" + std::to_string(model.n_modes()) + ")");
    return c;
}

double dimension(const std::vector<int>& cutoffs) {
    double d = 1.0;
    for (int c : cutoffs) d *= c;
    return d;
}

double min_eigenvalue(const cd* rho, long d) {
    if (d > 2048) return std::nan("");
    Eigen::Map<const Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(rho, d, d);
    const Eigen::MatrixXcd herm = 0.5 * (m + m.adjoint());
    return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd>(herm, Eigen::EigenvaluesOnly).eigenvalues().minCoeff();
}

std::vector<double> sample_times(const TimeOptions& time) {
    std::vector<double> times(static_cast<std::size_t>(time.samples));
    for (std::size_t i = 0; i < times.size(); ++i)
        times[i] = time.t_end * static_cast<double>(i) / static_cast<double>(times.size() - 1);
    return times;
}

RhsCostInfo rhs_cost_info(const Liouvillian::Cost& cost) {
    return {cost.left_terms + cost.right_terms + cost.sandwich_terms, cost.flops, cost.bytes_min, cost.bytes_max};
}

void warn_truncation(const std::vector<double>& top, const model::Model& model, const RunOptions& options,
                     const std::string& when, const std::string& frame_note, std::vector<std::string>& warnings) {
    for (std::size_t j = 0; j < top.size(); ++j)
        if (top[j] > options.fock.truncation_warning) {
            std::ostringstream msg;
            msg << when << ": mode " << model.mode_names[j] << " holds population " << top[j]
                << " in its top Fock level" << frame_note << " (> " << options.fock.truncation_warning
                << "): raise fock.cutoff";
            warnings.push_back(msg.str());
        }
}

StateData fock_state_data(const std::vector<int>& cutoffs, const Eigen::VectorXcd& rho, Frame frame,
                          std::vector<cd> alpha) {
    StateData data;
    FockState& f = data.fock.emplace();
    f.dims = cutoffs;
    f.rho.assign(rho.data(), rho.data() + rho.size());
    f.frame = frame;
    f.alpha = std::move(alpha);
    return data;
}

SteadySolverOptions steady_solver_options(const RunOptions& options) {
    SteadySolverOptions solver;
    solver.threads = options.threads;
    return solver;
}

EvolveOptions evolve_options(const RunOptions& options, double slowest_damping_rate) {
    EvolveOptions eo;
    eo.atol = options.time.atol;
    eo.rtol = options.time.rtol;
    eo.threads = options.threads;
    eo.initial_dt = std::min(1.0, 0.01 / std::max(1e-9, slowest_damping_rate));
    return eo;
}

EvolutionStatistics evolution_statistics(const EvolveSummary& summary, const std::string& integrator) {
    EvolutionStatistics ev;
    ev.integrator = integrator;
    ev.steps = summary.steps;
    ev.rhs_calls = summary.rhs_calls;
    ev.wall_s = summary.wall_s;
    ev.max_trace_error = summary.max_trace_error;
    ev.max_hermiticity_error = summary.max_hermiticity_error;
    ev.hermiticity_exact = summary.hermiticity_exact;
    if (integrator == "krylov") ev.error_estimate = summary.error_estimate;
    return ev;
}

double max_of(const std::vector<double>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); }

}  // namespace qbnet::fock::detail
