#pragma once
// Gaussian engine entry point: means and covariance matrix (quadratic models only).
#include "qbnet/model/terms.hpp"
#include "qbnet/observables/report.hpp"
#include "qbnet/options.hpp"

namespace qbnet {

// Throws RunRefused for a Kerr model or a drift matrix without a steady state.
EngineResult run_gaussian(const Model& model, const RunOptions& options, const ProgressFn& progress = {});

}  // namespace qbnet
