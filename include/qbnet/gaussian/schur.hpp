#pragma once
// Real Schur factorisation A = U T U^T (U orthogonal, T upper quasi-triangular with 1x1 and 2x2
// diagonal blocks) that exploits the structure of network drift matrices (derivations.md,
// "Lyapunov solver"):
//   1. U = P Q with P a permutation that makes A block upper triangular (strongly connected
//      components of the coupling graph, e.g. every mode of a nonreciprocal DAG is its own block);
//   2. phase-covariant drift (A = realification of a complex M x M matrix X, true whenever no jump
//      mixes a_j with a_k^dag) is factorised in complex form at half the dimension;
//   3. a normal diagonal block (reciprocal links with equal damping) is diagonalised by a hermitian
//      eigensolver instead of the (much slower, unblocked) QR iteration;
//   4. anything else: Eigen::RealSchur / Eigen::ComplexSchur per diagonal block.
// Q is block diagonal, so applying U costs sum_b n_b n^2 instead of n^3 when the blocks are small.
#include <complex>
#include <string>
#include <vector>

#include <Eigen/Dense>

namespace qbnet::gaussian {

class StructuredSchur {
public:
    explicit StructuredSchur(const Eigen::MatrixXd& a);

    const Eigen::MatrixXd& t() const { return t_; }
    // Eigenvalues of A (from the diagonal blocks of T).
    const std::vector<std::complex<double>>& eigenvalues() const { return eigenvalues_; }
    // Eigenvalue with the largest real part (the slowest relaxation of the means).
    std::complex<double> rightmost_eigenvalue() const;
    // How T was obtained: "triangular", "normal", "complex-schur", "real-schur" or a mix.
    const std::string& method() const { return method_; }
    int block_count() const { return static_cast<int>(blocks_.size()); }
    int largest_block() const;

    // U^T M U and U M U^T for a square M (the change to and from the Schur basis).
    Eigen::MatrixXd to_schur_basis(const Eigen::MatrixXd& m) const;
    Eigen::MatrixXd from_schur_basis(const Eigen::MatrixXd& m) const;
    // U^T v and U v.
    Eigen::VectorXd to_schur_basis(const Eigen::VectorXd& v) const;
    Eigen::VectorXd from_schur_basis(const Eigen::VectorXd& v) const;

private:
    struct Block {
        int offset = 0;
        int size = 0;
        Eigen::MatrixXd q;   // orthogonal size x size (empty: identity)
        // q is (size/2 x size/2) and acts alike on the x rows and on the p rows (q (x) I_2 in the
        // interleaved order): a real unitary of the complex form, half the flops of its realification.
        bool pairwise = false;
    };
    void factor_real(const Eigen::MatrixXd& a);
    bool factor_phase_covariant(const Eigen::MatrixXd& a);
    // Rows of M: M <- Q^T M (transpose = true) or Q M, block by block.
    void apply_q_rows(Eigen::MatrixXd& m, bool transpose) const;

    std::vector<int> perm_;   // Schur-basis index i <-> original index perm_[i]
    std::vector<Block> blocks_;
    Eigen::MatrixXd t_;
    std::vector<std::complex<double>> eigenvalues_;
    std::string method_;
};

// Strongly connected components of the graph i -> j for |m(i,j)| > threshold (i != j), ordered so that
// the matrix permuted by the concatenated components is block UPPER triangular. Exposed for tests.
std::vector<std::vector<int>> upper_block_triangular_components(const Eigen::MatrixXd& m, double threshold);

}  // namespace qbnet::gaussian
