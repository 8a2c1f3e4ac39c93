#include "qbnet/trajectories/unravelling.hpp"

#include <algorithm>

#include "qbnet/fock/lindblad.hpp"

namespace qbnet::trajectories {

namespace {
using cd = std::complex<double>;
const cd I(0.0, 1.0);

ShiftSum to_shift_sum(const fock::OperatorSum& sum) {
    ShiftSum out;
    for (const auto& [offset, coef] : sum.terms())
        if (coef.cwiseAbs().maxCoeff() > 0.0) out.terms.push_back({offset, coef});
    return out;
}

// L = sum_j (u_j a_j + v_j a_j^dag) on the truncated basis.
fock::OperatorSum linear_jump(const model::LinearJump& jump, const fock::FockBasis& basis) {
    fock::OperatorSum l;
    for (int j = 0; j < basis.n_modes(); ++j) {
        if (jump.u(j) != 0.0) l.add(fock::annihilation(basis, j), jump.u(j));
        if (jump.v(j) != 0.0) l.add(fock::creation(basis, j), jump.v(j));
    }
    return l;
}
}  // namespace

namespace {
// o[m] += c[m] * s[m] for m in [lo, hi), in real arithmetic: std::complex's operator* carries the C99
// NaN/inf recovery branch, which keeps the compiler from vectorising the innermost loop of the whole
// engine. Cloned for AVX2 (chosen at load time): without FMA contraction (ISO C++ mode) every element
// sees the same IEEE operations in the same order, so both clones give bit-identical results.
__attribute__((target_clones("avx2", "default"))) void add_shifted(const double* __restrict c,
                                                                   const double* __restrict s,
                                                                   double* __restrict o, long lo, long hi) {
    for (long m = lo; m < hi; ++m) {
        const double cr = c[2 * m], ci = c[2 * m + 1], sr = s[2 * m], si = s[2 * m + 1];
        o[2 * m] += cr * sr - ci * si;
        o[2 * m + 1] += cr * si + ci * sr;
    }
}
// Outputs per block: every term adds into a block that stays in L1 before the next block starts (one
// pass over `out` instead of one per term when D is large).
constexpr long kBlock = 1024;
}  // namespace

// The terms of one block [b0, b1) of outputs.
void ShiftSum::apply_block(const cd* in, double* o, long b0, long b1) const {
    const long d = static_cast<long>(terms.front().coef.size());
    std::fill(o + 2 * b0, o + 2 * b1, 0.0);
    for (const fock::ShiftOp& t : terms) {
        const long lo = std::max(b0, -t.offset), hi = std::min(b1, d - t.offset);
        add_shifted(reinterpret_cast<const double*>(t.coef.data()), reinterpret_cast<const double*>(in + t.offset), o, lo, hi);
    }
}

void ShiftSum::apply(const cd* in, cd* out) const {
    const long d = terms.empty() ? 0 : static_cast<long>(terms.front().coef.size());
    for (long b0 = 0; b0 < d; b0 += kBlock) apply_block(in, reinterpret_cast<double*>(out), b0, std::min(d, b0 + kBlock));
}

double ShiftSum::apply_scaled(const cd* in, cd* out, double f) const {
    const long d = terms.empty() ? 0 : static_cast<long>(terms.front().coef.size());
    double* o = reinterpret_cast<double*>(out);
    // Four partial sums (re/im of even and odd elements): one chain of dependent additions would
    // cost more than the scaling itself. Fixed order: the same sum for every thread count.
    double n2[4] = {0.0, 0.0, 0.0, 0.0};
    for (long b0 = 0; b0 < d; b0 += kBlock) {
        const long b1 = std::min(d, b0 + kBlock);
        apply_block(in, o, b0, b1);
        long m = 2 * b0;
        for (; m + 4 <= 2 * b1; m += 4)
            for (int j = 0; j < 4; ++j) {
                o[m + j] *= f;
                n2[j] += o[m + j] * o[m + j];
            }
        for (; m < 2 * b1; ++m) {
            o[m] *= f;
            n2[0] += o[m] * o[m];
        }
    }
    return (n2[0] + n2[1]) + (n2[2] + n2[3]);
}

void ShiftSum::prepare_fused() {
    const long d = terms.empty() ? 0 : static_cast<long>(terms.front().coef.size());
    padding_ = 0;
    for (const fock::ShiftOp& t : terms) padding_ = std::max(padding_, std::abs(t.offset));
    // Terms with purely real or purely imaginary coefficients (hopping and drive in -i H, damping) appear in
    // one list only: a product that is zero everywhere adds nothing to the sum, so skipping it changes no bit.
    fused_re2_.clear();
    fused_im2_.clear();
    fused_re_offsets_.clear();
    fused_im_offsets_.clear();
    for (const fock::ShiftOp& t : terms) {
        const long lo = std::max(0L, -t.offset), hi = std::min(d, d - t.offset);
        if (t.coef.real().cwiseAbs().maxCoeff() > 0.0) {
            fused_re_offsets_.push_back(t.offset);
            fused_re2_.resize(fused_re2_.size() + 2 * d, 0.0);
            double* re2 = fused_re2_.data() + fused_re2_.size() - 2 * d;
            for (long m = lo; m < hi; ++m) re2[2 * m] = re2[2 * m + 1] = t.coef[m].real();
        }
        if (t.coef.imag().cwiseAbs().maxCoeff() > 0.0) {
            fused_im_offsets_.push_back(t.offset);
            fused_im2_.resize(fused_im2_.size() + 2 * d, 0.0);
            double* im2 = fused_im2_.data() + fused_im2_.size() - 2 * d;
            for (long m = lo; m < hi; ++m) {
                im2[2 * m] = -t.coef[m].imag();
                im2[2 * m + 1] = t.coef[m].imag();
            }
        }
    }
}

namespace {
// Lane4 values never cross a non-inlined call boundary, so the ABI note GCC gives for them is moot.
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double Lane4 __attribute__((vector_size(32)));   // GCC vector extension: AVX2 ymm, or two SSE2 xmm
typedef long long Mask4 __attribute__((vector_size(32)));
inline Lane4 load4(const double* p) {
    Lane4 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
inline void store4(double* p, Lane4 v) { __builtin_memcpy(p, &v, sizeof v); }
inline Lane4 swap_pairs(Lane4 v) { return __builtin_shuffle(v, Mask4{1, 0, 3, 2}); }

// out[0 .. n) (n doubles, a multiple of 4) = f sum_k (re2_k x_k + im2_k swap(x_k)) with x_k = in + 2 offset_k;
// returns the squared norm in four fixed partial sums combined in a fixed order. Same IEEE operations in
// both clones (no FMA contraction in ISO C++ mode): bit-identical results whichever the CPU picks.
__attribute__((target_clones("avx2", "default"))) double fused_shift_sum(
    const double* __restrict in, const long* __restrict re_offsets, int re_count, const double* __restrict re2,
    const long* __restrict im_offsets, int im_count, const double* __restrict im2, long n, double f,
    double* __restrict out) {
    // Per output double: the real-coefficient products and the swapped ones in two sums, added at the
    // end; four blocks of four doubles at a time, so that eight independent addition chains hide the
    // latency of the additions.
    Lane4 n2 = {0, 0, 0, 0};
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        Lane4 a[4] = {}, b[4] = {};
        for (int k = 0; k < re_count; ++k) {
            const double* x = in + 2 * re_offsets[k] + i;
            const double* r = re2 + k * n + i;
            for (int j = 0; j < 4; ++j) a[j] += load4(r + 4 * j) * load4(x + 4 * j);
        }
        for (int k = 0; k < im_count; ++k) {
            const double* x = in + 2 * im_offsets[k] + i;
            const double* m = im2 + k * n + i;
            for (int j = 0; j < 4; ++j) b[j] += load4(m + 4 * j) * swap_pairs(load4(x + 4 * j));
        }
        for (int j = 0; j < 4; ++j) {
            const Lane4 o = (a[j] + b[j]) * f;
            store4(out + i + 4 * j, o);
            n2 += o * o;
        }
    }
    for (; i + 4 <= n; i += 4) {
        Lane4 a = {0, 0, 0, 0}, b = a;
        for (int k = 0; k < re_count; ++k) a += load4(re2 + k * n + i) * load4(in + 2 * re_offsets[k] + i);
        for (int k = 0; k < im_count; ++k) b += load4(im2 + k * n + i) * swap_pairs(load4(in + 2 * im_offsets[k] + i));
        const Lane4 o = (a + b) * f;
        store4(out + i, o);
        n2 += o * o;
    }
    if (i < n) {   // odd D: one complex number left, the same operations lane by lane
        double a[2] = {0.0, 0.0}, b[2] = {0.0, 0.0};
        for (int k = 0; k < re_count; ++k)
            for (int l = 0; l < 2; ++l) a[l] += re2[k * n + i + l] * in[2 * re_offsets[k] + i + l];
        for (int k = 0; k < im_count; ++k)
            for (int l = 0; l < 2; ++l) b[l] += im2[k * n + i + l] * in[2 * im_offsets[k] + i + 1 - l];
        for (int l = 0; l < 2; ++l) {
            out[i + l] = (a[l] + b[l]) * f;
            n2[l] += out[i + l] * out[i + l];
        }
    }
    return (n2[0] + n2[1]) + (n2[2] + n2[3]);
}
}  // namespace

double ShiftSum::apply_scaled_padded(const cd* in, cd* out, double f) const {
    const long d = static_cast<long>(terms.front().coef.size());
    return fused_shift_sum(reinterpret_cast<const double*>(in), fused_re_offsets_.data(),
                           static_cast<int>(fused_re_offsets_.size()), fused_re2_.data(), fused_im_offsets_.data(),
                           static_cast<int>(fused_im_offsets_.size()), fused_im2_.data(), 2 * d, f,
                           reinterpret_cast<double*>(out));
}

double ShiftSum::norm2(const cd* in, cd* scratch) const {
    if (terms.empty()) return 0.0;
    apply(in, scratch);
    const long d = static_cast<long>(terms.front().coef.size());
    double s = 0.0;
    for (long m = 0; m < d; ++m) s += std::norm(scratch[m]);
    return s;
}

Unravelling::Unravelling(const model::Model& model, std::vector<int> cutoffs) : basis_(std::move(cutoffs)) {
    // H_eff exactly as the Fock engine's Liouvillian holds it (fock/lindblad.hpp): the anti-Hermitian part
    // -(i/2) sum_ab G_ab c_b^dag c_a is sum_k rate_k L_k^dag L_k regrouped, so the averaged trajectories
    // converge to the same truncated density matrix.
    const fock::OperatorSum h = fock::effective_hamiltonian(model, basis_);
    for (const model::LinearJump& jump : model.jumps) {
        if (jump.rate == 0.0) continue;   // a zero-rate channel never fires and does not damp
        TrajectoryJump tj;
        tj.rate = jump.rate;
        tj.op = to_shift_sum(linear_jump(jump, basis_));
        tj.label = jump.label;
        if (!tj.op.terms.empty()) jumps_.push_back(std::move(tj));
    }
    fock::OperatorSum k;
    for (const auto& [offset, coef] : h.terms()) k.add({offset, coef}, -I);
    minus_i_h_eff_ = to_shift_sum(k);
    minus_i_h_eff_.prepare_fused();
    if (!minus_i_h_eff_.terms.empty()) {
        Eigen::ArrayXd rows = Eigen::ArrayXd::Zero(dim());
        for (const fock::ShiftOp& t : minus_i_h_eff_.terms) rows += t.coef.array().abs();
        generator_bound_ = rows.maxCoeff();
    }
}

}  // namespace qbnet::trajectories
