// Local-Liouvillian preconditioner of the steady-state solver (declared in qbnet/fock/steady.hpp): the
// inverse of the sum of every mode's own Liouvillian, applied mode by mode in its eigenbasis.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <omp.h>

#include <spdlog/spdlog.h>

#include "qbnet/fock/steady.hpp"
#include "qbnet/numerics/hermitian_packing.hpp"
#include "qbnet/numerics/parallel.hpp"
#include "qbnet/numerics/vector_ops.hpp"
#include "streaming_stores.hpp"

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
    sectors_ = plan_sectors(static_cast<long>(single_ ? sizeof(std::complex<float>) : sizeof(cd)), grouping);
    if (one_pass())
        spdlog::debug("local preconditioner: one pass over {} sectors ({} leading modes, tiles of {} x {})",
                      sectors_.sectors.size(), sectors_.leading, sectors_.tile, sectors_.tile);
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
        std::vector<int> members{j};
        long cut = modes_[static_cast<std::size_t>(j)].cutoff;
        while (group && j + 1 < nm && cut * modes_[static_cast<std::size_t>(j + 1)].cutoff * dim_ * bytes <= grouping.buffer_bytes) {
            ++j;
            cut *= modes_[static_cast<std::size_t>(j)].cutoff;
            members.push_back(j);
        }
        ++j;
        out.push_back(make_group(members));
    }
    return out;
}

LocalLiouvillianPreconditioner::ModeGroup LocalLiouvillianPreconditioner::make_group(const std::vector<int>& members) const {
    ModeGroup g;
    g.modes = members;
    long cut = 1;
    for (int j : members) cut *= modes_[static_cast<std::size_t>(j)].cutoff;
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
    return g;
}

