#include "qbnet/fock/lindblad.hpp"

#include "qbnet/numerics/hermitian_packing.hpp"
#include "qbnet/numerics/parallel.hpp"
#include "detail/streaming_stores.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace qbnet::fock {

namespace {
using cd = std::complex<double>;
const cd I(0.0, 1.0);

// c_a for a in 0..2M-1: a_a (a < M) or a_{a-M}^dag.
ShiftOp ladder(const FockBasis& basis, int a) {
    const int m = basis.n_modes();
    return a < m ? annihilation(basis, a) : creation(basis, a - m);
}
}  // namespace

OperatorSum effective_hamiltonian(const model::Model& model, const FockBasis& basis, bool with_drive) {
    const int m = model.n_modes();
    OperatorSum h;
    std::vector<ShiftOp> a, ad;
    for (int j = 0; j < m; ++j) {
        a.push_back(annihilation(basis, j));
        ad.push_back(creation(basis, j));
    }
    // sum_jk h_jk a_j^dag a_k
    for (int j = 0; j < m; ++j)
        for (int k = 0; k < m; ++k)
            if (model.h(j, k) != 0.0) h.add(product(ad[j], a[k]), model.h(j, k));
    // drive: eps_j a_j^dag + conj(eps_j) a_j
    for (int j = 0; with_drive && j < m; ++j)
        if (model.drive(j) != 0.0) {
            h.add(ad[j], model.drive(j));
            h.add(a[j], std::conj(model.drive(j)));
        }
    // Kerr: (chi/2) a^dag a^dag a a  (product of truncated matrices)
    for (int j = 0; j < m; ++j)
        if (model.kerr.size() && model.kerr(j) != 0.0)
            h.add(product(product(ad[j], ad[j]), product(a[j], a[j])), 0.5 * model.kerr(j));
    // -(i/2) sum_ab G_ab c_b^dag c_a
    const Eigen::MatrixXcd g = model.kossakowski();
    for (int x = 0; x < 2 * m; ++x)
        for (int y = 0; y < 2 * m; ++y)
            if (std::abs(g(x, y)) > 0.0)
                h.add(product(adjoint_shift(ladder(basis, y)), ladder(basis, x)), -0.5 * I * g(x, y));
    return h;
}

namespace {
// Single-mode part of the model for mode j (its own h_jj, drive, Kerr and the jumps touching it,
// restricted to it), as a dense cutoff_j x cutoff_j H_eff.
Eigen::MatrixXcd single_mode_h_eff(const model::Model& model, int mode, int cutoff, bool with_drive) {
    model::Model local;
    local.mode_names = {model.mode_names[mode]};
    local.h = model.h.block(mode, mode, 1, 1);
    local.drive = Eigen::VectorXcd::Zero(1);
    if (with_drive) local.drive(0) = model.drive(mode);
    local.kerr = Eigen::VectorXd::Zero(1);
    if (model.kerr.size()) local.kerr(0) = model.kerr(mode);
    for (const auto& jump : model.jumps) {
        if (jump.u(mode) == 0.0 && jump.v(mode) == 0.0) continue;
        local.jumps.push_back({jump.rate, jump.u.segment(mode, 1), jump.v.segment(mode, 1), jump.label});
    }
    const FockBasis one({cutoff});
    return effective_hamiltonian(local, one).dense(one.dim());
}
}  // namespace

Liouvillian::Liouvillian(const model::Model& model, const FockBasis& basis)
    : basis_(basis), h_eff_(effective_hamiltonian(model, basis)), kossakowski_(model.kossakowski()),
      hopping_(model.h.cwiseAbs()) {
    for (int j = 0; j < model.n_modes(); ++j) {
        local_h_eff_undriven_.push_back(single_mode_h_eff(model, j, basis.cutoffs()[j], false));
        local_h_eff_driven_.push_back(single_mode_h_eff(model, j, basis.cutoffs()[j], true));
    }
    build_terms(kossakowski_);
}

Liouvillian::Liouvillian(OperatorSum h_eff, const Eigen::MatrixXcd& kossakowski, const FockBasis& basis,
                         std::vector<Eigen::MatrixXcd> local_h_eff_undriven)
    : basis_(basis), h_eff_(std::move(h_eff)), kossakowski_(kossakowski),
      local_h_eff_undriven_(std::move(local_h_eff_undriven)) {
    local_h_eff_driven_ = local_h_eff_undriven_;
    build_terms(kossakowski_);
}

