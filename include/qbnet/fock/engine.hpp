#pragma once
// Fock engine entry point: full density matrix in a truncated Fock basis.
#include <memory>

#include "qbnet/engine.hpp"
#include "qbnet/model/terms.hpp"
#include "qbnet/result.hpp"
#include "qbnet/options.hpp"

namespace qbnet::fock {

// Steady state (if enabled) and time evolution (if t_end > 0). Throws RunRefused when the memory
// estimate exceeds the limit (before allocating anything).
EngineResult run_fock(const model::Model& model, const RunOptions& options, const ProgressFn& progress = {});

// Peak memory the Fock engine would need for these options, in GiB.
double fock_memory_estimate_gib(const model::Model& model, const RunOptions& options);

// The Engine implementation (make_engine(EngineKind::fock) returns it).
std::unique_ptr<Engine> make_fock_engine();

}  // namespace qbnet::fock
