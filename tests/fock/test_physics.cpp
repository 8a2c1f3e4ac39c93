#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>

#include "qbnet/errors.hpp"
#include "qbnet/fock/engine.hpp"
#include "qbnet/fock/evolve.hpp"
#include "qbnet/fock/rkc.hpp"
#include "qbnet/fock/observables.hpp"
#include "qbnet/fock/steady.hpp"

using namespace qbnet;
using cd = std::complex<double>;

namespace {
model::ModelSpec spec_for(model::Network net, double kappa, double eps, model::SqueezedThermalBath battery_bath = {},
                   int drive_mode = 0) {
    const int m = net.n_modes();
    model::ModelSpec s{net, Eigen::VectorXd::Zero(m), Eigen::VectorXcd::Zero(m), {}, Eigen::VectorXd::Zero(m)};
    s.drive(drive_mode) = eps;
    for (int j = 0; j < m; ++j) {
        model::SqueezedThermalBath b = j == 0 ? model::SqueezedThermalBath{} : battery_bath;
        b.kappa = kappa;
        s.baths.push_back(b);
    }
    return s;
}
RunOptions steady_only(std::vector<int> cutoff) {
    RunOptions o;
    o.fock.cutoff = std::move(cutoff);
    o.steady.tol = 1e-12;
    return o;
}
}  // namespace

TEST_CASE("Result 1: N=1 NC at J = kappa/2 stores (eps/kappa)^2 in C and b1", "[fock][physics]") {
    // eps/kappa = 0.5 keeps |alpha|^2 = 0.25: at cutoff 12 the truncated Poisson tail is ~1e-14.
    const double kappa = 0.003, eps = 0.0015;
    const model::Model model = model::build_model(spec_for(model::Network::cascaded(1, {model::Coupling::nonreciprocal, kappa / 2, {}, {}}), kappa, eps));
    const EngineResult r = fock::run_fock(model, steady_only({12}));
    REQUIRE(r.steady_state);
    const double expected = (eps / kappa) * (eps / kappa);
    CHECK(r.steady_state->modes[0].energy == Approx(expected).epsilon(1e-8));
    CHECK(r.steady_state->modes[1].energy == Approx(expected).epsilon(1e-8));
    CHECK(r.steady_diagnostics.residual < 1e-10);
}

TEST_CASE("Result 2: vacuum baths keep modes coherent - ergotropy = energy (local and joint)", "[fock][physics]") {
    const double kappa = 0.003;
    const model::Model model = model::build_model(spec_for(model::Network::cascaded(2, {model::Coupling::nonreciprocal, 0.002, {}, {}}), kappa, 0.001));
    const EngineResult r = fock::run_fock(model, steady_only({6}));
    REQUIRE(r.steady_state);
    // Cutoff 6 with |alpha|^2 < 0.12: the truncated Poisson tail (top-level population ~3e-8) leaves each
    // reduced state mixed at the 1e-7 level, so ergotropy = energy holds to 1e-6 relative, not better.
    for (const auto& m : r.steady_state->modes) {
        CHECK(m.energy > 1e-3);
        CHECK(m.ergotropy == Approx(m.energy).epsilon(1e-6));
    }
    CHECK(r.steady_state->batteries.ergotropy == Approx(r.steady_state->batteries.energy).epsilon(1e-6));
    CHECK(*r.steady_diagnostics.min_eigenvalue > -1e-10);
}

