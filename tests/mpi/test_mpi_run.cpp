// `mpiexec -n K qbnet run` (issue 15): the trajectories engine over ranks gives the figures of one
// process bit for bit (any rank and thread count, also with target_error), bad input is one error line
// and exit 2, a Fock run is computed and written once by rank 0 and every rank exits with its code.
// Every mpiexec runs under `timeout` only as a hang guard (no test measures time).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "mpi_process.hpp"
#include "support/cli_process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using qbnet_test::Outcome;
using qbnet_test::read_file;
using qbnet_test::Scratch;
using qbnet_mpi_test::kQbnet;
using qbnet_mpi_test::mpiexec;
using qbnet_mpi_test::sh;

#if QBNET_HAVE_MPI

namespace {

// Cascaded NC pair C -> b1, cutoff 5 (D = 25), strong damping: many jumps per trajectory, each cheap.
const char* kTraj = R"(
[network]
topology = "cascaded"
batteries = 1
coupling = "nonreciprocal"
J = 0.5
[drive]
epsilon = 0.3
[reservoirs]
kappa = 1.0
n_th = 0.3
[fock]
cutoff = 5
[time]
t_end = 3.0
samples = 7
[steady_state]
enabled = false
[trajectories]
count = 96
seed = 11
average_from = 2.0
)";


int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

json summary(const Scratch& tmp, const std::string& run) { return json::parse(read_file(tmp.dir / run / "summary.json")); }

// Removes the timing keys at any depth (they differ between two runs of the same numbers).
void drop_timings(json& j) {
    if (!j.is_object()) return;
    for (const char* k : {"wall_s", "schur_s", "solve_s", "evolve_s", "rebuild_wall_s"}) j.erase(k);
    for (auto& [key, value] : j.items()) drop_timings(value);
}

// The results block without what legitimately differs between two runs of the same numbers: timings
// (and the per-rank thread count when the runs used different --threads).
json figures_of(json s, bool drop_threads) {
    json r = s.at("results");
    drop_timings(r);
    if (drop_threads)
        for (auto& [engine, block] : r.items()) block["statistics"].erase("threads");
    return r;
}

}  // namespace

TEST_CASE("mpi run: trajectories over 2 ranks give the figures of 1 process bit for bit at 1 and 2 threads") {
    Scratch tmp("mpi-traj");
    tmp.write("t.toml", kTraj);
    const std::string args = "run t.toml --engine trajectories -q ";
    const auto plain = sh(tmp, kQbnet + args + "--threads 1 --out plain");
    REQUIRE(plain.exit_code == 0);
    const auto np2 = sh(tmp, mpiexec(2) + kQbnet + args + "--threads 1 --out np2");
    REQUIRE(np2.exit_code == 0);
    const auto np2t2 = sh(tmp, mpiexec(2) + kQbnet + args + "--threads 2 --out np2t2");
    REQUIRE(np2t2.exit_code == 0);
    const auto t2 = sh(tmp, kQbnet + args + "--threads 2 --out t2");
    REQUIRE(t2.exit_code == 0);

    const json reference = summary(tmp, "plain");
    REQUIRE(reference["results"]["trajectories"]["statistics"]["trajectories"] == 96);
    CHECK(figures_of(summary(tmp, "np2"), false) == figures_of(reference, false));
    CHECK(figures_of(summary(tmp, "np2t2"), true) == figures_of(reference, true));
    CHECK(figures_of(summary(tmp, "t2"), true) == figures_of(reference, true));
    // The CSV carries every sample with 17 digits: the same bytes.
    const std::string csv = read_file(tmp.dir / "plain" / "timeseries-trajectories.csv");
    CHECK(read_file(tmp.dir / "np2" / "timeseries-trajectories.csv") == csv);
    CHECK(read_file(tmp.dir / "np2t2" / "timeseries-trajectories.csv") == csv);
    // Provenance: the real rank count.
    CHECK(reference["provenance"]["ranks"] == 1);
    CHECK(summary(tmp, "np2")["provenance"]["ranks"] == 2);
    // One table, printed by the root.
    CHECK(count(np2.out, "files written:") == 1);

    // The comparison can fail: another seed gives other figures.
    const auto other = sh(tmp, mpiexec(2) + kQbnet + args + "--threads 1 --set trajectories.seed=12 --out other");
    REQUIRE(other.exit_code == 0);
    CHECK(figures_of(summary(tmp, "other"), false) != figures_of(reference, false));
}

