// Displaced-frame Fock engine (fock.frame = "displaced", docs/derivations.md "Displaced frame").
//
// 1. The transformed master equation term by term: the displaced Liouvillian at ANY alpha, alpha_dot equals
//    D^dag L(D rho' D^dag) D - [alpha_dot a^dag - conj(alpha_dot) a, rho'] computed densely in a large lab
//    basis (Kerr, squeezed-thermal bath, NC link, detuning: every term of the model).
// 2. Lab frame vs displaced frame where the lab frame is feasible (weak drive, thermal baths, Kerr), steady
//    state and time evolution.
// 3. Paper parameters (eps = 0.01, kappa = 0.003, ~11 photons per mode): displaced Fock vs Gaussian.
//
// Tolerances: the Fock truncation error is the top-level population p_top of the state that is
// truncated. With vacuum baths rho' is the vacuum (p_top = 0): the only errors are the GMRES residual
// (tol 1e-12) and rounding, so 1e-8 holds with margin. With n_th = 0.2 rho' is a displaced-frame Gaussian
// state with ~0.2-0.4 quanta per mode, whose tail at level c is ~ (n/(n+1))^c: 1e-4 needs c >= 6..8.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <random>

#include <unsupported/Eigen/MatrixFunctions>

#include "fock/helpers.hpp"
#include "qbnet/fock/displaced.hpp"
#include "qbnet/model/terms.hpp"
#include "qbnet/engine.hpp"

using namespace qbnet;

namespace {

using cd = std::complex<double>;

struct Scenario {
    model::Network net;
    double eps = 0.01;
    model::SqueezedThermalBath bath{0.003, 0.0, 0.0, 0.0};        // batteries
    model::SqueezedThermalBath charger{0.003, 0.0, 0.0, 0.0};     // charger
    double detuning = 0.0;
    double chi = 0.0;
};

model::Model model_of(const Scenario& s) {
    const int m = s.net.n_modes();
    model::ModelSpec spec{s.net, Eigen::VectorXd::Constant(m, s.detuning), Eigen::VectorXcd::Zero(m), {},
                   Eigen::VectorXd::Constant(m, s.chi)};
    spec.drive(0) = s.eps;
    for (int j = 0; j < m; ++j) spec.baths.push_back(j == 0 ? s.charger : s.bath);
    return model::build_model(spec);
}

RunOptions options(std::vector<int> cutoff, const std::string& frame, double t_end = 0.0, bool steady = true) {
    RunOptions o;
    o.fock.cutoff = std::move(cutoff);
    o.fock.frame = *parse_frame(frame);
    o.steady.enabled = steady;
    o.steady.tol = 1e-12;
    o.time.t_end = t_end;
    o.time.samples = 11;
    o.time.atol = 1e-11;
    o.time.rtol = 1e-10;
    o.threads = 1;
    return o;
}

// Largest relative difference over every energy, ergotropy and passive energy (modes and joint batteries),
// steady state and time series; |x| below `floor` counts as `floor` (relative to the scale of the run).
double max_rel_diff(const EngineResult& a, const EngineResult& b, double floor, std::string* where = nullptr) {
    double worst = 0.0;
    auto cmp = [&](double x, double y, const std::string& what) {
        const double r = std::abs(x - y) / std::max(std::abs(y), floor);
        if (r > worst) {
            worst = r;
            if (where) *where = what;
        }
    };
    auto snap = [&](const Snapshot& s, const Snapshot& t, const std::string& tag) {
        REQUIRE(s.modes.size() == t.modes.size());
        for (std::size_t j = 0; j < s.modes.size(); ++j) {
            cmp(s.modes[j].energy, t.modes[j].energy, tag + s.modes[j].name + ".energy");
            cmp(s.modes[j].ergotropy, t.modes[j].ergotropy, tag + s.modes[j].name + ".ergotropy");
            cmp(s.modes[j].passive_energy, t.modes[j].passive_energy, tag + s.modes[j].name + ".passive");
        }
        cmp(s.batteries.energy, t.batteries.energy, tag + "B.energy");
        if (s.batteries_ergotropy_available && t.batteries_ergotropy_available) {
            cmp(s.batteries.ergotropy, t.batteries.ergotropy, tag + "B.ergotropy");
            cmp(s.batteries.passive_energy, t.batteries.passive_energy, tag + "B.passive");
        }
    };
    if (a.steady_state && b.steady_state) snap(*a.steady_state, *b.steady_state, "steady.");
    REQUIRE(a.timeseries.samples.size() == b.timeseries.samples.size());
    for (std::size_t i = 0; i < a.timeseries.samples.size(); ++i)
        snap(a.timeseries.samples[i], b.timeseries.samples[i], "t=" + std::to_string(a.timeseries.t[i]) + ".");
    return worst;
}

model::LinkSpec link(model::Coupling c, double j) { return {c, j, {}, {}}; }

}  // namespace