void Liouvillian::build_terms(const Eigen::MatrixXcd& g) {
    const long d = basis_.dim();
    diag_row_ = Eigen::VectorXcd::Zero(d);
    diag_col_ = Eigen::VectorXcd::Zero(d);
    for (const auto& [offset, coef] : h_eff_.terms()) {
        // -i H_eff rho  ->  left term  -i d[m] rho[m+o, n]
        //  i rho H_eff^dag -> (rho H^dag)[m,n] = sum_k rho[m,k] conj(H[n,k]) = conj(d[n]) rho[m, n+o]
        if (offset == 0) {
            diag_row_ += -I * coef;
            diag_col_ += I * coef.conjugate();
        } else {
            left_.push_back({offset, -I * coef});
            right_.push_back({offset, I * coef.conjugate()});
        }
    }
    const int m = basis_.n_modes();
    for (int x = 0; x < 2 * m; ++x) {
        const ShiftOp cx = ladder(basis_, x);
        for (int y = 0; y < 2 * m; ++y) {
            if (std::abs(g(x, y)) == 0.0) continue;
            const ShiftOp cy = ladder(basis_, y);
            // G_xy c_x rho c_y^dag: out[m,n] += G_xy cx[m] conj(cy[n]) rho[m+ox, n+oy]
            sandwich_.push_back({cx.offset, g(x, y) * cx.coef, cy.offset, cy.coef.conjugate()});
        }
    }
    build_fused();
}

namespace {
// Register-blocked pieces of the fused kernel (apply()). A piece is kNV SIMD vectors of interleaved
// doubles (kPiece / 2 complex entries); its two accumulators A and B stay in registers while every term
// of the row adds to them, so a term costs one load of its source (and of its column factor) per vector
// and no load or store of the accumulators. GCC vector extensions: SSE2, AVX2 or AVX-512 from one source.
#if defined(__AVX512F__)
constexpr int kVecBytes = 64;
#elif defined(__AVX__)
constexpr int kVecBytes = 32;
#else
constexpr int kVecBytes = 16;
#endif
// Vectors per piece: 4, or 8 on long rows where AVX-512 has the registers for it (fewer op switches
// per entry; on short rows the wider piece wastes more of the last, partial one).
constexpr int kNV = 4;
constexpr int kNVLong = kVecBytes == 64 ? 8 : 4;
constexpr long kLongRow = 2048;   // doubles
typedef double vd __attribute__((vector_size(kVecBytes)));
typedef double vdu __attribute__((vector_size(kVecBytes), aligned(8), may_alias));
constexpr int kLanes = kVecBytes / 8;
constexpr long kPiece = kNVLong * kLanes;   // doubles of the widest piece (padding of the column factors)
// Column factors are stored as segments of kSeg doubles, aligned to multiples of kSeg in the row: every
// piece (kNV or kNVLong vectors, starting at a multiple of its width) lies inside one segment.
constexpr long kSeg = kPiece;
// Software prefetch distance (doubles) into L2: ~30 interleaved source streams per row are more than the
// hardware prefetchers follow. Only for rows longer than this (smaller rho stays in cache).
constexpr long kPrefetch = 512;

inline vd load(const double* p) { return *reinterpret_cast<const vdu*>(p); }
// A source vector: kLanes doubles, or kLanes floats widened to doubles (a single-precision rho: half the
// bytes read, the same products and sums as on its values held in double).
typedef float vfu __attribute__((vector_size(kVecBytes / 2), aligned(4), may_alias));
inline vd load_src(const double* p) { return load(p); }
inline vd load_src(const float* p) {
#if !defined(__AVX__) && defined(__SSE2__)
    // Two floats: one cvtps2pd from memory (GCC's generic conversion of an 8-byte vector goes through scalars).
    return reinterpret_cast<vd>(_mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(p)))));
#else
    return __builtin_convertvector(*reinterpret_cast<const vfu*>(p), vd);
#endif
}
inline void store(double* p, vd v) { *reinterpret_cast<vdu*>(p) = v; }

// Non-temporal store of one vector to a kVecBytes-aligned address (plain store off x86). On a large rho
// the lower triangle written by the row pass is read again only by the mirror, after ~D rows of other
// traffic: streaming it to memory saves the read-for-ownership of every output line and leaves the
// caches to the source rows. stream_fence() orders these stores before the pass's barrier.
constexpr long kStreamBytes = 64L << 20;   // out larger than this (well beyond a shared L3): stream
inline void stream(double* p, vd v) {
#if defined(__AVX512F__)
    _mm512_stream_pd(p, reinterpret_cast<__m512d&>(v));
#elif defined(__AVX__)
    _mm256_stream_pd(p, reinterpret_cast<__m256d&>(v));
#elif defined(__SSE2__)
    _mm_stream_pd(p, reinterpret_cast<__m128d&>(v));
#else
    store(p, v);
#endif
}
using detail::stream_fence;
using detail::stream_store;