TEST_CASE("mpi run: target_error stops on the same batch prefix on 1 and 2 ranks") {
    Scratch tmp("mpi-target");
    tmp.write("t.toml", kTraj);
    // 2000 trajectories = 128 batches; a 10 % target is met after a prefix well short of all of them.
    const std::string args = "run t.toml --engine trajectories -q --threads 1 --set trajectories.count=2000 "
                             "--set trajectories.target_error=0.1 ";
    const auto plain = sh(tmp, kQbnet + args + "--out plain");
    REQUIRE(plain.exit_code == 0);
    const auto np2 = sh(tmp, mpiexec(2) + kQbnet + args + "--out np2");
    REQUIRE(np2.exit_code == 0);
    const json reference = summary(tmp, "plain");
    const json& st = reference["results"]["trajectories"]["statistics"];
    REQUIRE(st["target_error_met"] == true);
    REQUIRE(st["trajectories"].get<long>() < 2000);   // stopped early: the prefix rule is exercised
    CHECK(figures_of(summary(tmp, "np2"), false) == figures_of(reference, false));
}

TEST_CASE("mpi run: bad input is one error line from one rank and exit 2") {
    Scratch tmp("mpi-run-bad");
    tmp.write("t.toml", kTraj);
    const auto o = sh(tmp, mpiexec(2) + kQbnet + "run t.toml --engine trajectories --set trajectories.count=0 --out o");
    CHECK(o.exit_code == 2);
    CHECK(count(o.err, "qbnet: error:") == 1);
    CHECK(o.err.find("trajectories.count") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp.dir / "o"));
    const auto key = sh(tmp, mpiexec(2) + kQbnet + "run t.toml --engine fock --set network.JJ=1 --out o");
    CHECK(key.exit_code == 2);
    CHECK(count(key.err, "qbnet: error:") == 1);
    CHECK_FALSE(fs::exists(tmp.dir / "o"));
}

TEST_CASE("mpi run: a Fock run is computed and written once by rank 0 and every rank exits with its code") {
    Scratch tmp("mpi-fock");
    tmp.write("t.toml", kTraj);
    const std::string args = "run t.toml --engine fock --threads 1 --set steady_state.enabled=true ";
    const auto plain = sh(tmp, kQbnet + args + "--out plain");
    REQUIRE((plain.exit_code == 0 || plain.exit_code == 4));
    const auto np2 = sh(tmp, mpiexec(2) + kQbnet + args + "--out np2");
    CHECK(np2.exit_code == plain.exit_code);
    CHECK(count(np2.out, "files written:") == 1);
    CHECK(count(np2.err, "runs on rank 0 alone") == 1);
    CHECK(count(np2.err, "running the fock engine") == 1);
    CHECK(figures_of(summary(tmp, "np2"), false) == figures_of(summary(tmp, "plain"), false));
    CHECK(summary(tmp, "np2")["provenance"]["ranks"] == 2);

    // An untrustworthy result (exit 4: error bars above a tiny tolerance) gives exit 4 on every rank.
    const auto strict = sh(tmp, mpiexec(2) + kQbnet + args + "--set fock.tolerance=1e-14 -q --out strict");
    CHECK(strict.exit_code == 4);
}

TEST_CASE("mpi run: a fock-trajectories pair spreads the trajectories and cross-checks once") {
    Scratch tmp("mpi-pair");
    tmp.write("t.toml", kTraj);
    const std::string args = "run t.toml --engine fock,trajectories --threads 1 -q ";
    const auto plain = sh(tmp, kQbnet + args + "--out plain");
    const auto np2 = sh(tmp, mpiexec(2) + kQbnet + args + "--out np2");
    REQUIRE(plain.exit_code != 3);
    CHECK(np2.exit_code == plain.exit_code);
    CHECK(count(np2.out, "cross-check:") == 1);
    const json a = summary(tmp, "plain"), b = summary(tmp, "np2");
    CHECK(figures_of(b, false) == figures_of(a, false));
    CHECK(b["cross_check"] == a["cross_check"]);
}

#endif
