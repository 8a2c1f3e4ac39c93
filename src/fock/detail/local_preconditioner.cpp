// Local-Liouvillian preconditioner of the steady-state solver (declared in qbnet/fock/steady.hpp): the
// inverse of the sum of every mode's own Liouvillian, applied mode by mode in its eigenbasis.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include <spdlog/spdlog.h>

#include "qbnet/fock/steady.hpp"
#include "qbnet/numerics/hermitian_packing.hpp"
#include "qbnet/numerics/parallel.hpp"
#include "qbnet/numerics/vector_ops.hpp"

namespace qbnet::fock {

using cd = std::complex<double>;

// One function (~110 lines) on purpose: per mode it builds L_j, splits it into its charge blocks and
// diagonalises each block; the three steps share the block bookkeeping (members, order, slots) that
// separate functions would have to pass around in full.
LocalLiouvillianPreconditioner::LocalLiouvillianPreconditioner(const Liouvillian& liouvillian, double null_value,
                                                               int threads, bool allow_single)
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
            f.w_f.push_back(v.cast<std::complex<float>>());
            f.w_inv_f.push_back(vinv.cast<std::complex<float>>());
            if (real) {
                f.w_real.push_back(v.real());
                f.w_inv_real.push_back(vinv.real());
            } else {
                f.w_real.emplace_back();
                f.w_inv_real.emplace_back();
            }
            f.w_real_f.push_back(f.w_real.back().cast<float>());
            f.w_inv_real_f.push_back(f.w_inv_real.back().cast<float>());
        }
        spdlog::debug("local preconditioner: mode {} has {} blocks, {} with real eigenvectors", j, f.blocks.size(),
                      std::count(f.real.begin(), f.real.end(), 1));
        modes_.push_back(std::move(f));
    }
    null_tol_ = 1e-10 * std::max(scale, 1e-300);
    single_ = allow_single && nm > 0 && condition_ <= kSingleMaxCondition;
    spdlog::debug("local preconditioner: eigenvector condition {:.3g}: {} precision passes", condition_,
                  single_ ? "single" : "double");
}

// Digits of every index per mode (the summed eigenvalue of an entry is looked up from its digits).
struct LocalLiouvillianPreconditioner::DigitTables {
    std::vector<std::vector<int>> digit;   // digit[j][m]
    // sum over the modes j != skip of mu_j(m_j, n_j)
    cd mu_except(const std::vector<ModeFactor>& modes, std::size_t skip, long m, long n) const {
        cd sum = 0.0;
        for (std::size_t j = 0; j < modes.size(); ++j) {
            if (j == skip) continue;
            const ModeFactor& f = modes[j];
            sum += f.mu[digit[j][static_cast<std::size_t>(m)] * f.cutoff + digit[j][static_cast<std::size_t>(n)]];
        }
        return sum;
    }
};

namespace {

// The block factors of a mode in precision T: complex W (or W^{-1}), or its real form.
template <class T, class F>
const auto& block_factor(const F& f, std::size_t k, bool inverse) {
    if constexpr (std::is_same_v<T, float>)
        return inverse ? f.w_inv_f[k] : f.w_f[k];
    else
        return inverse ? f.w_inv[k] : f.w[k];
}
template <class T, class F>
const auto& real_block_factor(const F& f, std::size_t k, bool inverse) {
    if constexpr (std::is_same_v<T, float>)
        return inverse ? f.w_inv_real_f[k] : f.w_real_f[k];
    else
        return inverse ? f.w_inv_real[k] : f.w_real[k];
}

// n complex values from src to dst, converted between precisions where they differ: as a plain copy
// (one move per value, a block copy for long runs) or element-wise conversion of the real parts.
template <class In, class Out>
inline void copy_run(const In* src, Out* dst, long n) {
    if constexpr (std::is_same_v<In, Out>) {
        if (n == 1)
            std::memcpy(static_cast<void*>(dst), src, sizeof(In));
        else
            std::memcpy(static_cast<void*>(dst), src, static_cast<std::size_t>(n) * sizeof(In));
    } else {
        using I = typename In::value_type;
        using O = typename Out::value_type;
        const I* s = reinterpret_cast<const I*>(src);
        O* d = reinterpret_cast<O*>(dst);
        for (long i = 0; i < 2 * n; ++i) d[i] = static_cast<O>(s[i]);
    }
}

}  // namespace

