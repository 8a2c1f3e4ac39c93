#include "qbnet/numerics/parallel.hpp"

#include <cstdlib>

#include <unistd.h>

namespace qbnet::numerics {

namespace {
// Set by the pre-initialiser when it chose the policy: libgomp has read it, but the C library gives main()
// the original environment back, so main() cannot see the variable and must rely on this flag.
bool policy_set_before_libraries = false;
}  // namespace

void default_wait_policy_before_libraries() {
    if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
    policy_set_before_libraries = setenv("OMP_WAIT_POLICY", recommended_wait_policy(), 0) == 0;
}

void ensure_passive_wait_policy(char** argv) {
    if (policy_set_before_libraries) {
        setenv("OMP_WAIT_POLICY", recommended_wait_policy(), 0);   // for child processes, as after a re-execution
        return;
    }
    if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;   // the user's choice wins
    if (setenv("OMP_WAIT_POLICY", recommended_wait_policy(), 0) != 0) return;
    // libgomp has already parsed the (unset) variable at load time: only a fresh image sees the new one.
    // The variable is now set, so the new image returns at the check above (no loop).
    execv("/proc/self/exe", argv);
    // execv returned: it failed (no /proc, ...). Carry on with the policy libgomp chose at load time.
}

}  // namespace qbnet::numerics
