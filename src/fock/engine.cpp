// TEMPORARY placeholder while the Fock engine is written (replaced in the next commit).
#include "qbnet/fock/engine.hpp"
#include "qbnet/errors.hpp"
namespace qbnet {
EngineResult run_fock(const Model&, const RunOptions&, const ProgressFn&) {
    throw RunRefused("fock engine: not built yet");
}
double fock_memory_estimate_gib(const Model&, const RunOptions&) { return 0.0; }
}  // namespace qbnet