template <class T, class In, class Out>
void LocalLiouvillianPreconditioner::transform(const In* in, Out* out, const ModeFactor& f, Pass pass,
                                               const DigitTables* digits) const {
    // For a fixed row group (all digits of m but m_j) the c rows m_j = 0..c-1 hold, for every column
    // digit n_j, a vector over the other column digits (length D/c). Gather those c^2 vectors into a
    // buffer (rows in block order), multiply each block, scatter back. Every source row is read once in
    // order and every destination row written once in order (the c^2 buffer rows are the strided side;
    // they stay in cache). The whole group is read before any of it is written, so in == out is allowed.
    // The fused pass (mode 0, the last transformed) divides by the summed eigenvalues between W^{-1} and W
    // while the group is in cache.
    using ct = std::complex<T>;
    using RowMat = Eigen::Matrix<ct, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using RealRows = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    const long d = dim_, c = f.cutoff, s = f.stride;
    const long len = d / c;                 // other column digits
    const long groups = d / c;              // other row digits
    const long hi_n = d / (c * s);
    const int nt = numerics::vector_threads(2 * d * d, threads_);
    const auto multiply = [&f](bool inverse, RowMat& src, RowMat& dst) {
        for (std::size_t k = 0; k < f.blocks.size(); ++k) {
            const auto [start, b] = f.blocks[k];
            if (f.real[k]) {   // real W on complex rows = real W on the interleaved (re, im) values
                RealRows bin(reinterpret_cast<T*>(src.data()), src.rows(), 2 * src.cols());
                RealRows bout(reinterpret_cast<T*>(dst.data()), dst.rows(), 2 * dst.cols());
                bout.middleRows(start, b).noalias() = real_block_factor<T>(f, k, inverse) * bin.middleRows(start, b);
            } else {
                dst.middleRows(start, b).noalias() = block_factor<T>(f, k, inverse) * src.middleRows(start, b);
            }
        }
    };
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        RowMat buf(c * c, len), res(c * c, len);
        std::vector<int> pos(static_cast<std::size_t>(c * c));
        for (std::size_t r = 0; r < f.order.size(); ++r) pos[static_cast<std::size_t>(f.order[r])] = static_cast<int>(r);
        std::vector<ct*> lanes(static_cast<std::size_t>(c));
        std::vector<double> rest_re, rest_im;   // fused pass: the other modes' summed eigenvalues per column
        if (pass == Pass::inverse_scale_forward) {
            rest_re.resize(static_cast<std::size_t>(len));
            rest_im.resize(static_cast<std::size_t>(len));
        }
        const double thr2 = null_tol_ * null_tol_;
#pragma omp for schedule(static)
        for (long gi = 0; gi < groups; ++gi) {
            const long row0 = (gi / s) * c * s + gi % s;    // m with m_j = 0
            for (long mj = 0; mj < c; ++mj) {
                const In* row = in + (row0 + mj * s) * d;
                for (long nj = 0; nj < c; ++nj) lanes[nj] = buf.row(pos[static_cast<std::size_t>(mj * c + nj)]).data();
                for (long h = 0; h < hi_n; ++h)
                    for (long nj = 0; nj < c; ++nj) copy_run(row + (h * c + nj) * s, lanes[nj] + h * s, s);
            }
            multiply(pass != Pass::forward, buf, res);
            RowMat* result = &res;
            if (pass == Pass::inverse_scale_forward) {
                // x[m, n] *= 1 / sum_j mu_j(m_j, n_j): the other modes' part depends on the column only
                // (row digits fixed by the group); the null direction of L_loc gets null_value_.
                for (long h = 0; h < hi_n; ++h)
                    for (long t = 0; t < s; ++t) {
                        const cd r = digits->mu_except(modes_, 0, row0, h * c * s + t);
                        rest_re[static_cast<std::size_t>(h * s + t)] = r.real();
                        rest_im[static_cast<std::size_t>(h * s + t)] = r.imag();
                    }
                for (long mj = 0; mj < c; ++mj)
                    for (long nj = 0; nj < c; ++nj) {
                        const cd mu0 = f.mu[mj * c + nj];
                        ct* e = res.row(pos[static_cast<std::size_t>(mj * c + nj)]).data();
                        for (long i = 0; i < len; ++i) {
                            const double mr = mu0.real() + rest_re[static_cast<std::size_t>(i)];
                            const double mi = mu0.imag() + rest_im[static_cast<std::size_t>(i)];
                            const double n2 = mr * mr + mi * mi;
                            // x / mu as x conj(mu) / |mu|^2: no libgcc complex division
                            const bool null = n2 <= thr2;
                            const double fr = null ? null_value_ : mr / n2, fi = null ? 0.0 : -mi / n2;
                            const T xr = e[i].real(), xi = e[i].imag();
                            e[i] = ct(static_cast<T>(xr * fr - xi * fi), static_cast<T>(xr * fi + xi * fr));
                        }
                    }
                multiply(false, res, buf);
                result = &buf;
            }
            for (long mj = 0; mj < c; ++mj) {
                Out* row = out + (row0 + mj * s) * d;
                for (long nj = 0; nj < c; ++nj) lanes[nj] = result->row(pos[static_cast<std::size_t>(mj * c + nj)]).data();
                for (long h = 0; h < hi_n; ++h)
                    for (long nj = 0; nj < c; ++nj) copy_run(static_cast<const ct*>(lanes[nj] + h * s), row + (h * c + nj) * s, s);
            }
        }
    }
}

