// TEMPORARY placeholder while the Gaussian engine is written.
#include "qbnet/gaussian/engine.hpp"
#include "qbnet/errors.hpp"
namespace qbnet {
EngineResult run_gaussian(const Model&, const RunOptions&, const ProgressFn&) {
    throw RunRefused("gaussian engine: not built yet");
}
}  // namespace qbnet
