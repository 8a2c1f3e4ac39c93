// `mpiexec -n K qbnet sweep` (issue 15): the same bytes on 1 and 2 ranks, one error line and exit 2 for
// bad input, and a rank that dies or fails ends the whole job with a non-zero exit instead of a hang,
// leaving a sweep that resumes. Every mpiexec runs under `timeout` only as a hang guard (a hang is the
// failure; the bound is generous and no test measures time).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include <unistd.h>

#include "mpi_process.hpp"
#include "support/cli_process.hpp"

namespace fs = std::filesystem;
using qbnet_test::Outcome;
using qbnet_test::read_file;
using qbnet_test::Scratch;
using qbnet_mpi_test::kQbnet;
using qbnet_mpi_test::mpiexec;
using qbnet_mpi_test::sh;

#if QBNET_HAVE_MPI

namespace {

// Cascaded NC chain, N = 2, Fock cutoff 4 (D = 64): each point is a small steady-state solve.
const char* kScenario = R"(
[network]
topology = "cascaded"
batteries = 2
coupling = "nonreciprocal"
J = 0.0015
[drive]
epsilon = 0.001
[reservoirs]
kappa = 0.003
[fock]
cutoff = 4
frame = "displaced"   # explicit cutoffs mean the lab frame otherwise; |alpha|^2 ~ 0.4 needs more there
)";


// The lines qbnet itself printed (mpiexec adds its own banner when a rank exits non-zero).
int qbnet_error_lines(const std::string& err) {
    int n = 0;
    std::size_t at = 0;
    while ((at = err.find("qbnet: error:", at)) != std::string::npos) {
        ++n;
        ++at;
    }
    return n;
}

// sweep.json without its provenance block (command line, date, host, thread and rank counts differ
// between the runs by design; everything else must be the same bytes).
std::string sweep_json_without_provenance(const fs::path& file) {
    auto j = nlohmann::ordered_json::parse(read_file(file));
    j.erase("provenance");
    return j.dump(2);
}

const std::string kSweep = "sweep s.toml --engine fock --param network.J --values 5e-4:3e-3:6 "
                           "--param reservoirs.n_th --values 0,0.5 --set fock.tolerance=0.5 -q ";

}  // namespace

TEST_CASE("mpi sweep: 2 ranks write the same sweep.csv and sweep.json (but its provenance) bytes as 1 rank and as no mpiexec") {
    Scratch tmp("mpi-same");
    tmp.write("s.toml", kScenario);
    const auto plain = sh(tmp, kQbnet + kSweep + "--threads 1 --out plain");
    REQUIRE(plain.exit_code == 0);
    const auto one = sh(tmp, mpiexec(1) + kQbnet + kSweep + "--threads 1 --out np1");
    REQUIRE(one.exit_code == 0);
    const auto two = sh(tmp, mpiexec(2) + kQbnet + kSweep + "--threads 1 --out np2");
    REQUIRE(two.exit_code == 0);
    // 2 ranks x 2 threads: points side by side inside each rank as well.
    const auto two_by_two = sh(tmp, mpiexec(2) + kQbnet + kSweep + "--threads 2 --out np2t2");
    REQUIRE(two_by_two.exit_code == 0);
    const std::string csv = read_file(tmp.dir / "plain" / "sweep.csv");
    REQUIRE(qbnet_test::count_lines(csv) == 13);   // header + 12 points
    for (const char* run : {"np1", "np2", "np2t2"}) {
        INFO(run);
        CHECK(read_file(tmp.dir / run / "sweep.csv") == csv);
        CHECK(sweep_json_without_provenance(tmp.dir / run / "sweep.json") ==
              sweep_json_without_provenance(tmp.dir / "plain" / "sweep.json"));
    }
    // The provenance says how many ranks ran it.
    CHECK(nlohmann::json::parse(read_file(tmp.dir / "np2" / "sweep.json"))["provenance"]["ranks"] == 2);
    CHECK(nlohmann::json::parse(read_file(tmp.dir / "plain" / "sweep.json"))["provenance"]["ranks"] == 1);
    // Only the root prints the summary: the summary line, "files written:" and csv, json (and png with gnuplot).
    CHECK(qbnet_test::count_lines(two.out) == qbnet_test::count_lines(plain.out));
    CHECK((qbnet_test::count_lines(two.out) == 4 || qbnet_test::count_lines(two.out) == 5));
}

