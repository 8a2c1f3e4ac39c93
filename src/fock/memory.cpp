#include "qbnet/fock/memory.hpp"

#include <fstream>
#include <sstream>

namespace qbnet {

double available_memory_bytes() {
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ss(line);
        std::string key;
        double kib = 0.0;
        ss >> key >> kib;
        if (key == "MemAvailable:") return kib * 1024.0;
    }
    return 0.0;
}

}  // namespace qbnet