template <class T>
void LocalLiouvillianPreconditioner::apply_passes(const cd* r, cd* x, std::complex<T>* scratch) const {
    const long d = dim_;
    const int nm = static_cast<int>(modes_.size());
    DigitTables digits;
    digits.digit.assign(static_cast<std::size_t>(nm), std::vector<int>(static_cast<std::size_t>(d)));
    for (int j = 0; j < nm; ++j)
        for (long m = 0; m < d; ++m)
            digits.digit[j][m] = static_cast<int>((m / modes_[j].stride) % modes_[j].cutoff);
    // W^{-1} mode by mode, the division by the summed eigenvalues fused into mode 0's pass (its gathers
    // are the most contiguous: runs of D / c_0 entries), then W mode by mode. The first pass reads r,
    // the last writes x; the passes between work in place on scratch.
    struct Step {
        int mode;
        Pass pass;
    };
    std::vector<Step> steps;
    for (int j = nm - 1; j >= 1; --j) steps.push_back({j, Pass::inverse});
    steps.push_back({0, Pass::inverse_scale_forward});
    for (int j = 1; j < nm; ++j) steps.push_back({j, Pass::forward});
    const std::size_t last = steps.size() - 1;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const ModeFactor& f = modes_[static_cast<std::size_t>(steps[i].mode)];
        const DigitTables* dt = steps[i].pass == Pass::inverse_scale_forward ? &digits : nullptr;
        if (i == 0 && r && i == last)
            transform<T>(r, x, f, steps[i].pass, dt);
        else if (i == 0 && r)
            transform<T>(r, scratch, f, steps[i].pass, dt);
        else if (i == last)
            transform<T>(static_cast<const std::complex<T>*>(scratch), x, f, steps[i].pass, dt);
        else
            transform<T>(static_cast<const std::complex<T>*>(scratch), scratch, f, steps[i].pass, dt);
    }
}

void LocalLiouvillianPreconditioner::apply_packed(const cd* packed, long d, int threads, cd* x, cd* work) const {
    if (!(single_ && work)) {
        SteadyPreconditioner::apply_packed(packed, d, threads, x, work);
        return;
    }
    auto* scratch = reinterpret_cast<std::complex<float>*>(work);
    numerics::unpack_hermitian(packed, d, scratch, threads);
    apply_passes<float>(nullptr, x, scratch);
}

void LocalLiouvillianPreconditioner::apply(const cd* r, cd* x, cd* work) const {
    if (modes_.empty()) {
        if (r != x) std::copy(r, r + dim_ * dim_, x);
        return;
    }
    if (single_ && work)
        apply_passes<float>(r, x, reinterpret_cast<std::complex<float>*>(work));
    else
        apply_passes<double>(r, x, x);
}

}  // namespace qbnet::fock
