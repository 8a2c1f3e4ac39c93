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
            f.real.push_back(real ? 1 : 0);
            f.f64.push(v, vinv, real);
            f.f32.push(v, vinv, real);
        }
        spdlog::debug("local preconditioner: mode {} has {} blocks, {} with real eigenvectors", j, f.blocks.size(),
                      std::count(f.real.begin(), f.real.end(), 1));
        modes_.push_back(std::move(f));
    }
    null_tol_ = 1e-10 * std::max(scale, 1e-300);
    single_ = allow_single && nm > 0 && condition_ <= kSingleMaxCondition;
    spdlog::debug("local preconditioner: eigenvector condition {:.3g}: {} precision passes", condition_,
                  single_ ? "single" : "double");
    set_grouping(Grouping{});
}

void LocalLiouvillianPreconditioner::set_grouping(const Grouping& grouping) {
    groups_single_ = group_modes(static_cast<long>(sizeof(std::complex<float>)), grouping);
    groups_double_ = group_modes(static_cast<long>(sizeof(cd)), grouping);
    spdlog::debug("local preconditioner: {} passes over rho", passes());
}

int LocalLiouvillianPreconditioner::complex_blocks() const {
    int n = 0;
    for (const ModeFactor& f : modes_) n += static_cast<int>(std::count(f.real.begin(), f.real.end(), 0));
    return n;
}

int LocalLiouvillianPreconditioner::passes() const {
    return 2 * static_cast<int>((single_ ? groups_single_ : groups_double_).size()) - 1;
}

// Digits of every index per mode (the summed eigenvalue of an entry is looked up from its digits).
struct LocalLiouvillianPreconditioner::DigitTables {
    std::vector<std::vector<int>> digit;   // digit[j][m]
    // sum over the modes j >= first of mu_j(m_j, n_j)
    cd mu_from(const std::vector<ModeFactor>& modes, std::size_t first, long m, long n) const {
        cd sum = 0.0;
        for (std::size_t j = first; j < modes.size(); ++j) {
            const ModeFactor& f = modes[j];
            sum += f.mu[digit[j][static_cast<std::size_t>(m)] * f.cutoff + digit[j][static_cast<std::size_t>(n)]];
        }
        return sum;
    }
};

// Grouping defaults (steady.hpp): a pass's two buffers of cutoff x D entries stay in a core's L2; rho
// above 8 MiB streams from memory, so fewer passes pay; a matrix that stays in cache gains nothing from
// fewer passes and loses on the longer gathers.
std::vector<LocalLiouvillianPreconditioner::ModeGroup> LocalLiouvillianPreconditioner::group_modes(
    long bytes, const Grouping& grouping) const {
    const int nm = static_cast<int>(modes_.size());
    std::vector<ModeGroup> out;
    const bool group =
        static_cast<double>(dim_) * static_cast<double>(dim_) * static_cast<double>(bytes) > grouping.min_matrix_bytes;
    for (int j = 0; j < nm;) {
        ModeGroup g;
        g.modes.push_back(j);
        long cut = modes_[static_cast<std::size_t>(j)].cutoff;
        while (group && j + 1 < nm && cut * modes_[static_cast<std::size_t>(j + 1)].cutoff * dim_ * bytes <= grouping.buffer_bytes) {
            ++j;
            cut *= modes_[static_cast<std::size_t>(j)].cutoff;
            g.modes.push_back(j);
        }
        ++j;
        const std::size_t n = g.modes.size();
        g.cutoff = cut;
        g.stride = modes_[static_cast<std::size_t>(g.modes.back())].stride;
        g.inner.resize(n);
        long acc = 1;
        for (std::size_t k = n; k-- > 0;) {
            g.inner[k] = acc;
            const long c = modes_[static_cast<std::size_t>(g.modes[k])].cutoff;
            acc *= c * c;
        }
        std::vector<std::vector<int>> pos(n);
        for (std::size_t k = 0; k < n; ++k) {
            const ModeFactor& f = modes_[static_cast<std::size_t>(g.modes[k])];
            pos[k].resize(f.order.size());
            for (std::size_t r = 0; r < f.order.size(); ++r) pos[k][static_cast<std::size_t>(f.order[r])] = static_cast<int>(r);
        }
        g.row.resize(static_cast<std::size_t>(cut * cut));
        for (long mm0 = 0; mm0 < cut; ++mm0)
            for (long nn0 = 0; nn0 < cut; ++nn0) {
                long mm = mm0, nn = nn0, r = 0;
                for (std::size_t k = n; k-- > 0;) {
                    const long c = modes_[static_cast<std::size_t>(g.modes[k])].cutoff;
                    r += pos[k][static_cast<std::size_t>((mm % c) * c + nn % c)] * g.inner[k];
                    mm /= c;
                    nn /= c;
                }
                g.row[static_cast<std::size_t>(mm0 * cut + nn0)] = static_cast<int>(r);
            }
        g.mu.assign(static_cast<std::size_t>(cut * cut), cd(0.0));
        for (long r = 0; r < cut * cut; ++r)
            for (std::size_t k = 0; k < n; ++k) {
                const ModeFactor& f = modes_[static_cast<std::size_t>(g.modes[k])];
                const long slots = static_cast<long>(f.cutoff) * f.cutoff;
                g.mu[static_cast<std::size_t>(r)] += f.mu[f.order[static_cast<std::size_t>((r / g.inner[k]) % slots)]];
            }
        out.push_back(std::move(g));
    }
    return out;
}

