#include <catch2/catch.hpp>

#include <cmath>

#include "qbnet/model/terms.hpp"

using namespace qbnet;

TEST_CASE("NC link: phase pi/2 and shared reservoir 2J - RC link: neither", "[model]") {
    model::LinkSpec nc{model::Coupling::nonreciprocal, 0.7, {}, {}};
    const model::Link l = nc.make(0, 1);
    CHECK(l.phase == Approx(M_PI / 2));
    CHECK(l.gamma == Approx(1.4));
    model::LinkSpec rc{model::Coupling::reciprocal, 0.7, {}, {}};
    CHECK(rc.make(0, 1).gamma == 0.0);
    CHECK(rc.make(0, 1).phase == 0.0);
    model::LinkSpec over{model::Coupling::nonreciprocal, 0.7, 0.3, 0.1};
    CHECK(over.make(1, 2).phase == Approx(0.3));
    CHECK(over.make(1, 2).gamma == Approx(0.1));
}

TEST_CASE("Topology builders: cascaded chain and parallel star", "[model]") {
    model::LinkSpec spec{model::Coupling::reciprocal, 1.0, {}, {}};
    const auto c = model::Network::cascaded(3, spec);
    REQUIRE(c.links().size() == 3);
    for (int i = 0; i < 3; ++i) {
        CHECK(c.links()[i].source == i);
        CHECK(c.links()[i].target == i + 1);
    }
    const auto p = model::Network::parallel(3, spec);
    REQUIRE(p.links().size() == 3);
    for (int i = 0; i < 3; ++i) {
        CHECK(p.links()[i].source == 0);
        CHECK(p.links()[i].target == i + 1);
    }
    CHECK(p.mode_names() == std::vector<std::string>{"C", "b1", "b2", "b3"});
    CHECK_THROWS(model::Network::custom(2, {{0, 3}}, spec));
}

TEST_CASE("Model: NC link mean-field cancels the backward path", "[model]") {
    // d<a>/dt = (-i h - G_aa/2) <a> restricted to annihilation operators (no drive, no v-parts):
    // the (s <- t) element must vanish for an NC link, and (t <- s) must equal -2J.
    model::ModelSpec spec{model::Network::cascaded(1, {model::Coupling::nonreciprocal, 0.4, {}, {}}), Eigen::VectorXd::Zero(2),
                   Eigen::VectorXcd::Zero(2), {}, Eigen::VectorXd::Zero(2)};
    const model::Model m = model::build_model(spec);
    const Eigen::MatrixXcd g = m.kossakowski().topLeftCorner(2, 2);
    // <dot a_j> = -i sum_k h_jk a_k - 1/2 sum_k Gt_jk a_k, with Gt_jk = G_kj (d/dt <a> from D[L]).
    const Eigen::MatrixXcd drift = -std::complex<double>(0, 1) * m.h - 0.5 * g.transpose();
    CHECK(std::abs(drift(0, 1)) < 1e-15);
    CHECK(drift(1, 0).real() == Approx(-0.8));
    CHECK(drift(0, 0).real() == Approx(-0.4));
    CHECK(drift(1, 1).real() == Approx(-0.4));
}

TEST_CASE("Squeezed-thermal bath: Kossakowski matrix gives N and M of docs/physics.md", "[model]") {
    const double n = 0.7, r = 0.4, theta = 0.9, kappa = 0.2;
    const auto jumps = model::local_bath_jumps(0, 1, {kappa, n, r, theta}, "C");
    REQUIRE(jumps.size() == 2);
    Eigen::MatrixXcd g = Eigen::MatrixXcd::Zero(2, 2);
    for (const auto& j : jumps) {
        Eigen::VectorXcd w(2);
        w << j.u, j.v;
        g += j.rate * w * w.adjoint();
    }
    // G(a^dag, a^dag) = kappa N ; G(a, a) = kappa (N + 1); G(a^dag, a) relates to M
    const double N = n * std::cosh(2 * r) + std::sinh(r) * std::sinh(r);
    CHECK(g(1, 1).real() == Approx(kappa * N));
    CHECK(g(0, 0).real() == Approx(kappa * (N + 1)));
    const std::complex<double> M = -(2 * n + 1) * std::polar(1.0, theta) * std::sinh(r) * std::cosh(r);
    // rate*(w_a conj(w_adag)) summed: (n+1) mu conj(nu) + n conj(nu) mu = (2n+1) cosh r sinh r e^{-i theta}
    CHECK(std::abs(g(0, 1) + std::conj(M) * kappa) < 1e-12);
}
