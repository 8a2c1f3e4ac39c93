#pragma once
// Run options shared by the engines (Ceres style: plain structs with defaults + is_valid()).
// The scenario reader validates user input and parses every name into the enums below once; is_valid()
// guards library users who build options in code.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qbnet {

enum class EngineKind { fock, gaussian, trajectories };
// Fock time evolution: automatic = krylov in the lab frame (time-independent Liouvillian), dopri5 in the
// displaced frame (its Liouvillian follows alpha(t)).
enum class Integrator { automatic, dopri5, rkc, krylov };
enum class SteadyMethod { automatic, krylov, evolve };
enum class Frame { lab, displaced };

// Names as they appear in scenario files and on the command line.
const char* to_string(EngineKind kind);
const char* to_string(Integrator integrator);
const char* to_string(SteadyMethod method);
const char* to_string(Frame frame);
// The integrator a Fock evolution in `frame` runs when `integrator` is asked for (resolves automatic).
Integrator integrator_for(Integrator integrator, Frame frame);
// Inverse of to_string; nullopt for an unknown name (the caller reports the key and the allowed names).
std::optional<EngineKind> parse_engine_kind(const std::string& name);
std::optional<Integrator> parse_integrator(const std::string& name);
std::optional<SteadyMethod> parse_steady_method(const std::string& name);
std::optional<Frame> parse_frame(const std::string& name);

struct TimeOptions {
    double t_end = 0.0;            // 0: no time evolution
    int samples = 201;             // equally spaced sample times in [0, t_end]
    std::string initial = "vacuum";   // "vacuum" | "thermal:<n>" | "coherent:<alpha>" (docs/scenario.md)
    double atol = 1e-8;
    double rtol = 1e-6;
    Integrator integrator = Integrator::automatic;   // Fock engine (docs/scenario.md)
};

struct SteadyOptions {
    bool enabled = true;
    SteadyMethod method = SteadyMethod::automatic;
    double tol = 1e-10;            // Fock: ||L rho|| / (Gamma ||rho||), Gamma = sum of jump rates; Gaussian: relative Lyapunov residual
    int max_iterations = 2000;
};

struct FockOptions {
    std::vector<int> cutoff;       // per mode (levels 0..cutoff-1); empty with auto_cutoff
    bool auto_cutoff = false;      // fock.cutoff = "auto": grow cutoffs until the error estimate meets `tolerance`
    double tolerance = 1e-6;       // relative error target of every figure (auto cutoffs, exit 4 above it)
    Frame frame = Frame::lab;
    bool auto_frame = false;       // choose the displaced frame when the coherent amplitude dominates
    double truncation_warning = 1e-3;  // warn when a mode's top Fock level holds more population
    int joint_ergotropy_max_dim = 2048;   // largest joint-battery dimension for exact ergotropy
    // Error bar on every figure from two extra solves at smaller cutoffs (fock/truncation.hpp); always on
    // with auto_cutoff. Off: figures carry no error (the cross-check is then inconclusive).
    bool error_estimate = true;
};

struct TrajectoryOptions {
    int count = 500;                   // trajectories (the maximum when target_error is set)
    double target_error = 0.0;         // > 0: stop once every figure's relative standard error is below it
    std::uint64_t seed = 1;            // trajectory k draws from the stream fixed by (seed, k) alone
    std::optional<double> average_from;   // also time-average samples with t >= average_from
    // Propagation between jumps (docs/trajectories.md): "taylor" (default; the time-independent H_eff as a
    // truncated Taylor series with adaptive degree and step) or "dopri5" (Boost.Odeint dense output).
    enum class Integrator { taylor, dopri5 } integrator = Integrator::taylor;
};

struct Checkpoint;   // qbnet/checkpoint.hpp

// Checkpoint/resume hooks (docs/reliability.md, "Checkpoint and resume"). The engines never touch files:
// at each checkpoint boundary (fixed by the run alone, so results do not depend on when checkpoints are
// taken) they ask `due`; when it says yes they hand their typed state to `save`, and when `save` returns
// true they stop by throwing RunInterrupted. `resume` continues from a saved state.
struct CheckpointOptions {
    std::function<bool()> due;
    std::function<bool(const Checkpoint&)> save;
    std::shared_ptr<const Checkpoint> resume;
    bool enabled() const { return static_cast<bool>(save) || static_cast<bool>(resume); }
};

struct RunOptions {
    TimeOptions time;
    SteadyOptions steady;
    FockOptions fock;
    TrajectoryOptions trajectories;
    int threads = 0;               // 0: OpenMP default (all cores or OMP_NUM_THREADS)
    double memory_limit_gib = 0.0; // 0: use the memory available to this process
    bool keep_states = false;      // return the steady / final states in EngineResult (state export, Python)
    CheckpointOptions checkpoint;  // off unless set (qbnet run --checkpoint-every / --resume)
    bool is_valid(std::string* why) const;
};

}  // namespace qbnet