namespace {

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
void LocalLiouvillianPreconditioner::transform(const In* in, Out* out, const ModeGroup& g, Pass pass,
                                               const DigitTables* digits) const {
    // For a fixed row group (all digits of m but the group's digit M) the c rows M = 0..c-1 hold, for
    // every column digit N, a vector over the other column digits (length D/c). Gather those c^2 vectors
    // into a buffer (rows [p_j0]..[p_j1], see ModeGroup), multiply member by member, scatter back. Every
    // source row is read once in order and every destination row written once in order (the c^2 buffer
    // rows are the strided side; they stay in cache). The whole row group is read before any of it is
    // written, so in == out is allowed. The fused pass (mode 0's group, the last transformed) divides by
    // the summed eigenvalues between W^{-1} and W while the group is in cache.
    using ct = std::complex<T>;
    using RowMap = Eigen::Map<Eigen::Matrix<ct, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    using RealRows = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    const long d = dim_, c = g.cutoff, s = g.stride;
    const long len = d / c;                 // other column digits
    const long groups = d / c;              // other row digits
    const long hi_n = d / (c * s);
    const long rows = c * c;
    const int nt = numerics::vector_threads(2 * d * d, threads_);
    // Member k's block factors on the buffer: rows [outer][p_k][inner], a GEMM per block over p_k with
    // the (inner, column) pairs as contiguous columns.
    const auto multiply_member = [&](std::size_t k, bool inverse, ct* src, ct* dst) {
        const ModeFactor& f = modes_[static_cast<std::size_t>(g.modes[k])];
        const long slots = static_cast<long>(f.cutoff) * f.cutoff;
        const long cols = g.inner[k] * len;
        const long outer = rows / (slots * g.inner[k]);
        for (long o = 0; o < outer; ++o) {
            ct* sp = src + o * slots * cols;
            ct* dp = dst + o * slots * cols;
            for (std::size_t b = 0; b < f.blocks.size(); ++b) {
                const auto [start, size] = f.blocks[b];
                const auto& w = f.factors<T>();
                if (f.real[b]) {   // real W on complex rows = real W on the interleaved (re, im) values
                    RealRows bin(reinterpret_cast<T*>(sp), slots, 2 * cols);
                    RealRows bout(reinterpret_cast<T*>(dp), slots, 2 * cols);
                    bout.middleRows(start, size).noalias() = (inverse ? w.w_inv_real : w.w_real)[b] * bin.middleRows(start, size);
                } else {
                    RowMap bin(sp, slots, cols), bout(dp, slots, cols);
                    bout.middleRows(start, size).noalias() = (inverse ? w.w_inv : w.w)[b] * bin.middleRows(start, size);
                }
            }
        }
    };
    // Every member, alternating between the two buffers: returns the one holding the result.
    const auto multiply = [&](bool inverse, ct* a, ct* b) {
        for (std::size_t k = 0; k < g.modes.size(); ++k) {
            multiply_member(k, inverse, a, b);
            std::swap(a, b);
        }
        return a;
    };
    const std::size_t first_other = static_cast<std::size_t>(g.modes.back()) + 1;   // fused: modes after the group
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        std::vector<ct> buf_a(static_cast<std::size_t>(rows * len)), buf_b(static_cast<std::size_t>(rows * len));
        std::vector<ct*> lanes(static_cast<std::size_t>(c));
        std::vector<double> rest_re, rest_im;   // fused pass: the other modes' summed eigenvalues per column
        if (pass == Pass::inverse_scale_forward) {
            rest_re.resize(static_cast<std::size_t>(len));
            rest_im.resize(static_cast<std::size_t>(len));
        }
        const double thr2 = null_tol_ * null_tol_;
#pragma omp for schedule(static)
        for (long gi = 0; gi < groups; ++gi) {
            const long row0 = (gi / s) * c * s + gi % s;    // m with M = 0
            for (long mj = 0; mj < c; ++mj) {
                const In* row = in + (row0 + mj * s) * d;
                for (long nj = 0; nj < c; ++nj) lanes[nj] = buf_a.data() + g.row[static_cast<std::size_t>(mj * c + nj)] * len;
                for (long h = 0; h < hi_n; ++h)
                    for (long nj = 0; nj < c; ++nj) copy_run(row + (h * c + nj) * s, lanes[nj] + h * s, s);
            }
            ct* result = multiply(pass != Pass::forward, buf_a.data(), buf_b.data());
            if (pass == Pass::inverse_scale_forward) {
                // x[m, n] *= 1 / sum_j mu_j(m_j, n_j): the other modes' part depends on the column only
                // (row digits fixed by the row group); the null direction of L_loc gets null_value_.
                for (long h = 0; h < hi_n; ++h)
                    for (long t = 0; t < s; ++t) {
                        const cd r = digits->mu_from(modes_, first_other, row0, h * c * s + t);
                        rest_re[static_cast<std::size_t>(h * s + t)] = r.real();
                        rest_im[static_cast<std::size_t>(h * s + t)] = r.imag();
                    }
                const double* rr = rest_re.data();
                const double* ri = rest_im.data();
                const double nv = null_value_;
                for (long r = 0; r < rows; ++r) {
                    const double m0r = g.mu[static_cast<std::size_t>(r)].real(), m0i = g.mu[static_cast<std::size_t>(r)].imag();
                    T* e = reinterpret_cast<T*>(result + r * len);
                    // x / mu as x conj(mu) / |mu|^2 (no libgcc complex division), branch-free so that it
                    // vectorises; the unselected 1/0 of a null entry is never used.
                    for (long i = 0; i < len; ++i) {
                        const double mr = m0r + rr[i], mi = m0i + ri[i];
                        const double n2 = mr * mr + mi * mi;
                        const bool live = n2 > thr2;
                        const double inv = 1.0 / n2;
                        const double fr = live ? mr * inv : nv, fi = live ? -mi * inv : 0.0;
                        const double xr = e[2 * i], xi = e[2 * i + 1];
                        e[2 * i] = static_cast<T>(xr * fr - xi * fi);
                        e[2 * i + 1] = static_cast<T>(xr * fi + xi * fr);
                    }
                }
                result = multiply(false, result, result == buf_a.data() ? buf_b.data() : buf_a.data());
            }
            for (long mj = 0; mj < c; ++mj) {
                Out* row = out + (row0 + mj * s) * d;
                for (long nj = 0; nj < c; ++nj) lanes[nj] = result + g.row[static_cast<std::size_t>(mj * c + nj)] * len;
                for (long h = 0; h < hi_n; ++h)
                    for (long nj = 0; nj < c; ++nj)
                        copy_run(static_cast<const ct*>(lanes[nj] + h * s), row + (h * c + nj) * s, s);
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
    // W^{-1} group by group, the division by the summed eigenvalues fused into mode 0's group's pass (its
    // gathers are the most contiguous), then W group by group. The first pass reads r, the last writes x;
    // the passes between work in place on scratch.
    const std::vector<ModeGroup>& gs = std::is_same_v<T, float> ? groups_single_ : groups_double_;
    const int ng = static_cast<int>(gs.size());
    struct Step {
        int group;
        Pass pass;
    };
    std::vector<Step> steps;
    for (int k = ng - 1; k >= 1; --k) steps.push_back({k, Pass::inverse});
    steps.push_back({0, Pass::inverse_scale_forward});
    for (int k = 1; k < ng; ++k) steps.push_back({k, Pass::forward});
    const std::size_t last = steps.size() - 1;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const ModeGroup& g = gs[static_cast<std::size_t>(steps[i].group)];
        const DigitTables* dt = steps[i].pass == Pass::inverse_scale_forward ? &digits : nullptr;
        if (i == 0 && r && i == last)
            transform<T>(r, x, g, steps[i].pass, dt);
        else if (i == 0 && r)
            transform<T>(r, scratch, g, steps[i].pass, dt);
        else if (i == last)
            transform<T>(static_cast<const std::complex<T>*>(scratch), x, g, steps[i].pass, dt);
        else
            transform<T>(static_cast<const std::complex<T>*>(scratch), scratch, g, steps[i].pass, dt);
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
