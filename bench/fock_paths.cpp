// Runs the Fock time evolution or steady state of a scenario through the library with the solver
// paths selected by option fields (the "before" code paths of bench/OPTIMISATIONS.md, which the
// library no longer selects from environment variables). A timer program: prints figures, never judges.
//
// usage: fock_paths SCENARIO (evolve|steady) (before|after) THREADS OUT_DIR [section.key=value ...]
//   before: evolve with Odeint's serial vector algebra; steady state with the Sylvester preconditioner,
//           GMRES(24), modified Gram-Schmidt and the residual in the model's units of time (Gamma = 1)
//   after:  the library defaults
//   THREADS: the most threads any kernel may use (0: OpenMP default)
// Writes OUT_DIR/summary.json with the solver's figures in the layout bench/py/report.py reads
// (results.fock.statistics.steady_state.iterations), and prints one "JSON {...}" line.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qbnet/fock/evolve.hpp"
#include "qbnet/fock/steady.hpp"
#include "qbnet/io/scenario.hpp"

int main(int argc, char** argv) {
    using namespace qbnet;
    if (argc < 6) {
        std::fprintf(stderr, "usage: fock_paths SCENARIO (evolve|steady) (before|after) THREADS OUT_DIR [key=value ...]\n");
        return 2;
    }
    const std::string task = argv[2], path = argv[3];
    const int threads = std::stoi(argv[4]);
    const std::string out_dir = argv[5];
    const bool before = path == "before";
    const io::Scenario sc = io::load_scenario(argv[1], std::vector<std::string>(argv + 6, argv + argc));
    std::vector<int> cutoffs = sc.options.fock.cutoff;
    if (cutoffs.size() == 1) cutoffs.assign(static_cast<std::size_t>(sc.model.n_modes()), cutoffs[0]);
    const fock::FockBasis basis(cutoffs);
    const fock::Liouvillian lv(sc.model, basis);
    const long d = basis.dim();
    nlohmann::json stats;
    if (task == "evolve") {
        const auto& t = sc.options.time;
        std::vector<double> times(static_cast<std::size_t>(t.samples));
        for (std::size_t i = 0; i < times.size(); ++i)
            times[i] = t.t_end * static_cast<double>(i) / static_cast<double>(times.size() - 1);
        fock::EvolveOptions eo;   // as the engine sets them
        eo.atol = t.atol;
        eo.rtol = t.rtol;
        eo.initial_dt = std::min(1.0, 0.01 / std::max(1e-9, lv.slowest_damping_rate()));
        // "before": dopri5 with the serial algebra, as before issue 17.
        eo.integrator = before ? "dopri5" : to_string(integrator_for(t.integrator, Frame::lab));
        // One evolution at the scenario's tolerances: the engine tightens krylov's to 1 % of fock.tolerance
        // only under its cutoff ladder, which this program does not run (`qbnet run` rows measure that).
        eo.threads = threads;
        eo.parallel_algebra = !before;
        Eigen::VectorXcd rho = Eigen::VectorXcd::Zero(d * d);
        rho[0] = 1.0;
        const fock::EvolveSummary es = fock::evolve(lv, rho, times, eo);
        stats["evolution"] = {{"steps", es.steps}, {"rhs_calls", es.rhs_calls}, {"wall_s", es.wall_s}};
    } else {
        fock::SteadySolverOptions so;
        so.threads = threads;
        if (before) {
            so.preconditioner = fock::SteadyPreconditionerKind::sylvester;
            so.krylov_restart = 24;
            so.gram_schmidt = numerics::GramSchmidt::modified;
            so.rate_normalised = false;
        }
        // Experiments (bench/OPTIMISATIONS.md): QBNET_PATHS_RESTART overrides the GMRES restart;
        // QBNET_PATHS_LOCAL=1 forces the local-Liouvillian preconditioner whatever its eigenvector condition.
        if (const char* r = std::getenv("QBNET_PATHS_RESTART")) so.krylov_restart = std::atoi(r);
        if (const char* l = std::getenv("QBNET_PATHS_LOCAL"); l && std::string(l) == "1")
            so.preconditioner = fock::SteadyPreconditionerKind::local;
        Eigen::VectorXcd rho;
        const fock::SteadySummary ss = fock::solve_steady_state(lv, sc.options.steady, so, rho);
        stats["steady_state"] = {{"method", ss.method},       {"preconditioner", ss.preconditioner},
                                 {"iterations", ss.iterations}, {"rhs_calls", ss.rhs_calls},
                                 {"residual", ss.residual},     {"converged", ss.converged},
                                 {"wall_s", ss.wall_s}};
    }
    stats["dimension"] = d;
    stats["path"] = path;
    nlohmann::json summary = {{"results", {{"fock", {{"statistics", stats}}}}}};
    std::filesystem::create_directories(out_dir);
    std::ofstream(out_dir + "/summary.json") << summary.dump(1) << "\n";
    std::printf("JSON %s\n", stats.dump().c_str());
    return 0;
}
