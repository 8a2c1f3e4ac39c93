#pragma once
// Typed results: what every engine returns and every writer reads. Numbers only; no serialisation here
// (io/results.hpp turns a Result into summary.json, CSV and the terminal table).
//
// Every figure may carry an error bar of the same shape (`error`): the Fock engine's truncation
// estimate, the trajectory engine's standard error, the Gaussian engine's round-off bound. The
// cross-check and the validation read these errors; they never invent a tolerance.
#include <complex>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "qbnet/options.hpp"

namespace qbnet {

struct Figures {
    double energy = 0.0;           // <H_S> with H_S = sum a^dag a (omega = 1)
    double ergotropy = 0.0;        // W = energy - passive energy
    double passive_energy = 0.0;
};

struct ModeFigures : Figures {
    std::string name;              // "C", "b1", ...
    std::optional<Figures> error;  // absolute error bar of each figure (absent: the engine made no estimate)
};

// Figures of merit at one instant (steady state, final state or one time sample).
struct Snapshot {
    std::vector<ModeFigures> modes;        // local figures per mode (reduced single-mode states)
    Figures batteries;                     // joint state of all batteries (global ergotropy)
    bool batteries_ergotropy_available = true;   // false when the joint state was too large
    std::optional<Figures> batteries_error;
};

struct TimeSeries {
    std::vector<double> t;
    std::vector<Snapshot> samples;
};

// ---- states (kept only when RunOptions::keep_states is set: a Fock rho costs 16 D^2 bytes) ----

// Fock density matrix, row-major D x D over the tensor basis |n_0 n_1 ... n_{M-1}> with mode 0 (the
// charger) the most significant index, i.e. the ordering of qutip.tensor(C, b1, ..., bN).
// frame = displaced: this is rho' of the displaced frame; the lab state is D(alpha) rho' D(alpha)^dag.
struct FockState {
    std::vector<int> dims;
    std::vector<std::complex<double>> rho;     // D * D entries, row-major
    Frame frame = Frame::lab;
    std::vector<std::complex<double>> alpha;   // displaced frame only
};

// Gaussian state in quadrature order (x_0, p_0, x_1, p_1, ...) with a = (x + i p)/sqrt(2), vacuum
// covariance 1/2 * identity.
struct GaussianStateData {
    std::vector<double> mean;                  // 2M
    std::vector<double> covariance;            // 2M x 2M, row-major
};

struct StateData {
    std::optional<FockState> fock;
    std::optional<GaussianStateData> gaussian;
};

// ---- diagnostics: what says whether a figure can be trusted ----

// Displaced frame: the mean-field amplitudes rho' is expanded about.
struct MeanFieldInfo {
    std::string method;            // "linear" | "newton"
    int iterations = 0;
    double residual = 0.0;
    bool converged = true;
    std::vector<std::complex<double>> alpha;   // per mode
};

// Gaussian state details (steady state).
struct GaussianStateDetails {
    double batteries_gaussian_unitary_ergotropy = 0.0;   // Gaussian unitaries only (<= exact)
    bool batteries_exact_ergotropy_available = false;    // exact (all-unitary) joint ergotropy computed
    double batteries_exact_missing_mass = 0.0;           // probability mass left out of the enumeration
    long batteries_exact_states = 0;
    double purity = 0.0;                                 // whole network
    double batteries_purity = 0.0;
    std::vector<double> battery_entropy;                 // von Neumann entropy (nats) of each battery
    // Why the joint-battery spectrum (exact ergotropy) and the purities were not computed (empty when
    // they were): above kJointSpectrumMaxBatteries they cost O(N^3) (gaussian/snapshot.cpp).
    std::string joint_skipped;
};

struct GaussianSolverDetails {
    double mean_residual = 0.0;
    int refinements = 0;
    std::string schur_method;
    int schur_blocks = 0;
    int schur_largest_block = 0;
    double slowest_rate = 0.0;     // -max Re(eigenvalue of the drift)
};

struct SteadyDiagnostics {
    bool converged = true;
    double residual = std::numeric_limits<double>::quiet_NaN();
    // Fock (lab and displaced frame)
    std::optional<double> trace_error;         // |tr rho - 1| of the solver's answer
    std::optional<double> hermiticity_error;   // ||rho - rho^dag|| / ||rho|| of the solver's answer
    std::optional<double> min_eigenvalue;      // NaN above the size where a full spectrum is affordable
    std::vector<double> top_level_population;  // per mode
    std::optional<MeanFieldInfo> mean_field;   // displaced frame only
    // Gaussian
    std::optional<GaussianStateDetails> gaussian_state;
    std::optional<GaussianSolverDetails> gaussian_solver;
};

// ---- statistics: how the work was done ----

struct RhsCostInfo {
    long terms = 0;
    double flops = 0.0;
    double bytes_min = 0.0;
    double bytes_max = 0.0;
};

struct SteadySolverStatistics {
    std::string method;            // "krylov" | "evolve" | "krylov+evolve"
    std::string preconditioner;
    long iterations = 0;
    long rhs_calls = 0;
    double wall_s = 0.0;
    double residual = 0.0;
};

struct EvolutionStatistics {
    std::string integrator;
    long steps = 0;
    long rhs_calls = 0;
    double wall_s = 0.0;
    double max_trace_error = 0.0;
    double max_hermiticity_error = 0.0;
    bool hermiticity_exact = false;        // krylov, dopri5: packed hermitian storage, nothing to measure
    std::optional<double> error_estimate;  // krylov: sum of the steps' error estimates (Frobenius norm)
    // displaced frame
    std::optional<long> liouvillian_rebuilds;
    std::optional<double> rebuild_wall_s;
    std::vector<std::complex<double>> alpha_end;
};

struct FockStatistics {
    Frame frame = Frame::lab;
    long dimension = 0;
    std::vector<int> cutoffs;
    RhsCostInfo rhs_cost;
    double memory_estimate_gib = 0.0;
    std::optional<SteadySolverStatistics> steady_state;
    std::optional<EvolutionStatistics> evolution;
};

struct GaussianStatistics {
    int n = 0;                     // 2 x modes (quadratures)
    int modes = 0;
    std::optional<double> residual;
    std::optional<double> schur_s;
    std::optional<double> solve_s;
    std::optional<std::string> propagation;
    std::optional<double> evolve_s;
};

struct TrajectoryStatistics {
    long trajectories = 0;
    std::uint64_t seed = 0;
    long jumps = 0;
    long steps = 0;
    int batches = 0;               // batch means used for the standard errors
    std::optional<double> average_from;
    bool target_error_met = true;
    Frame frame = Frame::lab;      // displaced: figures carry the mean-field shift alpha(t)
    std::vector<int> cutoffs;      // per mode, as chosen (fock.cutoff = "auto") or given
};

struct Statistics {
    double wall_s = 0.0;
    int threads = 1;
    std::optional<FockStatistics> fock;
    std::optional<GaussianStatistics> gaussian;
    std::optional<TrajectoryStatistics> trajectories;
};

struct EngineResult {
    EngineKind engine = EngineKind::fock;
    std::optional<Snapshot> steady_state;
    SteadyDiagnostics steady_diagnostics;      // meaningful when steady_state is set
    TimeSeries timeseries;                     // empty when t_end == 0
    std::optional<Snapshot> final_state;       // trajectories: figures at t_end
    // With RunOptions::keep_states: the steady state and the state at the last time sample.
    std::optional<StateData> steady_state_data;
    std::optional<StateData> final_state_data;
    Statistics statistics;
    std::vector<std::string> warnings;
    // Fock: largest population of any mode's top level (steady state and time series).
    double truncation_estimate = 0.0;
};

// Progress callback: fraction done in [0,1] and a short label. Engines call it from one thread.
using ProgressFn = std::function<void(double fraction, const std::string& what)>;

}  // namespace qbnet