TEST_CASE("Displaced Liouvillian = transformed lab Liouvillian - any alpha and alpha_dot", "[displaced]") {
    // Two modes, every kind of term: detuning, NC link (phase + shared reservoir), complex drive, Kerr on both
    // modes, a squeezed-thermal bath (jumps with a and a^dag parts) and a thermal bath.
    model::Network net = model::Network::cascaded(1, link(model::Coupling::nonreciprocal, 0.05));
    model::ModelSpec spec{net, Eigen::Vector2d(0.01, -0.02), Eigen::Vector2cd(cd(0.02, 0.01), cd(0.0, -0.005)),
                   {{0.1, 0.3, 0.2, 0.7}, {0.08, 0.1, 0.0, 0.0}}, Eigen::Vector2d(0.03, -0.05)};
    const model::Model model = model::build_model(spec);
    Eigen::VectorXcd alpha(2), alpha_dot(2);
    alpha << cd(0.4, -0.3), cd(-0.2, 0.5);
    alpha_dot << cd(0.01, 0.02), cd(-0.03, 0.005);

    // rho' supported on n_j <= 2 (random, positive, trace 1), in a small basis (cutoff 8: L' raises the
    // photon number by at most 2, so the truncated top levels never enter).
    const int cs = 8, cb = 20;
    const fock::FockBasis small({cs, cs});
    std::mt19937 gen(7);
    std::normal_distribution<double> nd;
    Eigen::MatrixXcd x = Eigen::MatrixXcd::Zero(small.dim(), small.dim());
    for (long i = 0; i < small.dim(); ++i)
        if (small.digit(i, 0) <= 2 && small.digit(i, 1) <= 2)
            for (long k = 0; k < small.dim(); ++k) x(i, k) = cd(nd(gen), nd(gen));
    Eigen::MatrixXcd rho_s = x * x.adjoint();
    rho_s /= rho_s.trace();

    // Displaced frame (row-major storage: pass rho^T's data = rho in row-major).
    const fock::Liouvillian lv = fock::displaced_liouvillian(model, small, alpha, alpha_dot);
    using RowMat = Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    RowMat r_row = rho_s, out_row(small.dim(), small.dim());
    lv.apply(r_row.data(), out_row.data());

    // Dense reference in a large lab basis: rho = D rho' D^dag, then D^dag L(rho) D - [K, rho'].
    const std::vector<int> big_c{cb, cb};
    const Eigen::MatrixXcd a0 = qbnet_test::ladder(big_c, 0), a1 = qbnet_test::ladder(big_c, 1);
    const long db = a0.rows();
    const Eigen::MatrixXcd gen_d = alpha(0) * a0.adjoint() - std::conj(alpha(0)) * a0 + alpha(1) * a1.adjoint() -
                                   std::conj(alpha(1)) * a1;
    const Eigen::MatrixXcd dmat = gen_d.exp();
    auto big_index = [&](long i) { return static_cast<long>(small.digit(i, 0)) * cb + small.digit(i, 1); };
    Eigen::MatrixXcd rho_b = Eigen::MatrixXcd::Zero(db, db);
    for (long i = 0; i < small.dim(); ++i)
        for (long k = 0; k < small.dim(); ++k) rho_b(big_index(i), big_index(k)) = rho_s(i, k);
    const Eigen::MatrixXcd lab = dmat * rho_b * dmat.adjoint();
    const Eigen::MatrixXcd kf = alpha_dot(0) * a0.adjoint() - std::conj(alpha_dot(0)) * a0 +
                                alpha_dot(1) * a1.adjoint() - std::conj(alpha_dot(1)) * a1;
    const Eigen::MatrixXcd ref =
        dmat.adjoint() * qbnet_test::dense_rhs(model, big_c, lab) * dmat - (kf * rho_b - rho_b * kf);
    double err = 0.0, scale = 0.0;
    for (long i = 0; i < small.dim(); ++i)
        for (long k = 0; k < small.dim(); ++k) {
            err = std::max(err, std::abs(out_row(i, k) - ref(big_index(i), big_index(k))));
            scale = std::max(scale, std::abs(out_row(i, k)));
        }
    INFO("max |L' rho' - reference| = " << err << ", max |L' rho'| = " << scale);
    CHECK(scale > 1e-3);
    CHECK(err < 1e-10);   // the lab basis tail at n = 20 is ~1e-11 in amplitude; rounding ~1e-14
}