// Real and imaginary parts of a column factor, each value twice (one per double of the interleaved
// complex row), followed by kPiece zeros (a piece may run past the last column); entries n whose source
// column n + offset lies outside [0, D) are zero. A part that is zero everywhere stays empty.
void split_dup(const Eigen::VectorXcd& c, long offset, Eigen::VectorXd& re2, Eigen::VectorXd& im2) {
    const long n = c.size();
    const bool any_re = (c.real().array() != 0.0).any(), any_im = (c.imag().array() != 0.0).any();
    re2 = Eigen::VectorXd::Zero(any_re ? 2 * n + kPiece : 0);
    im2 = Eigen::VectorXd::Zero(any_im ? 2 * n + kPiece : 0);
    for (long k = std::max(0L, -offset); k < std::min(n, n - offset); ++k) {
        if (any_re) re2[2 * k] = re2[2 * k + 1] = c[k].real();
        if (any_im) im2[2 * k] = im2[2 * k + 1] = c[k].imag();
    }
}

// Interns the segments of column factors: each distinct segment (its re and im parts, compared bit by
// bit so that 0.0 and -0.0 stay apart) is stored once in the pool as kSeg re doubles then kSeg im doubles.
class SegmentPool {
public:
    explicit SegmentPool(std::vector<double, Eigen::aligned_allocator<double>>& pool) : pool_(pool) {}
    // Start of the segment's re part in the pool (re, im: kSeg doubles each).
    std::uint32_t intern(const double* re, const double* im) {
        std::string key(2 * kSeg * sizeof(double), '\0');
        std::memcpy(key.data(), re, kSeg * sizeof(double));
        std::memcpy(key.data() + kSeg * sizeof(double), im, kSeg * sizeof(double));
        const auto [it, fresh] = index_.try_emplace(std::move(key), 0);
        if (fresh) {
            if (pool_.size() + 2 * kSeg > std::numeric_limits<std::uint32_t>::max())
                throw std::length_error("Liouvillian: column-factor pool exceeds 2^32 doubles");
            it->second = static_cast<std::uint32_t>(pool_.size());
            pool_.insert(pool_.end(), re, re + kSeg);
            pool_.insert(pool_.end(), im, im + kSeg);
        }
        return it->second;
    }

private:
    std::vector<double, Eigen::aligned_allocator<double>>& pool_;
    std::unordered_map<std::string, std::uint32_t> index_;
};

// One term of one row: entry k (a double of the row) adds w[k] src[k] to the accumulators, w the column
// factor (re / im parts of its segment: re + seg[k / kSeg] + k % kSeg; nullptr: none, i.e. 1 for a row
// term), scaled by the row scalars ca (into A) and cb (into B). src[k] may be read for every k of a
// piece that starts inside the row: where the term does not apply its column factor is zero (split_dup)
// or the entry lies beyond the lower triangle and is not stored.
template <class S>
struct Op {
    const S* src;
    const double* re;
    const double* im;
    const std::uint32_t* seg;
    double ca, cb;
};
// The ops of one row by form. Scaled ops (row terms: w = 1; sandwich terms: w = one part of the column
// factor) go to A, B or both as their scalars are nonzero: a zero scalar costs no multiply-add. The
// ...U forms have a uniform column factor (FusedCol::uniform): one broadcast value per piece instead of
// a load per vector.
enum OpKind { kRowAB, kRowA, kRowB, kColRe, kColIm, kColBoth, kSandAB, kSandA, kSandB,
              kColReU, kColImU, kColBothU, kSandABU, kSandAU, kSandBU, kOpKinds };
template <class S>
using OpLists = std::vector<Op<S>>[kOpKinds];
// Adds a scaled op (scalars ca, cb) to the list of its form; both zero: nothing to add.
template <class S>
void push_scaled(OpLists<S>& ops, Op<S> op, bool sandwich, bool uniform = false) {
    if (op.ca == 0.0 && op.cb == 0.0) return;
    const int kind = op.cb == 0.0 ? kRowA : op.ca == 0.0 ? kRowB : kRowAB;
    ops[kind + (sandwich ? (uniform ? kSandABU : kSandAB) - kRowAB : 0)].push_back(op);
}
}  // namespace

