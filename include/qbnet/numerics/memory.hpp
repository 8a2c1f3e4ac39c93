#pragma once
// Memory available to this process, checked BEFORE anything large is allocated (every engine).
#include <string>

namespace qbnet::numerics {

// Each source of a memory limit, in bytes; a negative value means "no limit from this source / unknown".
struct MemoryLimits {
    double mem_available = -1.0;   // MemAvailable in /proc/meminfo
    double cgroup = -1.0;          // cgroup v2 memory.max - memory.current (tightest along the path), or v1
                                   // memory.limit_in_bytes - memory.usage_in_bytes
    double address_space = -1.0;   // ulimit -v (RLIMIT_AS soft limit) minus the address space already mapped

    // The smallest known limit (0 when none is known).
    double available() const;
    // e.g. "the address-space limit (ulimit -v)": names the source that sets available().
    std::string binding_source() const;
};

// Reads /proc/meminfo, the process's cgroup (v2 unified hierarchy or v1 memory controller) and
// getrlimit(RLIMIT_AS).
MemoryLimits memory_limits();

// Bytes available to this process: the minimum of MemAvailable, the cgroup limit left and the
// address-space limit left (0 when unknown).
double available_memory_bytes();

// Parsers, exposed for the unit tests. cgroup v2 "max" (no limit) gives a negative value.
double parse_cgroup_limit(const std::string& text);
double parse_meminfo_available(const std::string& meminfo_text);

}  // namespace qbnet::numerics
