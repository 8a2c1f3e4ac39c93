// The one place that knows which engines exist.
#include "qbnet/engine.hpp"

#include "qbnet/errors.hpp"
#include "qbnet/fock/engine.hpp"
#include "qbnet/gaussian/engine.hpp"
#include "qbnet/trajectories/engine.hpp"

namespace qbnet {

std::unique_ptr<Engine> make_engine(EngineKind kind) {
    switch (kind) {
        case EngineKind::fock: return fock::make_fock_engine();
        case EngineKind::gaussian: return gaussian::make_gaussian_engine();
        case EngineKind::trajectories: return trajectories::make_trajectory_engine();
    }
    throw InputError("--engine", std::string("the ") + to_string(kind) + " engine is not available in this build");
}

EngineResult run_engine(EngineKind kind, const model::Model& model, const RunOptions& options, const ProgressFn& progress) {
    return make_engine(kind)->run(model, options, progress);
}

}  // namespace qbnet
