#pragma once
// One interface for every engine: run(Model, RunOptions) -> EngineResult. The cross-check, sweeps, the
// optimiser, the CLI and the Python module talk to engines only through this; make_engine() is the one
// place that knows which engines exist.
#include <memory>

#include "qbnet/model/terms.hpp"
#include "qbnet/options.hpp"
#include "qbnet/result.hpp"

namespace qbnet {

class Engine {
public:
    virtual ~Engine() = default;
    virtual EngineKind kind() const = 0;
    // Peak memory the run would need, in GiB; checked against the machine before anything is allocated.
    virtual double memory_estimate_gib(const model::Model& model, const RunOptions& options) const = 0;
    // Throws InputError (bad options for this engine) or RunRefused (memory, no steady state, ...).
    virtual EngineResult run(const model::Model& model, const RunOptions& options, const ProgressFn& progress = {}) const = 0;
};

std::unique_ptr<Engine> make_engine(EngineKind kind);

// Shorthand: make_engine(kind)->run(model, options, progress).
EngineResult run_engine(EngineKind kind, const model::Model& model, const RunOptions& options,
                        const ProgressFn& progress = {});

}  // namespace qbnet
