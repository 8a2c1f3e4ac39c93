#pragma once
// The master equation of Model as a quantum-trajectory unravelling on a truncated Fock basis
//:
//   d psi/dt = -i H_eff psi,   H_eff = H - (i/2) sum_k rate_k L_k^dag L_k,
//   jump k: psi -> L_k psi / ||L_k psi|| with probability proportional to rate_k ||L_k psi||^2.
// Every operator is a sum of shift operators (fock/basis.hpp), built from products of TRUNCATED ladder
// matrices exactly as the Fock engine builds its Liouvillian, so the averaged trajectories converge to
// the same truncated density matrix. Nothing of size D x D is ever formed: applying an operator costs
// one pass over the state per distinct index offset.
#include <algorithm>
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

    // ||O in||^2 from the populations p[m] = |in[m]|^2 when O is ONE shift term: sum_m |c_m|^2 p[m + offset]
    // (a dot product of real vectors; needs prepare_fused()). Other operators return -1.
    double norm2_single_term(const double* populations) const;

    // Fused form for inputs with zero padding: in[m] must be readable, and zero, for m in [-padding(),
    // 0) and [D, D + padding()). Then no term needs clipping and every term adds to a block of outputs
    // held in registers: out = f (O - shift) in, returning ||out||^2. Needs prepare_fused() first.
    void prepare_fused();
    long padding() const { return padding_; }
    double apply_scaled_padded(const std::complex<double>* in, std::complex<double>* out, double f,
                               std::complex<double> shift = 0.0) const;

private:
    // Per term, per entry: Re c and Im c (zero where the source index leaves the basis), one array of D
    // per term in each list. A term whose real (imaginary) part vanishes has no array in that list.
    std::vector<double> fused_re_, fused_im_;
    std::vector<double> abs2_;   // |c_m|^2 of a one-term operator, zero where the source leaves the basis
    std::vector<long> fused_re_offsets_, fused_im_offsets_;
    long padding_ = 0;
    void apply_block(const std::complex<double>* in, double* out, long b0, long b1) const;
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
    void generator(const std::complex<double>* psi, std::complex<double>* dpsi) const {
        if (minus_i_h_eff_.terms.empty()) std::fill(dpsi, dpsi + dim(), std::complex<double>(0.0));
        minus_i_h_eff_.apply(psi, dpsi);
    }
    // dpsi = f (-i H_eff - shift) psi for a psi with generator_padding() zeros on both sides (ShiftSum's
    // fused form); returns ||dpsi||^2.
    long generator_padding() const { return minus_i_h_eff_.padding(); }
    double generator_scaled_padded(const std::complex<double>* psi, std::complex<double>* dpsi, double f,
                                   std::complex<double> shift = 0.0) const {
        if (minus_i_h_eff_.terms.empty()) {
            double n2 = 0.0;
            for (long m = 0; m < dim(); ++m) n2 += std::norm(dpsi[m] = -f * shift * psi[m]);
            return n2;
        }
        return minus_i_h_eff_.apply_scaled_padded(psi, dpsi, f, shift);
    }
    const std::vector<TrajectoryJump>& jumps() const { return jumps_; }
    // Distinct shift terms of -i H_eff (work per generator call, in passes over the state).
    std::size_t generator_terms() const { return minus_i_h_eff_.terms.size(); }
    // ||H_eff||_inf (largest row sum of |coefficients|): the first step of the Taylor propagator.
    double generator_bound() const { return generator_bound_; }

private:
    fock::FockBasis basis_;
    ShiftSum minus_i_h_eff_;
    std::vector<TrajectoryJump> jumps_;
    double generator_bound_ = 0.0;
};

}  // namespace qbnet::trajectories
