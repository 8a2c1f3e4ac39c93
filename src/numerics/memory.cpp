#include "qbnet/numerics/memory.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <cstdint>

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

namespace qbnet::numerics {

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) return "";
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

double read_number(const std::string& path) { return parse_cgroup_limit(read_text(path)); }

// A value from a limit file: "max", an absurdly large v1 "no limit" (PAGE_COUNTER_MAX ~ 2^63) or
// nothing readable mean "no limit".
bool is_limit(double bytes) { return bytes >= 0.0 && bytes < 1e18; }

// The path of this process in one cgroup hierarchy of /proc/self/cgroup: "0::/p" for v2 (controller
// ""), "4:memory:/p" for the v1 memory controller; "/" when not found.
std::string cgroup_path(const std::string& controller) {
    std::istringstream lines(read_text("/proc/self/cgroup"));
    for (std::string line; std::getline(lines, line);) {
        const auto a = line.find(':');
        const auto b = a == std::string::npos ? a : line.find(':', a + 1);
        if (b == std::string::npos) continue;
        const std::string controllers = line.substr(a + 1, b - a - 1);
        std::istringstream list(controllers);
        bool match = controller.empty() && controllers.empty();
        for (std::string c; !match && std::getline(list, c, ',');) match = c == controller;
        if (match) {
            const std::string rel = line.substr(b + 1);
            return rel.empty() || rel[0] != '/' ? std::string("/") : rel;
        }
    }
    return "/";
}

// Every ancestor's limit applies: the tightest (limit - usage) from the process's cgroup up to the root
// of the mounted hierarchy (inside a container the namespace root is usually "/"). -1: no limit.
double tightest_left(const std::string& mount, std::string rel, const char* limit_file, const char* usage_file) {
    double best = -1.0;
    for (;;) {
        const std::string dir = mount + (rel == "/" ? std::string() : rel);
        const double limit = read_number(dir + "/" + limit_file);
        if (is_limit(limit)) {
            const double usage = std::max(0.0, read_number(dir + "/" + usage_file));
            const double left = std::max(0.0, limit - usage);
            best = best < 0.0 ? left : std::min(best, left);
        }
        if (rel == "/" || rel.empty()) break;
        const auto slash = rel.find_last_of('/');
        rel = slash == 0 || slash == std::string::npos ? "/" : rel.substr(0, slash);
    }
    return best;
}

double cgroup_left() {
    const std::string v2 = cgroup_path("");
    const std::string v1 = cgroup_path("memory");
    double best = -1.0;
    // v2 unified mount (pure v2), the unified part of a hybrid setup, and the v1 memory controller.
    for (double left : {tightest_left("/sys/fs/cgroup", v2, "memory.max", "memory.current"),
                        tightest_left("/sys/fs/cgroup/unified", v2, "memory.max", "memory.current"),
                        tightest_left("/sys/fs/cgroup/memory", v1, "memory.limit_in_bytes", "memory.usage_in_bytes")})
        if (left >= 0.0) best = best < 0.0 ? left : std::min(best, left);
    return best;
}

double address_space_left() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return -1.0;
    // What is already mapped (libraries, thread stacks, heap) counts against RLIMIT_AS.
    double mapped = 0.0;
    std::istringstream statm(read_text("/proc/self/statm"));
    double pages = 0.0;
    if (statm >> pages) mapped = pages * static_cast<double>(::sysconf(_SC_PAGESIZE));
    return std::max(0.0, static_cast<double>(rl.rlim_cur) - mapped);
}

}  // namespace

double parse_cgroup_limit(const std::string& text) {
    std::istringstream ss(text);
    std::string word;
    if (!(ss >> word) || word == "max") return -1.0;
    char* end = nullptr;
    const double value = std::strtod(word.c_str(), &end);
    if (end == word.c_str() || *end != '\0' || !(value >= 0.0)) return -1.0;
    return value;
}

double parse_meminfo_available(const std::string& meminfo_text) {
    std::istringstream lines(meminfo_text);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream ss(line);
        std::string key;
        double kib = 0.0;
        if ((ss >> key >> kib) && key == "MemAvailable:") return kib * 1024.0;
    }
    return -1.0;
}

double MemoryLimits::available() const {
    double best = -1.0;
    for (double x : {mem_available, cgroup, address_space})
        if (x >= 0.0) best = best < 0.0 ? x : std::min(best, x);
    return std::max(best, 0.0);
}

std::string MemoryLimits::binding_source() const {
    const double a = available();
    if (address_space >= 0.0 && address_space <= a) return "the address-space limit left (ulimit -v)";
    if (cgroup >= 0.0 && cgroup <= a) return "the container's cgroup memory limit left";
    if (mem_available >= 0.0) return "MemAvailable";
    return "unknown";
}

MemoryLimits memory_limits() {
    MemoryLimits m;
    m.mem_available = parse_meminfo_available(read_text("/proc/meminfo"));
    m.cgroup = cgroup_left();
    m.address_space = address_space_left();
    return m;
}

double available_memory_bytes() { return memory_limits().available(); }

bool advise_huge_pages(void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
    if (data == nullptr || bytes < 2 * kHuge) return false;
    const std::uintptr_t begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
    const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
    if (end <= begin) return false;
    return madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE) == 0;
#else
    (void)data;
    (void)bytes;
    return false;
#endif
}

}  // namespace qbnet::numerics
