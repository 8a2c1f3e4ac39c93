#include "qbnet/study/run.hpp"

#include "qbnet/errors.hpp"
#include "qbnet/fock/engine.hpp"
#include "qbnet/gaussian/engine.hpp"

namespace qbnet {

EngineResult run_engine(const std::string& engine, const Model& model, const RunOptions& options,
                        const ProgressFn& progress) {
    if (engine == "fock") return run_fock(model, options, progress);
    if (engine == "gaussian") return run_gaussian(model, options, progress);
    throw InputError("engine", "unknown engine '" + engine + "' (allowed: fock, gaussian, both)");
}

}  // namespace qbnet
