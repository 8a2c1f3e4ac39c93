#include <catch2/catch.hpp>

#include <cmath>

#include "qbnet/observables/ergotropy.hpp"

using namespace qbnet;

TEST_CASE("Ergotropy of a pure state is its energy above the ground level", "[ergotropy]") {
    Eigen::VectorXcd psi(3);
    psi << 0.6, std::complex<double>(0, 0.48), 0.64;   // normalised
    const Eigen::MatrixXcd rho = psi * psi.adjoint();
    const Figures f = observables::ergotropy_figures(rho, {0, 1, 2});
    CHECK(f.energy == Approx(0.48 * 0.48 + 2 * 0.64 * 0.64));
    CHECK(f.ergotropy == Approx(f.energy));
    CHECK(std::abs(f.passive_energy) < 1e-14);
}

TEST_CASE("Ergotropy of a thermal (passive) state is zero", "[ergotropy]") {
    const double n = 0.8;
    Eigen::MatrixXcd rho = Eigen::MatrixXcd::Zero(30, 30);
    std::vector<double> levels(30);
    for (int k = 0; k < 30; ++k) {
        rho(k, k) = std::pow(n / (n + 1), k) / (n + 1);
        levels[k] = k;
    }
    CHECK(std::abs(observables::ergotropy(rho, levels)) < 1e-14);
}

TEST_CASE("Inverted populations: ergotropy from reordering", "[ergotropy]") {
    Eigen::MatrixXcd rho = Eigen::MatrixXcd::Zero(3, 3);
    rho.diagonal() << 0.1, 0.2, 0.7;
    const Figures f = observables::ergotropy_figures(rho, {0, 1, 2});
    CHECK(f.energy == Approx(1.6));
    CHECK(f.passive_energy == Approx(0.4));   // 0.7*0 + 0.2*1 + 0.1*2
    CHECK(f.ergotropy == Approx(1.2));
}

TEST_CASE("Degenerate levels and unsorted input", "[ergotropy]") {
    // Two modes with cutoff 2: levels 0,1,1,2 (row-major). Populations on |11> only: W = 2.
    const auto levels = observables::photon_number_levels({2, 2});
    CHECK(levels == std::vector<double>{0, 1, 1, 2});
    Eigen::MatrixXcd rho = Eigen::MatrixXcd::Zero(4, 4);
    rho(3, 3) = 1.0;
    CHECK(observables::ergotropy(rho, levels) == Approx(2.0));
    CHECK(observables::passive_energy({0.1, 0.6, 0.3}, {2, 0, 1}) == Approx(0.3 + 0.2));
}
