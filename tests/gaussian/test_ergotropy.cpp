// Gaussian ergotropy formulas: symplectic spectrum, exact (all-unitary) vs Gaussian-unitary passive energy.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

#include <unsupported/Eigen/MatrixFunctions>

#include "gaussian/helpers.hpp"
#include "qbnet/gaussian/moments.hpp"
#include "qbnet/observables/ergotropy.hpp"
#include "qbnet/gaussian/ergotropy.hpp"

using namespace qbnet_test;

TEST_CASE("Symplectic eigenvalues: recovered from S diag(nu) S^T / all >= 1/2", "[gaussian][ergotropy]") {
    const int n = 4;
    std::srand(11);
    Eigen::MatrixXd h = Eigen::MatrixXd::Random(2 * n, 2 * n);
    h = 0.3 * (h + h.transpose()).eval();
    const Eigen::MatrixXd s = (gaussian::symplectic_form(n) * h).exp();   // exp(Omega H) is symplectic
    Eigen::VectorXd nu(n);
    nu << 0.5, 0.8, 1.7, 3.0;
    Eigen::VectorXd diag(2 * n);
    for (int k = 0; k < n; ++k) diag(2 * k) = diag(2 * k + 1) = nu(k);
    const Eigen::MatrixXd sigma = s * diag.asDiagonal() * s.transpose();
    const Eigen::VectorXd got = gaussian::symplectic_eigenvalues(sigma);
    // Conditioning: sigma's eigenvalues spread by |S|^2; 1e-10 absolute is ample.
    for (int k = 0; k < n; ++k) CHECK(got(k) == Approx(nu(k)).margin(1e-10));
    CHECK(got.minCoeff() >= 0.5 - 1e-10);
}

TEST_CASE("Exact passive energy: matches brute-force spectrum ordering for two thermal modes", "[gaussian][ergotropy]") {
    const double n1 = 0.7, n2 = 0.2;
    Eigen::VectorXd nu(2);
    nu << n1 + 0.5, n2 + 0.5;
    // Brute force: all (m1, m2) up to 80 quanta each (tail mass < 1e-19), against photon levels.
    std::vector<double> pops, levels;
    const double q1 = n1 / (n1 + 1), q2 = n2 / (n2 + 1);
    for (int a = 0; a < 80; ++a)
        for (int b = 0; b < 80; ++b) {
            pops.push_back((1 - q1) * std::pow(q1, a) * (1 - q2) * std::pow(q2, b));
            levels.push_back(a + b);
        }
    const double brute = observables::passive_energy(pops, levels);
    const auto exact = gaussian::exact_passive_energy(nu);
    REQUIRE(exact.available);
    CHECK(exact.missing_mass < 1e-12);
    CHECK(exact.value == Approx(brute).epsilon(1e-10));
    // Strictly below the Gaussian-unitary passive energy n1 + n2 (the product of thermal states is
    // not passive w.r.t. the total photon number when the two temperatures differ).
    CHECK(exact.value < n1 + n2 - 1e-3);
    // Single mode: geometric spectrum, exact = Gaussian-unitary = n.
    CHECK(gaussian::exact_passive_energy(nu.head(1)).value == Approx(n1).epsilon(1e-10));
    // A budget too small: not available.
    CHECK_FALSE(gaussian::exact_passive_energy(nu, 1e-12, 10).available);
}

TEST_CASE("Exact >= Gaussian-unitary ergotropy on a squeezed-thermal two-battery state", "[gaussian][ergotropy]") {
    NetSpec s;
    s.battery_bath = {kKappa, 0.5, 0.6, 0.3};
    const auto r = steady(parallel(2, model::Coupling::nonreciprocal, kKappa / 3, s));
    REQUIRE(r.steady_state->batteries_ergotropy_available);
    const double exact = r.steady_state->batteries.ergotropy;
    const double gauss = r.steady_diagnostics.gaussian_state->batteries_gaussian_unitary_ergotropy;
    CHECK(exact >= gauss);
    CHECK(gauss > 0.0);
    CHECK(r.steady_diagnostics.gaussian_state->batteries_purity < 1.0);
    CHECK(r.steady_diagnostics.gaussian_state->battery_entropy.size() == 2);
    // Passive energy + ergotropy = energy.
    CHECK(r.steady_state->batteries.passive_energy + exact == Approx(r.steady_state->batteries.energy));
}

TEST_CASE("Symplectic eigenvalues: phase-covariant shortcut agrees with the general Williamson path", "[gaussian][ergotropy]") {
    // sigma = realification of M = U diag(nu) U^dag (a passive unitary U on a thermal product state): no
    // squeezing, so the n x n shortcut applies and must return nu. A tiny squeezing (1e-9) forces the
    // general 2n x 2n path; the spectrum is continuous, so both must agree to ~1e-8.
    const int n = 5;
    std::srand(7);
    Eigen::MatrixXcd x = Eigen::MatrixXcd::Random(n, n);
    const Eigen::MatrixXcd u = Eigen::HouseholderQR<Eigen::MatrixXcd>(x).householderQ();
    Eigen::VectorXd nu(n);
    nu << 0.5, 0.75, 1.25, 2.0, 4.5;
    const Eigen::MatrixXcd m = u * nu.cast<std::complex<double>>().asDiagonal() * u.adjoint();
    Eigen::MatrixXd sigma(2 * n, 2 * n);
    for (int k = 0; k < n; ++k)
        for (int j = 0; j < n; ++j) {
            sigma(2 * j, 2 * k) = m(j, k).real();
            sigma(2 * j, 2 * k + 1) = -m(j, k).imag();
            sigma(2 * j + 1, 2 * k) = m(j, k).imag();
            sigma(2 * j + 1, 2 * k + 1) = m(j, k).real();
        }
    const Eigen::VectorXd got = gaussian::symplectic_eigenvalues(sigma);
    for (int k = 0; k < n; ++k) CHECK(got(k) == Approx(nu(k)).margin(1e-12));
    Eigen::MatrixXd squeezed = sigma;
    squeezed(0, 0) += 1e-9;
    squeezed(1, 1) -= 1e-9;   // breaks phase covariance of mode 0 (a squeezing of order 1e-9)
    const Eigen::VectorXd general = gaussian::symplectic_eigenvalues(squeezed);
    for (int k = 0; k < n; ++k) CHECK(general(k) == Approx(nu(k)).margin(1e-8));
}

TEST_CASE("Exact passive energy: gives up at once when the vacuum weight rules the cap out", "[gaussian][ergotropy]") {
    // 400 modes with n = 0.5: p0 = (2/3)^400 ~ 1e-70, so no 2e6 states can hold mass 1 - 1e-12.
    const Eigen::VectorXd nu = Eigen::VectorXd::Constant(400, 1.0);
    const gaussian::ExactPassiveEnergy e = gaussian::exact_passive_energy(nu);
    CHECK_FALSE(e.available);
    // With few modes the same spectrum is enumerated to the tolerance.
    const gaussian::ExactPassiveEnergy small = gaussian::exact_passive_energy(Eigen::VectorXd::Constant(2, 1.0));
    CHECK(small.available);
    CHECK(small.missing_mass < 1e-12);
}
