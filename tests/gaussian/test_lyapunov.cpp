// Structured Schur + recursive Bartels-Stewart: residuals, a brute-force Kronecker solve, refusal.
#include <catch2/catch.hpp>

#include <random>

#include "gaussian/helpers.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/gaussian/lyapunov.hpp"
#include "qbnet/gaussian/moments.hpp"

using namespace qbnet_test;

namespace {
Eigen::MatrixXd random_stable(int n, unsigned seed) {
    std::srand(seed);
    Eigen::MatrixXd a = Eigen::MatrixXd::Random(n, n);
    // Shift by more than the spectral radius bound (Gershgorin: max row sum) to make A stable.
    const double shift = a.cwiseAbs().rowwise().sum().maxCoeff();
    return a - (shift + 0.1) * Eigen::MatrixXd::Identity(n, n);
}
Eigen::MatrixXd random_psd(int n) {
    const Eigen::MatrixXd b = Eigen::MatrixXd::Random(n, n);
    return b * b.transpose();
}
// (I (x) A + A (x) I) vec X = -vec D: the n^2 x n^2 reference.
Eigen::MatrixXd kronecker_solve(const Eigen::MatrixXd& a, const Eigen::MatrixXd& d) {
    const Eigen::Index n = a.rows();
    Eigen::MatrixXd k = Eigen::MatrixXd::Zero(n * n, n * n);
    const Eigen::MatrixXd id = Eigen::MatrixXd::Identity(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) {
            k.block(i * n, j * n, n, n) += id(i, j) * a;
            k.block(i * n, j * n, n, n) += a(i, j) * id;
        }
    Eigen::VectorXd x = k.partialPivLu().solve(-Eigen::Map<const Eigen::VectorXd>(d.data(), n * n));
    return Eigen::Map<Eigen::MatrixXd>(x.data(), n, n);
}
}  // namespace

TEST_CASE("Lyapunov: random stable A (n = 50) / general real Schur path: residual < 1e-12", "[gaussian][lyapunov]") {
    const Eigen::MatrixXd a = random_stable(50, 7), d = random_psd(50);
    const auto sol = gaussian::lyapunov_solve(a, d);
    CHECK(sol.method.find("real-schur") != std::string::npos);
    // Backward-stable solver: residual ~ n eps ~ 1e-14.
    CHECK(sol.residual < 1e-12);
    CHECK((sol.x - sol.x.transpose()).norm() == 0.0);
}

TEST_CASE("Lyapunov: agrees with the Kronecker solve (n = 10 / 2x2 blocks / permuted block structure)", "[gaussian][lyapunov]") {
    // Block upper-triangular after a permutation: exercises the component search and 2x2 leaves.
    Eigen::MatrixXd a = random_stable(10, 3);
    a.bottomLeftCorner(4, 6).setZero();
    Eigen::PermutationMatrix<Eigen::Dynamic> p(10);
    p.indices() << 3, 7, 1, 0, 9, 2, 5, 8, 4, 6;
    a = (p * a * p.transpose()).eval();
    const Eigen::MatrixXd d = random_psd(10);
    const auto sol = gaussian::lyapunov_solve(a, d);
    const Eigen::MatrixXd ref = kronecker_solve(a, d);
    CHECK((sol.x - ref).norm() < 1e-12 * ref.norm());
    // Rotation-dominated A: complex eigenvalues, 2x2 blocks in T.
    Eigen::MatrixXd rot = Eigen::MatrixXd::Zero(6, 6);
    for (int k = 0; k < 3; ++k) rot.block<2, 2>(2 * k, 2 * k) << -0.1 * (k + 1), 2.0 + k, -(2.0 + k), -0.05;
    rot(0, 3) = 0.3;
    rot(4, 1) = 0.2;
    const Eigen::MatrixXd d6 = random_psd(6);
    CHECK((gaussian::lyapunov_solve(rot, d6).x - kronecker_solve(rot, d6)).norm() < 1e-12 * kronecker_solve(rot, d6).norm());
}

TEST_CASE("Lyapunov: networks with N = 200 (triangular / normal and general complex Schur): residual < 1e-12",
          "[gaussian][lyapunov]") {
    NetSpec thermal;
    thermal.battery_bath = {kKappa, 1.0, 0.3, 0.2};
    NetSpec uneven = thermal;
    uneven.charger_bath = {3 * kKappa, 0.5, 0.0, 0.0};   // unequal damping: not normal
    const std::vector<std::pair<model::Model, std::string>> cases = {
        {cascaded(200, model::Coupling::nonreciprocal, 0.002, thermal), "1x1"},
        {cascaded(200, model::Coupling::reciprocal, 0.002, thermal), "normal"},
        {parallel(200, model::Coupling::reciprocal, 0.002, thermal), "normal"},
        {cascaded(200, model::Coupling::reciprocal, 0.002, uneven), "complex-schur"}};
    for (const auto& [m, kind] : cases) {
        const gaussian::GaussianMoments g = gaussian::gaussian_moments(m);
        const auto sol = gaussian::lyapunov_solve(g.drift, g.diffusion);
        INFO(sol.method);
        CHECK(sol.method.find(kind) != std::string::npos);
        CHECK(sol.residual < 1e-12);
    }
}

TEST_CASE("Lyapunov: a jump mixing a_1 and a_2^dag (not phase covariant) uses the real form", "[gaussian][lyapunov]") {
    model::Model m = cascaded(2, model::Coupling::reciprocal, 0.01);
    model::LinearJump mix;
    mix.rate = 0.002;
    mix.u = Eigen::VectorXcd::Zero(3);
    mix.v = Eigen::VectorXcd::Zero(3);
    mix.u(1) = 1.0;
    mix.v(2) = 0.5;
    m.jumps.push_back(mix);
    const gaussian::GaussianMoments g = gaussian::gaussian_moments(m);
    const auto sol = gaussian::lyapunov_solve(g.drift, g.diffusion);
    CHECK(sol.method.find("real-form") != std::string::npos);
    CHECK((sol.x - kronecker_solve(g.drift, g.diffusion)).norm() < 1e-10 * sol.x.norm());
}

TEST_CASE("Lyapunov: an undamped mode is refused with its eigenvalue", "[gaussian][lyapunov]") {
    NetSpec s;
    s.battery_bath = {1e-30, 0.0, 0.0, 0.0};   // kappa > 0 but negligible: marginal
    model::Model m = make_model(model::Network::custom(1, {}, {model::Coupling::reciprocal, 0.0, {}, {}}), s);
    CHECK_THROWS_AS(gaussian::run_gaussian(m, steady_only()), RunRefused);
    CHECK_THROWS_WITH(gaussian::run_gaussian(m, steady_only()), Catch::Contains("no steady state: drift eigenvalue"));
    Eigen::MatrixXd unstable = random_stable(6, 1);
    unstable(2, 2) = 50.0;
    CHECK_THROWS_WITH(gaussian::lyapunov_solve(unstable, random_psd(6)), Catch::Contains("has Re >= 0"));
}
