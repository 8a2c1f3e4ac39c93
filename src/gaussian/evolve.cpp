#include "qbnet/gaussian/evolve.hpp"

#include <complex>
#include <sstream>

#include <unsupported/Eigen/MatrixFunctions>

#include "qbnet/errors.hpp"
#include "qbnet/initial_state.hpp"

namespace qbnet::gaussian {

GaussianState gaussian_initial_state(const std::string& spec, int n_modes) {
    const int n = 2 * n_modes;
    GaussianState s;
    s.mean = Eigen::VectorXd::Zero(n);
    s.covariance = 0.5 * Eigen::MatrixXd::Identity(n, n);
    const InitialState init = initial_state_or_throw(spec);
    if (init.kind == InitialState::Kind::thermal) s.covariance *= 2.0 * init.occupation + 1.0;   // sigma = (n + 1/2) I
    if (init.kind == InitialState::Kind::coherent)
        s.mean = quadrature_means(Eigen::VectorXcd::Constant(n_modes, init.alpha));
    return s;
}

std::vector<GaussianState> gaussian_evolve(const GaussianMoments& mom, const GaussianState& initial, double t_end,
                                           int samples, const GaussianState* steady) {
    const Eigen::Index n = mom.drift.rows();
    std::vector<GaussianState> out;
    out.reserve(samples);
    out.push_back(initial);
    if (samples < 2) return out;
    const double dt = t_end / (samples - 1);
    Eigen::MatrixXd phi, q;
    Eigen::VectorXd g;
    if (steady) {
        const Eigen::MatrixXd adt = mom.drift * dt;
        phi = adt.exp();
    } else {
        // Van Loan: exp([[-A, D], [0, A^T]] dt) = [[F11, F12], [0, F22]], Phi = F22^T, Q = F22^T F12;
        // exp([[A, b], [0, 0]] dt) = [[Phi, g], [0, 1]] with g = int_0^dt e^{As} b ds.
        Eigen::MatrixXd big = Eigen::MatrixXd::Zero(2 * n, 2 * n);
        big.topLeftCorner(n, n) = -mom.drift * dt;
        big.topRightCorner(n, n) = mom.diffusion * dt;
        big.bottomRightCorner(n, n) = mom.drift.transpose() * dt;
        const Eigen::MatrixXd f = big.exp();
        phi = f.bottomRightCorner(n, n).transpose();
        q = phi * f.topRightCorner(n, n);
        q = (0.5 * (q + q.transpose())).eval();
        Eigen::MatrixXd aug = Eigen::MatrixXd::Zero(n + 1, n + 1);
        aug.topLeftCorner(n, n) = mom.drift * dt;
        aug.topRightCorner(n, 1) = mom.drive * dt;
        g = aug.exp().topRightCorner(n, 1);
    }
    Eigen::VectorXd dm = steady ? Eigen::VectorXd(initial.mean - steady->mean) : initial.mean;
    Eigen::MatrixXd ds = steady ? Eigen::MatrixXd(initial.covariance - steady->covariance) : initial.covariance;
    for (int k = 1; k < samples; ++k) {
        dm = (phi * dm).eval();
        Eigen::MatrixXd tmp = phi * ds;
        ds.noalias() = tmp * phi.transpose();
        if (!steady) {
            dm += g;
            ds += q;
        }
        ds = (0.5 * (ds + ds.transpose())).eval();
        GaussianState s;
        s.mean = steady ? Eigen::VectorXd(steady->mean + dm) : dm;
        s.covariance = steady ? Eigen::MatrixXd(steady->covariance + ds) : ds;
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace qbnet::gaussian