void Liouvillian::build_fused() {
    // The diagonal (drow[m] + dcol[n]) rho[m, n] is a row term and a column term of offset 0.
    fused_rows_.push_back({0, diag_row_.real(), diag_row_.imag()});
    for (const auto& t : left_) fused_rows_.push_back({t.offset, t.coef.real(), t.coef.imag()});
    SegmentPool pool(col_pool_);
    const long segments = (2 * basis_.dim() + kSeg - 1) / kSeg;
    auto col = [&](long offset, const Eigen::VectorXcd& c) {
        Eigen::VectorXd re2, im2;
        split_dup(c, offset, re2, im2);
        FusedCol f{offset, re2.size() > 0, im2.size() > 0, true, {}};
        if (!f.re && !f.im) return f;
        // Uniform: each segment repeats its first value (bit for bit), e.g. a function of slow modes only.
        for (const Eigen::VectorXd* part : {&re2, &im2})
            for (long j = 0; j < part->size() && f.uniform; ++j)
                f.uniform = std::memcmp(part->data() + j, part->data() + j / kSeg * kSeg, sizeof(double)) == 0;
        // split_dup pads past 2D with kPiece = kSeg zeros, so the last segment is whole.
        const Eigen::VectorXd zeros = Eigen::VectorXd::Zero(kSeg);
        for (long j = 0; j < segments; ++j)
            f.seg.push_back(pool.intern(f.re ? re2.data() + j * kSeg : zeros.data(),
                                        f.im ? im2.data() + j * kSeg : zeros.data()));
        return f;
    };
    // A column factor that vanishes everywhere (split_dup leaves both parts empty: e.g. a squeezed bath's
    // a a at cutoff 2, which has no entry inside the space) contributes nothing; the term is dropped here,
    // once, and the row kernel never sees an op without a factor.
    const auto vanishes = [](const FusedCol& f) { return !f.re && !f.im; };
    if (FusedCol f = col(0, diag_col_); !vanishes(f)) fused_cols_.push_back(std::move(f));
    for (const auto& t : right_)
        if (FusedCol f = col(t.offset, t.coef); !vanishes(f)) fused_cols_.push_back(std::move(f));
    for (const auto& t : sandwich_)
        if (FusedCol f = col(t.col_offset, t.col_coef); !vanishes(f))
            fused_sandwich_.push_back({{t.row_offset, t.row_coef.real(), t.row_coef.imag()}, std::move(f)});
}

const Eigen::MatrixXcd& Liouvillian::local_h_eff(int mode, bool with_drive) const {
    return with_drive ? local_h_eff_driven_[mode] : local_h_eff_undriven_[mode];
}

double Liouvillian::slowest_damping_rate() const {
    const int m = basis_.n_modes();
    const Eigen::MatrixXcd& g = kossakowski_;
    double rate = std::numeric_limits<double>::infinity();
    for (int j = 0; j < m; ++j) rate = std::min(rate, (g(j, j) - g(m + j, m + j)).real());
    return rate;
}

int Liouvillian::threads_for(int max_threads) const {
    // Work of one apply() in entry-term updates (half of D^2 entries times the terms touching each).
    // A thread gets at least kMinUpdatesPerThread of them (a few milliseconds): below that a second
    // thread saves less than it can lose at the region's barriers when the machine is busy. At the bench
    // model's D = 216 (about 0.4 M updates) the RHS runs on one thread; from D ~ 1000 on two.
    constexpr double kMinUpdatesPerThread = 4.0 * 1024.0 * 1024.0;
    const double d = static_cast<double>(dim());
    const double terms = 1.0 + static_cast<double>(left_.size() + right_.size() + sandwich_.size());
    return numerics::work_threads(0.5 * d * d * terms, kMinUpdatesPerThread, numerics::resolve_threads(max_threads));
}

void Liouvillian::apply(const cd* rho, cd* out, int max_threads) const {
    // Lower triangle row by row in chunks (fused_pass), then the tiled mirror, in ONE parallel region.
    const int threads = threads_for(max_threads);
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        fused_pass(rho, out);
        mirror_lower_to_upper(out);
    }
}

struct Liouvillian::RowOps {
    OpLists<double> lists;
    OpLists<float> lists_single;   // a single-precision source (apply_packed)
    std::vector<std::vector<double>> scratch;   // zero-padded source ranges near rho's ends (fused_row)
    std::size_t used = 0;
    template <class S>
    OpLists<S>& lists_for() {
        if constexpr (std::is_same_v<S, float>)
            return lists_single;
        else
            return lists;
    }
};

void Liouvillian::fused_pass(const cd* rho, cd* out) const {
    // Orphaned work-sharing loop over the rows of the lower triangle. Every entry is computed by one
    // thread in a fixed order of terms, so the result does not depend on the thread count.
    const long d = basis_.dim();
    const double* x = reinterpret_cast<const double*>(rho);
    double* o = reinterpret_cast<double*>(out);
    RowOps ops;
#pragma omp for schedule(dynamic, 4) nowait
    for (long m = 0; m < d; ++m) fused_row(x, o, m, ops);
    stream_fence();   // orders this thread's streamed rows before the barrier: the mirror reads them
#pragma omp barrier
}

