// Local-Liouvillian preconditioner of the steady-state solver (declared in qbnet/fock/steady.hpp): the
// inverse of the sum of every mode's own Liouvillian, applied mode by mode in its eigenbasis.
#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

#include "qbnet/fock/steady.hpp"
#include "qbnet/numerics/parallel.hpp"
#include "qbnet/numerics/vector_ops.hpp"

namespace qbnet::fock {

using cd = std::complex<double>;

// One function (~110 lines) on purpose: per mode it builds L_j, splits it into its charge blocks and
// diagonalises each block; the three steps share the block bookkeeping (members, order, slots) that
// separate functions would have to pass around in full.
LocalLiouvillianPreconditioner::LocalLiouvillianPreconditioner(const Liouvillian& liouvillian, double null_value,
                                                               int threads)
    : dim_(liouvillian.dim()), threads_(numerics::resolve_threads(threads)), null_value_(null_value) {
    const FockBasis& basis = liouvillian.basis();
    const int nm = basis.n_modes();
    const Eigen::MatrixXcd& g = liouvillian.kossakowski();
    const cd I(0.0, 1.0);
    double scale = 0.0;
    for (int j = 0; j < nm; ++j) {
        ModeFactor f;
        const int c = basis.cutoffs()[j];
        f.cutoff = c;
        f.stride = basis.stride(j);
        const Eigen::MatrixXcd& h = liouvillian.local_h_eff(j, false);
        Eigen::MatrixXcd a = Eigen::MatrixXcd::Zero(c, c);
        for (int n = 1; n < c; ++n) a(n - 1, n) = std::sqrt(static_cast<double>(n));
        const Eigen::MatrixXcd ops[2] = {a, a.adjoint()};
        const int idx[2] = {j, nm + j};
        const Eigen::MatrixXcd id = Eigen::MatrixXcd::Identity(c, c);
        // Row-major vec: vec(A X B) = (A (x) B^T) vec(X).
        auto kron = [c](const Eigen::MatrixXcd& x, const Eigen::MatrixXcd& y) {
            Eigen::MatrixXcd k(c * c, c * c);
            for (int p = 0; p < c; ++p)
                for (int q = 0; q < c; ++q) k.block(p * c, q * c, c, c) = x(p, q) * y;
            return k;
        };
        Eigen::MatrixXcd lj = -I * (kron(h, id) - kron(id, h.conjugate()));
        for (int x = 0; x < 2; ++x)
            for (int y = 0; y < 2; ++y)
                if (g(idx[x], idx[y]) != 0.0) lj += g(idx[x], idx[y]) * kron(ops[x], ops[y].conjugate());
        scale = std::max(scale, lj.cwiseAbs().maxCoeff());
        // Blocks: connected components of lj's pattern (the charge m_j - n_j without squeezing).
        const int n2 = c * c;
        std::vector<int> comp(static_cast<std::size_t>(n2), -1);
        int ncomp = 0;
        for (int s0 = 0; s0 < n2; ++s0) {
            if (comp[s0] >= 0) continue;
            std::vector<int> stack{s0};
            comp[s0] = ncomp;
            while (!stack.empty()) {
                const int p = stack.back();
                stack.pop_back();
                for (int q = 0; q < n2; ++q)
                    if (comp[q] < 0 && (lj(p, q) != 0.0 || lj(q, p) != 0.0)) {
                        comp[q] = ncomp;
                        stack.push_back(q);
                    }
            }
            ++ncomp;
        }
        f.mu = Eigen::VectorXcd::Zero(n2);
        for (int k = 0; k < ncomp; ++k) {
            std::vector<int> members;
            for (int p = 0; p < n2; ++p)
                if (comp[p] == k) members.push_back(p);
            const int b = static_cast<int>(members.size());
            Eigen::MatrixXcd blk(b, b);
            for (int p = 0; p < b; ++p)
                for (int q = 0; q < b; ++q) blk(p, q) = lj(members[p], members[q]);
            // A block i*alpha*I + R with R real and real spectrum (no Kerr, no squeezing, real G: the
            // detuning only adds -i*omega*(m_j - n_j), constant on a charge block) has REAL eigenvectors:
            // the transform then runs as a real GEMM on the complex data, a quarter of the flops.
            const double alpha = blk.diagonal().imag().mean();
            Eigen::MatrixXcd shifted = blk;
            shifted.diagonal().array() -= cd(0.0, alpha);
            const double bscale = std::max(blk.cwiseAbs().maxCoeff(), 1e-300);
            Eigen::MatrixXcd v;
            Eigen::VectorXcd mu_blk;
            bool real = false;
            if (shifted.imag().cwiseAbs().maxCoeff() <= 1e-14 * bscale) {
                Eigen::EigenSolver<Eigen::MatrixXd> eig(shifted.real());
                if (eig.info() == Eigen::Success && eig.eigenvalues().imag().cwiseAbs().maxCoeff() == 0.0) {
                    v = eig.eigenvectors().real().cast<cd>();
                    mu_blk = eig.eigenvalues().real().cast<cd>().array() + cd(0.0, alpha);
                    real = true;
                }
            }
            if (!real) {
                Eigen::ComplexEigenSolver<Eigen::MatrixXcd> eig(blk);
                v = eig.eigenvectors();
                mu_blk = eig.eigenvalues();
            }
            const Eigen::MatrixXcd vinv = v.inverse();
            condition_ = std::max(condition_, v.cwiseAbs().colwise().sum().maxCoeff() *
                                                  vinv.cwiseAbs().colwise().sum().maxCoeff());
            f.blocks.push_back({static_cast<int>(f.order.size()), b});
            for (int p = 0; p < b; ++p) {
                f.order.push_back(members[p]);
                f.mu[members[p]] = mu_blk[p];   // eigenvector p stored in slot members[p]
            }
            f.w.push_back(v);
            f.w_inv.push_back(vinv);
            f.real.push_back(real ? 1 : 0);
            if (real) {
                f.w_real.push_back(v.real());
                f.w_inv_real.push_back(vinv.real());
            } else {
                f.w_real.emplace_back();
                f.w_inv_real.emplace_back();
            }
        }
        spdlog::debug("local preconditioner: mode {} has {} blocks, {} with real eigenvectors", j, f.blocks.size(),
                      std::count(f.real.begin(), f.real.end(), 1));
        modes_.push_back(std::move(f));
    }
    null_tol_ = 1e-10 * std::max(scale, 1e-300);
}

// Digits of every index per mode (the summed eigenvalue of an entry is looked up from its digits).
struct LocalLiouvillianPreconditioner::DigitTables {
    std::vector<std::vector<int>> digit;   // digit[j][m]
    cd mu(const std::vector<ModeFactor>& modes, long m, long n) const {
        cd sum = 0.0;
        for (std::size_t j = 0; j < modes.size(); ++j) {
            const ModeFactor& f = modes[j];
            sum += f.mu[digit[j][static_cast<std::size_t>(m)] * f.cutoff + digit[j][static_cast<std::size_t>(n)]];
        }
        return sum;
    }
};

void LocalLiouvillianPreconditioner::scale_entry(cd& x, cd mu) const {
    // null direction of L_loc (product of local steady states): A(sigma) = Gamma I/D -> factor 1/Gamma
    // (null_value). x / mu as x conj(mu) / |mu|^2: no libgcc complex division, no hypot.
    const double n2 = std::norm(mu);
    if (n2 > null_tol_ * null_tol_)
        x *= std::conj(mu) / n2;
    else if (null_value_ != 1.0)
        x *= null_value_;
}

void LocalLiouvillianPreconditioner::transform(cd* x, const ModeFactor& f, Pass pass, const DigitTables* digits) const {
    // For a fixed row group (all digits of m but m_j) the c rows m_j = 0..c-1 hold, for every column
    // digit n_j, a vector over the other column digits (length D/c). Gather those c^2 vectors into a
    // buffer (rows in block order), multiply each block, scatter back: in place, no D x D scratch. The
    // fused pass (the last mode) divides by the summed eigenvalues between W^{-1} and W while the group
    // is in cache: two passes over x fewer than separate transforms and scaling.
    using RowMat = Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const long d = dim_, c = f.cutoff, s = f.stride;
    const long len = d / c;                 // other column digits
    const long groups = d / c;              // other row digits
    const long hi_n = d / (c * s);
    const int nt = numerics::vector_threads(2 * d * d, threads_);
    const auto multiply = [&f](bool inverse, RowMat& in, RowMat& out) {
        for (std::size_t k = 0; k < f.blocks.size(); ++k) {
            const auto [start, b] = f.blocks[k];
            if (f.real[k]) {   // real W on complex rows = real W on the interleaved (re, im) doubles
                using RealRows = Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
                RealRows bin(reinterpret_cast<double*>(in.data()), in.rows(), 2 * in.cols());
                RealRows bout(reinterpret_cast<double*>(out.data()), out.rows(), 2 * out.cols());
                bout.middleRows(start, b).noalias() = (inverse ? f.w_inv_real[k] : f.w_real[k]) * bin.middleRows(start, b);
            } else {
                out.middleRows(start, b).noalias() = (inverse ? f.w_inv[k] : f.w[k]) * in.middleRows(start, b);
            }
        }
    };
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        RowMat buf(c * c, len), out(c * c, len);
        std::vector<int> pos(static_cast<std::size_t>(c * c));
        for (std::size_t r = 0; r < f.order.size(); ++r) pos[static_cast<std::size_t>(f.order[r])] = static_cast<int>(r);
#pragma omp for schedule(static)
        for (long gi = 0; gi < groups; ++gi) {
            const long row0 = (gi / s) * c * s + gi % s;    // m with m_j = 0
            for (long mj = 0; mj < c; ++mj) {
                const cd* row = x + (row0 + mj * s) * d;
                for (long nj = 0; nj < c; ++nj) {
                    cd* dst = buf.row(pos[static_cast<std::size_t>(mj * c + nj)]).data();
                    if (s == 1)   // last mode: a strided gather (no call per element)
                        for (long h = 0; h < hi_n; ++h) dst[h] = row[h * c + nj];
                    else
                        for (long h = 0; h < hi_n; ++h)
                            for (long t = 0; t < s; ++t) dst[h * s + t] = row[(h * c + nj) * s + t];
                }
            }
            multiply(pass != Pass::forward, buf, out);
            RowMat* result = &out;
            if (pass == Pass::inverse_scale_forward) {
                for (long mj = 0; mj < c; ++mj) {
                    const long m = row0 + mj * s;
                    for (long nj = 0; nj < c; ++nj) {
                        cd* e = out.row(pos[static_cast<std::size_t>(mj * c + nj)]).data();
                        for (long h = 0; h < hi_n; ++h)
                            for (long t = 0; t < s; ++t) {
                                const long n = (h * c + nj) * s + t;
                                scale_entry(e[h * s + t], digits->mu(modes_, m, n));
                            }
                    }
                }
                multiply(false, out, buf);
                result = &buf;
            }
            for (long mj = 0; mj < c; ++mj) {
                cd* row = x + (row0 + mj * s) * d;
                for (long nj = 0; nj < c; ++nj) {
                    const cd* src = result->row(pos[static_cast<std::size_t>(mj * c + nj)]).data();
                    if (s == 1)
                        for (long h = 0; h < hi_n; ++h) row[h * c + nj] = src[h];
                    else
                        for (long h = 0; h < hi_n; ++h)
                            for (long t = 0; t < s; ++t) row[(h * c + nj) * s + t] = src[h * s + t];
                }
            }
        }
    }
}

void LocalLiouvillianPreconditioner::apply(const cd* r, cd* x, cd* /*work*/) const {
    const long d = dim_;
    if (r != x) std::copy(r, r + d * d, x);   // in place (r == x) allowed
    const int nm = static_cast<int>(modes_.size());
    DigitTables digits;
    digits.digit.assign(static_cast<std::size_t>(nm), std::vector<int>(static_cast<std::size_t>(d)));
    for (int j = 0; j < nm; ++j)
        for (long m = 0; m < d; ++m)
            digits.digit[j][m] = static_cast<int>((m / modes_[j].stride) % modes_[j].cutoff);
    // W^{-1} mode by mode, the division by the summed eigenvalues fused into mode 0's pass (its gathers
    // are the most contiguous: runs of D / c_0 entries), then W mode by mode.
    for (int j = nm - 1; j >= 1; --j) transform(x, modes_[j], Pass::inverse);
    if (nm > 0) transform(x, modes_[0], Pass::inverse_scale_forward, &digits);
    for (int j = 1; j < nm; ++j) transform(x, modes_[j], Pass::forward);
    numerics::hermitize(x, d, threads_);
}

}  // namespace qbnet::fock