TEST_CASE("mpi sweep: an unknown key is one error line from one rank and exit 2") {
    Scratch tmp("mpi-badkey");
    tmp.write("s.toml", kScenario);
    const auto o = sh(tmp, mpiexec(2) + kQbnet + "sweep s.toml --param network.JJ --values 1,2 --out o");
    CHECK(o.exit_code == 2);
    CHECK(qbnet_error_lines(o.err) == 1);
    CHECK(o.err.find("unknown key network.JJ (allowed: network.") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp.dir / "o"));
}

TEST_CASE("mpi sweep: bad input seen by one rank only is reported once by that rank and exit 2 on all") {
    Scratch tmp("mpi-onerank");
    tmp.write("s.toml", kScenario);
    tmp.write("bad.toml", std::string(kScenario) + "\n[kerr]\nchi = \"x\"\n");
    const auto o = sh(tmp, mpiexec(2) + "sh -c 'f=s.toml; [ \"$OMPI_COMM_WORLD_RANK\" = 1 ] && f=bad.toml; exec " +
                               "\"$0\" sweep $f --param network.J --values 1e-3,2e-3 --out o' " + kQbnet);
    CHECK(o.exit_code == 2);
    CHECK(qbnet_error_lines(o.err) == 1);
    CHECK(o.err.find("(rank 1) kerr.chi") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp.dir / "o" / "sweep.csv"));
}

TEST_CASE("mpi sweep: a point that fails during the work on one rank ends the job with its exit code") {
    Scratch tmp("mpi-fail");
    tmp.write("s.toml", kScenario);
    // cutoff 100000 per mode is valid input that the engine refuses (memory): exit 2, from the rank
    // that drew the point, while the other rank may still be working.
    const auto o = sh(tmp, mpiexec(2) + kQbnet + "sweep s.toml --engine fock --param fock.cutoff --values 4,4,100000,4 --out o");
    CHECK(o.exit_code == 2);
    CHECK(qbnet_error_lines(o.err) == 1);
}

TEST_CASE("mpi sweep: a killed rank ends the job with a non-zero exit and the sweep resumes") {
    Scratch tmp("mpi-kill");
    tmp.write("s.toml", kScenario);
    // Rank 1 is killed (SIGKILL) as soon as the journal holds two rows, i.e. in the middle of the work.
    const std::string grid = "sweep s.toml --engine fock --set fock.cutoff=5 --set fock.tolerance=0.5 --param network.J --values 5e-4:3e-3:24 "
                             "--threads 1 -q --out o";
    const std::string killer = "(while [ $(cat o/sweep.csv 2>/dev/null | wc -l) -lt 3 ]; do sleep 0.02; done; kill -9 $$) & ";
    const auto killed = sh(tmp, mpiexec(2) + "sh -c 'if [ \"$OMPI_COMM_WORLD_RANK\" = 1 ]; then " + killer + "fi; " +
                                    "exec \"$0\" " + grid + "' " + kQbnet);
    CHECK(killed.exit_code != 0);
    CHECK(killed.exit_code != 124);   // 124: the hang guard fired
    // The finished points are kept: a rerun (one process) computes only the rest.
    const auto resumed = sh(tmp, kQbnet + grid);
    REQUIRE(resumed.exit_code == 0);
    CHECK(resumed.out.find("24 point(s)") != std::string::npos);
    CHECK(resumed.out.find(", 0 already done") == std::string::npos);
    CHECK(qbnet_test::count_lines(read_file(tmp.dir / "o" / "sweep.csv")) == 25);
}

#else

TEST_CASE("mpi: built without MPI (QBNET_MPI=OFF or MPI not found): the mpiexec tests do not apply") {
    SUCCEED("one-process build; tests/mpi/test_distribute.cpp covers the serial path");
}

#endif
