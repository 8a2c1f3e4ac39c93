#pragma once
// Items 0..n-1 computed over all ranks with dynamic scheduling, results gathered on the root in item
// order. Every rank calls distribute_ordered with the same n (a collective).
//
// The root hands out item indices one at a time, to its own workers and to the other ranks' workers
// (a worker asks for the next item when it delivers its last one), so expensive and cheap items even
// out. What an item computes depends on its index only, never on which rank or worker ran it; the
// payloads arrive in completion order (on_done, for journals and progress) and are returned in item
// order, so a reduction over them in index order is the same on any number of ranks.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace qbnet::parallel {

using Payload = std::string;   // bytes; pack()/unpack() for lists, or the bytes of a vector<double>

struct DistributeOptions {
    // compute() calls running side by side on each rank (threads; each may use OpenMP inside).
    int local_workers = 1;
    // Root only, on the calling thread, in completion order. Return false to stop handing out items:
    // the items already running finish and are delivered, the rest stay undone.
    std::function<bool(std::size_t index, const Payload& payload)> on_done;
};

struct DistributeOutcome {
    std::vector<std::optional<Payload>> payloads;   // root: item order (nullopt: not computed); others: empty
    bool stopped = false;                           // on every rank: on_done returned false
    std::size_t computed_here = 0;                  // items this rank computed
};

// compute(i) may throw: the exception is rethrown on the rank that ran it (in a group of more than
// one, the caller then prints it once and calls abort(): the other ranks cannot know and would wait).
DistributeOutcome distribute_ordered(std::size_t n, const std::function<Payload(std::size_t)>& compute,
                                     const DistributeOptions& options = {});

// Bytes of a vector<double> and back (bit-exact; for numeric payloads).
Payload to_payload(const std::vector<double>& values);
std::vector<double> doubles_from(const Payload& payload);

}  // namespace qbnet::parallel
