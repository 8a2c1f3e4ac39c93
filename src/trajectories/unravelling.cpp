#include "qbnet/trajectories/unravelling.hpp"

#include <algorithm>

namespace qbnet {

namespace {
using cd = std::complex<double>;
const cd I(0.0, 1.0);

ShiftSum to_shift_sum(const OperatorSum& sum) {
    ShiftSum out;
    for (const auto& [offset, coef] : sum.terms())
        if (coef.cwiseAbs().maxCoeff() > 0.0) out.terms.push_back({offset, coef});
    return out;
}

// L = sum_j (u_j a_j + v_j a_j^dag) on the truncated basis.
OperatorSum linear_jump(const LinearJump& jump, const FockBasis& basis) {
    OperatorSum l;
    for (int j = 0; j < basis.n_modes(); ++j) {
        if (jump.u(j) != 0.0) l.add(annihilation(basis, j), jump.u(j));
        if (jump.v(j) != 0.0) l.add(creation(basis, j), jump.v(j));
    }
    return l;
}
}  // namespace

void ShiftSum::apply(const cd* in, cd* out) const {
    const long d = terms.empty() ? 0 : static_cast<long>(terms.front().coef.size());
    std::fill(out, out + d, cd(0.0));
    for (const ShiftOp& t : terms) {
        const long lo = std::max(0L, -t.offset), hi = std::min(d, d - t.offset);
        const cd* c = t.coef.data();
        const cd* src = in + t.offset;
        for (long m = lo; m < hi; ++m) out[m] += c[m] * src[m];
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

Unravelling::Unravelling(const Model& model, std::vector<int> cutoffs) : basis_(std::move(cutoffs)) {
    const int m = model.n_modes();
    OperatorSum h;
    std::vector<ShiftOp> a, ad;
    for (int j = 0; j < m; ++j) {
        a.push_back(annihilation(basis_, j));
        ad.push_back(creation(basis_, j));
    }
    for (int j = 0; j < m; ++j)
        for (int k = 0; k < m; ++k)
            if (model.h(j, k) != 0.0) h.add(product(ad[j], a[k]), model.h(j, k));
    for (int j = 0; j < m; ++j)
        if (model.drive.size() && model.drive(j) != 0.0) {
            h.add(ad[j], model.drive(j));
            h.add(a[j], std::conj(model.drive(j)));
        }
    for (int j = 0; j < m; ++j)
        if (model.kerr.size() && model.kerr(j) != 0.0)
            h.add(product(product(ad[j], ad[j]), product(a[j], a[j])), 0.5 * model.kerr(j));
    // -(i/2) rate_k L_k^dag L_k, each a product of truncated matrices (as the Fock engine's
    // -(i/2) sum_ab G_ab c_b^dag c_a, which is the same sum regrouped).
    for (const LinearJump& jump : model.jumps) {
        if (jump.rate == 0.0) continue;   // a zero-rate channel never fires and does not damp
        const OperatorSum l = linear_jump(jump, basis_);
        TrajectoryJump tj;
        tj.rate = jump.rate;
        tj.op = to_shift_sum(l);
        tj.label = jump.label;
        for (const ShiftOp& x : tj.op.terms)
            for (const ShiftOp& y : tj.op.terms) h.add(product(adjoint_shift(x), y), -0.5 * I * jump.rate);
        if (!tj.op.terms.empty()) jumps_.push_back(std::move(tj));
    }
    OperatorSum k;
    for (const auto& [offset, coef] : h.terms()) k.add({offset, coef}, -I);
    minus_i_h_eff_ = to_shift_sum(k);
}

}  // namespace qbnet
