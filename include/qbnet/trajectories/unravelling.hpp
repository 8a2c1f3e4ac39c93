#pragma once
// The master equation of Model as a quantum-trajectory unravelling on a truncated Fock basis
//:
//   d psi/dt = -i H_eff psi,   H_eff = H - (i/2) sum_k rate_k L_k^dag L_k,
//   jump k: psi -> L_k psi / ||L_k psi|| with probability proportional to rate_k ||L_k psi||^2.
// Every operator is a sum of shift operators (fock/basis.hpp), built from products of TRUNCATED ladder
// matrices exactly as the Fock engine builds its Liouvillian, so the averaged trajectories converge to
// the same truncated density matrix. Nothing of size D x D is ever formed: applying an operator costs
// one pass over the state per distinct index offset.
#include <complex>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/fock/basis.hpp"
#include "qbnet/model/terms.hpp"

namespace qbnet::trajectories {

// out[m] = sum_terms coef[m] * in[m + offset] over the offsets where the target stays in range.
struct ShiftSum {
    std::vector<fock::ShiftOp> terms;
    void apply(const std::complex<double>* in, std::complex<double>* out) const;   // out = O in
    // ||O in||^2 without storing O in (one pass per offset merged into one buffer-free loop is not
    // possible for several offsets, so this uses `scratch` of length D).
    double norm2(const std::complex<double>* in, std::complex<double>* scratch) const;
};

struct TrajectoryJump {
    double rate = 0.0;
    ShiftSum op;          // L_k (without sqrt(rate))
    std::string label;
};

class Unravelling {
public:
    Unravelling(const model::Model& model, std::vector<int> cutoffs);
    const fock::FockBasis& basis() const { return basis_; }
    long dim() const { return basis_.dim(); }
    // dpsi = -i H_eff psi.
    void generator(const std::complex<double>* psi, std::complex<double>* dpsi) const { minus_i_h_eff_.apply(psi, dpsi); }
    const std::vector<TrajectoryJump>& jumps() const { return jumps_; }
    // Distinct shift terms of -i H_eff (work per generator call, in passes over the state).
    std::size_t generator_terms() const { return minus_i_h_eff_.terms.size(); }

private:
    fock::FockBasis basis_;
    ShiftSum minus_i_h_eff_;
    std::vector<TrajectoryJump> jumps_;
};

}  // namespace qbnet::trajectories
