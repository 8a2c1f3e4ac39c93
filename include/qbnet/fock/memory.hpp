#pragma once
// Memory estimate of a Fock run, checked BEFORE anything large is allocated.
#include <string>

namespace qbnet {

// Bytes available to this process: MemAvailable from /proc/meminfo (0 when unknown).
double available_memory_bytes();

}  // namespace qbnet
