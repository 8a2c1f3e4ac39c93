// run_fock for fock.frame = "displaced": steady state at the mean-field fixed point, time evolution of the
// joint (alpha, rho') state; results in the lab frame, shaped exactly like the lab-frame Fock run.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include <spdlog/spdlog.h>

#include "qbnet/fock/displaced.hpp"
#include "qbnet/fock/steady.hpp"

namespace qbnet {

namespace {
using cd = std::complex<double>;

double min_eigenvalue(const cd* rho, long d) {
    if (d > 2048) return std::nan("");
    Eigen::Map<const Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(rho, d, d);
    const Eigen::MatrixXcd herm = 0.5 * (m + m.adjoint());
    return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd>(herm, Eigen::EigenvaluesOnly).eigenvalues().minCoeff();
}

void warn_truncation(const std::vector<double>& top, const Model& model, const RunOptions& options,
                     EngineResult& result, const std::string& when) {
    for (std::size_t j = 0; j < top.size(); ++j)
        if (top[j] > options.fock.truncation_warning) {
            std::ostringstream msg;
            msg << when << ": mode " << model.mode_names[j] << " holds population " << top[j]
                << " in its top Fock level of the displaced frame (> " << options.fock.truncation_warning
                << "): raise fock.cutoff";
            result.warnings.push_back(msg.str());
            spdlog::warn("{}", msg.str());
        }
}

nlohmann::json alpha_json(const Model& model, const Eigen::VectorXcd& alpha) {
    nlohmann::json j = nlohmann::json::object();
    std::vector<double> re, im;
    for (int k = 0; k < model.n_modes(); ++k) {
        re.push_back(alpha(k).real());
        im.push_back(alpha(k).imag());
    }
    j["re"] = re;
    j["im"] = im;
    return j;
}
}  // namespace

EngineResult run_fock_displaced(const Model& model, const RunOptions& options, const std::vector<int>& cutoffs,
                                const ProgressFn& progress) {
    const auto start = std::chrono::steady_clock::now();
    const FockBasis basis(cutoffs);
    const long d = basis.dim();
    const int m = model.n_modes();
    EngineResult result;
    result.engine = "fock";
    result.statistics["frame"] = "displaced";
    result.statistics["dimension"] = d;
    result.statistics["cutoffs"] = cutoffs;
    result.statistics["threads"] = omp_get_max_threads();
    const long joint_max = options.fock.joint_ergotropy_max_dim;

    const MeanFieldSolution mf = mean_field_steady_state(model);
    if (!mf.converged) {
        const std::string w = "displaced frame: the mean-field Newton iteration did not converge (residual " +
                              std::to_string(mf.residual) +
                              "); using the Kerr-free amplitudes (still exact, but the cutoff may be too small)";
        result.warnings.push_back(w);
        spdlog::warn("{}", w);
    }
    {
        const Liouvillian lv0 = displaced_liouvillian(model, basis, mf.alpha, Eigen::VectorXcd::Zero(m));
        const Liouvillian::Cost cost = lv0.cost();
        result.statistics["rhs_cost"] = {{"terms", cost.left_terms + cost.right_terms + cost.sandwich_terms},
                                         {"flops", cost.flops},
                                         {"bytes_min", cost.bytes_min},
                                         {"bytes_max", cost.bytes_max}};
    }

    if (options.steady.enabled) {
        const Liouvillian lv = displaced_liouvillian(model, basis, mf.alpha, Eigen::VectorXcd::Zero(m));
        Eigen::VectorXcd rho;
        const SteadySummary ss = solve_steady_state(lv, options.steady, rho, progress);
        const FockObservables obs = displaced_observables(rho.data(), basis, mf.alpha, model.mode_names, joint_max);
        result.steady_state = obs.snapshot;
        nlohmann::json& diag = result.steady_diagnostics;
        diag["residual"] = ss.residual;
        diag["trace_error"] = trace_error(rho.data(), d);
        diag["hermiticity_error"] = hermiticity_error(rho.data(), d);
        diag["top_level_population"] = obs.top_level_population;
        diag["min_eigenvalue"] = min_eigenvalue(rho.data(), d);
        diag["converged"] = ss.converged;
        diag["frame"] = "displaced";
        const nlohmann::json aj = alpha_json(model, mf.alpha);
        diag["alpha_re"] = aj["re"];   // the steady mean-field amplitudes alpha_j (frame of rho')
        diag["alpha_im"] = aj["im"];
        diag["mean_field"] = {{"method", mf.method},
                              {"iterations", mf.iterations},
                              {"residual", mf.residual},
                              {"converged", mf.converged}};
        result.statistics["steady_state"] = {{"method", ss.method},       {"preconditioner", ss.preconditioner},
                                             {"iterations", ss.iterations}, {"rhs_calls", ss.rhs_calls},
                                             {"wall_s", ss.wall_s},         {"residual", ss.residual}};
        for (const auto& w : ss.warnings) result.warnings.push_back(w);
        result.truncation_estimate =
            *std::max_element(obs.top_level_population.begin(), obs.top_level_population.end());
        warn_truncation(obs.top_level_population, model, options, result, "steady state");
    }

    if (options.time.t_end > 0) {
        std::vector<double> times(static_cast<std::size_t>(options.time.samples));
        for (std::size_t i = 0; i < times.size(); ++i)
            times[i] = options.time.t_end * static_cast<double>(i) / static_cast<double>(times.size() - 1);
        // Lab vacuum = D(0) |0><0| D(0)^dag: alpha(0) = 0, rho'(0) = vacuum.
        Eigen::VectorXcd alpha = Eigen::VectorXcd::Zero(m);
        Eigen::VectorXcd rho = Eigen::VectorXcd::Zero(d * d);
        rho[0] = 1.0;
        const long joint_ts = std::min<long>(joint_max, 512);
        std::vector<double> top(static_cast<std::size_t>(m), 0.0);
        result.timeseries.t = times;
        result.timeseries.samples.resize(times.size());
        EvolveOptions eo;
        eo.atol = options.time.atol;
        eo.rtol = options.time.rtol;
        {
            const Eigen::MatrixXcd g = model.kossakowski();
            double rate = std::numeric_limits<double>::infinity();
            for (int j = 0; j < m; ++j) rate = std::min(rate, (g(j, j) - g(m + j, m + j)).real());
            eo.initial_dt = std::min(1.0, 0.01 / std::max(1e-9, rate));
        }
        const DisplacedEvolveSummary es = evolve_displaced(
            model, basis, alpha, rho, times, eo,
            [&](std::size_t i, double, const Eigen::VectorXcd& a, const cd* r) {
                const FockObservables obs = displaced_observables(r, basis, a, model.mode_names, joint_ts);
                result.timeseries.samples[i] = obs.snapshot;
                for (std::size_t j = 0; j < top.size(); ++j) top[j] = std::max(top[j], obs.top_level_population[j]);
            },
            progress);
        result.statistics["evolution"] = {{"steps", es.steps},
                                          {"rhs_calls", es.rhs_calls},
                                          {"wall_s", es.wall_s},
                                          {"max_trace_error", es.max_trace_error},
                                          {"max_hermiticity_error", es.max_hermiticity_error},
                                          {"liouvillian_rebuilds", es.rebuilds},
                                          {"rebuild_wall_s", es.rebuild_wall_s},
                                          {"alpha_end", alpha_json(model, alpha)}};
        result.truncation_estimate = std::max(result.truncation_estimate, *std::max_element(top.begin(), top.end()));
        warn_truncation(top, model, options, result, "time evolution");
    }
    result.statistics["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace qbnet
