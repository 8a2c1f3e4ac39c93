// Drift, drive and diffusion from the Model (moments.cpp) against hand-derived single-mode and link cases.
#include <catch2/catch.hpp>

#include <cmath>

#include "gaussian/helpers.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/gaussian/moments.hpp"

using namespace qbnet_test;
using cd = std::complex<double>;

TEST_CASE("Moments: sparse Kossakowski accumulation equals Model::kossakowski", "[gaussian][moments]") {
    NetSpec s;
    s.battery_bath = {0.01, 0.7, 0.4, 0.9};
    s.charger_bath = {0.02, 0.3, 0.0, 0.0};
    const model::Model m = make_model(model::Network::custom(3, {{0, 1}, {1, 2}, {0, 3}}, {model::Coupling::nonreciprocal, 0.05, {}, {}}), s);
    // Same sums in another order: equal to rounding.
    CHECK((gaussian::sparse_kossakowski(m) - m.kossakowski()).norm() < 1e-15 * m.kossakowski().norm());
}

TEST_CASE("Moments: lone mode / thermal bath: A = -kappa/2 I / D = kappa (n + 1/2) I / b = Omega r", "[gaussian][moments]") {
    NetSpec s;
    s.kappa = 0.2;
    s.eps = 0.3;
    s.charger_bath = {0.2, 1.5, 0.0, 0.0};
    s.battery_bath = {0.2, 0.0, 0.0, 0.0};
    s.detuning = 0.0;
    const model::Model m = make_model(model::Network::custom(1, {}, {model::Coupling::reciprocal, 0.0, {}, {}}), s);
    const gaussian::GaussianMoments g = gaussian::gaussian_moments(m);
    CHECK((g.drift + 0.1 * Eigen::MatrixXd::Identity(4, 4)).norm() < 1e-15);
    CHECK(g.diffusion(0, 0) == Approx(0.2 * 2.0).epsilon(1e-14));   // kappa (n + 1/2), n = 1.5
    CHECK(g.diffusion(1, 1) == Approx(0.2 * 2.0).epsilon(1e-14));
    CHECK(g.diffusion(2, 2) == Approx(0.1).epsilon(1e-14));
    // d<a>/dt = -i eps from H = eps a^dag + eps* a.
    const Eigen::VectorXcd da = gaussian::mode_amplitudes(g.drive);
    CHECK(std::abs(da(0) - cd(0, -0.3)) < 1e-15);
    CHECK(std::abs(da(1)) == 0.0);
}

TEST_CASE("Moments: squeezed bath diffusion has N = n cosh2r + sinh^2 r and M = -(2n+1) e^{i theta} sinh r cosh r",
          "[gaussian][moments]") {
    const double kappa = 0.3, n = 0.4, r = 0.6, th = 0.8;
    NetSpec s;
    s.kappa = kappa;
    s.charger_bath = {kappa, n, r, th};
    const model::Model m = make_model(model::Network::custom(1, {}, {model::Coupling::reciprocal, 0.0, {}, {}}), s);
    const gaussian::GaussianMoments g = gaussian::gaussian_moments(m);
    // Steady covariance of a lone mode is D/kappa; <a^dag a> = N, <a a> = M:
    // sigma_xx = N + 1/2 + Re M, sigma_pp = N + 1/2 - Re M, sigma_xp = Im M.
    const double bigN = n * std::cosh(2 * r) + std::pow(std::sinh(r), 2);
    const cd bigM = -(2 * n + 1) * std::polar(1.0, th) * std::sinh(r) * std::cosh(r);
    const Eigen::Matrix2d sigma = g.diffusion.topLeftCorner(2, 2) / kappa;
    CHECK(sigma(0, 0) == Approx(bigN + 0.5 + bigM.real()).epsilon(1e-13));
    CHECK(sigma(1, 1) == Approx(bigN + 0.5 - bigM.real()).epsilon(1e-13));
    CHECK(sigma(0, 1) == Approx(bigM.imag()).epsilon(1e-13));
    CHECK((g.drift.topLeftCorner(2, 2) + kappa / 2 * Eigen::Matrix2d::Identity()).norm() < 1e-15);
}

TEST_CASE("Moments: NC link s->t: a_s receives nothing from a_t / a_t receives -2J a_s", "[gaussian][moments]") {
    const double j = 0.05;
    const gaussian::GaussianMoments g = gaussian::gaussian_moments(cascaded(1, model::Coupling::nonreciprocal, j));
    // Block (s=0 row, t=1 column) ~ J cos(pi/2) = 3e-18: rounding of the phase only.
    CHECK(g.drift.block<2, 2>(0, 2).norm() < 1e-16);
    CHECK((g.drift.block<2, 2>(2, 0) + 2 * j * Eigen::Matrix2d::Identity()).norm() < 1e-16);
    CHECK(g.drift(0, 0) == Approx(-(kKappa / 2 + j)));
}

TEST_CASE("Moments: a Kerr term is refused / naming the Fock engine", "[gaussian][moments]") {
    model::Model m = cascaded(1, model::Coupling::nonreciprocal, 0.001);
    m.kerr(1) = 0.01;
    CHECK_THROWS_AS(gaussian::gaussian_moments(m), RunRefused);
    CHECK_THROWS_WITH(gaussian::run_gaussian(m, steady_only()), Catch::Contains("Fock engine"));
}
