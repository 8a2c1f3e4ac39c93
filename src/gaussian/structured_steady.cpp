#include "qbnet/gaussian/structured_steady.hpp"
#include "qbnet/gaussian/lyapunov.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <deque>
#include <limits>
#include <stdexcept>
#include <vector>

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <spdlog/spdlog.h>

#include "qbnet/errors.hpp"

namespace qbnet::gaussian {

namespace {

using cd = std::complex<double>;

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Same thresholds as the dense path (complex_form.hpp, schur.cpp): a block counts as phase-covariant to
// 1e-13 max|A|, and couplings below 1e-14 max|A| (J cos(pi/2) on an NC link) are pattern zeros of the
// triangular factor; the refinement against the exact X removes their effect.
constexpr double kFormTol = 1e-13;
constexpr double kPatternTol = 1e-14;

struct Entry {
    int col;
    cd value;
};

// Sparse complex M x M matrix, one row of (column, value) per mode.
using ComplexRows = std::vector<std::vector<Entry>>;

double max_abs(const Eigen::MatrixXd& a) { return a.size() ? a.cwiseAbs().maxCoeff() : 0.0; }

// X from A when every 2x2 block is [[Re z, -Im z], [Im z, Re z]] (exact non-zeros kept); false otherwise.
bool sparse_complex_form(const Eigen::MatrixXd& a, double amax, ComplexRows& x) {
    const Eigen::Index m = a.rows() / 2;
    const double tol = kFormTol * amax;
    x.assign(m, {});
    for (Eigen::Index k = 0; k < m; ++k)
        for (Eigen::Index j = 0; j < m; ++j) {
            const double xx = a(2 * j, 2 * k), px = a(2 * j + 1, 2 * k);
            const double xp = a(2 * j, 2 * k + 1), pp = a(2 * j + 1, 2 * k + 1);
            if (std::abs(xx - pp) > tol || std::abs(xp + px) > tol) return false;
            const cd z(0.5 * (xx + pp), 0.5 * (px - xp));
            if (z != 0.0) x[j].push_back({static_cast<int>(k), z});
        }
    return true;
}

bool phase_covariant(const Eigen::MatrixXd& d) {
    const double tol = kFormTol * max_abs(d);
    for (Eigen::Index k = 0; k + 1 < d.cols(); k += 2)
        for (Eigen::Index j = 0; j + 1 < d.rows(); j += 2)
            if (std::abs(d(j, k) - d(j + 1, k + 1)) > tol || std::abs(d(j, k + 1) + d(j + 1, k)) > tol) return false;
    return true;
}

// ||A X + X A^T + D||_F / ||D||_F for symmetric X without an n x n temporary (at n = 10^4 each dense
// copy is 0.8 GB, and first-touching memory dominates the run time): R is formed 256 columns at a time,
// R(:, J) = A X(:, J) + X A^T(:, J) + D(:, J) (A^T column j = row j of A: a few columns of X).
double lean_residual(const Eigen::SparseMatrix<double>& a, const Eigen::MatrixXd& x, const Eigen::MatrixXd& d) {
    const Eigen::SparseMatrix<double> at = a.transpose();
    const Eigen::Index n = x.rows();
    constexpr Eigen::Index panel = 256;
    double sum = 0.0;
    Eigen::MatrixXd r;
    for (Eigen::Index j0 = 0; j0 < n; j0 += panel) {
        const Eigen::Index w = std::min(panel, n - j0);
        r.noalias() = a * x.middleCols(j0, w);
        r.noalias() += x * at.middleCols(j0, w);
        r += d.middleCols(j0, w);
        sum += r.squaredNorm();
    }
    return std::sqrt(sum) / std::max(d.norm(), 1e-300);
}

// Means: A R = -b by a sparse LU (network drift matrices have O(1) entries per row), one refinement.
void solve_means(const Eigen::SparseMatrix<double>& a, const Eigen::VectorXd& b, GaussianSteadyState& out) {
    out.state.mean = Eigen::VectorXd::Zero(b.size());
    const double bnorm = b.norm();
    if (bnorm == 0.0) return;
    Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
    lu.compute(a);
    if (lu.info() != Eigen::Success) throw std::runtime_error("gaussian steady state: sparse LU of the drift failed");
    Eigen::VectorXd r = lu.solve(-b);
    const Eigen::VectorXd res = a * r + b;
    if (res.norm() > 1e-14 * bnorm) r -= lu.solve(res);
    out.mean_residual = (a * r + b).norm() / bnorm;
    out.state.mean = r;
}

// Structure 1: A + A^T = -gamma I and D = d I (to 1e-13 of max|A| and max|D|). Tiles keep the A^T reads
// in cache.
bool uniform_damping_and_noise(const Eigen::MatrixXd& a, const Eigen::MatrixXd& d, double& gamma, double& dd) {
    const Eigen::Index n = a.rows();
    if (n == 0) return false;
    const double ta = kFormTol * max_abs(a), td = kFormTol * max_abs(d);
    gamma = -2.0 * a(0, 0);
    dd = d(0, 0);
    if (!(gamma > ta) || dd < 0.0) return false;
    constexpr Eigen::Index tile = 64;
    for (Eigen::Index j0 = 0; j0 < n; j0 += tile)
        for (Eigen::Index i0 = 0; i0 < n; i0 += tile)
            for (Eigen::Index j = j0; j < std::min(j0 + tile, n); ++j)
                for (Eigen::Index i = i0; i < std::min(i0 + tile, n); ++i) {
                    const double sym = a(i, j) + a(j, i), target_a = i == j ? -gamma : 0.0;
                    const double target_d = i == j ? dd : 0.0;
                    if (std::abs(sym - target_a) > ta || std::abs(d(i, j) - target_d) > td) return false;
                }
    return true;
}

// Structure 2, ordering: positions making X upper triangular (edge i -> k when |X_ik| > tol, i != k,
// must point forward), by Kahn's topological sort; empty when the coupling graph has a cycle.
std::vector<int> triangular_order(const ComplexRows& x, double tol) {
    const int m = static_cast<int>(x.size());
    std::vector<int> indegree(m, 0);
    for (int i = 0; i < m; ++i)
        for (const auto& e : x[i])
            if (e.col != i && std::abs(e.value) > tol) ++indegree[e.col];
    std::deque<int> ready;
    for (int i = 0; i < m; ++i)
        if (indegree[i] == 0) ready.push_back(i);
    std::vector<int> order;
    order.reserve(m);
    while (!ready.empty()) {
        const int i = ready.front();
        ready.pop_front();
        order.push_back(i);
        for (const auto& e : x[i])
            if (e.col != i && std::abs(e.value) > tol && --indegree[e.col] == 0) ready.push_back(e.col);
    }
    if (static_cast<int>(order.size()) != m) order.clear();
    return order;
}

// X in the new order (row i = old row order[i]); entries at or below `drop` left out.
ComplexRows permuted(const ComplexRows& x, const std::vector<int>& order, const std::vector<int>& pos, double drop) {
    ComplexRows out(x.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        for (const auto& e : x[order[i]])
            if (std::abs(e.value) > drop || (drop > 0.0 && e.col == order[i])) out[i].push_back({pos[e.col], e.value});
        std::sort(out[i].begin(), out[i].end(), [](const Entry& u, const Entry& v) { return u.col < v.col; });
    }
    return out;
}

// T Y + Y T^dag = C for upper triangular sparse T (rows: column-sorted, diagonal included) and hermitian C,
// overwritten by Y. Column j from the last, rows i >= j from the last:
//   (T_ii + conj T_jj) Y_ij = C_ij - sum_{k>i} T_ik Y_kj - sum_{k>j} conj(T_jk) Y_ik,
// every Y on the right already known (Y_ik with i < k read as conj(Y_ki)). O(M^2 * entries per row).
void solve_sparse_triangular_lyapunov(const ComplexRows& t, Eigen::MatrixXcd& c) {
    const int m = static_cast<int>(t.size());
    std::vector<cd> diag(m, cd(0.0, 0.0));
    for (int i = 0; i < m; ++i)
        for (const auto& e : t[i])
            if (e.col == i) diag[i] = e.value;
    for (int j = m - 1; j >= 0; --j) {
        const cd tjj = std::conj(diag[j]);
        for (int i = m - 1; i >= j; --i) {
            cd s = c(i, j);
            for (const auto& e : t[i])
                if (e.col > i) s -= e.value * c(e.col, j);
            for (const auto& e : t[j]) {
                if (e.col <= j) continue;
                const cd yik = i >= e.col ? c(i, e.col) : std::conj(c(e.col, i));
                s -= std::conj(e.value) * yik;
            }
            c(i, j) = s / (diag[i] + tjj);
        }
    }
    for (int j = 0; j < m; ++j)
        for (int i = 0; i < j; ++i) c(i, j) = std::conj(c(j, i));
}

// Dc_pq: the complex form of D's (p, q) block.
cd complex_entry(const Eigen::MatrixXd& d, int p, int q) {
    return cd(0.5 * (d(2 * p, 2 * q) + d(2 * p + 1, 2 * q + 1)), 0.5 * (d(2 * p + 1, 2 * q) - d(2 * p, 2 * q + 1)));
}

// Calls fn(i, j, R_ij) for every i >= j of R = X Y + Y X^dag + C (Y hermitian, C = P^T Dc P read from D):
// R_ij = (X Y)_ij + conj((X Y)_ji), each an O(entries per row) sum -- no m x m temporary.
template <class F>
void for_each_residual(const ComplexRows& x, const Eigen::MatrixXcd& y, const Eigen::MatrixXd& d,
                       const std::vector<int>& order, F&& fn) {
    const int m = static_cast<int>(y.rows());
    for (int j = 0; j < m; ++j)
        for (int i = j; i < m; ++i) {
            cd xy_ij = 0.0, xy_ji = 0.0;
            for (const auto& e : x[i]) xy_ij += e.value * y(e.col, j);
            for (const auto& e : x[j]) xy_ji += e.value * y(e.col, i);
            fn(i, j, xy_ij + std::conj(xy_ji) + complex_entry(d, order[i], order[j]));
        }
}

// ||R||_F / ||C||_F (R and C hermitian: the strict lower triangle counts twice).
double residual_ratio(const ComplexRows& x, const Eigen::MatrixXcd& y, const Eigen::MatrixXd& d,
                      const std::vector<int>& order) {
    double r2 = 0.0, c2 = 0.0;
    for_each_residual(x, y, d, order, [&](int i, int j, cd r) {
        const double w = i == j ? 1.0 : 2.0;
        r2 += w * std::norm(r);
        c2 += w * std::norm(complex_entry(d, order[i], order[j]));
    });
    return std::sqrt(r2) / std::max(std::sqrt(c2), 1e-300);
}

void require_stable_diagonal(const ComplexRows& t, double amax, cd& rightmost) {
    // A row without a diagonal entry is an eigenvalue 0 (an undamped, unrotated mode).
    rightmost = cd(-std::numeric_limits<double>::infinity(), 0.0);
    for (std::size_t i = 0; i < t.size(); ++i) {
        cd diag = 0.0;
        for (const auto& e : t[i])
            if (e.col == static_cast<int>(i)) diag = e.value;
        if (diag.real() > rightmost.real()) rightmost = diag;
    }
    require_stable(rightmost, amax);
}

// Solve in the permuted complex basis with refinement against the exact X; returns Y (hermitian).
Eigen::MatrixXcd triangular_solve(const ComplexRows& t, const ComplexRows& xexact, const Eigen::MatrixXd& d,
                                  const std::vector<int>& order, int& refinements) {
    const int m = static_cast<int>(order.size());
    Eigen::MatrixXcd y(m, m);
    for (int j = 0; j < m; ++j)
        for (int i = 0; i < m; ++i) y(i, j) = -complex_entry(d, order[i], order[j]);
    solve_sparse_triangular_lyapunov(t, y);
    const double rounding = std::max(1e-14, 0.5 * static_cast<double>(2 * m) * 2.220446049250313e-16);
    double res = residual_ratio(xexact, y, d, order);
    spdlog::debug("triangular Lyapunov: first-pass relative residual {:.2e}", res);
    Eigen::MatrixXcd dy;   // only when a refinement sweep is needed (pattern zeros dropped from T)
    while (res > rounding && refinements < 3) {
        dy.resize(m, m);
        for_each_residual(xexact, y, d, order, [&](int i, int j, cd r) {
            dy(i, j) = -r;
            dy(j, i) = -std::conj(r);
        });
        solve_sparse_triangular_lyapunov(t, dy);
        y += dy;
        ++refinements;
        const double before = res;
        res = residual_ratio(xexact, y, d, order);
        if (res > 0.5 * before) break;
    }
    return y;
}

std::optional<GaussianSteadyState> triangular_steady_state(const GaussianMoments& mom) {
    const auto t0 = std::chrono::steady_clock::now();
    const double amax = max_abs(mom.drift);
    ComplexRows x;
    if (!sparse_complex_form(mom.drift, amax, x) || !phase_covariant(mom.diffusion)) return std::nullopt;
    const std::vector<int> order = triangular_order(x, kPatternTol * amax);
    if (order.empty()) return std::nullopt;
    const int m = static_cast<int>(order.size());
    std::vector<int> pos(m);
    for (int i = 0; i < m; ++i) pos[order[i]] = i;
    const ComplexRows t = permuted(x, order, pos, kPatternTol * amax);
    const ComplexRows xexact = permuted(x, order, pos, 0.0);
    GaussianSteadyState out;
    require_stable_diagonal(t, amax, out.rightmost_eigenvalue);
    out.method = "sparse-triangular: complex drift triangular in mode order (substitution)";
    out.schur_blocks = m;
    out.largest_block = 2;
    out.seconds_schur = seconds_since(t0);

    const auto t1 = std::chrono::steady_clock::now();
    const Eigen::MatrixXd& d = mom.diffusion;
    const Eigen::MatrixXcd y = triangular_solve(t, xexact, d, order, out.refinements);
    Eigen::MatrixXd& sigma = out.state.covariance;
    sigma.resize(2 * m, 2 * m);
    for (int j = 0; j < m; ++j)
        for (int i = 0; i < m; ++i) {
            const int p = order[i], q = order[j];
            const cd z = y(i, j);
            sigma(2 * p, 2 * q) = z.real();
            sigma(2 * p + 1, 2 * q) = z.imag();
            sigma(2 * p, 2 * q + 1) = -z.imag();
            sigma(2 * p + 1, 2 * q + 1) = z.real();
        }
    const Eigen::SparseMatrix<double> as = mom.drift.sparseView();
    out.residual = lean_residual(as, sigma, d);
    solve_means(as, mom.drive, out);
    out.seconds_solve = seconds_since(t1);
    return out;
}

std::optional<GaussianSteadyState> uniform_steady_state(const GaussianMoments& mom) {
    const auto t0 = std::chrono::steady_clock::now();
    double gamma = 0.0, dd = 0.0;
    if (!uniform_damping_and_noise(mom.drift, mom.diffusion, gamma, dd)) return std::nullopt;
    GaussianSteadyState out;
    // Every eigenvalue: 2 Re(lambda) = v^T (A + A^T) v / |v|^2 = -gamma (imaginary part not computed).
    out.rightmost_eigenvalue = cd(-0.5 * gamma, 0.0);
    out.method = "uniform damping and noise: sigma = (d/gamma) I";
    out.schur_blocks = 1;
    out.largest_block = static_cast<int>(mom.drift.rows());
    out.seconds_schur = seconds_since(t0);
    const auto t1 = std::chrono::steady_clock::now();
    const Eigen::Index n = mom.drift.rows();
    out.state.covariance = (dd / gamma) * Eigen::MatrixXd::Identity(n, n);
    const Eigen::SparseMatrix<double> as = mom.drift.sparseView();
    out.residual = lean_residual(as, out.state.covariance, mom.diffusion);
    solve_means(as, mom.drive, out);
    out.seconds_solve = seconds_since(t1);
    return out;
}

}  // namespace

std::optional<GaussianSteadyState> structured_gaussian_steady_state(const GaussianMoments& mom) {
    if (auto u = uniform_steady_state(mom)) return u;
    return triangular_steady_state(mom);
}

}  // namespace qbnet::gaussian