namespace {
// Scaled ops of one form on one piece: p = w x (w = 1 without a factor), then A += ca p and / or
// B += cb p. kFactor: the ops read a column factor through op.re; kU: it is uniform (broadcast).
// Prefetch of a source: one hint per cache line of the piece, kPrefetch entries ahead.
template <int kNV, class S>
inline void prefetch_piece(const S* x) {
    constexpr long kLine = 64 / sizeof(S);
    for (long j = 0; j < kNV * kLanes; j += kLine) __builtin_prefetch(x + kPrefetch + j, 0, 2);
}

template <int kNV, bool kPrefetchOn, bool kFactor, bool kA, bool kB, bool kU = false, class S>
inline void scaled_ops(const std::vector<Op<S>>& ops, long k, long seg, long in_seg, vd* a, vd* b) {
    for (const Op<S>& op : ops) {
        const S* x = op.src + k;
        const double* w = kFactor ? op.re + op.seg[seg] + in_seg : nullptr;
        const vd wu = kU ? vd{} + w[0] : vd{};
        if (kPrefetchOn) prefetch_piece<kNV>(x);
        for (int v = 0; v < kNV; ++v) {
            const vd xv = load_src(x + v * kLanes);
            const vd p = kFactor ? (kU ? wu : load(w + v * kLanes)) * xv : xv;
            if (kA) a[v] += op.ca * p;
            if (kB) b[v] += op.cb * p;
        }
    }
}

// Column ops on one piece: A += wr x and / or B += wi x. kU: the factor is uniform (broadcast).
template <int kNV, bool kPrefetchOn, bool kRe, bool kIm, bool kU = false, class S>
inline void column_ops(const std::vector<Op<S>>& ops, long k, long seg, long in_seg, vd* a, vd* b) {
    for (const Op<S>& op : ops) {
        const S* x = op.src + k;
        const double* wr = kRe ? op.re + op.seg[seg] + in_seg : nullptr;
        const double* wi = kIm ? op.im + op.seg[seg] + in_seg : nullptr;
        const vd ur = kU && kRe ? vd{} + wr[0] : vd{};
        const vd ui = kU && kIm ? vd{} + wi[0] : vd{};
        if (kPrefetchOn) prefetch_piece<kNV>(x);
        for (int v = 0; v < kNV; ++v) {
            const vd xv = load_src(x + v * kLanes);
            if (kRe) a[v] += (kU ? ur : load(wr + v * kLanes)) * xv;
            if (kIm) b[v] += (kU ? ui : load(wi + v * kLanes)) * xv;
        }
    }
}

// The piece loop of one row: out[k .. k + kPiece) for k < len (from the piece holding `first` on),
// every op accumulated in registers.
// kPf: software prefetch of every op's source; kStream: full pieces at aligned addresses are streamed
// (large rho, see stream()).
template <int kNV, bool kPf, bool kStream, class S>
void row_pieces(const OpLists<S>& ops, double* dst_row, long len, long first = 0) {
    constexpr long kPiece = kNV * kLanes;   // doubles per piece
    const vd zero = {};
    vd sign;   // multiplies the pair-swapped B: i (br + i bi) = -bi + i br
    for (int j = 0; j < kLanes; ++j) sign[j] = (j % 2 == 0) ? -1.0 : 1.0;
    for (long k = first / kPiece * kPiece; k < len; k += kPiece) {
        vd a[kNV], b[kNV];
        for (int v = 0; v < kNV; ++v) a[v] = b[v] = zero;
        const long seg = k / kSeg, in_seg = k % kSeg;
        scaled_ops<kNV, kPf, false, true, true>(ops[kRowAB], k, seg, in_seg, a, b);
        scaled_ops<kNV, kPf, false, true, false>(ops[kRowA], k, seg, in_seg, a, b);
        scaled_ops<kNV, kPf, false, false, true>(ops[kRowB], k, seg, in_seg, a, b);
        column_ops<kNV, kPf, true, false>(ops[kColRe], k, seg, in_seg, a, b);
        column_ops<kNV, kPf, false, true>(ops[kColIm], k, seg, in_seg, a, b);
        column_ops<kNV, kPf, true, true>(ops[kColBoth], k, seg, in_seg, a, b);
        scaled_ops<kNV, kPf, true, true, true>(ops[kSandAB], k, seg, in_seg, a, b);
        scaled_ops<kNV, kPf, true, true, false>(ops[kSandA], k, seg, in_seg, a, b);
        scaled_ops<kNV, kPf, true, false, true>(ops[kSandB], k, seg, in_seg, a, b);
        column_ops<kNV, kPf, true, false, true>(ops[kColReU], k, seg, in_seg, a, b);
        column_ops<kNV, kPf, false, true, true>(ops[kColImU], k, seg, in_seg, a, b);
        column_ops<kNV, kPf, true, true, true>(ops[kColBothU], k, seg, in_seg, a, b);
        scaled_ops<kNV, kPf, true, true, true, true>(ops[kSandABU], k, seg, in_seg, a, b);
        scaled_ops<kNV, kPf, true, true, false, true>(ops[kSandAU], k, seg, in_seg, a, b);
        scaled_ops<kNV, kPf, true, false, true, true>(ops[kSandBU], k, seg, in_seg, a, b);
        // out = A + i B: (a_re - b_im, a_im + b_re) per complex entry; the last piece only up to len.
        alignas(64) double buf[kPiece];
        double* dst = k + kPiece <= len ? dst_row + k : buf;
        const bool streamed = kStream && dst != buf && reinterpret_cast<std::uintptr_t>(dst) % kVecBytes == 0;
        for (int v = 0; v < kNV; ++v) {
            vd swapped;
            for (int j = 0; j < kLanes; j += 2) {
                swapped[j] = b[v][j + 1];
                swapped[j + 1] = b[v][j];
            }
            if (streamed)
                stream(dst + v * kLanes, a[v] + sign * swapped);
            else
                store(dst + v * kLanes, a[v] + sign * swapped);
        }
        if (dst == buf) std::copy(buf, buf + (len - k), dst_row + k);
    }
}
}  // namespace

