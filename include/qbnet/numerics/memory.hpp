#pragma once
// Memory available to this process, checked BEFORE anything large is allocated (every engine); large
// work arrays on transparent huge pages.
#include <cstddef>
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

// Asks the kernel to back [data, data + bytes) with transparent huge pages (Linux madvise MADV_HUGEPAGE on
// the whole 2 MiB pages inside the range; elsewhere, or below 4 MiB, nothing). Call it on a freshly
// allocated array before its first write: the pages are then faulted in 2 MiB at a time. Kernels whose
// accesses jump between rows of a large rho (the Liouvillian's shifted rows, the preconditioner's tiles)
// otherwise miss the TLB on nearly every row. Returns whether the advice was taken (false where the system
// does not offer it: the array works the same, on small pages).
bool advise_huge_pages(void* data, std::size_t bytes);
// v.resize(n), the new array on huge pages (advise_huge_pages) when it is large. For Eigen vectors (any
// type with resize(), data() and a contiguous array).
template <class Vector>
void resize_on_huge_pages(Vector& v, long n) {
    v.resize(n);
    advise_huge_pages(v.data(), sizeof(*v.data()) * static_cast<std::size_t>(n));
}

// Parsers, exposed for the unit tests. cgroup v2 "max" (no limit) gives a negative value.
double parse_cgroup_limit(const std::string& text);
double parse_meminfo_available(const std::string& meminfo_text);

}  // namespace qbnet::numerics