TEST_CASE("Result 3: thermal bath gives energy n and ergotropy 0 - squeezed vacuum gives energy = ergotropy = sinh^2 r",
          "[fock][physics]") {
    // Battery with no drive reaching it: the RC link with J = 0 leaves b1 alone with its bath.
    const double kappa = 0.01;
    {
        const double n = 0.3;   // p(top) = (n/(n+1))^19 ~ 1e-12 at cutoff 20
        const model::Model model = model::build_model(spec_for(model::Network::cascaded(1, {model::Coupling::reciprocal, 0.0, {}, {}}), kappa, 0.0, {0, n, 0, 0}));
        const EngineResult r = fock::run_fock(model, steady_only({2, 20}));   // idle charger: 2 levels suffice
        CHECK(r.steady_state->modes[1].energy == Approx(n).epsilon(1e-9));
        CHECK(std::abs(r.steady_state->modes[1].ergotropy) < 1e-10);
    }
    {
        const double sq = 0.3, theta = 0.8;
        const model::Model model = model::build_model(spec_for(model::Network::cascaded(1, {model::Coupling::reciprocal, 0.0, {}, {}}), kappa, 0.0, {0, 0, sq, theta}));
        const EngineResult r = fock::run_fock(model, steady_only({2, 24}));
        const double e = std::sinh(sq) * std::sinh(sq);
        CHECK(r.steady_state->modes[1].energy == Approx(e).epsilon(1e-8));
        CHECK(r.steady_state->modes[1].ergotropy == Approx(e).epsilon(1e-7));
    }
}

TEST_CASE("NC one-way transport: driving the battery gives the charger nothing", "[fock][physics]") {
    const double kappa = 0.003;
    const model::Model model = model::build_model(spec_for(model::Network::cascaded(1, {model::Coupling::nonreciprocal, 0.002, {}, {}}), kappa, 0.001, {}, 1));
    const EngineResult r = fock::run_fock(model, steady_only({8}));
    CHECK(r.steady_state->modes[1].energy > 0.01);
    CHECK(r.steady_state->modes[0].energy < 1e-12);
    // Reciprocal link: the charger does receive energy (the test can fail).
    const model::Model rc = model::build_model(spec_for(model::Network::cascaded(1, {model::Coupling::reciprocal, 0.002, {}, {}}), kappa, 0.001, {}, 1));
    CHECK(fock::run_fock(rc, steady_only({8})).steady_state->modes[0].energy > 1e-3);
}

TEST_CASE("Adaptive stepper reproduces exact exponential decay", "[fock][evolve]") {
    // One damped mode from |1><1|: p1(t) = exp(-kappa t); coherence <0|rho|1> decays as exp(-kappa t/2).
    const double kappa = 0.7;
    model::Network net(1);   // a battery with no link: mode 1 idle in vacuum
    model::ModelSpec s{net, Eigen::VectorXd::Zero(2), Eigen::VectorXcd::Zero(2), {{kappa, 0, 0, 0}, {1.0, 0, 0, 0}}, Eigen::VectorXd::Zero(2)};
    const model::Model model = model::build_model(s);
    const fock::FockBasis basis({3, 2});
    const fock::Liouvillian lv(model, basis);
    const long d = basis.dim();
    Eigen::VectorXcd rho = Eigen::VectorXcd::Zero(d * d);
    const long one = basis.stride(0);   // |1,0>
    rho[one * d + one] = 0.5;
    rho[0] = 0.5;
    rho[one * d] = 0.5;
    rho[one] = 0.5;
    std::vector<double> times;
    for (int i = 0; i <= 20; ++i) times.push_back(0.5 * i);
    double worst = 0.0;
    fock::EvolveOptions eo;
    eo.atol = 1e-12;
    eo.rtol = 1e-10;
    const auto summary = fock::evolve(lv, rho, times, eo, [&](std::size_t, double t, const cd* r) {
        worst = std::max(worst, std::abs(r[one * d + one].real() - 0.5 * std::exp(-kappa * t)));
        worst = std::max(worst, std::abs(r[one * d] - 0.5 * std::exp(-kappa * t / 2)));
    });
    CHECK(worst < 1e-8);
    CHECK(summary.steps > 5);        // adaptive: it really stepped
    CHECK(summary.steps < 2000);     // and the error control did not collapse the step size
}

