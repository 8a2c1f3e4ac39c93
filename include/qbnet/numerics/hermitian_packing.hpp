#pragma once
// Hermitian D x D matrices as D^2 REAL numbers: the Fock steady-state solver's Krylov
// vectors. A hermitian matrix has D^2 real degrees of freedom, so its packed form takes half the memory
// and half the streaming work of the row-major complex array.
//
// Layout (doubles): row m starts at offset m (2D - m) and holds Re X_mm, then for n = m+1 .. D-1 the
// pair sqrt(2) Re X_mn, sqrt(2) Im X_mn. With the sqrt(2) weight the Euclidean inner product of two
// packed vectors is the real Frobenius product Re tr(X^dag Y) of the matrices, and the Euclidean norm
// is ||X||_F: the Krylov solver's inner products, norms and stopping figure are those of the full
// matrices (docs/derivations.md, "Fock steady state").
//
// The packed vector is stored as an Eigen::VectorXcd of packed_size(D) = ceil(D^2 / 2) entries (pairs of
// doubles; one trailing 0 when D is odd) so that the generic Krylov solver (qbnet/numerics/krylov.hpp)
// and its kernels (qbnet/numerics/vector_ops.hpp), which see complex arrays as real vectors, run on it
// unchanged.
#include <complex>
#include <vector>

#include <Eigen/Dense>

namespace qbnet::numerics {

// x += sum_{i < k} c[i] Z_i for packed x and vectors z_i holding the same layout WITHOUT the sqrt 2
// weight, in single precision (the flexible GMRES's kept preconditioned vectors, steady.hpp).
void add_packed_combination(const std::vector<Eigen::VectorXcf>& z, int k, const double* c,
                            std::complex<double>* x, long d, int threads);

// Offsets (in doubles; the same index in a packed vector of floats) of row m's first value Re X_mm, and of
// the pair (Re, Im) X_mn for n > m.
inline long packed_row_offset(long m, long d) { return m * (2 * d - m); }
inline long packed_offset(long m, long n, long d) { return packed_row_offset(m, d) + 1 + 2 * (n - m - 1); }

// Entries (complex, i.e. pairs of doubles) of the packed form of a D x D hermitian matrix.
long packed_size(long d);

// packed <- X for hermitian X (row-major D x D): reads the diagonal's real part and the upper triangle
// (for a matrix that is hermitian up to rounding this is its hermitian part up to rounding).
void pack_hermitian(const std::complex<double>* x, long d, std::complex<double>* packed, int threads);

// X <- the hermitian matrix of `packed` (every entry written, both triangles).
void unpack_hermitian(const std::complex<double>* packed, long d, std::complex<double>* x, int threads);
// The same, rounded to single precision (a preconditioner's working copy).
void unpack_hermitian(const std::complex<double>* packed, long d, std::complex<float>* x, int threads);

// Trace of the matrix of `packed` (the diagonal is stored unweighted). Serial: D terms.
double packed_trace(const std::complex<double>* packed, long d);

// packed += a I (adds a to every diagonal entry).
void packed_add_identity(double a, std::complex<double>* packed, long d);

}  // namespace qbnet::numerics