TEST_CASE("Mean-field amplitudes: fixed point of the drift - Kerr by Newton", "[displaced]") {
    // N = 1 NC at J_op = kappa/2, vacuum baths: alpha_C = -i eps / (kappa/2 + J) (docs/physics.md result 1: E = (eps/kappa)^2).
    Scenario s{model::Network::cascaded(1, link(model::Coupling::nonreciprocal, 0.0015))};
    const fock::MeanFieldSolution lin = fock::mean_field_steady_state(model_of(s));
    CHECK(lin.method == "linear");
    CHECK(std::norm(lin.alpha(0)) == Approx(std::pow(0.01 / 0.003, 2)).epsilon(1e-12));
    CHECK(std::norm(lin.alpha(1)) == Approx(std::pow(0.01 / 0.003, 2)).epsilon(1e-12));
    s.chi = 1e-4;
    const model::Model kerr = model_of(s);
    const fock::MeanFieldSolution nl = fock::mean_field_steady_state(kerr);
    CHECK(nl.method == "newton");
    CHECK(nl.converged);
    CHECK(fock::mean_field_rhs(kerr, nl.alpha).cwiseAbs().maxCoeff() < 1e-14);
    CHECK(std::abs(nl.alpha(0) - lin.alpha(0)) > 1e-3);   // Kerr shifts the amplitude
}

TEST_CASE("Lab and displaced frames agree where the lab frame is feasible", "[displaced]") {
    // Weak drive, kappa = 0.1: |alpha|^2 <= 0.04, thermal n = 0.05, squeezing sinh^2(0.1) = 0.01. Both frames
    // are exact up to their truncation; the lab frame's is the larger one (its state is displaced), e.g.
    // 2.4e-7 absolute on an ergotropy of 0.016 at cutoff 6. Tolerance (absolute, as the built-in cross-check):
    // 1e-9 + 10 * cutoff * (largest top-level population of either run).
    const model::SqueezedThermalBath thermal{0.1, 0.05, 0.0, 0.0};
    struct Case {
        std::string name;
        Scenario s;
        std::vector<int> cutoff;
        double t_end;
    };
    std::vector<Case> cases{
        {"NC cascaded N=2 - thermal - detuned - evolution",
         {model::Network::cascaded(2, link(model::Coupling::nonreciprocal, 0.05)), 0.02, thermal, thermal, 0.02},
         {6, 6, 6},
         30.0},
        {"RC parallel N=2 - thermal batteries",
         {model::Network::parallel(2, link(model::Coupling::reciprocal, 0.04)), 0.02, thermal, {0.1, 0.0, 0.0, 0.0}},
         {6, 6, 6},
         0.0},
        {"NC N=1 squeezed battery - evolution",
         {model::Network::cascaded(1, link(model::Coupling::nonreciprocal, 0.05)), 0.02, {0.1, 0.0, 0.1, 0.6}},
         {7, 7},
         25.0},
    };
    for (const auto& c : cases) {
        const model::Model m = model_of(c.s);
        const EngineResult lab = run_engine(EngineKind::fock, m, options(c.cutoff, "lab", c.t_end));
        const EngineResult dis = run_engine(EngineKind::fock, m, options(c.cutoff, "displaced", c.t_end));
        CHECK(dis.statistics.fock->frame == Frame::displaced);
        CHECK(lab.statistics.fock->frame == Frame::lab);
        CHECK(dis.steady_diagnostics.mean_field.has_value());
        std::string where;
        // floor 1: max_rel_diff is then the absolute difference (all figures are < 1 here).
        const double diff = max_rel_diff(dis, lab, 1.0, &where);
        const double tol =
            1e-9 + 10.0 * c.cutoff[0] * std::max(lab.truncation_estimate, dis.truncation_estimate);
        INFO(c.name << ": max abs diff " << diff << " at " << where << " - tolerance " << tol);
        CHECK(diff <= tol);
        CHECK(tol < 1e-4);
    }
}

