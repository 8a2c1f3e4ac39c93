#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>

#include "qbnet/numerics/hermitian_eigenvalues.hpp"
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

// The spectrum routine behind every passive energy (Householder to a real tridiagonal matrix, then QL)
// against Eigen's SelfAdjointEigenSolver: random, rank-deficient, degenerate, diagonal and 1 x 1 input,
// sizes 1 to 64, to 1e-14 of the matrix norm. Must fail: the spectrum of the matrix perturbed by 1e-9
// of its norm differs by more than that.
TEST_CASE("hermitian_eigenvalues matches Eigen's solver to 1e-14 of the norm and a 1e-9 perturbation is detected", "[ergotropy]") {
    std::srand(5);
    for (int n : {1, 2, 3, 5, 8, 17, 36, 48, 64}) {
        for (int kind = 0; kind < 5; ++kind) {
            Eigen::MatrixXcd a = Eigen::MatrixXcd::Random(n, n);
            if (kind == 0) a = (a + a.adjoint()).eval();
            if (kind == 1) a = Eigen::MatrixXcd::Identity(n, n) * 0.3;               // fully degenerate
            if (kind == 2) {                                                          // diagonal, repeated values
                a.setZero();
                for (int i = 0; i < n; ++i) a(i, i) = (i % 3) * 0.25;
            }
            if (kind == 3) {                                                          // rank 2, like a pure mixture
                const Eigen::MatrixXcd b = Eigen::MatrixXcd::Random(n, 2);
                a = b * b.adjoint();
            }
            if (kind == 4) {                                                          // a density matrix
                a = (a * a.adjoint()).eval();
                a /= a.trace().real();
            }
            const Eigen::VectorXd mine = qbnet::numerics::hermitian_eigenvalues(a);
            const Eigen::VectorXd ref =
                Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd>(a, Eigen::EigenvaluesOnly).eigenvalues();
            const double scale = std::max(a.norm(), 1e-300);
            INFO("n = " << n << ", kind " << kind);
            REQUIRE(mine.size() == n);
            CHECK((mine - ref).cwiseAbs().maxCoeff() <= 1e-14 * scale);
            if (kind == 0 && n > 1) {
                Eigen::MatrixXcd p = Eigen::MatrixXcd::Zero(n, n);
                p(0, 0) = 1e-9 * scale;
                const Eigen::VectorXd moved = qbnet::numerics::hermitian_eigenvalues(a + p);
                CHECK((moved - ref).cwiseAbs().maxCoeff() > 1e-14 * scale);
            }
        }
    }
}

// Regression: a density matrix whose far entries are ~1e-170 (a Krylov state's high Fock levels at early
// times: their squares underflow) made a Householder step divide 0 by 0, and every eigenvalue came out
// NaN (the joint-battery ergotropy of examples/parallel_nc_n3.toml). Also matrices of tiny and huge scale.
TEST_CASE("hermitian_eigenvalues stays finite and exact with entries whose squares underflow and at any scale", "[ergotropy]") {
    std::srand(7);
    const int n = 40;
    Eigen::MatrixXcd b = Eigen::MatrixXcd::Random(n, 3);
    Eigen::MatrixXcd rho = b * b.adjoint();
    rho /= rho.trace().real();
    for (int i = 20; i < n; ++i)   // the far levels: tiny, and exactly zero beyond 30
        for (int j = 0; j < n; ++j) {
            const std::complex<double> v = i < 30 ? std::complex<double>(1e-170, -2e-171) * static_cast<double>(1 + (i + j) % 3) : 0.0;
            rho(i, j) = v;
            rho(j, i) = std::conj(v);
        }
    for (int i = 20; i < n; ++i) rho(i, i) = i < 30 ? 1e-170 : 0.0;
    const Eigen::VectorXd ref = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd>(rho, Eigen::EigenvaluesOnly).eigenvalues();
    for (double s : {1.0, 1e-200, 1e200}) {
        const Eigen::VectorXd mine = qbnet::numerics::hermitian_eigenvalues(s * rho);
        INFO("scale " << s);
        REQUIRE(mine.allFinite());
        CHECK((mine - s * ref).cwiseAbs().maxCoeff() <= 1e-14 * s * rho.norm());
        // Must fail: a 1e-9 change of one entry is seen at every scale.
        Eigen::MatrixXcd p = s * rho;
        p(0, 0) += 1e-9 * s;
        CHECK((qbnet::numerics::hermitian_eigenvalues(p) - s * ref).cwiseAbs().maxCoeff() > 1e-14 * s * rho.norm());
    }
}
