#include "qbnet/gaussian/schur.hpp"

#include "qbnet/gaussian/complex_form.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include <Eigen/Eigenvalues>
#include <Eigen/SparseCore>

namespace qbnet::gaussian {

using cd = std::complex<double>;

namespace {

// Coupling entries below this fraction of max|A| are treated as structural zeros when looking for the
// block structure (e.g. J cos(pi/2) ~ 1e-17 J on a nonreciprocal link). Dropping them perturbs A by
// at most 1e-14 relative; the Lyapunov solver's iterative refinement removes the effect (it uses the
// exact A in its residual).
constexpr double kPatternTol = 1e-14;

// Realification of a complex matrix: each entry z -> [[Re z, -Im z], [Im z, Re z]] (a = (x + i p)/sqrt2).
Eigen::MatrixXd realify(const Eigen::MatrixXcd& z) {
    Eigen::MatrixXd r(2 * z.rows(), 2 * z.cols());
    for (Eigen::Index k = 0; k < z.cols(); ++k)
        for (Eigen::Index j = 0; j < z.rows(); ++j) {
            r(2 * j, 2 * k) = z(j, k).real();
            r(2 * j, 2 * k + 1) = -z(j, k).imag();
            r(2 * j + 1, 2 * k) = z(j, k).imag();
            r(2 * j + 1, 2 * k + 1) = z(j, k).real();
        }
    return r;
}

// Complex Schur factor of one diagonal block X_b = Q T Q^*. A normal block (X X^* = X^* X) is
// diagonalised through the hermitian matrix H1 + phi H2 (X = H1 + i H2, H1 and H2 commute): its
// eigenvectors diagonalise X as long as no two eigenvalues of X collapse onto one of H1 + phi H2 with
// different X-values (phi irrational makes that non-generic); the result is verified and the block
// falls back to ComplexSchur otherwise.
void complex_block_schur(const Eigen::MatrixXcd& x, Eigen::MatrixXcd& q, Eigen::MatrixXcd& t, std::string& kind) {
    const double scale = std::max(x.norm(), 1e-300);
    // Normality gate on one pseudo-random vector (O(n^2)); the factor is verified below anyway.
    // The generator is local to the call and seeded with a constant: no shared state (std::rand behind
    // Eigen's Random() is not thread-safe and is called from parallel sweeps), and the same vector,
    // hence the same result, in every thread and every run.
    Eigen::VectorXcd v(x.rows());
    {
        std::mt19937_64 gen(0x9e3779b97f4a7c15ULL);
        std::uniform_real_distribution<double> uniform(-1.0, 1.0);
        for (Eigen::Index i = 0; i < v.size(); ++i) {
            const double re = uniform(gen);
            v(i) = cd(re, uniform(gen));
        }
    }
    const Eigen::VectorXcd comm = x * (x.adjoint() * v) - x.adjoint() * (x * v);
    if (comm.norm() <= 1e-13 * scale * scale * v.norm()) {
        const Eigen::MatrixXcd h1 = 0.5 * (x + x.adjoint());
        const Eigen::MatrixXcd h2 = cd(0.0, -0.5) * (x - x.adjoint());
        const double phi = 0.6180339887498949;
        const Eigen::MatrixXcd k = h1 + phi * h2;
        if (k.imag().cwiseAbs().maxCoeff() == 0.0) {
            // Real symmetric K (reciprocal links with real hopping): the real solver is ~4x cheaper.
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(k.real());
            q = eig.eigenvectors().cast<cd>();
        } else {
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(k);
            q = eig.eigenvectors();
        }
        // A normal matrix has a DIAGONAL Schur form T = diag(q_k^* X q_k). Network drift blocks are
        // sparse (a few entries per row), so X Q is a sparse product, O(nnz n), and the check
        // ||Q^* X Q - T||_F = ||X Q - Q T||_F needs no dense n^3 product (RC N = 1000: ~0.6 s saved).
        const Eigen::SparseMatrix<cd> xs = x.sparseView();
        const Eigen::MatrixXcd xq = xs * q;
        const Eigen::VectorXcd diag = (q.conjugate().cwiseProduct(xq)).colwise().sum().transpose();
        const double off = (xq - q * diag.asDiagonal()).norm();
        if (off <= 1e-12 * scale) {
            // Keep exactly the diagonal form (the rounding left off it, <= 1e-12 relative, is within the
            // Lyapunov solver's refinement against the exact A), so the triangular solvers skip every
            // zero coupling block.
            t = Eigen::MatrixXcd(diag.asDiagonal());
            kind = "normal";
            return;
        }
    }
    Eigen::ComplexSchur<Eigen::MatrixXcd> schur(x);
    q = schur.matrixU();
    t = schur.matrixT();
    kind = "complex-schur";
}

}  // namespace

std::vector<std::vector<int>> upper_block_triangular_components(const Eigen::MatrixXd& m, double threshold) {
    const int n = static_cast<int>(m.rows());
    std::vector<std::vector<int>> adj(n);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
            if (i != j && std::abs(m(i, j)) > threshold) adj[i].push_back(j);
    // Tarjan (iterative). Components come out sinks first: a component is emitted after every
    // component it depends on (i -> j: d x_i/dt involves x_j). Reversed, all edges point forward:
    // the permuted matrix is block upper triangular.
    std::vector<int> index(n, -1), low(n, 0), stack;
    std::vector<char> on_stack(n, 0);
    std::vector<std::vector<int>> comps;
    int counter = 0;
    std::vector<std::pair<int, std::size_t>> call;
    for (int root = 0; root < n; ++root) {
        if (index[root] >= 0) continue;
        call.emplace_back(root, 0);
        index[root] = low[root] = counter++;
        stack.push_back(root);
        on_stack[root] = 1;
        while (!call.empty()) {
            auto& [v, next] = call.back();
            if (next < adj[v].size()) {
                const int w = adj[v][next++];
                if (index[w] < 0) {
                    index[w] = low[w] = counter++;
                    stack.push_back(w);
                    on_stack[w] = 1;
                    call.emplace_back(w, 0);
                } else if (on_stack[w]) {
                    low[v] = std::min(low[v], index[w]);
                }
            } else {
                const int vv = v;
                if (low[vv] == index[vv]) {
                    std::vector<int> comp;
                    int w;
                    do {
                        w = stack.back();
                        stack.pop_back();
                        on_stack[w] = 0;
                        comp.push_back(w);
                    } while (w != vv);
                    std::sort(comp.begin(), comp.end());
                    comps.push_back(std::move(comp));
                }
                call.pop_back();
                if (!call.empty()) low[call.back().first] = std::min(low[call.back().first], low[vv]);
            }
        }
    }
    std::reverse(comps.begin(), comps.end());
    return comps;
}

StructuredSchur::StructuredSchur(const Eigen::MatrixXd& a) {
    if (!factor_phase_covariant(a)) factor_real(a);
    // Eigenvalues from the diagonal blocks of T.
    const Eigen::Index n = t_.rows();
    eigenvalues_.clear();
    for (Eigen::Index k = 0; k < n;) {
        if (k + 1 < n && t_(k + 1, k) != 0.0) {
            const double p = 0.5 * (t_(k, k) + t_(k + 1, k + 1));
            const double dq = 0.5 * (t_(k, k) - t_(k + 1, k + 1));
            const cd disc = std::sqrt(cd(dq * dq + t_(k, k + 1) * t_(k + 1, k), 0.0));
            eigenvalues_.push_back(p + disc);
            eigenvalues_.push_back(p - disc);
            k += 2;
        } else {
            eigenvalues_.emplace_back(t_(k, k), 0.0);
            k += 1;
        }
    }
}

bool StructuredSchur::factor_phase_covariant(const Eigen::MatrixXd& a) {
    const int n = static_cast<int>(a.rows());
    Eigen::MatrixXcd x;
    if (!complex_form(a, x)) return false;
    const int m = n / 2;
    const double amax = a.cwiseAbs().maxCoeff();
    // Block structure of X (as a real matrix of |X_jk| for the component search).
    const auto comps = upper_block_triangular_components(x.cwiseAbs(), kPatternTol * amax);
    std::vector<int> mode_perm;
    for (const auto& c : comps) mode_perm.insert(mode_perm.end(), c.begin(), c.end());
    Eigen::MatrixXcd xp(m, m);
    for (int k = 0; k < m; ++k)
        for (int j = 0; j < m; ++j) xp(j, k) = x(mode_perm[j], mode_perm[k]);

    std::set<std::string> kinds;
    int offset = 0;
    perm_.resize(n);
    for (int i = 0; i < m; ++i) {
        perm_[2 * i] = 2 * mode_perm[i];
        perm_[2 * i + 1] = 2 * mode_perm[i] + 1;
    }
    blocks_.clear();
    for (const auto& c : comps) {
        const int s = static_cast<int>(c.size());
        Block blk;
        blk.offset = 2 * offset;
        blk.size = 2 * s;
        if (s == 1) {
            kinds.insert("1x1");
        } else {
            Eigen::MatrixXcd q, tb;
            std::string kind;
            complex_block_schur(xp.block(offset, offset, s, s), q, tb, kind);
            kinds.insert(kind);
            // Rotate the block row and column of the permuted X: Q^* X_p Q restricted to this block.
            // (left of the block and below it X_p is zero: block upper triangular).
            const int right = m - offset - s;
            xp.block(offset, offset + s, s, right) = (q.adjoint() * xp.block(offset, offset + s, s, right)).eval();
            xp.block(0, offset, offset, s) = (xp.block(0, offset, offset, s) * q).eval();
            xp.block(offset, offset, s, s) = tb;
            if (q.imag().cwiseAbs().maxCoeff() == 0.0) {
                blk.q = q.real();
                blk.pairwise = true;
            } else {
                blk.q = realify(q);
            }
        }
        blocks_.push_back(std::move(blk));
        offset += s;
    }
    xp.triangularView<Eigen::StrictlyLower>().setZero();   // dropped pattern zeros and rounding
    t_ = realify(xp);
    method_ = "complex-form:";
    for (const auto& k : kinds) method_ += " " + k;
    return true;
}

void StructuredSchur::factor_real(const Eigen::MatrixXd& a) {
    const int n = static_cast<int>(a.rows());
    const double amax = a.cwiseAbs().maxCoeff();
    const auto comps = upper_block_triangular_components(a, kPatternTol * amax);
    perm_.clear();
    for (const auto& c : comps) perm_.insert(perm_.end(), c.begin(), c.end());
    t_.resize(n, n);
    for (int k = 0; k < n; ++k)
        for (int j = 0; j < n; ++j) t_(j, k) = a(perm_[j], perm_[k]);
    std::set<std::string> kinds;
    blocks_.clear();
    int offset = 0;
    for (const auto& c : comps) {
        const int s = static_cast<int>(c.size());
        Block blk;
        blk.offset = offset;
        blk.size = s;
        if (s <= 2) {
            // A 1x1 or raw 2x2 diagonal block is already a valid quasi-triangular block for the solver.
            kinds.insert(s == 1 ? "1x1" : "2x2");
        } else {
            Eigen::RealSchur<Eigen::MatrixXd> schur(t_.block(offset, offset, s, s));
            blk.q = schur.matrixU();
            const int right = n - offset - s;
            t_.block(offset, offset + s, s, right) = (blk.q.transpose() * t_.block(offset, offset + s, s, right)).eval();
            t_.block(0, offset, offset, s) = (t_.block(0, offset, offset, s) * blk.q).eval();
            t_.block(offset, offset, s, s) = schur.matrixT();
            kinds.insert("real-schur");
        }
        // Zero everything left of the diagonal block (structural zeros of the permuted A).
        t_.block(offset, 0, s, offset).setZero();
        blocks_.push_back(std::move(blk));
        offset += s;
    }
    method_ = "real-form:";
    for (const auto& k : kinds) method_ += " " + k;
}

std::complex<double> StructuredSchur::rightmost_eigenvalue() const {
    return *std::max_element(eigenvalues_.begin(), eigenvalues_.end(),
                             [](const cd& x, const cd& y) { return x.real() < y.real(); });
}

int StructuredSchur::largest_block() const {
    int s = 0;
    for (const auto& b : blocks_) s = std::max(s, b.size);
    return s;
}

void StructuredSchur::apply_q_rows(Eigen::MatrixXd& m, bool transpose) const {
    for (const auto& b : blocks_) {
        if (b.q.size() == 0) continue;
        if (b.pairwise) {
            // The x rows (offset, offset+2, ...) and the p rows separately: row stride 2.
            using Strided = Eigen::Map<Eigen::MatrixXd, 0, Eigen::Stride<Eigen::Dynamic, 2>>;
            const Eigen::Index half = b.size / 2;
            for (int parity = 0; parity < 2; ++parity) {
                Strided rows(m.data() + b.offset + parity, half, m.cols(), Eigen::Stride<Eigen::Dynamic, 2>(m.outerStride(), 2));
                Eigen::MatrixXd out(half, m.cols());
                if (transpose)
                    out.noalias() = b.q.transpose() * rows;
                else
                    out.noalias() = b.q * rows;
                rows = out;
            }
            continue;
        }
        Eigen::MatrixXd rows(b.size, m.cols());
        if (transpose)
            rows.noalias() = b.q.transpose() * m.middleRows(b.offset, b.size);
        else
            rows.noalias() = b.q * m.middleRows(b.offset, b.size);
        m.middleRows(b.offset, b.size) = rows;
    }
}

Eigen::MatrixXd StructuredSchur::to_schur_basis(const Eigen::MatrixXd& m) const {
    const Eigen::Index n = m.rows();
    // A diagonal M (thermal baths without link reservoirs: the usual diffusion matrix) gives
    // Q^T M Q = blockdiag(q_b^T diag q_b): one product per block and parity instead of four dense
    // n x n products (RC N = 1000: 16 n^3/8 -> 4 n^3/8 flops).
    if ((m.array() != 0.0).count() <= n && (m - Eigen::MatrixXd(m.diagonal().asDiagonal())).isZero(0.0)) {
        Eigen::MatrixXd out = Eigen::MatrixXd::Zero(n, n);
        Eigen::VectorXd d(n);
        for (Eigen::Index j = 0; j < n; ++j) d(j) = m(perm_[j], perm_[j]);
        for (const auto& b : blocks_) {
            if (b.q.size() == 0) {
                for (int j = b.offset; j < b.offset + b.size; ++j) out(j, j) = d(j);
            } else if (b.pairwise) {
                const Eigen::Index half = b.size / 2;
                for (int parity = 0; parity < 2; ++parity) {
                    Eigen::VectorXd dp(half);
                    for (Eigen::Index k = 0; k < half; ++k) dp(k) = d(b.offset + 2 * k + parity);
                    const Eigen::MatrixXd sub = b.q.transpose() * dp.asDiagonal() * b.q;
                    for (Eigen::Index c = 0; c < half; ++c)
                        for (Eigen::Index r = 0; r < half; ++r) out(b.offset + 2 * r + parity, b.offset + 2 * c + parity) = sub(r, c);
                }
            } else {
                out.block(b.offset, b.offset, b.size, b.size) =
                    b.q.transpose() * d.segment(b.offset, b.size).asDiagonal() * b.q;
            }
        }
        return out;
    }
    Eigen::MatrixXd mp(n, n);
    for (Eigen::Index k = 0; k < n; ++k)
        for (Eigen::Index j = 0; j < n; ++j) mp(j, k) = m(perm_[j], perm_[k]);
    apply_q_rows(mp, true);                     // Q^T M_p
    Eigen::MatrixXd tr = mp.transpose();
    apply_q_rows(tr, true);                     // (Q^T M_p Q)^T
    return tr.transpose();
}

Eigen::MatrixXd StructuredSchur::from_schur_basis(const Eigen::MatrixXd& y) const {
    const Eigen::Index n = y.rows();
    Eigen::MatrixXd z = y;
    apply_q_rows(z, false);                     // Q Y
    Eigen::MatrixXd tr = z.transpose();
    apply_q_rows(tr, false);                    // (Q Y Q^T)^T
    Eigen::MatrixXd out(n, n);
    for (Eigen::Index k = 0; k < n; ++k)
        for (Eigen::Index j = 0; j < n; ++j) out(perm_[j], perm_[k]) = tr(k, j);
    return out;
}

Eigen::VectorXd StructuredSchur::to_schur_basis(const Eigen::VectorXd& v) const {
    Eigen::MatrixXd vp(v.size(), 1);
    for (Eigen::Index j = 0; j < v.size(); ++j) vp(j, 0) = v(perm_[j]);
    apply_q_rows(vp, true);
    return vp.col(0);
}

Eigen::VectorXd StructuredSchur::from_schur_basis(const Eigen::VectorXd& v) const {
    Eigen::MatrixXd z = v;
    apply_q_rows(z, false);
    Eigen::VectorXd out(v.size());
    for (Eigen::Index j = 0; j < v.size(); ++j) out(perm_[j]) = z(j, 0);
    return out;
}

}  // namespace qbnet::gaussian
