#pragma once
// The Lindblad right-hand side in operator form (docs/derivations.md, "Fock engine"):
//   L(rho) = -i (H_eff rho - rho H_eff^dag) + sum_ab G_ab c_a rho c_b^dag,
//   H_eff  = H - (i/2) sum_ab G_ab c_b^dag c_a,
// with c = (a_1..a_M, a_1^dag..a_M^dag) and G the Kossakowski matrix of the model's linear jumps
// (fusing all jump operators into at most (2M)^2 sandwich terms, most of them zero).
// Every term is a "shift" term acting on whole rows of the row-major D x D matrix rho:
//   left:     out[m, n] += l[m] rho[m + o, n]
//   right:    out[m, n] += r[n] rho[m, n + o]
//   sandwich: out[m, n] += s[m] t[n] rho[m + o1, n + o2]
// Only the lower triangle (n <= m) is computed (L maps hermitian to hermitian), then mirrored.
// Never a D^2 x D^2 superoperator: memory is O(D^2) for rho plus O(D * terms) coefficients.
#include <complex>
#include <cstdint>
#include <vector>

#include "qbnet/fock/basis.hpp"
#include "qbnet/model/terms.hpp"

namespace qbnet::fock {

class Liouvillian {
public:
    using cd = std::complex<double>;
    Liouvillian(const model::Model& model, const FockBasis& basis);
    // General form (used by the displaced frame, whose Hamiltonian has terms a Model cannot hold):
    // any H_eff as a sum of shift operators, the Kossakowski matrix G over (a_1..a_M, a_1^dag..a_M^dag),
    // and the undriven single-mode parts of H_eff per mode (cutoff_j x cutoff_j) for preconditioning.
    Liouvillian(OperatorSum h_eff, const Eigen::MatrixXcd& kossakowski, const FockBasis& basis,
                std::vector<Eigen::MatrixXcd> local_h_eff_undriven);

    long dim() const { return basis_.dim(); }
    const FockBasis& basis() const { return basis_; }
    // out = L(rho) for HERMITIAN rho (row-major D x D). out must not alias rho.
    // max_threads: the most OpenMP threads the call may use (0: omp_get_max_threads()); it uses fewer
    // when the work is too small to pay for them (threads_for()).
    // Fused kernel: the row is cut into register-sized pieces; every term adds to two real accumulators
    // (A += Re(c) x, B += Im(c) x on the interleaved doubles), stored once as A + iB; then the mirror.
    void apply(const cd* rho, cd* out, int max_threads = 0) const;
    // L(rho) for hermitian rho, written straight in the packed hermitian form (numerics::pack_hermitian's
    // layout and weights; packed_size(D) entries): each row's upper part is computed in cache and packed,
    // so no D x D output is written or read again. The steady-state solver's operator.
    void apply_packed(const cd* rho, cd* packed, int max_threads = 0) const;
    // The same for rho in single precision: the kernel reads its floats (half the bytes) and computes in
    // double precision, so the result equals apply_packed on the same values held as doubles, bit for bit.
    // (The steady-state solver's flexible GMRES applies L to preconditioned vectors that are floats.)
    void apply_packed(const std::complex<float>* rho, cd* packed, int max_threads = 0) const;
    // The previous row kernel (one Eigen expression per term and row), kept as the test oracle of
    // apply() and the "before" of bench/fock_rhs. Same result up to summation order.
    void apply_reference(const cd* rho, cd* out, int max_threads = 0) const;
    // Threads apply() uses when allowed max_threads (0: omp_get_max_threads()).
    int threads_for(int max_threads) const;
    // The effective non-hermitian Hamiltonian H_eff (as a sum of shift operators).
    const OperatorSum& h_eff() const { return h_eff_; }
    // Single-mode part of H_eff for mode j (cutoff_j x cutoff_j dense): used by preconditioners.
    const Eigen::MatrixXcd& local_h_eff(int mode, bool with_drive = true) const;
    // Smallest net energy damping rate over the modes, min_j (G_{a_j a_j} - G_{a_j^dag a_j^dag}):
    // sets the time scale of relaxation (evolution fallback, initial step).
    double slowest_damping_rate() const;
    // Upper bound on the spectral radius of L (Gershgorin over the rows of the superoperator, from the
    // term coefficients; no superoperator is formed). Sets the stage count of the RKC integrator.
    double spectral_radius_bound() const;
    // |h_jk| of the model's quadratic Hamiltonian (M x M): the hopping graph the steady-state solver's
    // uniqueness test follows. Empty (0 x 0) when built from a general H_eff (the graph is unknown).
    const Eigen::MatrixXd& hopping() const { return hopping_; }
    // Kossakowski matrix G over (a_1..a_M, a_1^dag..a_M^dag) (2M x 2M).
    const Eigen::MatrixXcd& kossakowski() const { return kossakowski_; }

