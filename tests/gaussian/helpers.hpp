#pragma once
// Model builders shared by the Gaussian engine tests (no TOML: the scenario reader is tested elsewhere).
#include <complex>
#include <vector>

#include "qbnet/gaussian/engine.hpp"
#include "qbnet/model/terms.hpp"
#include "qbnet/options.hpp"

namespace qbnet_test {

using namespace qbnet;

// Paper parameters (docs/physics.md): kappa = 0.003, eps = 0.01.
constexpr double kKappa = 0.003;
constexpr double kEps = 0.01;

struct NetSpec {
    double kappa = kKappa;
    double eps = kEps;
    SqueezedThermalBath battery_bath{};   // kappa filled in from `kappa` when 0
    SqueezedThermalBath charger_bath{};
    double detuning = 0.0;                // on every mode
};

inline Model make_model(const Network& net, const NetSpec& s = {}) {
    const int m = net.n_modes();
    ModelSpec spec{net, Eigen::VectorXd::Constant(m, s.detuning), Eigen::VectorXcd::Zero(m), {}, Eigen::VectorXd::Zero(m)};
    spec.drive(0) = s.eps;
    for (int j = 0; j < m; ++j) {
        SqueezedThermalBath b = j == 0 ? s.charger_bath : s.battery_bath;
        if (b.kappa == 0.0) b.kappa = s.kappa;
        spec.baths.push_back(b);
    }
    return build_model(spec);
}

inline Model cascaded(int n, Coupling c, double j, const NetSpec& s = {}) {
    return make_model(Network::cascaded(n, {c, j, {}, {}}), s);
}
inline Model parallel(int n, Coupling c, double j, const NetSpec& s = {}) {
    return make_model(Network::parallel(n, {c, j, {}, {}}), s);
}

inline RunOptions steady_only() {
    RunOptions o;
    o.time.t_end = 0.0;
    return o;
}

inline EngineResult steady(const Model& m) { return run_gaussian(m, steady_only()); }

// Steady energy of mode `mode`.
inline double energy(const Model& m, int mode) { return steady(m).steady_state->modes[mode].energy; }

}  // namespace qbnet_test