TEST_CASE("RKC integrator reproduces exact decay and agrees with dopri5 on a stiff thermal chain", "[fock][evolve]") {
    // (1) The exact single-mode decay of the dopri5 test: p1 = e^{-kappa t}/2, <1|rho|0> = e^{-kappa t/2}/2.
    {
        const double kappa = 0.7;
        model::Network net(1);
        model::ModelSpec s{net, Eigen::VectorXd::Zero(2), Eigen::VectorXcd::Zero(2), {{kappa, 0, 0, 0}, {1.0, 0, 0, 0}}, Eigen::VectorXd::Zero(2)};
        const model::Model model = model::build_model(s);
        const fock::FockBasis basis({3, 2});
        const fock::Liouvillian lv(model, basis);
        const long d = basis.dim(), one = basis.stride(0);
        Eigen::VectorXcd rho = Eigen::VectorXcd::Zero(d * d);
        rho[one * d + one] = rho[0] = rho[one * d] = rho[one] = 0.5;
        std::vector<double> times;
        for (int i = 0; i <= 20; ++i) times.push_back(0.5 * i);
        fock::EvolveOptions eo;
        eo.atol = 1e-12;
        eo.rtol = 1e-10;
        double worst = 0.0;
        const auto summary = fock::evolve_rkc(lv, rho, times, eo, [&](std::size_t, double t, const cd* r) {
            worst = std::max(worst, std::abs(r[one * d + one].real() - 0.5 * std::exp(-kappa * t)));
            worst = std::max(worst, std::abs(r[one * d] - 0.5 * std::exp(-kappa * t / 2)));
        });
        // second order, RMS error control at rtol 1e-10: local errors ~1e-10 accumulate over ~100s of steps
        CHECK(worst < 1e-7);
        CHECK(summary.steps > 5);
    }
    // (2) A thermal NC chain at cutoff 5 (|lambda_max| >> the physical rates: dopri5 is stability-limited):
    // RKC at tight tolerances must follow a tight dopri5 run and keep trace and hermiticity, with far
    // fewer RHS calls.
    {
        const double kappa = 0.003;
        const model::Model model = model::build_model(spec_for(model::Network::cascaded(1, {model::Coupling::nonreciprocal, 0.0015, {}, {}}), kappa, 0.001, {0.5, 0.5, 0, 0}));
        const fock::FockBasis basis({5, 5});
        const fock::Liouvillian lv(model, basis);
        const long d = basis.dim();
        std::vector<double> times;
        for (int i = 0; i <= 10; ++i) times.push_back(1000.0 * i);
        std::vector<Eigen::VectorXcd> ref, got;
        Eigen::VectorXcd rho = Eigen::VectorXcd::Zero(d * d);
        rho[0] = 1.0;
        fock::EvolveOptions tight;
        tight.atol = 1e-12;
        tight.rtol = 1e-10;
        fock::evolve(lv, rho, times, tight, [&](std::size_t, double, const cd* r) {
            ref.emplace_back(Eigen::Map<const Eigen::VectorXcd>(r, d * d));
        });
        // RKC at atol 1e-10 / rtol 1e-8 (the bench's setting): within 1e-5 of the tight reference.
        fock::EvolveOptions eo;
        eo.atol = 1e-10;
        eo.rtol = 1e-8;
        rho.setZero();
        rho[0] = 1.0;
        const auto sr = fock::evolve_rkc(lv, rho, times, eo, [&](std::size_t, double, const cd* r) {
            got.emplace_back(Eigen::Map<const Eigen::VectorXcd>(r, d * d));
        });
        REQUIRE(got.size() == ref.size());
        double worst = 0.0;
        for (std::size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, (got[i] - ref[i]).cwiseAbs().maxCoeff());
        CHECK(worst < 1e-5);
        CHECK(sr.max_trace_error < 1e-12);
        CHECK(sr.max_hermiticity_error < 1e-14);
        // At the default tolerances the stability-limited dopri5 needs more RHS calls than RKC.
        fock::EvolveOptions def;
        rho.setZero();
        rho[0] = 1.0;
        const auto sd = fock::evolve(lv, rho, times, def);
        rho.setZero();
        rho[0] = 1.0;
        const auto sk = fock::evolve_rkc(lv, rho, times, def);
        INFO("RHS calls: dopri5 " << sd.rhs_calls << ", rkc " << sk.rhs_calls << "; rkc(1e-8) " << sr.rhs_calls);
        CHECK(sk.rhs_calls < sd.rhs_calls);
        // Gershgorin really bounds the spectrum: no eigenvalue of L beyond it (dense check, D^2 = 625).
        Eigen::MatrixXcd lmat(d * d, d * d);
        Eigen::VectorXcd e = Eigen::VectorXcd::Zero(d * d), col(d * d);
        for (long k = 0; k < d * d; ++k) {
            // apply() wants a hermitian input: use L(E_k) = (L(E_k + E_k^dag) - i L(i E_k - i E_k^dag)) / 2
            Eigen::VectorXcd h1 = Eigen::VectorXcd::Zero(d * d), h2 = Eigen::VectorXcd::Zero(d * d), o1(d * d), o2(d * d);
            const long m = k / d, n = k % d;
            h1[m * d + n] += 1.0;
            h1[n * d + m] += 1.0;
            h2[m * d + n] += cd(0, 1);
            h2[n * d + m] += cd(0, -1);
            lv.apply(h1.data(), o1.data());
            lv.apply(h2.data(), o2.data());
            lmat.col(k) = 0.5 * (o1 - cd(0, 1) * o2);
        }
        const double rho_max = Eigen::ComplexEigenSolver<Eigen::MatrixXcd>(lmat, false).eigenvalues().cwiseAbs().maxCoeff();
        CHECK(rho_max <= lv.spectral_radius_bound());
        CHECK(lv.spectral_radius_bound() < 4.0 * rho_max);   // and is not wildly loose
    }
}