    // Cost model of apply(): number of row terms, floating-point work and bytes moved per call.
    struct Cost {
        long left_terms = 0, right_terms = 0, sandwich_terms = 0;
        double flops = 0.0;          // real floating-point operations
        double bytes_min = 0.0;      // rho read once + out written once + mirror (perfect cache)
        double bytes_max = 0.0;      // every term re-reads its source half-row from memory
    };
    Cost cost() const;

private:
    struct RowTerm {
        long offset;
        Eigen::VectorXcd coef;
    };
    struct SandwichTerm {
        long row_offset;
        Eigen::VectorXcd row_coef;
        long col_offset;
        Eigen::VectorXcd col_coef;
    };
    // Split real/imaginary coefficients of the fused kernel (apply()). A row term scales whole source
    // rows (left terms, the diagonal's row part, and the row factor of a sandwich term); a column term
    // scales each column (right terms, the diagonal's column part, a sandwich's column factor). Column
    // factors are defined per DOUBLE of the interleaved row (each value twice, zero where the shifted
    // column leaves the basis, zero-padded past the end), so that every update is a real multiply-add.
    // A column factor is a function of one or a few modes' digits of n, so most of its fixed-width
    // segments repeat: each factor keeps only the start of each of its segments in col_pool_, which
    // holds every distinct segment once (re part, then im part). Row kernels then read a few KiB of
    // factors that stay in L1 instead of streaming ~23 arrays of 2D doubles per row. A factor of slow
    // modes only is constant over each segment (uniform): the kernel broadcasts its value.
    struct FusedRow {
        long offset;
        Eigen::VectorXd re, im;           // per row m
    };
    struct FusedCol {
        long offset;
        bool re = false, im = false;      // false: that part is zero everywhere
        bool uniform = false;             // every segment is constant (its value: the segment's first)
        std::vector<std::uint32_t> seg;   // per segment of the row: start of its re part in col_pool_
    };
    struct FusedSandwich {
        FusedRow row;
        FusedCol col;
    };
    // Orphaned "omp for" loops: called inside the parallel region of apply()/apply_reference().
    void rows_pass(const cd* rho, cd* out) const;
    void fused_pass(const cd* rho, cd* out) const;
    struct RowOps;   // per-thread scratch of fused_row (src/fock/lindblad.cpp)
    // upper: columns m..D-1 into out (a row buffer, at their places in the row); else columns 0..m into
    // row m of out.
    // S: double, or float for a single-precision rho (read as floats, computed in double).
    template <class S>
    void fused_row(const S* rho, double* out, long m, RowOps& ops, bool upper = false) const;
    template <class S>
    void packed_pass(const S* rho, cd* packed, int max_threads) const;   // apply_packed
    void mirror_lower_to_upper(cd* out) const;

    void build_terms(const Eigen::MatrixXcd& kossakowski);
    void build_fused();

    FockBasis basis_;
    OperatorSum h_eff_;
    Eigen::MatrixXcd kossakowski_;
    Eigen::MatrixXd hopping_;
    std::vector<Eigen::MatrixXcd> local_h_eff_undriven_;
    std::vector<Eigen::MatrixXcd> local_h_eff_driven_;
    Eigen::VectorXcd diag_row_, diag_col_;   // out[m,n] = (diag_row_[m] + diag_col_[n]) rho[m,n]
    std::vector<RowTerm> left_, right_;
    std::vector<SandwichTerm> sandwich_;
    std::vector<FusedRow> fused_rows_;
    std::vector<FusedCol> fused_cols_;
    std::vector<FusedSandwich> fused_sandwich_;
    std::vector<double, Eigen::aligned_allocator<double>> col_pool_;   // distinct column-factor segments
};

// H_eff = H - (i/2) sum_ab G_ab c_b^dag c_a of the model on the basis, every term a product of TRUNCATED
// ladder matrices. The one builder of H_eff: the lab-frame Liouvillian, the displaced frame (with_drive =
// false: its fixed part) and the trajectory unravelling all use it.
OperatorSum effective_hamiltonian(const model::Model& model, const FockBasis& basis, bool with_drive = true);

}  // namespace qbnet::fock
