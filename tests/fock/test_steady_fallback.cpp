// The evolution fallback of the Fock steady-state solver has bounded work (issue 18, the stalls of
// tests/fuzz/known_defects.txt): a strongly driven mode at a small cutoff ends with converged = false
// and a reason once its Liouvillian budget is used; an unreachable tolerance ends it when the residual
// stops falling; an ordinary model still converges by evolution (the must-pass twin).
#include <catch2/catch.hpp>

#include <string>

#include "qbnet/fock/steady.hpp"
#include "support/cli_process.hpp"

using namespace qbnet;
using cd = std::complex<double>;

namespace {
// One driven, damped mode (kappa, drive eps, zero temperature).
model::Model driven_mode(double kappa, double eps) {
    model::Model m;
    m.mode_names = {"C"};
    m.h = Eigen::MatrixXcd::Zero(1, 1);
    m.drive = Eigen::VectorXcd::Constant(1, cd(eps, 0.0));
    m.kerr = Eigen::VectorXd::Zero(1);
    Eigen::VectorXcd e = Eigen::VectorXcd::Ones(1), z = Eigen::VectorXcd::Zero(1);
    m.jumps.push_back({kappa, e, z, "loss"});
    return m;
}
}  // namespace

TEST_CASE("Steady-state evolution fallback stops at its Liouvillian budget with a reason", "[fock][steady]") {
    // eps / kappa = 500 at cutoff 4: a stiff truncated oscillation (the fuzz stall, exit 4 through trust).
    const model::Model model = driven_mode(0.01, 5.0);
    const fock::Liouvillian lv(model, fock::FockBasis({4}));
    SteadyOptions so;
    so.method = SteadyMethod::evolve;
    so.max_iterations = 500;   // budget max(20000, 10 x 500) = 20000 applications
    Eigen::VectorXcd rho;
    const fock::SteadySummary s = fock::solve_steady_state(lv, so, rho);
    CHECK_FALSE(s.converged);
    CHECK(s.stop_reason.find("budget of 20000") != std::string::npos);
    CHECK(s.rhs_calls <= 20000 + 1);
    REQUIRE_FALSE(s.warnings.empty());
    CHECK(s.warnings.back().find("evolution fallback") != std::string::npos);
    CHECK(std::abs(rho.sum()) > 0.0);   // a state is still returned (trace 1, hermitian)
}

TEST_CASE("Steady-state evolution fallback stops when the residual stops falling", "[fock][steady]") {
    // tol far below what double precision can resolve: the residual levels off at rounding.
    const model::Model model = driven_mode(1.0, 0.3);
    const fock::Liouvillian lv(model, fock::FockBasis({6}));
    SteadyOptions so;
    so.method = SteadyMethod::evolve;
    so.tol = 1e-30;
    Eigen::VectorXcd rho;
    const fock::SteadySummary s = fock::solve_steady_state(lv, so, rho);
    CHECK_FALSE(s.converged);
    CHECK(s.stop_reason.find("stopped making progress") != std::string::npos);
    CHECK(s.scaled_residual < 1e-9);   // it did converge as far as it could
}

TEST_CASE("Steady-state evolution fallback still converges on an ordinary model", "[fock][steady]") {
    const model::Model model = driven_mode(1.0, 0.3);
    const fock::Liouvillian lv(model, fock::FockBasis({12}));
    SteadyOptions so;
    so.method = SteadyMethod::evolve;
    so.tol = 1e-10;
    Eigen::VectorXcd rho;
    const fock::SteadySummary s = fock::solve_steady_state(lv, so, rho);
    CHECK(s.converged);
    CHECK(s.stop_reason.empty());
    // Coherent steady state alpha = -i eps / (kappa / 2) = -0.6 i: <n> = 0.36 (Poisson tail at cutoff 12 < 1e-12).
    double n = 0.0;
    for (int k = 0; k < 12; ++k) n += k * rho[k * 12 + k].real();
    CHECK(n == Approx(0.36).epsilon(1e-5));
}

TEST_CASE("qbnet run exits 4 naming the evolution fallback's bound instead of stalling") {
    // The fuzz stall (known_defects.txt before issue 18): GMRES stagnates, the fallback used to run for minutes.
    qbnet_test::Scratch s("steady-stall");
    s.write("stall.toml", R"(
[network]
topology = "cascaded"
batteries = 1
[drive]
epsilon = 5.0
[reservoirs]
kappa = 0.01
[fock]
cutoff = 4
frame = "lab"
[time]
t_end = 0
)");
    const qbnet_test::Outcome o = s.run("run stall.toml --out out --threads 1");
    CHECK(o.exit_code == 4);
    CHECK(o.err.find("evolution fallback") != std::string::npos);
    CHECK(o.out.find("steady state did not converge") != std::string::npos);
}