// The one-pass plan (steady.hpp, SectorPlan). The split a keeps the two sector buffers smallest while a
// tile's rows stay long enough (16 entries) to stream from rho; a matrix that fits in cache keeps the
// passes (min_matrix_bytes, as for the grouping).
LocalLiouvillianPreconditioner::SectorPlan LocalLiouvillianPreconditioner::plan_sectors(long bytes,
                                                                                       const Grouping& grouping) const {
    SectorPlan plan;
    const int nm = static_cast<int>(modes_.size());
    if (!grouping.sectors || nm < 2 ||
        static_cast<double>(dim_) * static_cast<double>(dim_) * static_cast<double>(bytes) <= grouping.min_matrix_bytes)
        return plan;
    int best = 0;
    long best_entries = 0;
    for (int a = 1; a < nm; ++a) {
        long tile = 1, tiles = 1;
        for (int j = a; j < nm; ++j) tile *= modes_[static_cast<std::size_t>(j)].cutoff;
        for (int j = 0; j < a; ++j) {
            int largest = 0;
            for (const auto& b : modes_[static_cast<std::size_t>(j)].blocks) largest = std::max(largest, b.second);
            tiles *= largest;
        }
        if (tile < 16) continue;
        const long entries = tiles * tile * tile;
        if (best == 0 || entries < best_entries) {
            best = a;
            best_entries = entries;
        }
    }
    if (best == 0 || best_entries * bytes > grouping.sector_bytes) return plan;
    plan.leading = best;
    plan.tile = 1;
    std::vector<int> trailing;
    for (int j = best; j < nm; ++j) {
        plan.tile *= modes_[static_cast<std::size_t>(j)].cutoff;
        trailing.push_back(j);
    }
    plan.trailing = make_group(trailing);
    // Mirror of each leading mode's blocks: the block holding the swapped pair (n, m) of its first pair.
    std::vector<std::vector<int>> mirror(static_cast<std::size_t>(best));
    for (int j = 0; j < best; ++j) {
        const ModeFactor& f = modes_[static_cast<std::size_t>(j)];
        std::vector<int> block_of(f.order.size());
        for (std::size_t b = 0; b < f.blocks.size(); ++b)
            for (int q = 0; q < f.blocks[b].second; ++q) block_of[static_cast<std::size_t>(f.order[f.blocks[b].first + q])] = static_cast<int>(b);
        for (const auto& b : f.blocks) {
            const int slot = f.order[static_cast<std::size_t>(b.first)];
            mirror[static_cast<std::size_t>(j)].push_back(block_of[static_cast<std::size_t>((slot % f.cutoff) * f.cutoff + slot / f.cutoff)]);
        }
    }
    std::vector<int> t(static_cast<std::size_t>(best), 0);
    for (;;) {
        std::vector<int> mt(t.size());
        for (int j = 0; j < best; ++j) mt[static_cast<std::size_t>(j)] = mirror[static_cast<std::size_t>(j)][static_cast<std::size_t>(t[static_cast<std::size_t>(j)])];
        if (t <= mt) {   // one of each mirror pair
            Sector sec;
            sec.blocks = t;
            sec.self_mirror = t == mt;
            for (int j = 0; j < best; ++j) sec.tiles *= modes_[static_cast<std::size_t>(j)].blocks[static_cast<std::size_t>(t[static_cast<std::size_t>(j)])].second;
            plan.max_tiles = std::max(plan.max_tiles, sec.tiles);
            plan.sectors.push_back(std::move(sec));
        }
        int j = best - 1;
        for (; j >= 0; --j) {
            if (++t[static_cast<std::size_t>(j)] < static_cast<int>(modes_[static_cast<std::size_t>(j)].blocks.size())) break;
            t[static_cast<std::size_t>(j)] = 0;
        }
        if (j < 0) break;
    }
    std::stable_sort(plan.sectors.begin(), plan.sectors.end(),
                     [](const Sector& x, const Sector& y) { return x.tiles > y.tiles; });   // dynamic schedule: largest first
    return plan;
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

// out = W in for a real S x S block W (column-major, as Eigen stores it) and S rows of len reals (row-major,
// rows len apart): each chunk of kChunk columns of the S inputs is loaded once and all S outputs are
// accumulated from it in registers. Eigen's product would first copy (pack) the whole right-hand side, for
// a product whose inner dimension is at most a cutoff.
template <int S, class T>
inline void real_block_rows(const T* w, const T* in, T* out, long len) {
    constexpr long kChunk = 64 / sizeof(T);   // one 64-byte line per row
    long q = 0;
    for (; q + kChunk <= len; q += kChunk) {
        T acc[S][kChunk];
        for (int i = 0; i < S; ++i)
            for (long c = 0; c < kChunk; ++c) acc[i][c] = T(0);
        for (int j = 0; j < S; ++j) {
            const T* x = in + j * len + q;
            for (int i = 0; i < S; ++i) {
                const T wij = w[j * S + i];
#pragma omp simd
                for (long c = 0; c < kChunk; ++c) acc[i][c] += wij * x[c];
            }
        }
        for (int i = 0; i < S; ++i) std::memcpy(out + i * len + q, acc[i], sizeof(acc[i]));
    }
    for (; q < len; ++q)
        for (int i = 0; i < S; ++i) {
            T sum = T(0);
            for (int j = 0; j < S; ++j) sum += w[j * S + i] * in[j * len + q];
            out[i * len + q] = sum;
        }
}

// The same for a block of any size: sizes up to 8 (the cutoffs of the bench models and below) unrolled.
template <class T>
inline bool real_block_product(const T* w, long size, const T* in, T* out, long len) {
    switch (size) {
        case 1: real_block_rows<1>(w, in, out, len); return true;
        case 2: real_block_rows<2>(w, in, out, len); return true;
        case 3: real_block_rows<3>(w, in, out, len); return true;
        case 4: real_block_rows<4>(w, in, out, len); return true;
        case 5: real_block_rows<5>(w, in, out, len); return true;
        case 6: real_block_rows<6>(w, in, out, len); return true;
        case 7: real_block_rows<7>(w, in, out, len); return true;
        case 8: real_block_rows<8>(w, in, out, len); return true;
        default: return false;
    }
}

// y = x R for one row segment of 2S reals and the 2S x 2S real R = W^T (x) I_2 given row by row (rt: row j
// at rt + 2S j): 2S broadcast multiply-adds over one short vector.
template <int S, class T>
inline void right_block_row(const T* rt, const T* x, T* y) {
    constexpr int S2 = 2 * S;
    T acc[S2];
    for (int c = 0; c < S2; ++c) acc[c] = T(0);
    for (int j = 0; j < S2; ++j) {
        const T xj = x[j];
#pragma omp simd
        for (int c = 0; c < S2; ++c) acc[c] += xj * rt[j * S2 + c];
    }
    for (int c = 0; c < S2; ++c) y[c] = acc[c];
}
template <class T>
using RightBlockRow = void (*)(const T*, const T*, T*);
template <class T>
inline RightBlockRow<T> right_block_kernel(long size) {
    switch (size) {
        case 1: return &right_block_row<1, T>;
        case 2: return &right_block_row<2, T>;
        case 3: return &right_block_row<3, T>;
        case 4: return &right_block_row<4, T>;
        case 5: return &right_block_row<5, T>;
        case 6: return &right_block_row<6, T>;
        case 7: return &right_block_row<7, T>;
        case 8: return &right_block_row<8, T>;
        default: return nullptr;
    }
}

// Rows of a tile lie one rho row apart: too far for the hardware prefetcher to follow from one short run
// to the next, so the run `ahead` rows on is requested while this one is processed.
template <int Write>
inline void prefetch_run(const void* p, long bytes) {
    const char* c = static_cast<const char*>(p);
    for (long k = 0; k < bytes; k += 64) __builtin_prefetch(c + k, Write, 0);
}
constexpr long kPrefetchRows = 4;

using detail::stream_fence;
using detail::stream_copy;

// x[i] /= (a + b_i) for len complex entries x (interleaved, precision T), a = ar + i ai and b_i =
// br[i] + i bi[i]: as x conj(mu) / |mu|^2 (no libgcc complex division), branch-free so that it vectorises.
// A null entry (|mu|^2 <= thr2: the null direction of L_loc) is multiplied by nv instead; the unselected
// 1/0 there is never used.
template <class T>
inline void divide_by_summed(T* e, long len, double ar, double ai, const double* br, const double* bi, double thr2,
                             double nv) {
    for (long i = 0; i < len; ++i) {
        const double mr = ar + br[i], mi = ai + bi[i];
        const double n2 = mr * mr + mi * mi;
        const bool live = n2 > thr2;
        const double inv = 1.0 / n2;
        const double fr = live ? mr * inv : nv, fi = live ? -mi * inv : 0.0;
        const double xr = e[2 * i], xi = e[2 * i + 1];
        e[2 * i] = static_cast<T>(xr * fr - xi * fi);
        e[2 * i + 1] = static_cast<T>(xr * fi + xi * fr);
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
                for (long r = 0; r < rows; ++r)
                    divide_by_summed(reinterpret_cast<T*>(result + r * len), len, g.mu[static_cast<std::size_t>(r)].real(),
                                     g.mu[static_cast<std::size_t>(r)].imag(), rr, ri, thr2, nv);
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

template <class T, class X>
void LocalLiouvillianPreconditioner::apply_sectors(const cd* packed, X* x, std::complex<float>* kept) const {
    using ct = std::complex<T>;
    using RowMap = Eigen::Map<Eigen::Matrix<ct, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    using RealRows = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    const SectorPlan& plan = sectors_;
    const ModeGroup& tg = plan.trailing;
    const long d = dim_, tb = plan.tile, t2 = tb * tb;
    const int a = plan.leading;
    const double* p = reinterpret_cast<const double*>(packed);
    const double h = 1.0 / std::sqrt(2.0);   // packed off-diagonal entries carry sqrt 2 (hermitian_packing.hpp)
    std::vector<long> radix(static_cast<std::size_t>(a));
    for (long j = a - 1, acc = 1; j >= 0; --j) {
        radix[static_cast<std::size_t>(j)] = acc;
        acc *= modes_[static_cast<std::size_t>(j)].cutoff;
    }
    std::vector<double> trail_re(static_cast<std::size_t>(t2)), trail_im(static_cast<std::size_t>(t2));
    for (long r = 0; r < t2; ++r) {
        trail_re[static_cast<std::size_t>(r)] = tg.mu[static_cast<std::size_t>(r)].real();
        trail_im[static_cast<std::size_t>(r)] = tg.mu[static_cast<std::size_t>(r)].imag();
    }
    const int* row = tg.row.data();
    // Block b of mode f on rows [start, start + size) of `outer` stacked (rows x cols) matrices.
    const auto left = [&](const ModeFactor& f, std::size_t b, bool inverse, const ct* src, ct* dst, long outer,
                          long rows, long start, long size, long cols) {
        const auto& w = f.factors<T>();
        for (long o = 0; o < outer; ++o) {
            const ct* sp = src + o * rows * cols;
            ct* dp = dst + o * rows * cols;
            if (f.real[b]) {   // real W on complex rows = real W on the interleaved (re, im) values
                const auto& wb = (inverse ? w.w_inv_real : w.w_real)[b];
                const T* in = reinterpret_cast<const T*>(sp) + start * 2 * cols;
                T* out = reinterpret_cast<T*>(dp) + start * 2 * cols;
                if (real_block_product(wb.data(), size, in, out, 2 * cols)) continue;
                RealRows bin(const_cast<T*>(reinterpret_cast<const T*>(sp)), rows, 2 * cols);
                RealRows bout(reinterpret_cast<T*>(dp), rows, 2 * cols);
                bout.middleRows(start, size).noalias() = wb * bin.middleRows(start, size);
            } else {
                RowMap bin(const_cast<ct*>(sp), rows, cols), bout(dp, rows, cols);
                bout.middleRows(start, size).noalias() = (inverse ? w.w_inv : w.w)[b] * bin.middleRows(start, size);
            }
        }
    };
    // The innermost mode: its slots are the columns of (rows x slots), so its blocks act from the right.
    const auto right = [&](const ModeFactor& f, bool inverse, const ct* src, ct* dst, long rows) {
        const auto& w = f.factors<T>();
        const long slots = static_cast<long>(f.cutoff) * f.cutoff;
        // Real blocks of at most 8: row by row, every block of the row in turn (one pass over the buffer).
        const std::size_t nb = f.blocks.size();
        bool direct = true;
        for (std::size_t b = 0; b < nb && direct; ++b) direct = f.real[b] && right_block_kernel<T>(f.blocks[b].second);
        if (direct) {
            const auto& factor = inverse ? w.right_inv_real : w.right_real;   // row-major
            const T* in = reinterpret_cast<const T*>(src);
            T* out = reinterpret_cast<T*>(dst);
            for (long r = 0; r < rows; ++r)
                for (std::size_t b = 0; b < nb; ++b) {
                    const long at = r * 2 * slots + 2 * f.blocks[b].first;
                    right_block_kernel<T>(f.blocks[b].second)(factor[b].data(), in + at, out + at);
                }
            return;
        }
        for (std::size_t b = 0; b < f.blocks.size(); ++b) {
            const auto [start, size] = f.blocks[b];
            if (f.real[b]) {   // Y = X W^T on interleaved columns: X (W^T (x) I_2)
                RealRows bin(const_cast<T*>(reinterpret_cast<const T*>(src)), rows, 2 * slots);
                RealRows bout(reinterpret_cast<T*>(dst), rows, 2 * slots);
                bout.middleCols(2 * start, 2 * size).noalias() =
                    bin.middleCols(2 * start, 2 * size) * (inverse ? w.right_inv_real : w.right_real)[b];
            } else {
                RowMap bin(const_cast<ct*>(src), rows, slots), bout(dst, rows, slots);
                bout.middleCols(start, size).noalias() = bin.middleCols(start, size) * (inverse ? w.w_inv : w.w)[b].transpose();
            }
        }
    };
    // Every mode's factor on a sector's buffer [tile][trailing slots]: returns the buffer with the result.
    const auto multiply = [&](const Sector& sec, bool inverse, ct* cur, ct* other) {
        const long tiles = sec.tiles;
        long before = 1;
        for (int j = 0; j < a; ++j) {
            const ModeFactor& f = modes_[static_cast<std::size_t>(j)];
            const std::size_t b = static_cast<std::size_t>(sec.blocks[static_cast<std::size_t>(j)]);
            const long size = f.blocks[b].second;
            const long after = tiles / (before * size) * t2;
            left(f, b, inverse, cur, other, before, size, 0, size, after);
            std::swap(cur, other);
            before *= size;
        }
        const std::size_t nt = tg.modes.size();
        for (std::size_t k = 0; k < nt; ++k) {
            const ModeFactor& f = modes_[static_cast<std::size_t>(tg.modes[k])];
            const long slots = static_cast<long>(f.cutoff) * f.cutoff;
            if (k + 1 < nt) {
                const long cols = tg.inner[k];
                const long outer = tiles * t2 / (slots * cols);
                for (std::size_t b = 0; b < f.blocks.size(); ++b)
                    left(f, b, inverse, cur, other, outer, slots, f.blocks[b].first, f.blocks[b].second, cols);
            } else {
                right(f, inverse, cur, other, tiles * t2 / slots);
            }
            std::swap(cur, other);
        }
        return std::make_pair(cur, other);
    };
    const int nt = numerics::vector_threads(2 * d * d, threads_);
    const long ns = static_cast<long>(plan.sectors.size());
    float* kf = reinterpret_cast<float*>(kept);
    // The two sector buffers of each thread, kept between applications: fresh ones would be zeroed and
    // faulted in again on every application.
    const std::size_t buf_len = static_cast<std::size_t>(plan.max_tiles * t2);
    const std::size_t buf_doubles = (2 * buf_len * sizeof(ct) + sizeof(double) - 1) / sizeof(double);
    if (sector_buffers_.size() < static_cast<std::size_t>(nt)) sector_buffers_.resize(static_cast<std::size_t>(nt));
    for (auto& b : sector_buffers_)
        if (b.size() < buf_doubles) b.resize(buf_doubles);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        ct* const buf_a = reinterpret_cast<ct*>(sector_buffers_[static_cast<std::size_t>(omp_get_thread_num())].data());
        ct* const buf_b = buf_a + buf_len;
        std::vector<long> tm(static_cast<std::size_t>(plan.max_tiles)), tn(tm.size());
        std::vector<cd> mu_lead(tm.size());
        std::vector<X> run(static_cast<std::size_t>(tb));          // one row of a tile, as written
        std::vector<float> run_f(kept ? static_cast<std::size_t>(2 * tb) : 0);
        const std::size_t run_bytes = static_cast<std::size_t>(tb) * sizeof(X);
        const double thr2 = null_tol_ * null_tol_;
        const double nv = null_value_;
#pragma omp for schedule(dynamic, 1)
        for (long si = 0; si < ns; ++si) {
            const Sector& sec = plan.sectors[static_cast<std::size_t>(si)];
            // Gather: tile t at leading row digits tm[t], column digits tn[t]; its entry (mb, nb) goes to
            // slot row[mb * tb + nb]. Tiles below the diagonal are read as adjoints of the upper ones.
            for (long t = 0; t < sec.tiles; ++t) {
                long rem = t, rm = 0, rn = 0;
                cd mu = 0.0;
                for (int j = a - 1; j >= 0; --j) {
                    const ModeFactor& f = modes_[static_cast<std::size_t>(j)];
                    const auto [start, size] = f.blocks[static_cast<std::size_t>(sec.blocks[static_cast<std::size_t>(j)])];
                    const int slot = f.order[static_cast<std::size_t>(start + rem % size)];
                    rem /= size;
                    rm += (slot / f.cutoff) * radix[static_cast<std::size_t>(j)];
                    rn += (slot % f.cutoff) * radix[static_cast<std::size_t>(j)];
                    mu += f.mu[slot];
                }
                tm[static_cast<std::size_t>(t)] = rm;
                tn[static_cast<std::size_t>(t)] = rn;
                mu_lead[static_cast<std::size_t>(t)] = mu;
                ct* dst = buf_a + t * t2;
                if (rm < rn) {
                    for (long mb = 0; mb < tb; ++mb) {
                        const long m = rm * tb + mb;
                        const double* src = p + numerics::packed_offset(m, rn * tb, d);
                        if (mb + kPrefetchRows < tb) {
                            const long ma = m + kPrefetchRows;
                            prefetch_run<0>(p + numerics::packed_offset(ma, rn * tb, d), 16 * tb);
                        }
                        const int* rr = row + mb * tb;
                        for (long nb = 0; nb < tb; ++nb)
                            dst[rr[nb]] = ct(static_cast<T>(h * src[2 * nb]), static_cast<T>(h * src[2 * nb + 1]));
                    }
                } else if (rm > rn) {
                    for (long nb = 0; nb < tb; ++nb) {
                        const long n = rn * tb + nb;
                        const double* src = p + numerics::packed_offset(n, rm * tb, d);
                        if (nb + kPrefetchRows < tb) {
                            const long na = n + kPrefetchRows;
                            prefetch_run<0>(p + numerics::packed_offset(na, rm * tb, d), 16 * tb);
                        }
                        for (long mb = 0; mb < tb; ++mb)
                            dst[row[mb * tb + nb]] = ct(static_cast<T>(h * src[2 * mb]), static_cast<T>(-h * src[2 * mb + 1]));
                    }
                } else {
                    for (long mb = 0; mb < tb; ++mb) {
                        const double* src = p + numerics::packed_row_offset(rm * tb + mb, d);
                        dst[row[mb * tb + mb]] = ct(static_cast<T>(src[0]), T(0));
                        for (long nb = mb + 1; nb < tb; ++nb) {
                            const double* e = src + 1 + 2 * (nb - mb - 1);
                            const ct v(static_cast<T>(h * e[0]), static_cast<T>(h * e[1]));
                            dst[row[mb * tb + nb]] = v;
                            dst[row[nb * tb + mb]] = std::conj(v);
                        }
                    }
                }
            }
            auto [cur, other] = multiply(sec, true, buf_a, buf_b);
            for (long t = 0; t < sec.tiles; ++t)
                divide_by_summed(reinterpret_cast<T*>(cur + t * t2), t2, mu_lead[static_cast<std::size_t>(t)].real(),
                                 mu_lead[static_cast<std::size_t>(t)].imag(), trail_re.data(), trail_im.data(), thr2, nv);
            const ct* result = multiply(sec, false, cur, other).first;
            // Scatter so that x is exactly hermitian: an upper tile is written with its adjoint; a lower tile
            // with its adjoint unless its sector is its own mirror (then its upper partner, in the same
            // sector, writes both); a diagonal tile from its upper half, the diagonal real. `kept` takes
            // x's upper triangle as written (single precision: the same numbers).
            for (long t = 0; t < sec.tiles; ++t) {
                const ct* src = result + t * t2;
                const long rm = tm[static_cast<std::size_t>(t)], rn = tn[static_cast<std::size_t>(t)];
                if (rm > rn && sec.self_mirror) continue;
                if (rm == rn) {
                    for (long mb = 0; mb < tb; ++mb) {
                        const long m = rm * tb + mb;
                        for (long nb = 0; nb < tb; ++nb) {
                            const ct v = nb > mb   ? src[row[mb * tb + nb]]
                                         : nb == mb ? ct(src[row[mb * tb + mb]].real(), T(0))
                                                    : std::conj(src[row[nb * tb + mb]]);
                            run[static_cast<std::size_t>(nb)] = X(v);
                        }
                        stream_copy(x + m * d + rn * tb, run.data(), run_bytes);
                        if (kf) {
                            float* kr = kf + numerics::packed_row_offset(m, d);
                            kr[0] = static_cast<float>(src[row[mb * tb + mb]].real());
                            for (long nb = mb + 1; nb < tb; ++nb) {
                                const ct v = src[row[mb * tb + nb]];
                                kr[1 + 2 * (nb - mb - 1)] = static_cast<float>(v.real());
                                kr[2 + 2 * (nb - mb - 1)] = static_cast<float>(v.imag());
                            }
                        }
                    }
                    continue;
                }
                // Each run of a row is assembled in cache and streamed whole; in the kept floats it is the
                // same numbers (packed without weights: re, im per entry).
                const auto write_run = [&](long r, long c0, bool upper_run) {
                    stream_copy(x + r * d + c0, run.data(), run_bytes);
                    if (!kf || !upper_run) return;
                    float* kr = kf + numerics::packed_offset(r, c0, d);
                    if constexpr (std::is_same_v<X, std::complex<float>>) {
                        stream_copy(kr, run.data(), run_bytes);
                    } else {
                        for (long k = 0; k < tb; ++k) {
                            run_f[static_cast<std::size_t>(2 * k)] = static_cast<float>(run[static_cast<std::size_t>(k)].real());
                            run_f[static_cast<std::size_t>(2 * k + 1)] = static_cast<float>(run[static_cast<std::size_t>(k)].imag());
                        }
                        stream_copy(kr, run_f.data(), 2 * tb * sizeof(float));
                    }
                };
                for (long mb = 0; mb < tb; ++mb) {
                    const int* rr = row + mb * tb;
                    for (long nb = 0; nb < tb; ++nb) run[static_cast<std::size_t>(nb)] = X(src[rr[nb]]);
                    write_run(rm * tb + mb, rn * tb, rm < rn);
                }
                for (long nb = 0; nb < tb; ++nb) {
                    for (long mb = 0; mb < tb; ++mb) run[static_cast<std::size_t>(mb)] = std::conj(X(src[row[mb * tb + nb]]));
                    write_run(rn * tb + nb, rm * tb, rn < rm);
                }
            }
        }
        stream_fence();   // the streamed lines are visible before the region's closing barrier
    }
}

void LocalLiouvillianPreconditioner::apply_packed_keep(const cd* packed, long d, int threads, std::complex<float>* x,
                                                       std::complex<float>* kept) const {
    if (!keeps_exact()) {
        SteadyPreconditioner::apply_packed_keep(packed, d, threads, x, kept);   // throws
        return;
    }
    apply_sectors<float>(packed, x, kept);
    if (d % 2 == 1) reinterpret_cast<float*>(kept)[d * d] = 0.0f;   // the padding of an odd D^2
}

void LocalLiouvillianPreconditioner::apply_packed(const cd* packed, long d, int threads, cd* x, cd* work) const {
    if (one_pass()) {
        if (single_)
            apply_sectors<float>(packed, x);
        else
            apply_sectors<double>(packed, x);
        return;
    }
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