template <class S>
void Liouvillian::fused_row(const S* rho, double* out, long m, RowOps& ops, bool upper) const {
    // out[m, 0..m] (upper: out[m, m..D-1], at its place in the row) = A + iB with A = sum Re(c) x,
    // B = sum Im(c) x over all terms, x the source entries as interleaved doubles:
    // (cr + i ci)(xr + i xi) = (cr xr - ci xi) + i (cr xi + ci xr).
    const long d = basis_.dim();
    const long len = upper ? 2 * d : 2 * (m + 1);   // doubles of the row computed (from `first` on)
    const long first = upper ? 2 * m / kPiece * kPiece : 0;
    // Every op reads [src + first, src + span): inside rho except near its first and last entries, where
    // the op reads through a zero-padded copy of that range (a handful of rows).
    const long span = (len + kPiece - 1) / kPiece * kPiece;
    const S* end = rho + 2 * d * d;
    ops.used = 0;
    auto bounded = [&](const S* src) -> const S* {
        if (src + first >= rho && src + span <= end) return src;
        if (ops.used == ops.scratch.size()) ops.scratch.emplace_back();
        std::vector<double>& buf = ops.scratch[ops.used++];   // room for span entries of S
        buf.assign(static_cast<std::size_t>(span), 0.0);
        S* copy = reinterpret_cast<S*>(buf.data());
        const S* lo = std::max(src + first, rho);
        const S* hi = std::min(src + span, end);
        if (hi > lo) std::copy(lo, hi, copy + (lo - src));
        return copy;
    };
    const S* base = rho;
    OpLists<S>& lists = ops.lists_for<S>();
    for (auto& v : lists) v.clear();
    for (const auto& t : fused_rows_) {
        const double cr = t.re[m], ci = t.im[m];
        if (cr == 0.0 && ci == 0.0) continue;   // also guards source rows outside [0, D)
        push_scaled<S>(lists, {bounded(base + 2 * (m + t.offset) * d), nullptr, nullptr, nullptr, cr, ci}, false);
    }
    const double* pool_re = col_pool_.data();
    const double* pool_im = pool_re + kSeg;
    for (const auto& t : fused_cols_) {
        const Op<S> op{bounded(base + 2 * (m * d + t.offset)), t.re ? pool_re : nullptr, t.im ? pool_im : nullptr,
                    t.seg.data(), 1.0, 0.0};
        lists[(op.re && op.im ? kColBoth : op.re ? kColRe : kColIm) + (t.uniform ? kColReU - kColRe : 0)].push_back(op);
    }
    for (const auto& t : fused_sandwich_) {
        const double sr = t.row.re[m], si = t.row.im[m];
        if (sr == 0.0 && si == 0.0) continue;
        // s t x with t = tr + i ti: s tr x -> (sr, si) tr x;  s (i ti) x -> (-si, sr) ti x.
        const S* src = bounded(base + 2 * ((m + t.row.offset) * d + t.col.offset));
        if (t.col.re) push_scaled<S>(lists, {src, pool_re, nullptr, t.col.seg.data(), sr, si}, true, t.col.uniform);
        if (t.col.im) push_scaled<S>(lists, {src, pool_im, nullptr, t.col.seg.data(), -si, sr}, true, t.col.uniform);
    }
    double* dst = upper ? out : out + 2 * m * d;
    const long work = len - first;
    const bool large = !upper && static_cast<double>(d) * static_cast<double>(d) * sizeof(cd) > kStreamBytes;
    if (work > kLongRow && large)
        row_pieces<kNVLong, true, true>(lists, dst, len, first);
    else if (work > kLongRow)
        row_pieces<kNVLong, true, false>(lists, dst, len, first);
    else if (work > kPrefetch)
        row_pieces<kNV, true, false>(lists, dst, len, first);
    else
        row_pieces<kNV, false, false>(lists, dst, len, first);
}

