#include "qbnet/numerics/parallel.hpp"

#include <cstdlib>

#include <unistd.h>

namespace qbnet::numerics {

void ensure_passive_wait_policy(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;   // the user's choice wins
    if (setenv("OMP_WAIT_POLICY", recommended_wait_policy(), 0) != 0) return;
    // libgomp has already parsed the (unset) variable at load time: only a fresh image sees the new one.
    // The variable is now set, so the new image returns at the check above (no loop).
    execv("/proc/self/exe", argv);
    // execv returned: it failed (no /proc, ...). Carry on with the policy libgomp chose at load time.
}

}  // namespace qbnet::numerics
