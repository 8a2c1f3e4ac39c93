// The Krylov exponential integrator (time.integrator = "krylov") against the exact exponential of the
// dense superoperator at equal cutoff: the error at every sample must lie within the integrator's own
// error estimate, and the same comparison must fail against a slightly different Liouvillian.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include <unsupported/Eigen/MatrixFunctions>

#include "helpers.hpp"
#include "qbnet/fock/evolve.hpp"
#include "qbnet/fock/krylov_evolve.hpp"
#include "qbnet/fock/lindblad.hpp"
#include "qbnet/fock/observables.hpp"
#include "qbnet/model/terms.hpp"

using namespace qbnet;
using cd = std::complex<double>;
using Eigen::MatrixXcd;
using Eigen::VectorXcd;

namespace {

model::Model make_model(model::Network net, double kappa, double n_th, double eps, Eigen::VectorXd detuning,
                        double kerr = 0.0) {
    const int m = net.n_modes();
    model::ModelSpec s{net, std::move(detuning), Eigen::VectorXcd::Zero(m), {}, Eigen::VectorXd::Zero(m)};
    s.drive(0) = eps;
    for (int j = 0; j < m; ++j) s.baths.push_back({kappa, n_th, 0.0, 0.0});
    if (kerr != 0.0) s.kerr(m - 1) = kerr;
    return model::build_model(s);
}

// The D^2 x D^2 superoperator (row-major vec of rho), column by column from the dense reference RHS.
MatrixXcd dense_superoperator(const model::Model& model, const std::vector<int>& cutoffs) {
    long d = 1;
    for (int c : cutoffs) d *= c;
    MatrixXcd s(d * d, d * d);
    for (long k = 0; k < d * d; ++k) {
        MatrixXcd e = MatrixXcd::Zero(d, d);
        e(k / d, k % d) = 1.0;
        const MatrixXcd out = qbnet_test::dense_rhs(model, cutoffs, e);
        for (long q = 0; q < d * d; ++q) s(q, k) = out(q / d, q % d);
    }
    return s;
}

struct Run {
    std::vector<VectorXcd> states;
    fock::EvolveSummary summary;
};

Run run_krylov(const model::Model& model, const std::vector<int>& cutoffs, const VectorXcd& rho0,
               const std::vector<double>& times, double atol, double rtol) {
    const fock::FockBasis basis(cutoffs);
    const fock::Liouvillian lv(model, basis);
    fock::EvolveOptions eo;
    eo.integrator = "krylov";
    eo.atol = atol;
    eo.rtol = rtol;
    Run r;
    VectorXcd rho = rho0;
    const long dd = rho0.size();
    r.summary = fock::evolve(lv, rho, times, eo, [&](std::size_t, double, const cd* x) {
        r.states.emplace_back(Eigen::Map<const VectorXcd>(x, dd));
    });
    return r;
}

// Largest Frobenius distance between the run's samples and exp(t S) rho0.
double worst_error(const Run& r, const MatrixXcd& s, const VectorXcd& rho0, const std::vector<double>& times) {
    double worst = 0.0;
    for (std::size_t k = 0; k < times.size(); ++k) {
        const VectorXcd exact = (times[k] * s).exp() * rho0;
        worst = std::max(worst, (r.states[k] - exact).norm());
    }
    return worst;
}

VectorXcd vacuum(long d) {
    VectorXcd rho = VectorXcd::Zero(d * d);
    rho[0] = 1.0;
    return rho;
}

std::vector<double> linspace(double t_end, int samples) {
    std::vector<double> t;
    for (int i = 0; i < samples; ++i) t.push_back(t_end * i / (samples - 1));
    return t;
}

}  // namespace

