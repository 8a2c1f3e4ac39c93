#include "qbnet/io/checkpoint.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "qbnet/errors.hpp"
#include "qbnet/io/provenance.hpp"
#include "qbnet/io/results.hpp"

namespace qbnet::io {

namespace {
using json = nlohmann::json;
using cd = std::complex<double>;
constexpr int kFormatVersion = 2;   // 2: steady-state solves

// Raw doubles: bit-exact and compact (a json array would cost ~20x the memory of rho).
template <class T>
json to_binary(const std::vector<T>& v) {
    std::vector<std::uint8_t> bytes(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
    return json::binary(std::move(bytes));
}
template <class T>
std::vector<T> from_binary(const json& j) {
    const auto& bytes = j.get_binary();
    if (bytes.size() % sizeof(T) != 0) throw std::runtime_error("truncated array");
    std::vector<T> v(bytes.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
}

json figures(const Figures& f) { return json::array({f.energy, f.ergotropy, f.passive_energy}); }
Figures figures_of(const json& j) { return {j.at(0).get<double>(), j.at(1).get<double>(), j.at(2).get<double>()}; }
json optional_figures(const std::optional<Figures>& f) { return f ? figures(*f) : json(nullptr); }
std::optional<Figures> optional_figures_of(const json& j) {
    if (j.is_null()) return std::nullopt;
    return figures_of(j);
}

json snapshot(const Snapshot& s) {
    json modes = json::array();
    for (const auto& m : s.modes) modes.push_back({{"name", m.name}, {"f", figures(m)}, {"e", optional_figures(m.error)}});
    return {{"modes", modes},
            {"batteries", figures(s.batteries)},
            {"available", s.batteries_ergotropy_available},
            {"batteries_error", optional_figures(s.batteries_error)}};
}
Snapshot snapshot_of(const json& j) {
    Snapshot s;
    for (const auto& m : j.at("modes")) {
        ModeFigures mf;
        static_cast<Figures&>(mf) = figures_of(m.at("f"));
        mf.name = m.at("name").get<std::string>();
        mf.error = optional_figures_of(m.at("e"));
        s.modes.push_back(std::move(mf));
    }
    s.batteries = figures_of(j.at("batteries"));
    s.batteries_ergotropy_available = j.at("available").get<bool>();
    s.batteries_error = optional_figures_of(j.at("batteries_error"));
    return s;
}

json evolution(const EvolutionCheckpoint& e) {
    json samples = json::array();
    for (const auto& s : e.samples) samples.push_back(snapshot(s));
    return {{"cutoffs", e.cutoffs},   {"frame", to_string(e.frame)},
            {"next_sample", e.next_sample}, {"t", e.t},
            {"dt", e.dt},             {"rho", to_binary(e.rho)},
            {"alpha", to_binary(e.alpha)},
            {"samples", samples},     {"top", e.top},
            {"steps", e.steps},       {"rhs_calls", e.rhs_calls},
            {"max_trace_error", e.max_trace_error}, {"max_hermiticity_error", e.max_hermiticity_error},
            {"error_estimate", e.error_estimate}};
}
EvolutionCheckpoint evolution_of(const json& j) {
    EvolutionCheckpoint e;
    e.cutoffs = j.at("cutoffs").get<std::vector<int>>();
    e.frame = parse_frame(j.at("frame").get<std::string>()).value();
    e.next_sample = j.at("next_sample").get<std::size_t>();
    e.t = j.at("t").get<double>();
    e.dt = j.at("dt").get<double>();
    e.rho = from_binary<cd>(j.at("rho"));
    e.alpha = from_binary<cd>(j.at("alpha"));
    for (const auto& s : j.at("samples")) e.samples.push_back(snapshot_of(s));
    e.top = j.at("top").get<std::vector<double>>();
    e.steps = j.at("steps").get<long>();
    e.rhs_calls = j.at("rhs_calls").get<long>();
    e.max_trace_error = j.at("max_trace_error").get<double>();
    e.max_hermiticity_error = j.at("max_hermiticity_error").get<double>();
    e.error_estimate = j.value("error_estimate", 0.0);   // absent in checkpoints written before krylov
    return e;
}

const char* phase_name(fock::SteadyCheckpoint::Phase p) {
    switch (p) {
        case fock::SteadyCheckpoint::Phase::krylov: return "krylov";
        case fock::SteadyCheckpoint::Phase::evolve: return "evolve";
        case fock::SteadyCheckpoint::Phase::done: return "done";
    }
    return "?";
}
fock::SteadyCheckpoint::Phase phase_of(const std::string& name) {
    for (auto p : {fock::SteadyCheckpoint::Phase::krylov, fock::SteadyCheckpoint::Phase::evolve, fock::SteadyCheckpoint::Phase::done})
        if (name == phase_name(p)) return p;
    throw std::runtime_error("unknown steady-state phase '" + name + "'");
}

json steady_summary(const fock::SteadySummary& s) {
    return {{"converged", s.converged}, {"method", s.method}, {"preconditioner", s.preconditioner},
            {"iterations", s.iterations}, {"rhs_calls", s.rhs_calls}, {"residual", s.residual},
            {"rate_scale", s.rate_scale}, {"scaled_residual", s.scaled_residual}, {"stagnated", s.stagnated},
            {"raw_trace_error", s.raw_trace_error}, {"raw_hermiticity_error", s.raw_hermiticity_error},
            {"wall_s", s.wall_s}, {"stop_reason", s.stop_reason}, {"warnings", s.warnings}};
}
fock::SteadySummary steady_summary_of(const json& j) {
    fock::SteadySummary s;
    s.converged = j.at("converged").get<bool>();
    s.method = j.at("method").get<std::string>();
    s.preconditioner = j.at("preconditioner").get<std::string>();
    s.iterations = j.at("iterations").get<long>();
    s.rhs_calls = j.at("rhs_calls").get<long>();
    s.residual = j.at("residual").get<double>();
    s.rate_scale = j.at("rate_scale").get<double>();
    s.scaled_residual = j.at("scaled_residual").get<double>();
    s.stagnated = j.at("stagnated").get<bool>();
    s.raw_trace_error = j.at("raw_trace_error").get<double>();
    s.raw_hermiticity_error = j.at("raw_hermiticity_error").get<double>();
    s.wall_s = j.at("wall_s").get<double>();
    s.stop_reason = j.at("stop_reason").get<std::string>();
    s.warnings = j.at("warnings").get<std::vector<std::string>>();
    return s;
}

json steady(const fock::SteadyCheckpoint& s) {
    return {{"cutoffs", s.cutoffs},
            {"frame", to_string(s.frame)},
            {"phase", phase_name(s.phase)},
            {"rho", to_binary(s.rho)},
            {"gmres", {{"iterations", s.gmres.iterations}, {"reorth_passes", s.gmres.reorth_passes},
                       {"history", to_binary(s.gmres.history)}}},
            {"chunk", s.chunk},
            {"t", s.t},
            {"used", s.used},
            {"evolve_history", to_binary(s.evolve_history)},
            {"gmres_note", s.gmres_note},
            {"summary", steady_summary(s.summary)}};
}
fock::SteadyCheckpoint steady_of(const json& j) {
    fock::SteadyCheckpoint s;
    s.cutoffs = j.at("cutoffs").get<std::vector<int>>();
    s.frame = parse_frame(j.at("frame").get<std::string>()).value();
    s.phase = phase_of(j.at("phase").get<std::string>());
    s.rho = from_binary<cd>(j.at("rho"));
    const json& g = j.at("gmres");
    s.gmres.iterations = g.at("iterations").get<long>();
    s.gmres.reorth_passes = g.at("reorth_passes").get<long>();
    s.gmres.history = from_binary<double>(g.at("history"));
    s.chunk = j.at("chunk").get<int>();
    s.t = j.at("t").get<double>();
    s.used = j.at("used").get<long>();
    s.evolve_history = from_binary<double>(j.at("evolve_history"));
    s.gmres_note = j.at("gmres_note").get<std::string>();
    s.summary = steady_summary_of(j.at("summary"));
    return s;
}

json batch(const trajectories::BatchAccumulator& b) {
    return {{"batch", b.batch}, {"trajectories", b.trajectories}, {"jumps", b.jumps}, {"steps", b.steps},
            {"sums", to_binary(b.sums)}};
}
trajectories::BatchAccumulator batch_of(const json& j) {
    trajectories::BatchAccumulator b;
    b.batch = j.at("batch").get<int>();
    b.trajectories = j.at("trajectories").get<long>();
    b.jumps = j.at("jumps").get<long>();
    b.steps = j.at("steps").get<long>();
    b.sums = from_binary<cd>(j.at("sums"));
    return b;
}
}  // namespace

std::filesystem::path checkpoint_path(const std::filesystem::path& out_dir) { return out_dir / "checkpoint.qbnet"; }

std::string run_fingerprint(const Scenario& scenario, const std::string& engines) {
    const std::string text = scenario.resolved.dump() + "\n--engine " + engines;
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    std::ostringstream s;
    s << std::hex << h;
    return s.str();
}

void write_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint, const std::string& fingerprint) {
    json j;
    j["format"] = "qbnet-checkpoint";
    j["format_version"] = kFormatVersion;
    j["qbnet"] = version_line();
    j["fingerprint"] = fingerprint;
    j["engine"] = to_string(checkpoint.engine);
    j["evolutions"] = json::array();
    for (const auto& e : checkpoint.evolutions) j["evolutions"].push_back(evolution(e));
    j["steady_states"] = json::array();
    for (const auto& s : checkpoint.steady_states) j["steady_states"].push_back(steady(s));
    j["batches"] = json::array();
    for (const auto& b : checkpoint.batches) j["batches"].push_back(batch(b));
    const std::vector<std::uint8_t> bytes = json::to_cbor(j);
    std::error_code ec;   // the output folder is created by the first file written into it
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    write_file_atomic(path, std::string(bytes.begin(), bytes.end()));
}

Checkpoint read_checkpoint(const std::filesystem::path& path, const std::string& fingerprint) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("--resume", "no checkpoint to resume from: '" + path.string() + "' cannot be read");
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    json j;
    try {
        j = json::from_cbor(bytes);
    } catch (const std::exception&) {
        throw InputError("--resume", "'" + path.string() + "' is not a qbnet checkpoint (unreadable)");
    }
    if (!j.is_object() || j.value("format", "") != "qbnet-checkpoint" || j.value("format_version", 0) != kFormatVersion)
        throw InputError("--resume", "'" + path.string() + "' is not a qbnet checkpoint of format " +
                                         std::to_string(kFormatVersion));
    if (j.value("qbnet", "") != version_line())
        throw InputError("--resume", "the checkpoint was written by " + j.value("qbnet", std::string("?")) +
                                         ", this is " + version_line() + ": rerun without --resume");
    if (j.value("fingerprint", "") != fingerprint)
        throw InputError("--resume", "the checkpoint in '" + path.string() +
                                         "' belongs to another scenario or --engine (parameters differ): rerun "
                                         "without --resume or use the scenario and options of that run");
    try {
        Checkpoint c;
        c.engine = parse_engine_kind(j.at("engine").get<std::string>()).value();
        for (const auto& e : j.at("evolutions")) c.evolutions.push_back(evolution_of(e));
        for (const auto& s : j.at("steady_states")) c.steady_states.push_back(steady_of(s));
        for (const auto& b : j.at("batches")) c.batches.push_back(batch_of(b));
        return c;
    } catch (const std::exception& e) {
        throw InputError("--resume", "'" + path.string() + "' is a damaged checkpoint (" + e.what() + ")");
    }
}

}  // namespace qbnet::io