template <class S>
void Liouvillian::packed_pass(const S* x, cd* packed, int max_threads) const {
    // Row m's upper part (columns m..D-1) into a row buffer in cache, then straight into packed row m
    // (numerics/hermitian_packing.hpp: Re X_mm, then sqrt 2 (Re, Im) X_mn for n > m): no D x D output.
    const long d = basis_.dim();
    const int threads = threads_for(max_threads);
    double* p = reinterpret_cast<double*>(packed);
    const bool large = static_cast<double>(d) * static_cast<double>(d) * sizeof(cd) > kStreamBytes;
    const double r2 = std::sqrt(2.0);
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        RowOps ops;
        std::vector<double, Eigen::aligned_allocator<double>> row(static_cast<std::size_t>(2 * d + kPiece));
#pragma omp for schedule(dynamic, 4)
        for (long m = 0; m < d; ++m) {
            fused_row(x, row.data(), m, ops, true);
            double* out = p + numerics::packed_row_offset(m, d);
            out[0] = row[static_cast<std::size_t>(2 * m)];   // exact: the diagonal of L(rho) is real
            const double* src = row.data() + 2 * (m + 1);
            const long n = 2 * (d - m - 1);
            if (large) {
                for (long k = 0; k < n; ++k) stream_store(out + 1 + k, r2 * src[k]);
            } else {
                for (long k = 0; k < n; ++k) out[1 + k] = r2 * src[k];
            }
        }
        stream_fence();
    }
    if (d % 2 == 1) p[d * d] = 0.0;   // the padding double of an odd D^2
}

void Liouvillian::apply_packed(const cd* rho, cd* packed, int max_threads) const {
    packed_pass(reinterpret_cast<const double*>(rho), packed, max_threads);
}

void Liouvillian::apply_packed(const std::complex<float>* rho, cd* packed, int max_threads) const {
    packed_pass(reinterpret_cast<const float*>(rho), packed, max_threads);
}

void Liouvillian::apply_reference(const cd* rho, cd* out, int max_threads) const {
    // Row by row over the lower triangle, then a tiled mirror pass, in ONE parallel region (one team
    // start and two barriers per call). (A column-strip variant that fused the mirror was measured 2-3x
    // SLOWER at D = 1296..4096 -- bench/RESULTS.md -- and was removed.)
    const int threads = threads_for(max_threads);
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        rows_pass(rho, out);
        mirror_lower_to_upper(out);
    }
}

void Liouvillian::rows_pass(const cd* rho, cd* out) const {
    // Orphaned work-sharing loop: runs inside apply_reference's region (or serially outside any region).
    const long d = basis_.dim();
    using Arr = Eigen::Array<cd, Eigen::Dynamic, 1>;
    using Map = Eigen::Map<Arr>;
    using CMap = Eigen::Map<const Arr>;
    const CMap drow(diag_row_.data(), d), dcol(diag_col_.data(), d);
#pragma omp for schedule(dynamic, 4)
    for (long m = 0; m < d; ++m) {
        const long len = m + 1;                       // lower triangle: columns 0..m
        Map o(out + m * d, len);
        const CMap row(rho + m * d, len);
        o = (drow[m] + dcol.head(len)) * row;
        for (const auto& t : left_) {
            const cd c = t.coef[m];
            if (c == 0.0) continue;                  // also guards rows outside [0, D)
            o += c * CMap(rho + (m + t.offset) * d, len);
        }
        for (const auto& t : right_) {
            const long lo = std::max(0L, -t.offset), hi = std::min(len, d - t.offset);
            if (hi <= lo) continue;
            o.segment(lo, hi - lo) += CMap(t.coef.data() + lo, hi - lo) * CMap(rho + m * d + lo + t.offset, hi - lo);
        }
        for (const auto& t : sandwich_) {
            const cd c = t.row_coef[m];
            if (c == 0.0) continue;
            const long lo = std::max(0L, -t.col_offset), hi = std::min(len, d - t.col_offset);
            if (hi <= lo) continue;
            const cd* src = rho + (m + t.row_offset) * d + t.col_offset;
            o.segment(lo, hi - lo) += c * CMap(t.col_coef.data() + lo, hi - lo) * CMap(src + lo, hi - lo);
        }
    }
}

