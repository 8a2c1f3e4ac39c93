// `qbnet run --engine trajectories` through the executable: bad [trajectories] input is refused with
// one line naming the key (exit 2); a small run writes the error columns and the statistics.
#include <catch2/catch.hpp>

#include <string>

#include "support/cli_process.hpp"

using qbnet_test::count_lines;
using qbnet_test::Outcome;
using qbnet_test::read_file;
using qbnet_test::Scratch;

namespace {
const char* kSmall = R"(
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
t_end = 2.0
samples = 5
[steady_state]
enabled = false
[trajectories]
count = 24
)";
}  // namespace

TEST_CASE("bad trajectories input exits 2 with one line naming the key") {
    Scratch s("traj-bad");
    s.write("net.toml", kSmall);
    const std::pair<const char*, const char*> cases[] = {
        {"trajectories.count=0", "trajectories.count"},
        {"trajectories.count=-5", "trajectories.count"},
        {"trajectories.count=2.5", "trajectories.count"},
        {"trajectories.target_error=0", "trajectories.target_error"},
        {"trajectories.target_error=-0.1", "trajectories.target_error"},
        {"trajectories.seed=1.5", "trajectories.seed"},
        {"trajectories.seed=-1", "trajectories.seed"},
        {"trajectories.seed=abc", "trajectories.seed"},
        {"trajectories.average_from=-1", "trajectories.average_from"},
        {"time.t_end=0", "time.t_end"},
        // The displaced frame is open to quadratic models only (tests/trajectories/test_frames.cpp).
        {"fock.frame=displaced --set kerr.chi=0.1", "fock.frame"},
    };
    for (const auto& [set, key] : cases) {
        INFO(set);
        const Outcome o = s.run(std::string("run net.toml --engine trajectories --out out --set ") + set);
        CHECK(o.exit_code == 2);
        CHECK(count_lines(o.err) == 1);
        CHECK(o.err.find(key) != std::string::npos);
        CHECK_FALSE(qbnet_test::fs::exists(s.dir / "out" / "summary.json"));
    }
    const Outcome bad_engine = s.run("run net.toml --engine trajectories,trajectories --out out");
    CHECK(bad_engine.exit_code == 2);
}

TEST_CASE("a trajectories run writes error columns and its statistics") {
    Scratch s("traj-run");
    s.write("net.toml", kSmall);
    const Outcome o = s.run("run net.toml --engine trajectories --out out --threads 2 -q");
    REQUIRE(o.exit_code == 0);
    const std::string csv = read_file(s.dir / "out" / "timeseries-trajectories.csv");
    CHECK(csv.find("dE_C") != std::string::npos);
    CHECK(csv.find("dW_b1") != std::string::npos);
    const std::string summary = read_file(s.dir / "out" / "summary.json");
    CHECK(summary.find("\"seed\"") != std::string::npos);
    CHECK(summary.find("\"jumps\"") != std::string::npos);
    CHECK(summary.find("\"final\"") != std::string::npos);
    // Same seed, other thread count: the same file, byte for byte.
    const Outcome again = s.run("run net.toml --engine trajectories --out out1 --threads 1 -q");
    REQUIRE(again.exit_code == 0);
    CHECK(read_file(s.dir / "out1" / "timeseries-trajectories.csv") == csv);
}
