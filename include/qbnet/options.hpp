#pragma once
// Run options shared by the engines (Ceres style: plain structs with defaults + is_valid()).
// The scenario reader validates user input; is_valid() guards library users who build options in code.
#include <string>
#include <vector>

namespace qbnet {

struct TimeOptions {
    double t_end = 0.0;            // 0: no time evolution
    int samples = 201;             // equally spaced sample times in [0, t_end]
    std::string initial = "vacuum";  // "vacuum" (engines may accept more, see docs/scenario.md)
    double atol = 1e-8;
    double rtol = 1e-6;
    std::string integrator = "dopri5";   // Fock lab frame: "dopri5" | "rkc" (docs/scenario.md)
};

struct SteadyOptions {
    bool enabled = true;
    std::string method = "auto";   // "auto" | "krylov" | "evolve"
    double tol = 1e-10;            // target residual ||L rho|| / ||rho|| (Fock) or relative Lyapunov residual
    int max_iterations = 2000;
};

struct FockOptions {
    std::vector<int> cutoff;       // per mode (levels 0..cutoff-1)
    std::string frame = "lab";     // "lab" | "displaced"
    double truncation_warning = 1e-3;  // warn when a mode's top Fock level holds more population
    int joint_ergotropy_max_dim = 2048;   // largest joint-battery dimension for exact ergotropy
};

struct RunOptions {
    TimeOptions time;
    SteadyOptions steady;
    FockOptions fock;
    int threads = 0;               // 0: OpenMP default (all cores or OMP_NUM_THREADS)
    double memory_limit_gib = 0.0; // 0: use MemAvailable of the machine
    bool is_valid(std::string* why) const;
};

}  // namespace qbnet