namespace {
constexpr long kMirrorTile = 64;
// out[n, m0 .. m0 + kMirrorTile) = conj(out[m0 .., n]) for n in [n0, n1), a full tile strictly below the
// diagonal, on a large rho: each upper segment is gathered in a buffer and streamed as whole lines (no
// read-for-ownership of the upper triangle, which the caller reads long after).
void mirror_tile_streamed(std::complex<double>* out, long d, long m0, long n0, long n1) {
    alignas(64) std::complex<double> buf[kMirrorTile];
    for (long n = n0; n < n1; ++n) {
        for (long j = 0; j < kMirrorTile; ++j) buf[j] = std::conj(out[(m0 + j) * d + n]);
        double* dst = reinterpret_cast<double*>(out + n * d + m0);
        const double* src = reinterpret_cast<const double*>(buf);
        if (reinterpret_cast<std::uintptr_t>(dst) % kVecBytes == 0)
            for (long k = 0; k < 2 * kMirrorTile; k += kLanes) stream(dst + k, load(src + k));
        else
            std::copy(buf, buf + kMirrorTile, out + n * d + m0);
    }
}
}  // namespace

void Liouvillian::mirror_lower_to_upper(cd* out) const {
    // out[n, m] = conj(out[m, n]) for n < m, in square tiles so both sides stay in cache. Orphaned
    // work-sharing loop: the barrier after the row pass has completed the lower triangle.
    const long d = basis_.dim();
    constexpr long tile = kMirrorTile;
    const long nt = (d + tile - 1) / tile;
    const bool large = static_cast<double>(d) * static_cast<double>(d) * sizeof(cd) > kStreamBytes;
#pragma omp for schedule(dynamic, 1)
    for (long bi = 0; bi < nt; ++bi) {
        for (long bj = 0; bj <= bi; ++bj) {
            const long m0 = bi * tile, m1 = std::min(d, m0 + tile);
            const long n0 = bj * tile, n1 = std::min(d, n0 + tile);
            if (large && bj < bi && m1 - m0 == tile) {
                mirror_tile_streamed(out, d, m0, n0, n1);
                continue;
            }
            for (long m = m0; m < m1; ++m) {
                for (long n = n0; n < std::min(n1, m); ++n) out[n * d + m] = std::conj(out[m * d + n]);
                if (m >= n0 && m < n1) out[m * d + m] = out[m * d + m].real();   // exact: diag of L(rho) is real
            }
        }
        stream_fence();   // this tile row's streamed stores before the loop's barrier
    }
}

double Liouvillian::spectral_radius_bound() const {
    // Row (m, n) of L has |drow[m] + dcol[n]| on the diagonal and |l[m]|, |r[n]|, |s[m] t[n]| off it:
    // max over rows <= max_m (|drow[m]| + sum_left |l[m]|) + max_n (|dcol[n]| + sum_right |r[n]|)
    //                   + sum_sandwich max|s| max|t|.
    const long d = dim();
    double row_part = 0.0, col_part = 0.0, sandwich = 0.0;
    for (long m = 0; m < d; ++m) {
        double r = std::abs(diag_row_[m]);
        for (const auto& t : left_) r += std::abs(t.coef[m]);
        row_part = std::max(row_part, r);
        double c = std::abs(diag_col_[m]);
        for (const auto& t : right_) c += std::abs(t.coef[m]);
        col_part = std::max(col_part, c);
    }
    for (const auto& t : sandwich_) sandwich += t.row_coef.cwiseAbs().maxCoeff() * t.col_coef.cwiseAbs().maxCoeff();
    return row_part + col_part + sandwich;
}

Liouvillian::Cost Liouvillian::cost() const {
    Cost c;
    c.left_terms = static_cast<long>(left_.size()) + 1;    // + diagonal
    c.right_terms = static_cast<long>(right_.size());
    c.sandwich_terms = static_cast<long>(sandwich_.size());
    const double half = 0.5 * static_cast<double>(dim()) * static_cast<double>(dim());
    const double bytes = 16.0;   // complex<double>
    // Fused kernel (apply()), per complex entry: a row or column term with a complex factor is two real
    // multiply-adds on two doubles (8 flops); a sandwich term multiplies by its real column factor first
    // (2) and then adds into both accumulators (8).
    c.flops = half * (8.0 * c.left_terms + 8.0 * c.right_terms + 10.0 * c.sandwich_terms);
    c.bytes_min = bytes * half * 2.0       // read rho's lower triangle and write out's
                  + bytes * half * 2.0;    // mirror: read lower, write upper
    c.bytes_max = c.bytes_min + bytes * half * (c.left_terms + c.sandwich_terms - 1);
    return c;
}

}  // namespace qbnet::fock
