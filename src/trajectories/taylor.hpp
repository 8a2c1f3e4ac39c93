#pragma once
// The "taylor" propagator of the waiting-time algorithm (trajectory.hpp; private to src/trajectories).
#include <cstdint>
#include <vector>

#include "qbnet/trajectories/trajectory.hpp"

namespace qbnet::trajectories::detail {

TrajectoryCounters run_taylor_trajectory(const Unravelling& system, const std::vector<double>& times,
                                         const TrajectoryTolerances& tol, std::uint64_t seed, std::uint64_t index,
                                         const StateObserver& observer, const InitialState& initial,
                                         const JumpObserver& on_jump);

}  // namespace qbnet::trajectories::detail