TEST_CASE("Krylov evolution: within its own error estimate of the exact exponential at equal cutoff and the check can fail",
          "[fock][krylov]") {
    struct Case {
        const char* name;
        model::Model model;
        std::vector<int> cutoffs;
        double t_end;
    };
    const model::LinkSpec nc{model::Coupling::nonreciprocal, 0.0015, {}, {}};
    const model::LinkSpec rc{model::Coupling::reciprocal, 0.4, {}, {}};
    std::vector<Case> cases;
    // The bench physics, small: damped relaxation with a real-dominated spectrum, over ~10 / kappa.
    cases.push_back({"cascaded NC, thermal, driven", make_model(model::Network::cascaded(1, nc), 0.003, 0.5, 0.001, Eigen::VectorXd::Zero(2)), {3, 4}, 3000.0});
    // Detuned RC pair: a spectrum dominated by its imaginary parts (|Im| ~ 1 >> kappa).
    Eigen::VectorXd det(2);
    det << 1.0, -0.7;
    cases.push_back({"detuned RC, oscillatory", make_model(model::Network::cascaded(1, rc), 0.05, 0.2, 0.3, det), {3, 3}, 40.0});
    // A Kerr mode: not quadratic, no Gaussian shortcut.
    cases.push_back({"Kerr battery", make_model(model::Network::cascaded(1, rc), 0.1, 0.0, 0.5, Eigen::VectorXd::Zero(2), 0.8), {3, 4}, 30.0});

    for (const Case& c : cases) {
        SECTION(c.name) {
            long d = 1;
            for (int x : c.cutoffs) d *= x;
            const MatrixXcd s = dense_superoperator(c.model, c.cutoffs);
            const std::vector<double> times = linspace(c.t_end, 11);
            const VectorXcd rho0 = vacuum(d);
            for (double tol : {1e-6, 1e-10}) {
                const Run r = run_krylov(c.model, c.cutoffs, rho0, times, tol * 1e-2, tol);
                REQUIRE(r.states.size() == times.size());
                const double err = worst_error(r, s, rho0, times);
                INFO(c.name << " tol " << tol << ": error " << err << ", estimate " << r.summary.error_estimate
                            << ", rhs calls " << r.summary.rhs_calls);
                // The error at every sample is at most the sum of the step estimates, and the error control
                // keeps that sum within the tolerance of the whole run (atol + rtol ||rho||_F <= 1.01 tol).
                CHECK(err <= r.summary.error_estimate);
                CHECK(r.summary.error_estimate <= 1.01 * tol);
                // The trace: restored to rounding at every sample; the loss before the restoration is bounded
                // by the step error (tr L X = 0: the loss is c tr(v_{m+1}), |tr v| <= sqrt(D) ||v||_F).
                for (const VectorXcd& x : r.states) CHECK(std::abs(fock::trace_error(x.data(), d)) < 1e-12);
                CHECK(r.summary.max_trace_error <= std::sqrt(static_cast<double>(d)) * r.summary.error_estimate + 1e-14);
                CHECK(r.summary.hermiticity_exact);
                // Must fail: against a Liouvillian whose rates differ by 1 %, the same check sees the difference.
                const MatrixXcd s_off = dense_superoperator(
                    c.name[0] == 'c' ? make_model(model::Network::cascaded(1, nc), 0.00303, 0.5, 0.001, Eigen::VectorXd::Zero(2))
                    : c.name[0] == 'd' ? make_model(model::Network::cascaded(1, rc), 0.0505, 0.2, 0.3, det)
                                       : make_model(model::Network::cascaded(1, rc), 0.101, 0.0, 0.5, Eigen::VectorXd::Zero(2), 0.8),
                    c.cutoffs);
                CHECK(worst_error(r, s_off, rho0, times) > r.summary.error_estimate);
            }
        }
    }
}

