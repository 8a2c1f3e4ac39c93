#include "qbnet/trajectories/random_stream.hpp"

namespace qbnet::trajectories {

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::mt19937_64 trajectory_stream(std::uint64_t seed, std::uint64_t k) {
    // Two rounds so that (seed, k) and (seed', k') with seed + k = seed' + k' give unrelated streams.
    std::seed_seq seq{static_cast<std::uint32_t>(splitmix64(splitmix64(seed) ^ k)),
                      static_cast<std::uint32_t>(splitmix64(splitmix64(seed) ^ k) >> 32),
                      static_cast<std::uint32_t>(splitmix64(splitmix64(seed + 1) ^ k)),
                      static_cast<std::uint32_t>(splitmix64(splitmix64(seed + 1) ^ k) >> 32)};
    return std::mt19937_64(seq);
}

}  // namespace qbnet::trajectories
