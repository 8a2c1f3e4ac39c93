#include "qbnet/gaussian/steady.hpp"

#include <chrono>

#include "qbnet/gaussian/lyapunov.hpp"
#include "qbnet/gaussian/schur.hpp"
#include "qbnet/gaussian/structured_steady.hpp"

namespace qbnet::gaussian {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// R = -A^{-1} b = -U T^{-1} U^T b: the quasi-triangular solve is the Sylvester kernel with a 1x1 zero
// right factor (T y + y 0 = c).
Eigen::VectorXd solve_means(const StructuredSchur& schur, const Eigen::VectorXd& b) {
    Eigen::MatrixXd y = -schur.to_schur_basis(b);
    solve_quasi_triangular_sylvester(schur.t(), Eigen::MatrixXd::Zero(1, 1), y);
    return schur.from_schur_basis(Eigen::VectorXd(y.col(0)));
}
}  // namespace

GaussianSteadyState gaussian_steady_state(const GaussianMoments& mom, GaussianSteadyPath path) {
    if (path == GaussianSteadyPath::automatic)
        if (auto structured = structured_gaussian_steady_state(mom)) return std::move(*structured);
    GaussianSteadyState out;
    const auto t0 = std::chrono::steady_clock::now();
    const StructuredSchur schur(mom.drift);
    out.seconds_schur = seconds_since(t0);
    out.method = schur.method();
    out.rightmost_eigenvalue = schur.rightmost_eigenvalue();
    out.schur_blocks = schur.block_count();
    out.largest_block = schur.largest_block();

    const auto t1 = std::chrono::steady_clock::now();
    const LyapunovSolution lyap = lyapunov_solve(schur, mom.drift, mom.diffusion);   // checks stability
    out.state.covariance = lyap.x;
    out.residual = lyap.residual;
    out.refinements = lyap.refinements;

    Eigen::VectorXd r = solve_means(schur, mom.drive);
    const double bnorm = mom.drive.norm();
    if (bnorm > 0.0) {
        // One refinement sweep for the same reason as in lyapunov_solve (dropped pattern zeros).
        Eigen::VectorXd res = mom.drift * r + mom.drive;
        if (res.norm() > 1e-14 * bnorm) r += solve_means(schur, res);
        out.mean_residual = (mom.drift * r + mom.drive).norm() / bnorm;
    }
    out.state.mean = r;
    out.seconds_solve = seconds_since(t1);
    return out;
}

}  // namespace qbnet::gaussian
