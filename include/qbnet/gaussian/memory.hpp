#pragma once
// Memory estimate of a Gaussian run, checked BEFORE the moments are built (issue 18: batteries = 20000
// ended in std::bad_alloc, exit 3).
#include "qbnet/model/terms.hpp"
#include "qbnet/options.hpp"

namespace qbnet::gaussian {

// Peak GiB of a Gaussian run: the steady state works on ~16 dense n x n matrices (drift, Schur factors,
// Lyapunov workspace; n = 2 x modes); the time evolution on a 2n x 2n matrix exponential (~8 copies)
// plus one n x n covariance per stored sample.
double gaussian_memory_estimate_gib(const model::Model& model, const RunOptions& options);

// Throws RunRefused (one line: GiB needed, GiB available and which limit binds, what to change) when
// the estimate exceeds options.memory_limit_gib or, when that is 0, 90% of available_memory_bytes().
void check_gaussian_memory(const model::Model& model, const RunOptions& options);

}  // namespace qbnet::gaussian
