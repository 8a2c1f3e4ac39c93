#pragma once
// One interface above the engines: run a Model with options -> EngineResult. The cross-check, sweeps
// and the optimiser talk to the engines only through this.
#include <string>

#include "qbnet/model/terms.hpp"
#include "qbnet/observables/report.hpp"
#include "qbnet/options.hpp"

namespace qbnet {

// engine: "fock" | "gaussian"
EngineResult run_engine(const std::string& engine, const Model& model, const RunOptions& options,
                        const ProgressFn& progress = {});

}  // namespace qbnet