TEST_CASE("Evolution keeps trace hermiticity and positivity and relaxes to the Krylov steady state",
          "[fock][evolve]") {
    const double kappa = 0.05;
    const model::Model model = model::build_model(spec_for(model::Network::cascaded(2, {model::Coupling::reciprocal, 0.03, {}, {}}), kappa, 0.02, {0, 0.4, 0, 0}));
    RunOptions o;
    o.fock.cutoff = {6};
    o.time.t_end = 600.0;   // 30 / kappa: transients decay far below the checked tolerance
    o.time.samples = 31;
    o.time.atol = 1e-10;
    o.time.rtol = 1e-8;
    o.steady.tol = 1e-12;
    const EngineResult r = fock::run_fock(model, o);
    CHECK(r.statistics.fock->evolution->max_trace_error < 1e-9);
    // The integrator holds rho packed hermitian: hermiticity is exact by construction, not a measured figure.
    CHECK(r.statistics.fock->evolution->hermiticity_exact);
    const auto& last = r.timeseries.samples.back();
    for (std::size_t j = 0; j < last.modes.size(); ++j)
        CHECK(last.modes[j].energy == Approx(r.steady_state->modes[j].energy).epsilon(1e-5));

    // Positivity along the way: smallest eigenvalue of rho(t) at a few samples.
    const fock::FockBasis basis({6, 6, 6});
    const fock::Liouvillian lv(model, basis);
    const long d = basis.dim();
    Eigen::VectorXcd rho = Eigen::VectorXcd::Zero(d * d);
    rho[0] = 1.0;
    double min_eig = 1.0;
    fock::EvolveOptions eo;
    fock::evolve(lv, rho, {0, 20, 60, 200}, eo, [&](std::size_t, double, const cd* r) {
        Eigen::Map<const Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(r, d, d);
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(Eigen::MatrixXcd(m), Eigen::EigenvaluesOnly);
        min_eig = std::min(min_eig, eig.eigenvalues().minCoeff());
    });
    CHECK(min_eig > -1e-8);   // rtol 1e-6 integration noise stays far below this
}

TEST_CASE("Krylov steady state agrees with long evolution on an RC chain with thermal baths", "[fock][steady]") {
    const double kappa = 0.05;
    const model::Model model = model::build_model(spec_for(model::Network::cascaded(2, {model::Coupling::reciprocal, 0.04, {}, {}}), kappa, 0.01, {0, 0.5, 0, 0}));
    const fock::FockBasis basis({5, 5, 5});   // D = 125: exercises the dense (Schur) Sylvester preconditioner
    const fock::Liouvillian lv(model, basis);
    SteadyOptions so;
    so.tol = 1e-10;
    Eigen::VectorXcd rho_k;
    const auto sk = fock::solve_steady_state(lv, so, rho_k);
    CHECK(sk.converged);
    CHECK(sk.method == "krylov");
    so.method = SteadyMethod::evolve;
    Eigen::VectorXcd rho_e;
    const auto se = fock::solve_steady_state(lv, so, rho_e);
    CHECK(se.converged);
    // both residuals <= 1e-10 with a smallest Liouvillian rate ~ kappa/2: states agree to ~1e-8
    CHECK((rho_k - rho_e).norm() < 1e-7);
}

