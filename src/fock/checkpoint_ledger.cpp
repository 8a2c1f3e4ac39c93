#include "checkpoint_ledger.hpp"

#include <algorithm>

#include "qbnet/errors.hpp"

namespace qbnet::fock_detail {

bool CheckpointLedger::save(const EvolutionCheckpoint& current) const {
    Checkpoint c;
    c.engine = EngineKind::fock;
    c.evolutions = finished_;
    c.evolutions.push_back(current);
    return options_.save(c);
}

const EvolutionCheckpoint* CheckpointLedger::resume_for(Frame frame, const std::vector<int>& cutoffs,
                                                        std::size_t samples, long rho_size) const {
    if (!options_.resume) return nullptr;
    for (const auto& e : options_.resume->evolutions) {
        if (e.frame != frame || e.cutoffs != cutoffs) continue;
        if (e.next_sample < 1 || e.next_sample > samples || e.samples.size() != e.next_sample ||
            static_cast<long>(e.rho.size()) != rho_size || e.top.size() != cutoffs.size())
            throw InputError("--resume", "the checkpoint's Fock evolution does not match this run (samples or cutoffs)");
        return &e;
    }
    return nullptr;
}

std::size_t checkpoint_stride(std::size_t samples) {
    constexpr std::size_t kBoundaries = 64;
    return samples <= 1 ? 1 : std::max<std::size_t>(1, (samples - 1 + kBoundaries - 1) / kBoundaries);
}

}  // namespace qbnet::fock_detail
