#pragma once
// Independent dense reference for the Fock tests: ladder operators by Kronecker products and the
// Lindblad RHS written term by term from docs/physics.md (no shared code with src/fock except the Model).
#include <Eigen/Dense>
#include <unsupported/Eigen/KroneckerProduct>
#include <vector>

#include "qbnet/model/terms.hpp"

namespace qbnet_test {

using Eigen::MatrixXcd;
using cd = std::complex<double>;

inline MatrixXcd ladder_1mode(int c) {
    MatrixXcd a = MatrixXcd::Zero(c, c);
    for (int n = 1; n < c; ++n) a(n - 1, n) = std::sqrt(static_cast<double>(n));
    return a;
}

// a_j on the tensor space (mode 0 most significant, as in qbnet's basis).
inline MatrixXcd ladder(const std::vector<int>& cutoffs, int j) {
    MatrixXcd out = MatrixXcd::Identity(1, 1);
    for (int k = 0; k < static_cast<int>(cutoffs.size()); ++k) {
        const MatrixXcd f = k == j ? ladder_1mode(cutoffs[k]) : MatrixXcd::Identity(cutoffs[k], cutoffs[k]);
        out = Eigen::kroneckerProduct(out, f).eval();
    }
    return out;
}

inline MatrixXcd dense_rhs(const qbnet::model::Model& model, const std::vector<int>& cutoffs, const MatrixXcd& rho) {
    const int m = model.n_modes();
    std::vector<MatrixXcd> a;
    for (int j = 0; j < m; ++j) a.push_back(ladder(cutoffs, j));
    const long d = a[0].rows();
    MatrixXcd h = MatrixXcd::Zero(d, d);
    for (int j = 0; j < m; ++j) {
        for (int k = 0; k < m; ++k) h += model.h(j, k) * a[j].adjoint() * a[k];
        h += model.drive(j) * a[j].adjoint() + std::conj(model.drive(j)) * a[j];
        if (model.kerr.size()) h += 0.5 * model.kerr(j) * a[j].adjoint() * a[j].adjoint() * a[j] * a[j];
    }
    const cd I(0, 1);
    MatrixXcd out = -I * (h * rho - rho * h);
    for (const auto& jump : model.jumps) {
        MatrixXcd l = MatrixXcd::Zero(d, d);
        for (int j = 0; j < m; ++j) l += jump.u(j) * a[j] + jump.v(j) * a[j].adjoint();
        const MatrixXcd ldl = l.adjoint() * l;
        out += jump.rate * (l * rho * l.adjoint() - 0.5 * (ldl * rho + rho * ldl));
    }
    return out;
}

}  // namespace qbnet_test
