// Checkpoint and resume (issue 18): a run stopped after a checkpoint (--stop-after-checkpoints, the
// testing stand-in for SIGINT/SIGTERM) and resumed with --resume, as often as it takes, writes the
// uninterrupted run's summary.json results and CSV byte for byte (the time evolution, the steady-state
// solve inside GMRES and inside its evolution fallback, and the trajectories); a checkpoint of another scenario or a
// missing one is refused with exit 2 naming --resume; what cannot be checkpointed (rkc, two engines) is refused naming the key.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cli_process.hpp"

using qbnet_test::Outcome;
using qbnet_test::read_file;
using qbnet_test::Scratch;
namespace fs = std::filesystem;

namespace {

// Two modes, thermal start (issue 18 part 1), the default cutoff ladder (up to four rungs, all checkpointed).
const char* kNet = R"(
[network]
topology = "cascaded"
batteries = 1
coupling = "nonreciprocal"
J = 0.5
[drive]
epsilon = 0.3
[reservoirs]
kappa = 1.0
n_th = 0.2
[fock]
cutoff = 6
frame = "lab"
tolerance = 0.1
[time]
t_end = 4.0
samples = 9
initial = "thermal:0.3"
[steady_state]
enabled = false
[trajectories]
count = 40
seed = 11
)";

// results of summary.json without wall-clock times (the only figures allowed to differ).
nlohmann::json results_of(const fs::path& dir) {
    nlohmann::json j = nlohmann::json::parse(read_file(dir / "summary.json")).at("results");
    const auto strip = [](nlohmann::json& node, auto& self) -> void {
        if (node.is_object()) {
            node.erase("wall_s");
            node.erase("rebuild_wall_s");
            for (auto& [k, v] : node.items()) self(v, self);
        } else if (node.is_array()) {
            for (auto& v : node) self(v, self);
        }
    };
    strip(j, strip);
    return j;
}

// Phase of the steady-state solve in progress in a checkpoint file ("krylov" or "evolve" with the
// solver's iterations / chunks so far), or "" when the checkpoint holds none in progress.
std::string steady_in_progress(const fs::path& file) {
    const std::string bytes = read_file(file);
    const nlohmann::json j = nlohmann::json::from_cbor(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    const nlohmann::json& steady = j.at("steady_states");
    if (steady.empty() || steady.back().at("phase") == "done") return "";
    const nlohmann::json& last = steady.back();
    return last.at("phase").get<std::string>() == "krylov"
               ? "krylov@" + std::to_string(last.at("gmres").at("iterations").get<long>())
               : "evolve@" + std::to_string(last.at("chunk").get<int>());
}

// Stops after every checkpoint until the run completes; returns how many times it was interrupted.
// `sets`: extra --set overrides of both the interrupted and the resumed runs; `phases` collects
// steady_in_progress() of every checkpoint it stopped at.
int run_interrupted(const Scratch& s, const std::string& engine, const std::string& out, const std::string& sets = "",
                    std::vector<std::string>* phases = nullptr) {
    const std::string base = "run net.toml -q --threads 2 --engine " + engine + " --out " + out + sets;
    Outcome o = s.run(base + " --stop-after-checkpoints 1");
    int stops = 0;
    while (o.exit_code == 130 && stops < 200) {
        ++stops;
        REQUIRE(fs::exists(s.dir / out / "checkpoint.qbnet"));
        CHECK(o.err.find("continue with the same command plus --resume") != std::string::npos);
        if (phases) phases->push_back(steady_in_progress(s.dir / out / "checkpoint.qbnet"));
        o = s.run(base + " --resume --stop-after-checkpoints 3");   // several checkpoints in one process too
    }
    REQUIRE(o.exit_code == 0);
    CHECK_FALSE(fs::exists(s.dir / out / "checkpoint.qbnet"));   // a finished run leaves none behind
    return stops;
}

}  // namespace

TEST_CASE("checkpoint: an interrupted and resumed Fock evolution equals the uninterrupted run bit for bit", "[regression][checkpoint]") {
    // The lab frame twice: with its default integrator (krylov, through "auto") and with dopri5.
    for (const std::string frame : {"lab", "lab-dopri5", "displaced"}) {
        INFO(frame);
        Scratch s("ckpt-fock-" + frame);
        std::string net = kNet;
        const std::string f = frame == "lab-dopri5" ? "lab" : frame;
        net.replace(net.find("frame = \"lab\""), 13, "frame = \"" + f + "\"");
        if (frame == "lab-dopri5") net.replace(net.find("[time]\n"), 7, "[time]\nintegrator = \"dopri5\"\n");
        s.write("net.toml", net);
        REQUIRE(s.run("run net.toml -q --threads 2 --engine fock --out full").exit_code == 0);
        const int stops = run_interrupted(s, "fock", "parts");
        CHECK(stops > 3);   // every rung of the ladder was interrupted at least once
        CHECK(read_file(s.dir / "parts" / "timeseries-fock.csv") == read_file(s.dir / "full" / "timeseries-fock.csv"));
        CHECK(results_of(s.dir / "parts") == results_of(s.dir / "full"));
        CHECK(results_of(s.dir / "full").dump().find("\"" + f + "\"") != std::string::npos);
        // The integrator that ran (auto resolves to krylov in the lab frame, dopri5 in the displaced one).
        CHECK(read_file(s.dir / "full" / "summary.json").find(frame == "lab" ? "\"krylov\"" : "\"dopri5\"") != std::string::npos);
        // Must-fail twin: a different start gives a different series (the comparison can see a change).
        REQUIRE(s.run("run net.toml -q --threads 2 --engine fock --out other --set time.initial=\"thermal:0.31\"").exit_code == 0);
        CHECK(read_file(s.dir / "other" / "timeseries-fock.csv") != read_file(s.dir / "full" / "timeseries-fock.csv"));
    }
}

