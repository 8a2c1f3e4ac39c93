#pragma once
// Small models and comparisons for the trajectory tests.
#include <cmath>
#include <complex>
#include <string>

#include "qbnet/model/terms.hpp"
#include "qbnet/options.hpp"
#include "qbnet/result.hpp"

namespace traj_test {

using cd = std::complex<double>;

// One damped mode: H = eps a^dag + conj(eps) a, kappa (n+1) D[a] + kappa n D[a^dag].
inline qbnet::model::Model single_mode(double kappa, double n_th, cd eps) {
    qbnet::model::Model m;
    m.mode_names = {"C"};
    m.h = Eigen::MatrixXcd::Zero(1, 1);
    m.drive = Eigen::VectorXcd::Constant(1, eps);
    m.kerr = Eigen::VectorXd::Zero(1);
    qbnet::model::SqueezedThermalBath bath;
    bath.kappa = kappa;
    bath.n_th = n_th;
    m.jumps = qbnet::model::local_bath_jumps(0, 1, bath, "C");
    return m;
}

inline qbnet::RunOptions options(int cutoff, double t_end, int samples, int count, std::uint64_t seed = 7) {
    qbnet::RunOptions o;
    o.fock.cutoff = {cutoff};
    o.time.t_end = t_end;
    o.time.samples = samples;
    o.time.atol = 1e-10;
    o.time.rtol = 1e-8;
    o.steady.enabled = false;
    o.trajectories.count = count;
    o.trajectories.seed = seed;
    o.threads = 1;
    return o;
}

// |value - reference| within k standard errors plus a deterministic allowance (integrator, truncation).
inline bool within(double value, double sigma, double reference, double k, double allowance) {
    return std::abs(value - reference) <= k * sigma + allowance;
}

}  // namespace traj_test
