#pragma once
// Fock <-> Gaussian cross-check: both engines on one model, every energy and ergotropy compared
// (steady state and time series), judged against the Fock engine's own truncation estimate.
#include <string>

#include "qbnet/result.hpp"

namespace qbnet {

struct CrossCheckOptions {
    double rel_tol = 1e-6;     // allowed relative difference on top of the truncation estimate
    double abs_floor = 1e-9;   // differences below this are ignored (solver precision)
};

struct CrossCheck {
    bool agree = false;
    double max_abs_diff = 0.0;
    double max_rel_diff = 0.0;
    double tolerance = 0.0;          // the relative tolerance actually applied
    std::string worst_quantity;      // e.g. "steady_state.b2.ergotropy" or "timeseries[t=12.5].E_b1"
};

CrossCheck cross_check(const EngineResult& fock, const EngineResult& gaussian,
                       const CrossCheckOptions& options = {});

}  // namespace qbnet
