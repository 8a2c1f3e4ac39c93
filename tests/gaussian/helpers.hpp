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
    model::SqueezedThermalBath battery_bath{};   // kappa filled in from `kappa` when 0
    model::SqueezedThermalBath charger_bath{};
    double detuning = 0.0;                // on every mode
};

inline model::Model make_model(const model::Network& net, const NetSpec& s = {}) {
    const int m = net.n_modes();
    model::ModelSpec spec{net, Eigen::VectorXd::Constant(m, s.detuning), Eigen::VectorXcd::Zero(m), {}, Eigen::VectorXd::Zero(m)};
    spec.drive(0) = s.eps;
    for (int j = 0; j < m; ++j) {
        model::SqueezedThermalBath b = j == 0 ? s.charger_bath : s.battery_bath;
        if (b.kappa == 0.0) b.kappa = s.kappa;
        spec.baths.push_back(b);
    }
    return model::build_model(spec);
}

inline model::Model cascaded(int n, model::Coupling c, double j, const NetSpec& s = {}) {
    return make_model(model::Network::cascaded(n, {c, j, {}, {}}), s);
}
inline model::Model parallel(int n, model::Coupling c, double j, const NetSpec& s = {}) {
    return make_model(model::Network::parallel(n, {c, j, {}, {}}), s);
}

inline RunOptions steady_only() {
    RunOptions o;
    o.time.t_end = 0.0;
    return o;
}

inline EngineResult steady(const model::Model& m) { return gaussian::run_gaussian(m, steady_only()); }

// Steady energy of mode `mode`.
inline double energy(const model::Model& m, int mode) { return steady(m).steady_state->modes[mode].energy; }

}  // namespace qbnet_test
