#pragma once
// Pieces of the waiting-time algorithm (trajectory.hpp) shared by its propagators (private to
// src/trajectories): the initial state and the jump. Both draw from the trajectory's stream in a fixed
// order, so every propagator consumes the same random numbers.
#include <complex>
#include <cstddef>
#include <random>

#include "qbnet/initial_state.hpp"
#include "qbnet/trajectories/unravelling.hpp"

namespace qbnet::trajectories::detail {

// Writes the trajectory's initial state into psi (length D, zero on entry; see trajectory.hpp).
void set_initial_state(const fock::FockBasis& basis, const InitialState& initial, std::mt19937_64& gen,
                       std::complex<double>* psi);

// Draws one uniform and picks channel k with probability rate_k ||L_k psi||^2 / sum; writes L_k psi
// (NOT normalised) into out and returns k. When no channel can fire (numerically) out = psi and the
// result is jumps().size(). out and scratch: length D, neither aliasing psi (out also serves as scratch
// until the channel is chosen).
std::size_t apply_random_jump(const Unravelling& system, const std::complex<double>* psi, std::mt19937_64& gen,
                              std::complex<double>* out, std::complex<double>* scratch);

}  // namespace qbnet::trajectories::detail