TEST_CASE("Krylov evolution: tighter tolerances cost more RHS calls and give smaller errors and fewer calls than dopri5 on damped relaxation",
          "[fock][krylov]") {
    const model::Model m = make_model(model::Network::cascaded(1, {model::Coupling::nonreciprocal, 0.0015, {}, {}}), 0.003, 0.5,
                                      0.001, Eigen::VectorXd::Zero(2));
    const std::vector<int> cutoffs{3, 4};
    const MatrixXcd s = dense_superoperator(m, cutoffs);
    const std::vector<double> times = linspace(6000.0, 13);
    const VectorXcd rho0 = vacuum(12);
    const Run loose = run_krylov(m, cutoffs, rho0, times, 1e-8, 1e-6);
    const Run tight = run_krylov(m, cutoffs, rho0, times, 1e-12, 1e-10);
    CHECK(worst_error(tight, s, rho0, times) < worst_error(loose, s, rho0, times));
    CHECK(tight.summary.rhs_calls > loose.summary.rhs_calls);
    // dopri5 at the same (loose) tolerances is stability-limited here: many more calls.
    const fock::FockBasis basis(cutoffs);
    const fock::Liouvillian lv(m, basis);
    VectorXcd rho = rho0;
    fock::EvolveOptions eo;
    eo.integrator = "dopri5";
    const fock::EvolveSummary dp = fock::evolve(lv, rho, times, eo);
    CHECK(loose.summary.rhs_calls < dp.rhs_calls);
}

TEST_CASE("Krylov evolution: a steady state stays put (happy breakdown without division by zero)", "[fock][krylov]") {
    const model::Model m = make_model(model::Network::cascaded(1, {model::Coupling::reciprocal, 0.2, {}, {}}), 0.1, 0.3, 0.2,
                                      Eigen::VectorXd::Zero(2));
    const std::vector<int> cutoffs{3, 3};
    const MatrixXcd s = dense_superoperator(m, cutoffs);
    // The steady state: the null vector of S, normalised to unit trace and made exactly hermitian.
    Eigen::FullPivLU<MatrixXcd> lu(s);
    REQUIRE(lu.dimensionOfKernel() >= 1);
    VectorXcd ss = lu.kernel().col(0);
    MatrixXcd r = Eigen::Map<Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(ss.data(), 9, 9);
    r = (r / r.trace()).eval();
    r = (0.5 * (r + r.adjoint())).eval();
    Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = r;
    const VectorXcd rho0 = Eigen::Map<const VectorXcd>(rm.data(), 81);
    const std::vector<double> times = linspace(50.0, 6);
    const Run run = run_krylov(m, cutoffs, rho0, times, 1e-10, 1e-8);
    // Bound on the drift: the integrator's own estimate, plus what the null vector's residual can move in
    // t (||exp(tS) - 1|| rho0 <= t ||S rho0|| for the contractive flow, up to the Frobenius norm), plus one
    // pack/unpack round trip per sample at 100 eps.
    const double residual = (s * rho0).norm();
    for (std::size_t k = 0; k < times.size(); ++k) {
        const VectorXcd& x = run.states[k];
        REQUIRE(x.allFinite());
        const double bound = run.summary.error_estimate + times[k] * residual + 100 * 2.2e-16 * static_cast<double>(k + 1);
        CHECK((x - rho0).norm() <= bound);
        // Must fail: a state 1e-6 away from the steady state is seen.
        VectorXcd off = rho0;
        off[1] += 1e-6;
        off[9] += 1e-6;   // keep it hermitian (entries (0,1) and (1,0))
        CHECK((x - off).norm() > bound);
    }
}

TEST_CASE("Krylov evolution: refused names and the lab-frame default", "[fock][krylov]") {
    CHECK(std::string(to_string(integrator_for(Integrator::automatic, Frame::lab))) == "krylov");
    CHECK(std::string(to_string(integrator_for(Integrator::automatic, Frame::displaced))) == "dopri5");
    CHECK(std::string(to_string(integrator_for(Integrator::rkc, Frame::lab))) == "rkc");
    CHECK(parse_integrator("krylov") == Integrator::krylov);
    CHECK(parse_integrator("auto") == Integrator::automatic);
    CHECK_FALSE(parse_integrator("expokit"));
}
