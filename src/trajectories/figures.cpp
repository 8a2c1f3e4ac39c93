#include "figures.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "qbnet/observables/ergotropy.hpp"

namespace qbnet::trajectories::detail {

namespace {
using cd = std::complex<double>;
// Up to this dimension each leave-one-batch-out state is diagonalised again (the exact jackknife of a
// nonlinear figure). Above it (the joint batteries) the jackknife uses the figures linearised at the
// full average: passive energy tr(rho P) with P = sum_k e_k |v_k><v_k| from the full average's
// eigenvectors (decreasing populations on increasing levels). The difference is second order in the
// batch fluctuation, i.e. O(1/N) against an error of O(1/sqrt(N)).
constexpr long kExactJackknifeMaxDim = 48;

Figures figures_linear(const Eigen::MatrixXcd& rho, const Eigen::MatrixXcd& passive_op, const std::vector<double>& levels) {
    Figures f;
    for (long i = 0; i < rho.rows(); ++i) f.energy += rho(i, i).real() * levels[static_cast<std::size_t>(i)];
    f.passive_energy = (rho.cwiseProduct(passive_op.transpose())).sum().real();
    f.ergotropy = f.energy - f.passive_energy;
    return f;
}

Eigen::MatrixXcd passive_operator(const Eigen::MatrixXcd& rho, const std::vector<double>& levels) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> es(rho);   // ascending populations
    std::vector<double> e = levels;
    std::sort(e.begin(), e.end());
    const long n = rho.rows();
    Eigen::MatrixXcd p = Eigen::MatrixXcd::Zero(n, n);
    for (long k = 0; k < n; ++k) {
        // k-th largest population (index n-1-k) on the k-th lowest level.
        const auto v = es.eigenvectors().col(n - 1 - k);
        p.noalias() += e[static_cast<std::size_t>(k)] * (v * v.adjoint());
    }
    return p;
}
// Jackknife bias correction B theta - (B - 1) mean_b theta_b of the nonlinear figures. The ergotropy of
// the averaged state is convex in rho (the passive energy a minimum of linear functions, so concave):
// E[W(rho_hat)] >= W(rho), an upward bias of O(1/count) -- with 32 trajectories of a thermal network
// about +0.6 standard errors on average (validation/fig5, issue 14). The correction removes the 1/count
// term. Energy is linear (unchanged up to round-off; kept exact); passive = energy - ergotropy. Only
// with exact leave-one-out figures: the linearised ones carry no information about the curvature.
Figures bias_corrected(const Figures& full, const std::vector<Figures>& loo) {
    const double b = static_cast<double>(loo.size());
    double mean_w = 0.0;
    for (const auto& f : loo) mean_w += f.ergotropy;
    mean_w /= b;
    Figures out = full;
    out.ergotropy = b * full.ergotropy - (b - 1.0) * mean_w;
    out.passive_energy = out.energy - out.ergotropy;
    return out;
}
}  // namespace

Reducer::Reducer(const AccumulatorLayout& layout, const std::vector<std::string>& mode_names,
                 const std::vector<BatchAccumulator>& batches, const std::vector<Eigen::VectorXcd>& alpha)
    : layout_(layout), names_(mode_names), batches_(batches), alpha_(alpha) {
    for (const auto& b : batches_) total_ += b.trajectories;
}

double Reducer::energy_shift(const std::vector<std::size_t>& samples, const std::vector<std::size_t>& modes,
                             int excluded) const {
    if (alpha_.empty()) return 0.0;
    const long count = total_ - (excluded >= 0 ? batches_[static_cast<std::size_t>(excluded)].trajectories : 0);
    double shift = 0.0;
    for (std::size_t s : samples) {
        for (std::size_t j : modes) {
            const int c = layout_.cutoffs[j];
            // <a>' = sum_n sqrt(n) rho'(n, n-1): lower triangle, column-major.
            cd a_sum(0.0);
            for (std::size_t b = 0; b < batches_.size(); ++b) {
                if (static_cast<int>(b) == excluded) continue;
                const cd* block = batches_[b].sums.data() + s * layout_.per_sample + layout_.mode_offset[j];
                for (int n = 1; n < c; ++n) a_sum += std::sqrt(static_cast<double>(n)) * block[(n - 1) * c + n];
            }
            const cd alpha = alpha_[s](static_cast<long>(j));
            shift += std::norm(alpha) + 2.0 * (std::conj(alpha) * a_sum).real() / static_cast<double>(count);
        }
    }
    return shift / static_cast<double>(samples.size());
}

Eigen::MatrixXcd Reducer::block_sum(int b, const std::vector<std::size_t>& samples, std::size_t offset, long dim) const {
    Eigen::MatrixXcd sum = Eigen::MatrixXcd::Zero(dim, dim);
    auto add = [&](const BatchAccumulator& acc) {
        for (std::size_t s : samples) sum += Eigen::Map<const Eigen::MatrixXcd>(acc.sums.data() + s * layout_.per_sample + offset, dim, dim);
    };
    if (b >= 0)
        add(batches_[static_cast<std::size_t>(b)]);
    else
        for (const auto& acc : batches_) add(acc);   // batch order: bit-identical whatever ran them
    // Only the lower triangle was accumulated.
    Eigen::MatrixXcd full = sum.selfadjointView<Eigen::Lower>();
    return full;
}