TEST_CASE("checkpoint: an interrupted and resumed Fock steady-state solve equals the uninterrupted run bit for bit", "[regression][checkpoint]") {
    // Checkpoints inside GMRES (its restart boundaries, every 24 Krylov vectors: tol 1e-12 at cutoff 8
    // takes more than one cycle) and inside the evolution fallback (chunk boundaries: after GMRES is cut
    // short by max_iterations = 10, or alone), on the rungs of the ladder, with and without the time
    // evolution after it, in both frames.
    struct Case {
        std::string frame, sets, phase;   // phase: the solver stage some checkpoint must stop inside
    };
    const Case cases[] = {
        {"lab", " --set steady_state.method=krylov --set steady_state.tol=1e-12 --set fock.cutoff=8 --set time.t_end=0", "krylov@"},
        {"lab", " --set steady_state.max_iterations=10 --set steady_state.tol=1e-9 --set fock.cutoff=7", "evolve@"},
        {"displaced", " --set steady_state.method=evolve --set steady_state.tol=1e-9 --set fock.cutoff=7 --set time.t_end=0", "evolve@"},
    };
    for (const Case& c : cases) {
        INFO(c.frame << c.sets);
        Scratch s("ckpt-steady");
        std::string net = kNet;
        net.replace(net.find("frame = \"lab\""), 13, "frame = \"" + c.frame + "\"");
        net.replace(net.find("enabled = false"), 15, "enabled = true");
        s.write("net.toml", net);
        REQUIRE(s.run("run net.toml -q --threads 2 --engine fock --out full" + c.sets).exit_code == 0);
        std::vector<std::string> phases;
        run_interrupted(s, "fock", "parts", c.sets, &phases);
        const auto inside = std::count_if(phases.begin(), phases.end(), [&](const std::string& p) {
            return p.rfind(c.phase, 0) == 0 && p != c.phase + "0";
        });
        CHECK(inside >= 2);   // stopped inside the solve (not before it) and resumed there, more than once
        const nlohmann::json full = results_of(s.dir / "full");
        CHECK(results_of(s.dir / "parts") == full);
        CHECK(full.dump().find("\"steady_state\"") != std::string::npos);
        // Must-fail twin: a slightly different model gives different steady-state figures.
        REQUIRE(s.run("run net.toml -q --threads 2 --engine fock --out other" + c.sets + " --set network.J=0.5001").exit_code == 0);
        CHECK(results_of(s.dir / "other") != full);
        // A checkpoint of the steady-state solve is refused by another scenario.
        REQUIRE(s.run("run net.toml -q --threads 2 --engine fock --out stop" + c.sets + " --stop-after-checkpoints 1").exit_code == 130);
        CHECK_FALSE(steady_in_progress(s.dir / "stop" / "checkpoint.qbnet").empty());
        const Outcome o = s.run("run net.toml -q --threads 2 --engine fock --out stop" + c.sets + " --set steady_state.tol=2e-9 --resume");
        CHECK(o.exit_code == 2);
        CHECK(qbnet_test::count_lines(o.err) == 1);
        CHECK(o.err.find("--resume") != std::string::npos);
    }
}

TEST_CASE("checkpoint: interrupted and resumed trajectories equal the uninterrupted run bit for bit", "[regression][checkpoint]") {
    Scratch s("ckpt-traj");
    s.write("net.toml", kNet);
    REQUIRE(s.run("run net.toml -q --threads 2 --engine trajectories --out full").exit_code == 0);
    CHECK(run_interrupted(s, "trajectories", "parts") > 3);
    CHECK(read_file(s.dir / "parts" / "timeseries-trajectories.csv") ==
          read_file(s.dir / "full" / "timeseries-trajectories.csv"));
    CHECK(results_of(s.dir / "parts") == results_of(s.dir / "full"));
}

TEST_CASE("checkpoint: a checkpoint of another scenario or none at all is refused naming --resume", "[regression][checkpoint]") {
    Scratch s("ckpt-refuse");
    s.write("net.toml", kNet);
    const std::string base = "run net.toml -q --engine fock --out out";
    REQUIRE(s.run(base + " --stop-after-checkpoints 1").exit_code == 130);
    for (const std::string other : {"run net.toml -q --engine fock --out out --set network.J=0.4",
                                    "run net.toml -q --engine fock --out out --set time.samples=42",
                                    "run net.toml -q --engine trajectories --out out"}) {
        INFO(other);
        const Outcome o = s.run(other + " --resume");
        CHECK(o.exit_code == 2);
        CHECK(qbnet_test::count_lines(o.err) == 1);
        CHECK(o.err.find("--resume") != std::string::npos);
    }
    // A damaged file.
    s.write("out/checkpoint.qbnet", "not a checkpoint");
    CHECK(s.run(base + " --resume").exit_code == 2);
    // None at all.
    const Outcome none = s.run("run net.toml -q --engine fock --out empty --resume");
    CHECK(none.exit_code == 2);
    CHECK(none.err.find("--resume") != std::string::npos);
    // What cannot be checkpointed is refused naming the key.
    const Outcome rkc = s.run(base + "2 --checkpoint-every 60 --set time.integrator=rkc");
    CHECK(rkc.exit_code == 2);
    CHECK(rkc.err.find("time.integrator") != std::string::npos);
    const Outcome pair = s.run("run net.toml -q --out out3 --checkpoint-every 60 --engine fock,gaussian");
    CHECK(pair.exit_code == 2);
    CHECK(pair.err.find("--engine") != std::string::npos);
}