TEST_CASE("Kerr model: lab and displaced frames agree (exact frame - smaller cutoff)", "[displaced]") {
    // |alpha|^2 = 0.64 photons per mode, chi = 0.02 (Kerr shift chi |alpha|^2 ~ 0.13 kappa): the lab frame at
    // cutoff 14 has a tail ~1e-14; the displaced frame at cutoff 8 keeps only the small non-Gaussian part of
    // rho' (its top level is the error). Steady state and evolution; the Liouvillian is rebuilt per RHS call.
    Scenario s{model::Network::cascaded(1, link(model::Coupling::nonreciprocal, 0.05)), 0.08, {0.1, 0.0, 0.0, 0.0},
               {0.1, 0.0, 0.0, 0.0}, 0.0, 0.02};
    const model::Model m = model_of(s);
    const auto t0 = std::chrono::steady_clock::now();
    const EngineResult lab = run_engine(EngineKind::fock, m, options({14, 14}, "lab", 30.0));
    const auto t1 = std::chrono::steady_clock::now();
    const EngineResult dis = run_engine(EngineKind::fock, m, options({8, 8}, "displaced", 30.0));
    const auto t2 = std::chrono::steady_clock::now();
    std::string where;
    const double rel = max_rel_diff(dis, lab, 1e-3, &where);
    INFO("Kerr: max rel diff " << rel << " at " << where << "; lab " << std::chrono::duration<double>(t1 - t0).count()
                               << " s, displaced " << std::chrono::duration<double>(t2 - t1).count() << " s; "
                               << *dis.statistics.fock->evolution->liouvillian_rebuilds);
    CHECK(dis.steady_diagnostics.mean_field->method == "newton");
    CHECK(*dis.statistics.fock->evolution->liouvillian_rebuilds > 0);
    CHECK(rel < 1e-5);
}

TEST_CASE("Paper parameters - vacuum baths: displaced Fock at cutoff 3 = Gaussian to 1e-8", "[displaced]") {
    // eps = 0.01, kappa = 0.003: ~11 photons per mode (a lab-frame run would need cutoff ~35 per mode).
    for (model::Coupling c : {model::Coupling::nonreciprocal, model::Coupling::reciprocal})
        for (double j : {0.0015, 0.002})
            for (int n = 1; n <= 3; ++n) {
                const Scenario s{model::Network::cascaded(n, link(c, j))};
                const model::Model m = model_of(s);
                const EngineResult f = run_engine(EngineKind::fock, m, options(std::vector<int>(n + 1, 3), "displaced"));
                const EngineResult g = run_engine(EngineKind::gaussian, m, options({3}, "lab"));
                std::string where;
                const double rel = max_rel_diff(f, g, 1e-6, &where);
                INFO((c == model::Coupling::nonreciprocal ? "NC" : "RC") << " N=" << n << " J=" << j << ": " << rel << " at "
                                                                   << where);
                CHECK(rel <= 1e-8);
                CHECK(f.steady_state->modes[0].energy > 1.0);
            }
}

