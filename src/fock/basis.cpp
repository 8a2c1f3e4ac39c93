#include "qbnet/fock/basis.hpp"

#include <cmath>
#include <stdexcept>

namespace qbnet::fock {

FockBasis::FockBasis(std::vector<int> cutoffs) : cutoffs_(std::move(cutoffs)) {
    strides_.assign(cutoffs_.size(), 1);
    for (int j = n_modes() - 1; j >= 0; --j) {
        if (cutoffs_[j] < 1) throw std::invalid_argument("FockBasis: cutoff < 1");
        strides_[j] = dim_;
        dim_ *= cutoffs_[j];
    }
}

ShiftOp annihilation(const FockBasis& basis, int mode) {
    // (a psi)[m] = sqrt(n_m + 1) psi[m + stride] when n_m + 1 is still inside the cutoff.
    ShiftOp op{basis.stride(mode), Eigen::VectorXcd::Zero(basis.dim())};
    for (long m = 0; m < basis.dim(); ++m) {
        const int n = basis.digit(m, mode);
        if (n + 1 < basis.cutoffs()[mode]) op.coef[m] = std::sqrt(static_cast<double>(n + 1));
    }
    return op;
}

ShiftOp creation(const FockBasis& basis, int mode) {
    ShiftOp op{-basis.stride(mode), Eigen::VectorXcd::Zero(basis.dim())};
    for (long m = 0; m < basis.dim(); ++m) {
        const int n = basis.digit(m, mode);
        if (n >= 1) op.coef[m] = std::sqrt(static_cast<double>(n));
    }
    return op;
}

ShiftOp identity_op(const FockBasis& basis) { return {0, Eigen::VectorXcd::Ones(basis.dim())}; }

ShiftOp product(const ShiftOp& a, const ShiftOp& b) {
    // (a b psi)[m] = a.coef[m] * b.coef[m + a.offset] * psi[m + a.offset + b.offset]
    const long dim = a.coef.size();
    ShiftOp out{a.offset + b.offset, Eigen::VectorXcd::Zero(dim)};
    for (long m = 0; m < dim; ++m) {
        const long k = m + a.offset;
        if (a.coef[m] != 0.0 && k >= 0 && k < dim) out.coef[m] = a.coef[m] * b.coef[k];
    }
    return out;
}

ShiftOp adjoint_shift(const ShiftOp& a) {
    // O[m, m+off] = c[m]  =>  O^dag[k, k-off] = conj(c[k-off]).
    const long dim = a.coef.size();
    ShiftOp out{-a.offset, Eigen::VectorXcd::Zero(dim)};
    for (long k = 0; k < dim; ++k) {
        const long m = k - a.offset;
        if (m >= 0 && m < dim) out.coef[k] = std::conj(a.coef[m]);
    }
    return out;
}

void OperatorSum::add(const ShiftOp& op, std::complex<double> scale) {
    if (scale == 0.0) return;
    auto it = terms_.find(op.offset);
    if (it == terms_.end())
        terms_.emplace(op.offset, scale * op.coef);
    else
        it->second += scale * op.coef;
}

Eigen::MatrixXcd OperatorSum::dense(long dim) const {
    Eigen::MatrixXcd m = Eigen::MatrixXcd::Zero(dim, dim);
    for (const auto& [offset, coef] : terms_)
        for (long r = 0; r < dim; ++r) {
            const long c = r + offset;
            if (c >= 0 && c < dim && coef[r] != 0.0) m(r, c) += coef[r];
        }
    return m;
}

}  // namespace qbnet::fock
