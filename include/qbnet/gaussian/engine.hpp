#pragma once
// Gaussian engine entry point: means and covariance matrix (quadratic models only).
#include <memory>

#include "qbnet/engine.hpp"
#include "qbnet/model/terms.hpp"
#include "qbnet/result.hpp"
#include "qbnet/options.hpp"

namespace qbnet::gaussian {

// Throws RunRefused for a Kerr model or a drift matrix without a steady state.
EngineResult run_gaussian(const model::Model& model, const RunOptions& options, const ProgressFn& progress = {});

// The Engine implementation (make_engine(EngineKind::gaussian) returns it).
std::unique_ptr<Engine> make_gaussian_engine();

}  // namespace qbnet::gaussian
