// Displaced-frame Fock engine: mean field, transformed Hamiltonian, lab-frame observables, joint evolution.
// Derivation: docs/derivations.md, "Displaced frame".
#include "qbnet/fock/displaced.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <cmath>

// Odeint on Eigen vectors (vector_space_norm_inf specialisation: see src/fock/evolve.cpp).
#include <boost/numeric/odeint.hpp>
#include <boost/numeric/odeint/external/eigen/eigen.hpp>

#include "qbnet/observables/ergotropy.hpp"
#include "detail/packed_workspace.hpp"
#include "detail/parallel_algebra.hpp"
#include "detail/sampled_integration.hpp"

namespace qbnet::fock {

namespace {
using cd = std::complex<double>;
const cd I(0.0, 1.0);

// Linear part of the mean-field drift: f(alpha) = P alpha + Q conj(alpha) - i eps (+ Kerr).
//   P = -i h + (G_dd - G_aa^T) / 2,   Q = (G_da - G_da^T) / 2,
// with G = [[G_aa, G_ad], [G_da, G_dd]] the Kossakowski matrix over (a_1..a_M, a_1^dag..a_M^dag).
void linear_drift(const model::Model& model, Eigen::MatrixXcd& p, Eigen::MatrixXcd& q) {
    const int m = model.n_modes();
    const Eigen::MatrixXcd g = model.kossakowski();
    const Eigen::MatrixXcd gaa = g.topLeftCorner(m, m), gda = g.bottomLeftCorner(m, m), gdd = g.bottomRightCorner(m, m);
    p = -I * model.h + 0.5 * (gdd - gaa.transpose());
    q = 0.5 * (gda - gda.transpose());
}

double kerr_of(const model::Model& model, int j) { return model.kerr.size() ? model.kerr(j) : 0.0; }

Eigen::VectorXd realify(const Eigen::VectorXcd& z) {
    const long m = z.size();
    Eigen::VectorXd x(2 * m);
    x << z.real(), z.imag();
    return x;
}
Eigen::VectorXcd complexify(const Eigen::VectorXd& x) {
    const long m = x.size() / 2;
    return x.head(m).cast<cd>() + I * x.tail(m).cast<cd>();
}

// Real Jacobian of z -> P z + Q conj(z) in (Re z, Im z).
Eigen::MatrixXd real_jacobian(const Eigen::MatrixXcd& p, const Eigen::MatrixXcd& q) {
    const long m = p.rows();
    Eigen::MatrixXd jac(2 * m, 2 * m);
    jac << p.real() + q.real(), -p.imag() + q.imag(), p.imag() + q.imag(), p.real() - q.real();
    return jac;
}

// Restriction of the model to one mode (its h_jj, Kerr and the jumps touching it, restricted to it),
// as lindblad.cpp does for the lab-frame preconditioner.
model::Model single_mode_model(const model::Model& model, int mode) {
    model::Model local;
    local.mode_names = {model.mode_names[mode]};
    local.h = model.h.block(mode, mode, 1, 1);
    local.drive = Eigen::VectorXcd::Zero(1);
    local.kerr = Eigen::VectorXd::Constant(1, kerr_of(model, mode));
    for (const auto& jump : model.jumps) {
        if (jump.u(mode) == 0.0 && jump.v(mode) == 0.0) continue;
        local.jumps.push_back({jump.rate, jump.u.segment(mode, 1), jump.v.segment(mode, 1), jump.label});
    }
    return local;
}

}  // namespace

Eigen::VectorXcd mean_field_rhs(const model::Model& model, const Eigen::VectorXcd& alpha) {
    Eigen::MatrixXcd p, q;
    linear_drift(model, p, q);
    Eigen::VectorXcd f = p * alpha + q * alpha.conjugate() - I * model.drive;
    for (int j = 0; j < model.n_modes(); ++j) f(j) += -I * kerr_of(model, j) * std::norm(alpha(j)) * alpha(j);
    return f;
}

MeanFieldSolution mean_field_steady_state(const model::Model& model) {
    const int m = model.n_modes();
    Eigen::MatrixXcd p, q;
    linear_drift(model, p, q);
    MeanFieldSolution sol;
    // Kerr-free fixed point: P z + Q conj(z) = i eps (real 2M x 2M system).
    const Eigen::MatrixXd jac0 = real_jacobian(p, q);
    const Eigen::FullPivLU<Eigen::MatrixXd> lu0(jac0);
    sol.alpha = complexify(lu0.solve(realify(I * model.drive)));
    sol.method = "linear";
    auto residual = [&](const Eigen::VectorXcd& a) { return mean_field_rhs(model, a).cwiseAbs().maxCoeff(); };
    if (!model.is_quadratic()) {
        sol.method = "newton";
        Eigen::VectorXcd z = sol.alpha;
        double res = residual(z);
        const double scale = std::max(1e-300, model.drive.cwiseAbs().maxCoeff());
        bool ok = false;
        for (int it = 0; it < 100; ++it) {
            if (res <= 1e-14 * scale) {
                ok = true;
                break;
            }
            // Wirtinger derivatives of -i chi |z|^2 z: d/dz = -2 i chi |z|^2, d/dconj(z) = -i chi z^2.
            Eigen::MatrixXcd pk = p, qk = q;
            for (int j = 0; j < m; ++j) {
                pk(j, j) += -2.0 * I * kerr_of(model, j) * std::norm(z(j));
                qk(j, j) += -I * kerr_of(model, j) * z(j) * z(j);
            }
            const Eigen::VectorXd step = Eigen::FullPivLU<Eigen::MatrixXd>(real_jacobian(pk, qk))
                                             .solve(realify(mean_field_rhs(model, z)));
            double t = 1.0;
            Eigen::VectorXcd trial;
            double trial_res = res;
            for (int ls = 0; ls < 30; ++ls, t *= 0.5) {
                trial = z - complexify(t * step);
                trial_res = residual(trial);
                if (std::isfinite(trial_res) && trial_res < res) break;
            }
            sol.iterations = it + 1;
            if (!(trial_res < res)) break;   // no descent: give up
            z = trial;
            res = trial_res;
        }
        if (ok || res <= 1e-12 * scale) {
            sol.alpha = z;
        } else {
            sol.converged = false;   // keep the Kerr-free amplitudes: the frame stays exact
        }
    }
    sol.residual = residual(sol.alpha);
    return sol;
}

std::vector<Eigen::VectorXcd> mean_field_trajectory(const model::Model& model, const Eigen::VectorXcd& alpha0,
                                                    const std::vector<double>& times) {
    namespace odeint = boost::numeric::odeint;
    using State = Eigen::VectorXd;   // (Re alpha, Im alpha)
    std::vector<Eigen::VectorXcd> out;
    out.reserve(times.size());
    if (times.empty()) return out;
    State x = realify(alpha0);
    auto rhs = [&](const State& s, State& ds, double /*t*/) { ds = realify(mean_field_rhs(model, complexify(s))); };
    auto obs = [&](const State& s, double /*t*/) { out.push_back(complexify(s)); };
    // The displaced frame is exact only when alpha follows this equation: integrate it far below any
    // tolerance a figure is judged on.
    using Stepper = odeint::runge_kutta_dopri5<State, double, State, double, odeint::vector_space_algebra>;
    auto stepper = odeint::make_dense_output(1e-13, 1e-13, Stepper());
    const double span = times.back() - times.front();
    const double dt0 = span > 0 ? span * 1e-6 : 1e-6;
    odeint::integrate_times(stepper, rhs, x, times.begin(), times.end(), dt0, obs);
    return out;
}

Eigen::VectorXcd displaced_linear_coefficients(const model::Model& model, const Eigen::VectorXcd& alpha,
                                               const Eigen::VectorXcd& alpha_dot) {
    return I * (mean_field_rhs(model, alpha) - alpha_dot);
}

DisplacedHamiltonian::DisplacedHamiltonian(const model::Model& model, const FockBasis& basis)
    : model_(model), basis_(basis), g_(model.kossakowski()) {
    const int m = model.n_modes();
    for (int j = 0; j < m; ++j) {
        a_.push_back(annihilation(basis, j));
        ad_.push_back(creation(basis, j));
    }
    // Fixed part: the lab-frame H_eff without the drive (fock/lindblad.hpp).
    fixed_ = effective_hamiltonian(model, basis, false);
    for (int j = 0; j < m; ++j) {
        const double chi = kerr_of(model, j);
        const ShiftOp ad2 = product(ad_[j], ad_[j]), a2 = product(a_[j], a_[j]);
        if (chi != 0.0) has_kerr_ = true;
        ad2a_.push_back(product(ad2, a_[j]));
        ada2_.push_back(product(ad_[j], a2));
        ad2_.push_back(ad2);
        a2_.push_back(a2);
        ada_.push_back(product(ad_[j], a_[j]));
    }
}

OperatorSum DisplacedHamiltonian::at(const Eigen::VectorXcd& alpha, const Eigen::VectorXcd& linear) const {
    OperatorSum h = fixed_;
    const int m = basis_.n_modes();
    for (int j = 0; j < m; ++j) {
        const double chi = kerr_of(model_, j);
        if (chi != 0.0) {
            // (chi/2)(a^dag + conj(alpha))^2 (a + alpha)^2, normal ordered, minus the a^dag^2 a^2 (fixed),
            // linear (in `linear`) and c-number parts.
            const cd al = alpha(j), alc = std::conj(al);
            h.add(ad2a_[j], chi * al);
            h.add(ada2_[j], chi * alc);
            h.add(ad2_[j], 0.5 * chi * al * al);
            h.add(a2_[j], 0.5 * chi * alc * alc);
            h.add(ada_[j], 2.0 * chi * std::norm(al));
        }
        if (linear(j) != 0.0) {
            h.add(ad_[j], linear(j));
            h.add(a_[j], std::conj(linear(j)));
        }
    }
    return h;
}

std::vector<Eigen::MatrixXcd> DisplacedHamiltonian::local_parts(const Eigen::VectorXcd& alpha) const {
    std::vector<Eigen::MatrixXcd> parts;
    for (int j = 0; j < basis_.n_modes(); ++j) {
        const FockBasis one({basis_.cutoffs()[j]});
        const DisplacedHamiltonian local(single_mode_model(model_, j), one);
        parts.push_back(local.at(alpha.segment(j, 1), Eigen::VectorXcd::Zero(1)).dense(one.dim()));
    }
    return parts;
}

Liouvillian displaced_liouvillian(const model::Model& model, const FockBasis& basis, const Eigen::VectorXcd& alpha,
                                  const Eigen::VectorXcd& alpha_dot) {
    const DisplacedHamiltonian dh(model, basis);
    return Liouvillian(dh.at(alpha, displaced_linear_coefficients(model, alpha, alpha_dot)), dh.kossakowski(), basis,
                       dh.local_parts(alpha));
}

namespace {
// The n smallest eigenvalues of sum_j a_j^dag a_j over `modes` UNTRUNCATED modes (ascending): the lab-frame
// Hamiltonian of the displaced state is not confined to the box, so passive energies use these levels.
std::vector<double> lowest_levels(int modes, long n) {
    std::vector<double> levels;
    levels.reserve(static_cast<std::size_t>(n));
    double count = 1.0;   // states with total photon number k: C(k + modes - 1, modes - 1)
    for (long k = 0; static_cast<long>(levels.size()) < n; ++k) {
        if (k > 0) count = count * static_cast<double>(k + modes - 1) / static_cast<double>(k);
        for (long c = 0; c < static_cast<long>(std::llround(count)) && static_cast<long>(levels.size()) < n; ++c)
            levels.push_back(static_cast<double>(k));
    }
    return levels;
}

Eigen::VectorXd spectrum(const Eigen::MatrixXcd& rho) {
    const Eigen::MatrixXcd herm = 0.5 * (rho + rho.adjoint());
    return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd>(herm, Eigen::EigenvaluesOnly).eigenvalues();
}
}  // namespace

FockObservables displaced_observables(const cd* rho, const FockBasis& basis, const Eigen::VectorXcd& alpha,
                                      const std::vector<std::string>& mode_names, long joint_max_dim) {
    FockObservables obs;
    const int m = basis.n_modes();
    Eigen::VectorXcd mean(m);   // <a_j>' (displaced frame)
    Eigen::VectorXd number(m);  // <a_j^dag a_j>'
    for (int j = 0; j < m; ++j) {
        const Eigen::MatrixXcd rj = partial_trace(rho, basis, {j});
        const long c = rj.rows();
        cd a = 0.0;
        double n = 0.0;
        for (long k = 0; k < c; ++k) {
            n += static_cast<double>(k) * rj(k, k).real();
            if (k + 1 < c) a += std::sqrt(static_cast<double>(k + 1)) * rj(k + 1, k);
        }
        mean(j) = a;
        number(j) = n;
        ModeFigures f;
        f.name = mode_names[static_cast<std::size_t>(j)];
        f.energy = std::norm(alpha(j)) + 2.0 * (std::conj(alpha(j)) * a).real() + n;
        const Eigen::VectorXd r = spectrum(rj);
        f.passive_energy = observables::passive_energy(std::vector<double>(r.data(), r.data() + r.size()), lowest_levels(1, c));
        f.ergotropy = f.energy - f.passive_energy;
        obs.snapshot.modes.push_back(f);
        obs.top_level_population.push_back(rj(c - 1, c - 1).real());
    }
    std::vector<int> batteries;
    long db = 1;
    double energy = 0.0;
    for (int j = 1; j < m; ++j) {
        batteries.push_back(j);
        db *= basis.cutoffs()[j];
        energy += obs.snapshot.modes[static_cast<std::size_t>(j)].energy;
    }
    obs.snapshot.batteries.energy = energy;
    if (m > 1 && db <= joint_max_dim) {
        const Eigen::VectorXd r = spectrum(partial_trace(rho, basis, batteries));
        obs.snapshot.batteries.passive_energy =
            observables::passive_energy(std::vector<double>(r.data(), r.data() + r.size()), lowest_levels(m - 1, db));
        obs.snapshot.batteries.ergotropy = energy - obs.snapshot.batteries.passive_energy;
    } else {
        obs.snapshot.batteries.ergotropy = std::nan("");
        obs.snapshot.batteries.passive_energy = std::nan("");
        obs.snapshot.batteries_ergotropy_available = false;
    }
    return obs;
}

DisplacedEvolveSummary evolve_displaced(const model::Model& model, const FockBasis& basis, Eigen::VectorXcd& alpha,
                                        Eigen::VectorXcd& rho, const std::vector<double>& times,
                                        const EvolveOptions& options, const DisplacedObserver& observer,
                                        const ProgressFn& progress, const DisplacedBoundary& on_boundary) {
    namespace odeint = boost::numeric::odeint;
    const auto start = std::chrono::steady_clock::now();
    DisplacedEvolveSummary summary;
    const int m = model.n_modes();
    const long d = basis.dim();
    const DisplacedHamiltonian dh(model, basis);
    const std::vector<Eigen::MatrixXcd> locals = dh.local_parts(alpha);
    // alpha_dot = f(alpha) exactly, so the linear coefficients i (f - alpha_dot) vanish identically: a
    // quadratic model's displaced Liouvillian is then constant. A Kerr model's depends on alpha(t): it is
    // rebuilt from the precomputed shift operators at every RHS call (O(D * terms), against O(D^2 * terms)
    // for one application).
    const Eigen::VectorXcd zero = Eigen::VectorXcd::Zero(m);
    const Liouvillian constant(dh.at(alpha, zero), dh.kossakowski(), basis, locals);
    // State: [Re alpha (M), Im alpha (M), rho' packed hermitian (detail/packed_workspace.hpp: half a copy of
    // rho per stepper vector, as in the lab frame's dopri5)].
    summary.hermiticity_exact = true;
    using State = Eigen::VectorXd;
    const long off = 2 * m;
    detail::PackedWorkspace work(d, options.threads);
    auto packed = [&](State& s) { return reinterpret_cast<cd*>(s.data() + off); };
    auto packed_in = [&](const State& s) { return reinterpret_cast<const cd*>(s.data() + off); };
    State x(off + work.packed_doubles());
    x.head(m) = alpha.real();
    x.segment(m, m) = alpha.imag();
    work.pack(rho.data(), packed(x));
    auto alpha_of = [&](const State& s) -> Eigen::VectorXcd {
        return s.head(m).cast<cd>() + I * s.segment(m, m).cast<cd>();
    };
    auto rhs = [&](const State& s, State& ds, double /*t*/) {
        ++summary.rhs_calls;
        const Eigen::VectorXcd a = alpha_of(s);
        const Eigen::VectorXcd f = mean_field_rhs(model, a);
        ds.head(m) = f.real();
        ds.segment(m, m) = f.imag();
        if (dh.alpha_dependent()) {
            const auto t0 = std::chrono::steady_clock::now();
            const Liouvillian lv(dh.at(a, displaced_linear_coefficients(model, a, f)), dh.kossakowski(), basis, locals);
            ++summary.rebuilds;
            summary.rebuild_wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            work.apply(lv, packed_in(s), packed(ds), 0);
        } else {
            work.apply(constant, packed_in(s), packed(ds), 0);
        }
    };
    const double t0 = times.front(), t1 = times.back();
    std::size_t sample = options.observe_first ? 0 : 1;
    auto observe = [&](const State& s, double t) {
        const cd* r = work.unpack(packed_in(s));
        summary.max_trace_error = std::max(summary.max_trace_error, trace_error(r, d));
        const std::size_t index = sample++;
        if (observer) observer(index, t, alpha_of(s), r);
        if (progress && t1 > t0) progress((t - t0) / (t1 - t0), "time evolution (displaced frame)");
    };
    auto at_boundary = [&](std::size_t index, double t) {
        const cd* r = work.repack(packed(x));
        return on_boundary && on_boundary(index, t, alpha_of(x), r, summary);
    };
    using Stepper = odeint::runge_kutta_dopri5<State, double, State, double, detail::ParallelAlgebra>;
    auto stepper = odeint::make_dense_output(options.atol, options.rtol, Stepper(detail::ParallelAlgebra{options.threads}));
    const double dt0 = options.initial_dt > 0 ? options.initial_dt : std::max(1e-6, (t1 - t0) * 1e-4);
    // The segmented loop (checkpoint boundaries, step size carried across them) is evolve()'s.
    detail::integrate_samples(stepper, rhs, x, times, dt0, options, observe, summary, at_boundary);
    alpha = alpha_of(x);
    work.unpack_into(packed_in(x), rho.data());
    summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
}

}  // namespace qbnet::fock
