#pragma once
// Memory estimate of a Gaussian run, checked BEFORE the moments are built (issue 18: batteries = 20000
// ended in std::bad_alloc, exit 3).
#include "qbnet/model/terms.hpp"
#include "qbnet/options.hpp"

namespace qbnet::gaussian {

// Peak GiB of a Gaussian run when the steady state takes a structured O(n^2) path (structured_steady.hpp:
// drift, diffusion, covariance and a complex M x M solve, 3.5 n x n doubles; n = 2 x modes); the time
// evolution adds a 2n x 2n matrix exponential (~8 copies) plus one n x n covariance per stored sample.
double gaussian_memory_estimate_gib(const model::Model& model, const RunOptions& options);
// Peak GiB when the steady state needs the dense structured-Schur path instead (~16 n x n doubles: drift,
// Schur factors, Lyapunov workspace). Known only once the moments exist: run_gaussian checks it then.
double gaussian_dense_steady_memory_gib(const model::Model& model, const RunOptions& options);

// Throws RunRefused (one line: GiB needed, GiB available and which limit binds, what to change) when
// the estimate exceeds options.memory_limit_gib or, when that is 0, 90% of available_memory_bytes().
void check_gaussian_memory(const model::Model& model, const RunOptions& options);
// The same for the dense steady-state path, with the moments already allocated.
void check_gaussian_dense_steady_memory(const model::Model& model, const RunOptions& options);

}  // namespace qbnet::gaussian
