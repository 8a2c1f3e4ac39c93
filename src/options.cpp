#include "qbnet/options.hpp"

#include <cmath>

namespace qbnet {

namespace {
template <typename Enum, std::size_t N>
std::optional<Enum> parse_name(const std::string& name, const Enum (&values)[N]) {
    for (Enum v : values)
        if (name == to_string(v)) return v;
    return std::nullopt;
}
}  // namespace

const char* to_string(EngineKind kind) {
    switch (kind) {
        case EngineKind::fock: return "fock";
        case EngineKind::gaussian: return "gaussian";
        case EngineKind::trajectories: return "trajectories";
    }
    return "?";
}
const char* to_string(Integrator integrator) {
    switch (integrator) {
        case Integrator::automatic: return "auto";
        case Integrator::dopri5: return "dopri5";
        case Integrator::rkc: return "rkc";
        case Integrator::krylov: return "krylov";
    }
    return "?";
}
const char* to_string(SteadyMethod method) {
    switch (method) {
        case SteadyMethod::automatic: return "auto";
        case SteadyMethod::krylov: return "krylov";
        case SteadyMethod::evolve: return "evolve";
    }
    return "?";
}
const char* to_string(Frame frame) { return frame == Frame::displaced ? "displaced" : "lab"; }
Integrator integrator_for(Integrator integrator, Frame frame) {
    if (integrator != Integrator::automatic) return integrator;
    return frame == Frame::lab ? Integrator::krylov : Integrator::dopri5;
}
std::optional<EngineKind> parse_engine_kind(const std::string& name) {
    static const EngineKind all[] = {EngineKind::fock, EngineKind::gaussian, EngineKind::trajectories};
    return parse_name(name, all);
}
std::optional<Integrator> parse_integrator(const std::string& name) {
    static const Integrator all[] = {Integrator::automatic, Integrator::dopri5, Integrator::rkc, Integrator::krylov};
    return parse_name(name, all);
}
std::optional<SteadyMethod> parse_steady_method(const std::string& name) {
    static const SteadyMethod all[] = {SteadyMethod::automatic, SteadyMethod::krylov, SteadyMethod::evolve};
    return parse_name(name, all);
}
std::optional<Frame> parse_frame(const std::string& name) {
    static const Frame all[] = {Frame::lab, Frame::displaced};
    return parse_name(name, all);
}
bool RunOptions::is_valid(std::string* why) const {
    auto fail = [&](const char* msg) {
        if (why) *why = msg;
        return false;
    };
    if (!(time.t_end >= 0.0) || !std::isfinite(time.t_end)) return fail("time.t_end must be finite and >= 0");
    if (time.samples < 2) return fail("time.samples must be >= 2");
    if (!(time.atol > 0.0) || !(time.rtol > 0.0)) return fail("time.atol and time.rtol must be > 0");
    if (!(steady.tol > 0.0)) return fail("steady_state.tol must be > 0");
    for (int c : fock.cutoff)
        if (c < 2) return fail("fock.cutoff must be >= 2");
    if (!(fock.tolerance > 0.0) || !(fock.tolerance < 1.0)) return fail("fock.tolerance must be in (0, 1)");
    if (trajectories.count < 1) return fail("trajectories.count must be >= 1");
    if (!(trajectories.target_error >= 0.0)) return fail("trajectories.target_error must be > 0 when set");
    if (threads < 0) return fail("threads must be >= 0");
    return true;
}

}  // namespace qbnet