TEST_CASE("Local-Liouvillian preconditioner handles squeezing - Kerr and detuning", "[fock][steady]") {
    // Squeezed batteries break the charge blocks (a rho a and a^dag rho a^dag refill terms); Kerr and
    // detuning enter the local H_eff. The Krylov state must match long evolution.
    model::ModelSpec spec = spec_for(model::Network::cascaded(1, {model::Coupling::reciprocal, 0.03, {}, {}}), 0.05, 0.02, {0, 0.3, 0.4, 0.5});
    spec.kerr(1) = 0.01;
    spec.detuning(0) = 0.02;
    const model::Model model = model::build_model(spec);
    const fock::FockBasis basis({5, 6});
    const fock::Liouvillian lv(model, basis);
    SteadyOptions so;
    so.tol = 1e-11;
    Eigen::VectorXcd rho_k, rho_e;
    const auto sk = fock::solve_steady_state(lv, so, rho_k);
    CHECK(sk.preconditioner.rfind("local-liouvillian", 0) == 0);
    CHECK(sk.method == "krylov");
    CHECK(sk.converged);
    so.method = SteadyMethod::evolve;
    const auto se = fock::solve_steady_state(lv, so, rho_e);
    CHECK(se.converged);
    CHECK((rho_k - rho_e).norm() < 1e-7);
}

TEST_CASE("A run too large for memory is refused before allocation", "[fock][memory]") {
    const model::Model model = model::build_model(spec_for(model::Network::cascaded(3, {model::Coupling::nonreciprocal, 0.002, {}, {}}), 0.003, 0.01));
    RunOptions o;
    o.fock.cutoff = {40};   // D = 2.56e6: ~100 TiB
    CHECK(fock::fock_memory_estimate_gib(model, o) > 1e4);
    CHECK_THROWS_AS(fock::run_fock(model, o), RunRefused);
    try {
        fock::run_fock(model, o);
    } catch (const RunRefused& e) {
        CHECK_THAT(e.what(), Catch::Contains("GiB") && Catch::Contains("gaussian"));
    }
}

TEST_CASE("RKC and Krylov with the displaced frame are refused with the key named and auto runs dopri5 there", "[fock][evolve]") {
    const model::Model model = model::build_model(spec_for(model::Network::cascaded(1, {model::Coupling::nonreciprocal, 0.0015, {}, {}}), 0.003, 0.001));
    RunOptions o;
    o.fock.cutoff = {3};
    o.fock.frame = Frame::displaced;
    o.time.t_end = 10.0;
    o.time.samples = 3;
    for (Integrator refused : {Integrator::rkc, Integrator::krylov}) {
        o.time.integrator = refused;
        try {
            fock::run_fock(model, o);
            FAIL("run_fock accepted time.integrator = " << to_string(refused) << " with the displaced frame");
        } catch (const InputError& e) {
            CHECK(std::string(e.what()).find("time.integrator") != std::string::npos);
        }
    }
    // The default: dopri5 in the displaced frame, krylov in the lab frame.
    o.time.integrator = Integrator::automatic;
    o.fock.error_estimate = false;
    const EngineResult displaced = fock::run_fock(model, o);
    REQUIRE(displaced.statistics.fock);
    CHECK(displaced.statistics.fock->evolution->integrator == "dopri5");
    o.fock.frame = Frame::lab;
    const EngineResult lab = fock::run_fock(model, o);
    CHECK(lab.statistics.fock->evolution->integrator == "krylov");
    CHECK(lab.statistics.fock->evolution->hermiticity_exact);
    CHECK(lab.statistics.fock->evolution->error_estimate.has_value());
}
