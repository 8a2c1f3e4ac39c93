#pragma once
// Random numbers of trajectory k depend on (seed, k) alone: the generator is a std::mt19937_64 whose
// seed is a SplitMix64 hash of (seed, k). Which thread, batch or MPI rank runs trajectory k changes
// nothing. Uniform doubles are built from the top 53 bits by hand (std::uniform_real_distribution is
// implementation-defined), so the numbers are the same with every standard library.
#include <cstdint>
#include <random>

namespace qbnet::trajectories {

std::uint64_t splitmix64(std::uint64_t x);

// The generator of trajectory k.
std::mt19937_64 trajectory_stream(std::uint64_t seed, std::uint64_t k);

// Uniform in the open interval (0, 1): never 0 (a waiting-time threshold of 0 would never be reached).
inline double uniform_open01(std::mt19937_64& gen) {
    return (static_cast<double>(gen() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

}  // namespace qbnet::trajectories
