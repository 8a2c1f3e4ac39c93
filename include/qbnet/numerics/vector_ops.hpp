#pragma once
// Streaming kernels over complex arrays used by the Krylov solvers and preconditioners (src/numerics/
// vector_ops.cpp). Arrays of n complex numbers are vectors of the REAL space R^{2n} (inner product
// Re x^dag y): the steady-state solver works over hermitian matrices, a real-linear space.
// `threads` is the most OpenMP threads a kernel may use (>= 1, already resolved); each kernel uses
// fewer when its length does not pay for them (numerics::vector_threads). Reductions combine
// per-thread partial sums in thread order: the result depends on the thread count, not on timing.
#include <complex>
#include <vector>

#include <Eigen/Dense>

namespace qbnet::numerics {

using cd = std::complex<double>;

// Re sum_i conj(x_i) y_i.
double real_dot(const cd* x, const cd* y, long n, int threads);
// y += a x.
void axpy(double a, const cd* x, cd* y, long n, int threads);
// x *= a.
void scale(double a, cd* x, long n, int threads);
// Classical Gram-Schmidt, first half: h[i] = <v_i, w> for i < count, and h[count] = <w, w>.
// Every basis vector is streamed once, in blocks that keep w's piece in L1.
void multi_dot(const std::vector<Eigen::VectorXcd>& v, int count, const cd* w, long n, double* h, int threads);
// Second half: w = scale (w - sum_i c[i] v_i); returns <w, w> of the result.
double multi_subtract(const std::vector<Eigen::VectorXcd>& v, int count, const double* c, cd* w, long n,
                      int threads, double scale = 1.0);
// out = sum_i c[i] v_i (out may be v_0, but none of the others), in one pass: each basis vector streamed
// once and out written once (GMRES's update V y, and its residual gathered over v_0).
void linear_combination(const std::vector<Eigen::VectorXcd>& v, int count, const double* c, cd* out, long n,
                        int threads);

// Row-major D x D matrices.
// out = x^dag, in tiles.
void adjoint(const cd* x, cd* out, long d, int threads);
// x <- (x + x^dag) / 2, in tile pairs.
void hermitize(cd* x, long d, int threads);
// tr x (serial: D terms).
cd trace(const cd* x, long d);

}  // namespace qbnet::numerics