Reducer::Estimate Reducer::estimate(const std::vector<std::size_t>& samples, std::size_t offset, long dim,
                                    const std::vector<double>& levels, const std::vector<std::size_t>& modes) const {
    const auto shifted = [](Figures f, double shift) {
        f.energy += shift;
        f.ergotropy += shift;
        return f;
    };
    Estimate est;
    const double per = static_cast<double>(samples.size());
    const Eigen::MatrixXcd total = block_sum(-1, samples, offset, dim);
    est.mean = total / (static_cast<double>(total_) * per);
    est.value = shifted(observables::ergotropy_figures(est.mean, levels), energy_shift(samples, modes, -1));
    const std::size_t nb = batches_.size();
    if (nb < 2) return est;
    const bool exact = dim <= kExactJackknifeMaxDim;
    const Eigen::MatrixXcd passive_op = exact ? Eigen::MatrixXcd() : passive_operator(est.mean, levels);
    std::vector<Figures> loo(nb);
    for (std::size_t b = 0; b < nb; ++b) {
        const long rest = total_ - batches_[b].trajectories;
        const Eigen::MatrixXcd rho = (total - block_sum(static_cast<int>(b), samples, offset, dim)) /
                                     (static_cast<double>(rest) * per);
        loo[b] = shifted(exact ? observables::ergotropy_figures(rho, levels) : figures_linear(rho, passive_op, levels),
                         energy_shift(samples, modes, static_cast<int>(b)));
    }
    // Jackknife variance (B - 1)/B sum_b (theta_b - mean theta)^2, per figure.
    auto jack = [&](double Figures::*field) {
        double mean = 0.0;
        for (const auto& f : loo) mean += f.*field;
        mean /= static_cast<double>(nb);
        double ss = 0.0;
        for (const auto& f : loo) ss += (f.*field - mean) * (f.*field - mean);
        return std::sqrt(ss * static_cast<double>(nb - 1) / static_cast<double>(nb));
    };
    Figures err;
    err.energy = jack(&Figures::energy);
    err.ergotropy = jack(&Figures::ergotropy);
    err.passive_energy = jack(&Figures::passive_energy);
    est.error = err;
    if (exact) est.value = bias_corrected(est.value, loo);
    return est;
}

Snapshot Reducer::snapshot(const std::vector<std::size_t>& samples, std::vector<double>* top) const {
    Snapshot snap;
    const std::size_t m = layout_.cutoffs.size();
    std::vector<double> energy_loo;   // joint energy error when the joint state is not accumulated
    for (std::size_t j = 0; j < m; ++j) {
        const int c = layout_.cutoffs[j];
        std::vector<double> levels(static_cast<std::size_t>(c));
        std::iota(levels.begin(), levels.end(), 0.0);
        const Estimate est = estimate(samples, layout_.mode_offset[j], c, levels, {j});
        ModeFigures f;
        static_cast<Figures&>(f) = est.value;
        f.name = names_[j];
        f.error = est.error;
        snap.modes.push_back(f);
        if (top) (*top)[j] = std::max((*top)[j], est.mean(c - 1, c - 1).real());
    }
    if (m < 2) {
        snap.batteries_ergotropy_available = false;
        snap.batteries.ergotropy = std::nan("");
        snap.batteries.passive_energy = std::nan("");
        return snap;
    }
    if (layout_.joint_dim > 0) {
        std::vector<int> bc(layout_.cutoffs.begin() + 1, layout_.cutoffs.end());
        std::vector<std::size_t> batteries;
        for (std::size_t j = 1; j < m; ++j) batteries.push_back(j);
        const Estimate est = estimate(samples, layout_.joint_offset, layout_.joint_dim, observables::photon_number_levels(bc), batteries);
        snap.batteries = est.value;
        snap.batteries_error = est.error;
        return snap;
    }
    // Joint state too large: energy is the sum of the batteries' energies (exact); its error is the
    // jackknife of that sum (the batteries' fluctuations are correlated, so not a quadrature sum).
    snap.batteries_ergotropy_available = false;
    snap.batteries.ergotropy = std::nan("");
    snap.batteries.passive_energy = std::nan("");
    for (std::size_t j = 1; j < m; ++j) snap.batteries.energy += snap.modes[j].energy;
    const std::size_t nb = batches_.size();
    if (nb >= 2) {
        std::vector<double> loo(nb, 0.0);
        const double per = static_cast<double>(samples.size());
        for (std::size_t b = 0; b < nb; ++b) {
            const long rest = total_ - batches_[b].trajectories;
            for (std::size_t j = 1; j < m; ++j) {
                const int c = layout_.cutoffs[j];
                const Eigen::MatrixXcd t = block_sum(-1, samples, layout_.mode_offset[j], c) -
                                           block_sum(static_cast<int>(b), samples, layout_.mode_offset[j], c);
                for (int n = 0; n < c; ++n) loo[b] += n * t(n, n).real() / (static_cast<double>(rest) * per);
                loo[b] += energy_shift(samples, {j}, static_cast<int>(b));
            }
        }
        const double mean = std::accumulate(loo.begin(), loo.end(), 0.0) / static_cast<double>(nb);
        double ss = 0.0;
        for (double v : loo) ss += (v - mean) * (v - mean);
        Figures err;
        err.energy = std::sqrt(ss * static_cast<double>(nb - 1) / static_cast<double>(nb));
        err.ergotropy = std::nan("");
        err.passive_energy = std::nan("");
        snap.batteries_error = err;
    }
    return snap;
}

}  // namespace qbnet::trajectories::detail
