#include "qbnet/options.hpp"

#include <cmath>

namespace qbnet {

bool RunOptions::is_valid(std::string* why) const {
    auto fail = [&](const char* msg) {
        if (why) *why = msg;
        return false;
    };
    if (!(time.t_end >= 0.0) || !std::isfinite(time.t_end)) return fail("time.t_end must be finite and >= 0");
    if (time.samples < 2) return fail("time.samples must be >= 2");
    if (!(time.atol > 0.0) || !(time.rtol > 0.0)) return fail("time.atol and time.rtol must be > 0");
    if (time.integrator != "dopri5" && time.integrator != "rkc")
        return fail("time.integrator must be \"dopri5\" or \"rkc\"");
    if (!(steady.tol > 0.0)) return fail("steady_state.tol must be > 0");
    for (int c : fock.cutoff)
        if (c < 2) return fail("fock.cutoff must be >= 2");
    if (threads < 0) return fail("threads must be >= 0");
    return true;
}

}  // namespace qbnet
