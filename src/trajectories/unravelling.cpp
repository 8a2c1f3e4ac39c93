#include "qbnet/trajectories/unravelling.hpp"

#include <algorithm>

#include "lanes.hpp"
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

void ShiftSum::prepare_fused() {
    const long d = terms.empty() ? 0 : static_cast<long>(terms.front().coef.size());
    padding_ = 0;
    for (const fock::ShiftOp& t : terms) padding_ = std::max(padding_, std::abs(t.offset));
    // Terms with purely real or purely imaginary coefficients (hopping and drive in -i H, damping) appear in
    // one list only: a product that is zero everywhere adds nothing to the sum, so skipping it changes no bit.
    fused_re_.clear();
    fused_im_.clear();
    abs2_.clear();
    if (terms.size() == 1) {
        const fock::ShiftOp& t = terms.front();
        abs2_.assign(static_cast<std::size_t>(d), 0.0);
        for (long m = std::max(0L, -t.offset); m < std::min(d, d - t.offset); ++m) abs2_[m] = std::norm(t.coef[m]);
    }
    fused_re_offsets_.clear();
    fused_im_offsets_.clear();
    for (const fock::ShiftOp& t : terms) {
        const long lo = std::max(0L, -t.offset), hi = std::min(d, d - t.offset);
        if (t.coef.real().cwiseAbs().maxCoeff() > 0.0) {
            fused_re_offsets_.push_back(t.offset);
            fused_re_.resize(fused_re_.size() + d, 0.0);
            double* re = fused_re_.data() + fused_re_.size() - d;
            for (long m = lo; m < hi; ++m) re[m] = t.coef[m].real();
        }
        if (t.coef.imag().cwiseAbs().maxCoeff() > 0.0) {
            fused_im_offsets_.push_back(t.offset);
            fused_im_.resize(fused_im_.size() + d, 0.0);
            double* im = fused_im_.data() + fused_im_.size() - d;
            for (long m = lo; m < hi; ++m) im[m] = t.coef[m].imag();
        }
    }
}

