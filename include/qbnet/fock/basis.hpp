#pragma once
// Truncated tensor-product Fock basis and "shift operators".
//
// Index order is row-major over modes: the LAST mode varies fastest, mode j has stride
// prod_{k>j} cutoff_k. Every operator built from ladder operators of a truncated tensor basis
// maps each basis state to at most one basis state, at a fixed index offset:
//     (O psi)[m] = coef[m] * psi[m + offset]
// (coef is zero where the target would leave the truncated space). ShiftOp stores exactly that, so
// products of TRUNCATED ladder matrices (docs/physics.md "Truncation convention", as QuTiP builds them)
// are exact compositions, and the Lindblad RHS can apply them to rho row by row without ever
// forming a D^2 x D^2 superoperator.
#include <Eigen/Dense>
#include <map>
#include <vector>

namespace qbnet::fock {

class FockBasis {
public:
    explicit FockBasis(std::vector<int> cutoffs);
    int n_modes() const { return static_cast<int>(cutoffs_.size()); }
    long dim() const { return dim_; }
    const std::vector<int>& cutoffs() const { return cutoffs_; }
    long stride(int mode) const { return strides_[mode]; }
    int digit(long index, int mode) const {
        return static_cast<int>((index / strides_[mode]) % cutoffs_[mode]);
    }

private:
    std::vector<int> cutoffs_;
    std::vector<long> strides_;
    long dim_ = 1;
};

struct ShiftOp {
    long offset = 0;
    Eigen::VectorXcd coef;   // length D
};

ShiftOp annihilation(const FockBasis& basis, int mode);   // a_j (truncated)
ShiftOp creation(const FockBasis& basis, int mode);       // a_j^dag (truncated)
ShiftOp identity_op(const FockBasis& basis);
ShiftOp product(const ShiftOp& a, const ShiftOp& b);      // a * b
ShiftOp adjoint_shift(const ShiftOp& a);                  // a^dag (also a single-offset operator)

// A sum of shift operators, merged by offset (exact: same offset -> coefficients add).
class OperatorSum {
public:
    void add(const ShiftOp& op, std::complex<double> scale = 1.0);
    const std::map<long, Eigen::VectorXcd>& terms() const { return terms_; }
    // Dense matrix (for small D only: preconditioner set-up and tests).
    Eigen::MatrixXcd dense(long dim) const;

private:
    std::map<long, Eigen::VectorXcd> terms_;
};

}  // namespace qbnet::fock
