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

void ShiftSum::apply(const cd* in, cd* out) const {
    const long d = terms.empty() ? 0 : static_cast<long>(terms.front().coef.size());
    std::fill(out, out + d, cd(0.0));
    // Written in real arithmetic: std::complex's operator* carries the C99 NaN/inf recovery branch, which
    // keeps the compiler from vectorising the innermost loop of the whole engine.
    double* o = reinterpret_cast<double*>(out);
    for (const fock::ShiftOp& t : terms) {
        const long lo = std::max(0L, -t.offset), hi = std::min(d, d - t.offset);
        const double* c = reinterpret_cast<const double*>(t.coef.data());
        const double* src = reinterpret_cast<const double*>(in + t.offset);
        for (long m = lo; m < hi; ++m) {
            const double cr = c[2 * m], ci = c[2 * m + 1], sr = src[2 * m], si = src[2 * m + 1];
            o[2 * m] += cr * sr - ci * si;
            o[2 * m + 1] += cr * si + ci * sr;
        }
    }
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
}

}  // namespace qbnet::trajectories