namespace {
using detail::broadcast4;
using detail::high_pairs;
using detail::Lane4;
using detail::load4;
using detail::low_pairs;
using detail::store4;
using detail::swap_pairs;

// The terms of a fused H_eff application: per list (real, imaginary coefficient parts) the offsets and one
// coefficient array of d entries per term.
struct FusedTerms {
    const double* in;
    const long* re_offsets;
    int re_count;
    const double* re;
    const long* im_offsets;
    int im_count;
    const double* im;
    long d;
};

// Entries m .. m + 2P - 1 in P registers per sum (P independent chains of additions); the coefficients
// of four entries come from one load as (c0 c0 c1 c1), (c2 c2 c3 c3). Stores them to out and adds their
// squares to n2.
template <int P>
__attribute__((always_inline)) inline void fused_block(const FusedTerms& t, long m, double f, Lane4 minus_sr,
                                                       Lane4 minus_si, bool shifted, double* out, Lane4& n2) {
    const Lane4 sign = {-1.0, 1.0, -1.0, 1.0};
    Lane4 a[P] = {}, b[P] = {};
    for (int k = 0; k < t.re_count; ++k) {
        const double* x = t.in + 2 * (m + t.re_offsets[k]);
        for (int q = 0; q < P / 2; ++q) {
            const Lane4 c = load4(t.re + k * t.d + m + 4 * q);
            a[2 * q] += low_pairs(c) * load4(x + 8 * q);
            a[2 * q + 1] += high_pairs(c) * load4(x + 8 * q + 4);
        }
    }
    for (int k = 0; k < t.im_count; ++k) {
        const double* x = t.in + 2 * (m + t.im_offsets[k]);
        for (int q = 0; q < P / 2; ++q) {
            const Lane4 c = load4(t.im + k * t.d + m + 4 * q);
            b[2 * q] += low_pairs(c) * swap_pairs(load4(x + 8 * q));
            b[2 * q + 1] += high_pairs(c) * swap_pairs(load4(x + 8 * q + 4));
        }
    }
    if (shifted)   // the shift last: with shift 0 the sums are those of O alone, bit for bit
        for (int j = 0; j < P; ++j) {
            const Lane4 x = load4(t.in + 2 * m + 4 * j);
            a[j] += minus_sr * x;
            b[j] += minus_si * swap_pairs(x);
        }
    for (int j = 0; j < P; ++j) {
        const Lane4 o = (a[j] + sign * b[j]) * f;
        store4(out + 2 * m + 4 * j, o);
        n2 += o * o;
    }
}

// out (d complex numbers as 2d doubles) = f (sum_k c_k[m] in[m + offset_k] - shift in[m]), c = re + i im:
//   re part: a += (re, re) * x;   imaginary part: b += (im, im) * swap(x);   out = f (a + (-1, 1) b),
// the sign applied once at the end (negation is exact, so this is the same sum as with the sign in every
// product). One coefficient per complex entry (half the bytes of duplicated ones: the coefficients of a
// few hundred entries stay in L1). Blocks of 8 entries, one of 4, then single entries. Returns ||out||^2
// (fixed partial sums, fixed order). Same IEEE operations in both clones (no FMA contraction in ISO C++
// mode): bit-identical whichever the CPU picks.
__attribute__((target_clones("avx2", "default"))) double fused_shift_sum(const FusedTerms& t, double f,
                                                                         double shift_re, double shift_im,
                                                                         double* __restrict out) {
    const bool shifted = shift_re != 0.0 || shift_im != 0.0;
    const Lane4 minus_sr = broadcast4(-shift_re), minus_si = broadcast4(-shift_im);
    Lane4 n2 = {0, 0, 0, 0};
    long m = 0;
    for (; m + 8 <= t.d; m += 8) fused_block<4>(t, m, f, minus_sr, minus_si, shifted, out, n2);
    for (; m + 4 <= t.d; m += 4) fused_block<2>(t, m, f, minus_sr, minus_si, shifted, out, n2);
    for (; m < t.d; ++m) {   // up to three entries left, the same operations lane by lane
        double a[2] = {0.0, 0.0}, b[2] = {0.0, 0.0};
        for (int k = 0; k < t.re_count; ++k)
            for (int l = 0; l < 2; ++l) a[l] += t.re[k * t.d + m] * t.in[2 * (m + t.re_offsets[k]) + l];
        for (int k = 0; k < t.im_count; ++k)
            for (int l = 0; l < 2; ++l) b[l] += t.im[k * t.d + m] * t.in[2 * (m + t.im_offsets[k]) + 1 - l];
        if (shifted)
            for (int l = 0; l < 2; ++l) {
                a[l] += -shift_re * t.in[2 * m + l];
                b[l] += -shift_im * t.in[2 * m + 1 - l];
            }
        const double o[2] = {(a[0] + -1.0 * b[0]) * f, (a[1] + 1.0 * b[1]) * f};
        const int lane = static_cast<int>((2 * m) % 4);
        for (int l = 0; l < 2; ++l) {
            out[2 * m + l] = o[l];
            n2[lane + l] += o[l] * o[l];
        }
    }
    return (n2[0] + n2[1]) + (n2[2] + n2[3]);
}
}  // namespace

double ShiftSum::apply_scaled_padded(const cd* in, cd* out, double f, cd shift) const {
    const FusedTerms t{reinterpret_cast<const double*>(in),
                       fused_re_offsets_.data(),
                       static_cast<int>(fused_re_offsets_.size()),
                       fused_re_.data(),
                       fused_im_offsets_.data(),
                       static_cast<int>(fused_im_offsets_.size()),
                       fused_im_.data(),
                       static_cast<long>(terms.front().coef.size())};
    return fused_shift_sum(t, f, shift.real(), shift.imag(), reinterpret_cast<double*>(out));
}

double ShiftSum::norm2_single_term(const double* populations) const {
    if (abs2_.empty()) return -1.0;
    const long d = static_cast<long>(abs2_.size()), o = terms.front().offset;
    const long lo = std::max(0L, -o), hi = std::min(d, d - o);
    double sum[4] = {0.0, 0.0, 0.0, 0.0};
    long m = lo;
    for (; m + 4 <= hi; m += 4)
        for (int l = 0; l < 4; ++l) sum[l] += abs2_[m + l] * populations[m + l + o];
    for (; m < hi; ++m) sum[0] += abs2_[m] * populations[m + o];
    return (sum[0] + sum[1]) + (sum[2] + sum[3]);
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
        tj.op.prepare_fused();
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