TEST_CASE("Paper parameters - time evolution (Fig. 2 style - N = 2): displaced Fock = Gaussian", "[displaced]") {
    // Integrator tolerances 1e-11 abs / 1e-10 rel on (alpha, rho'): 1e-7 relative against the exact
    // (matrix-exponential) Gaussian propagation; floor 1e-3 photons for the first samples.
    const Scenario s{model::Network::cascaded(2, link(model::Coupling::nonreciprocal, 0.0015))};
    const model::Model m = model_of(s);
    const EngineResult f = run_engine(EngineKind::fock, m, options({3, 3, 3}, "displaced", 3000.0, false));
    const EngineResult g = run_engine(EngineKind::gaussian, m, options({3}, "lab", 3000.0, false));
    std::string where;
    const double rel = max_rel_diff(f, g, 1e-3, &where);
    INFO("max rel diff " << rel << " at " << where);
    CHECK(rel <= 1e-7);
}

TEST_CASE("Paper parameters - thermal baths n = 0.2: displaced Fock = Gaussian to 1e-4", "[displaced]") {
    // n_th = 0.2 on every local bath: rho' is the thermal fluctuation state, p_n = (1/1.2)(1/6)^n per mode.
    // Truncated at c levels, <n>' misses ~ c p_c: at c = 8 that is 2.4e-5 relative on a passive energy of
    // 0.2 per mode, and far less on energies/ergotropies (~11 photons). N = 1, 2: every figure (passive
    // energies included) <= 1e-4 at cutoff 9 / 8. N = 3 at cutoff 5 (D = 625; cutoff 8 would need D = 4096):
    // energies and ergotropies <= 1e-4 (measured 8e-5), passive energies within the truncation estimate.
    const model::SqueezedThermalBath thermal{0.003, 0.2, 0.0, 0.0};
    struct Case {
        model::Coupling c;
        int n;
        int cutoff;
    };
    for (const Case& k : {Case{model::Coupling::nonreciprocal, 1, 9}, Case{model::Coupling::reciprocal, 1, 9},
                          Case{model::Coupling::nonreciprocal, 2, 8}, Case{model::Coupling::reciprocal, 2, 8},
                          Case{model::Coupling::nonreciprocal, 3, 5}}) {
        const Scenario s{model::Network::cascaded(k.n, link(k.c, 0.002)), 0.01, thermal, thermal};
        const model::Model m = model_of(s);
        RunOptions o = options(std::vector<int>(k.n + 1, k.cutoff), "displaced");
        o.steady.tol = 1e-10;
        const EngineResult f = run_engine(EngineKind::fock, m, o);
        const EngineResult g = run_engine(EngineKind::gaussian, m, options({3}, "lab"));
        const std::string name = std::string(k.c == model::Coupling::nonreciprocal ? "NC" : "RC") + " N=" +
                                 std::to_string(k.n) + " cutoff " + std::to_string(k.cutoff);
        if (k.n < 3) {
            std::string where;
            const double rel = max_rel_diff(f, g, 1e-3, &where);
            INFO(name << ": " << rel << " at " << where << " (top level " << f.truncation_estimate << ")");
            CHECK(rel <= 1e-4);
        } else {
            double worst = 0.0, worst_passive = 0.0;
            const Snapshot &a = *f.steady_state, &b = *g.steady_state;
            for (std::size_t j = 0; j < a.modes.size(); ++j) {
                worst = std::max({worst, std::abs(a.modes[j].energy / b.modes[j].energy - 1.0),
                                  std::abs(a.modes[j].ergotropy / b.modes[j].ergotropy - 1.0)});
                worst_passive = std::max(worst_passive, std::abs(a.modes[j].passive_energy - b.modes[j].passive_energy));
            }
            worst = std::max({worst, std::abs(a.batteries.energy / b.batteries.energy - 1.0),
                              std::abs(a.batteries.ergotropy / b.batteries.ergotropy - 1.0)});
            worst_passive = std::max(worst_passive, std::abs(a.batteries.passive_energy - b.batteries.passive_energy));
            INFO(name << ": energies/ergotropies " << worst << " - passive (absolute) " << worst_passive
                      << " (top level " << f.truncation_estimate << ")");
            CHECK(worst <= 1e-4);
            CHECK(worst_passive <= 10.0 * k.cutoff * k.n * f.truncation_estimate);
        }
    }
}
