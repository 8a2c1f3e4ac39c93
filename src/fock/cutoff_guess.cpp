#include "qbnet/fock/cutoff_guess.hpp"

#include <algorithm>
#include <cmath>

#include "engine_support.hpp"

namespace qbnet {

// n = (G_{a^dag} + |G_{a a^dag}|) / (net damping) per mode, from the Kossakowski matrix over
// (a_1..a_M, a_1^dag..a_M^dag); n/(n+1) is the per-level ratio of the photon-number tail (squeezed
// vacuum: tanh r). A passive network mixes the baths' fluctuations, so no mode exceeds the largest (a
// first guess only: the Fock engine's cutoff ladder decides).
double fluctuation_occupation(const Model& model) {
    const Eigen::MatrixXcd g = model.kossakowski();
    const int m = model.n_modes();
    double n = 0.0;
    for (int j = 0; j < m; ++j) {
        const double down = g(j, j).real();
        const double up = g(m + j, m + j).real();
        const double net = down - up;
        if (net > 0) n = std::max(n, (up + std::abs(g(j, m + j))) / net);
    }
    return n;
}

std::vector<int> guessed_cutoffs(const Model& model, double tolerance, Frame frame, const Eigen::VectorXcd& alpha) {
    const int m = model.n_modes();
    const double n = fluctuation_occupation(model);
    // Geometric fluctuation tail below tolerance/10, plus (lab frame) the Poisson spread of the coherent
    // part, |alpha|^2 + k |alpha| sqrt(2n + 1) with k the number of standard deviations a tol/10 Gaussian
    // tail needs (+1).
    const double tol = std::min(tolerance, 1e-2);
    const double fluct = n > 1e-12 ? std::ceil(std::log(0.1 * tol) / std::log(n / (n + 1.0))) + 1.0 : 2.0;
    const double k = std::sqrt(2.0 * std::log(10.0 / tol)) + 1.0;
    std::vector<int> c(static_cast<std::size_t>(m));
    for (int j = 0; j < m; ++j) {
        double cj = fluct;
        if (frame == Frame::lab && j < alpha.size()) {
            const double a2 = std::norm(alpha[j]);
            cj += a2 + k * std::sqrt(a2 * (2.0 * n + 1.0));
        }
        c[static_cast<std::size_t>(j)] = static_cast<int>(std::min(1e5, std::max(4.0, std::ceil(cj))));
    }
    return c;
}

FockPlan plan_fock_space(const Model& model, const RunOptions& options, bool displaced_allowed) {
    FockPlan plan;
    plan.frame = options.fock.frame;
    if (!options.fock.auto_frame && !options.fock.auto_cutoff) {
        plan.cutoffs = fock_detail::cutoffs_of(model, options);
        return plan;
    }
    const MeanFieldSolution mf = mean_field_steady_state(model);
    const auto guess = [&](Frame frame) { return guessed_cutoffs(model, options.fock.tolerance, frame, mf.alpha); };
    if (options.fock.auto_frame) {
        // The displaced frame removes the coherent part (the default drive puts ~11 photons per mode on top
        // of a vacuum-like state): chosen when that at least halves the dimension the cutoffs need. It
        // needs a converged mean field.
        const double d_lab = fock_detail::dimension(guess(Frame::lab));
        const double d_displaced = fock_detail::dimension(guess(Frame::displaced));
        plan.frame = (displaced_allowed && mf.converged && d_displaced * 2.0 <= d_lab) ? Frame::displaced : Frame::lab;
    }
    plan.cutoffs = options.fock.auto_cutoff ? guess(plan.frame) : fock_detail::cutoffs_of(model, options);
    return plan;
}

}  // namespace qbnet
