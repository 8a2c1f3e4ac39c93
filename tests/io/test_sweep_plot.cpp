// sweep.png (io/plot.hpp, plot_sweep): drawn for 1-D and 2-D sweeps, from the CLI and from CSVs with
// nan cells and log axes. A PNG is recognised by its 8 magic bytes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "qbnet/io/plot.hpp"
#include "support/cli_process.hpp"

using namespace qbnet_test;

namespace {

bool is_png(const fs::path& p) {
    const std::string head = read_file(p).substr(0, 8);
    return head == std::string("\x89PNG\r\n\x1a\n", 8);
}

// N = 2 NC chain: Gaussian steady states in microseconds.
const char* kScenario = R"(
[network]
batteries = 2
J = 0.0015
[drive]
epsilon = 0.01
[reservoirs]
kappa = 0.003
)";

}  // namespace

TEST_CASE("sweep.png: a 1-D and a 2-D Gaussian sweep each draw a PNG and list it", "[io][plot]") {
    if (!qbnet::io::gnuplot_available()) {
        WARN("gnuplot not installed: sweep.png is skipped by design (make deps installs it)");
        return;
    }
    Scratch s("sweep-png");
    s.write("s.toml", kScenario);
    const Outcome line = s.run("sweep s.toml --param network.J --values 1e-4:1e-2:4:log --threads 1 -q --out line");
    REQUIRE(line.exit_code == 0);
    CHECK(is_png(s.dir / "line" / "sweep.png"));
    CHECK(line.out.find("line/sweep.png") != std::string::npos);
    CHECK(line.err.empty());   // gnuplot drew it without a warning
    const Outcome grid = s.run("sweep s.toml --param network.J --values 1e-3:2e-3:3 --param reservoirs.n_th "
                               "--values 0,0.5 --threads 1 -q --out grid");
    REQUIRE(grid.exit_code == 0);
    CHECK(is_png(s.dir / "grid" / "sweep.png"));
    CHECK(grid.err.empty());
}

TEST_CASE("sweep.png: nan cells - error columns - log axes and a one-value axis draw - a broken CSV does not", "[io][plot]") {
    if (!qbnet::io::gnuplot_available()) {
        WARN("gnuplot not installed");
        return;
    }
    Scratch s("sweep-png-direct");
    // 1-D on a log axis with an error column and a missing W_B (nan), as the Fock engine writes it.
    s.write("line.csv", "network.J,E_C,E_b1,W_b1,E_B,W_B,converged,residual,cutoffs,err_E_C,err_E_b1,err_W_b1,err_E_B,err_W_B\n"
                        "0.0001,1,2,0.5,2,nan,1,1e-12,8x8,1e-3,2e-3,nan,2e-3,nan\n"
                        "0.001,1.5,2.5,0.7,2.5,nan,1,1e-12,8x8,1e-3,2e-3,nan,2e-3,nan\n"
                        "0.01,2,3,nan,3,nan,0,1e-3,8x8,1e-3,2e-3,nan,2e-3,nan\n");
    const auto line = qbnet::io::plot_sweep(s.dir / "line.csv", s.dir / "line.png", "t", {"network.J"}, {true});
    REQUIRE(line);
    CHECK(is_png(*line));
    // 2-D with one nan cell and a second axis of one value.
    s.write("grid.csv", "network.J,reservoirs.n_th,E_C,E_b1,E_b2,W_b1,W_b2,E_B,W_B\n"
                        "0.001,0.5,1,2,3,0.1,0.2,5,0.3\n"
                        "0.002,0.5,1,2,nan,0.1,nan,5,0.3\n"
                        "0.004,0.5,1,2,4,0.1,0.4,6,0.5\n");
    const auto grid = qbnet::io::plot_sweep(s.dir / "grid.csv", s.dir / "grid.png", "t", {"network.J", "reservoirs.n_th"},
                                        {true, false});
    REQUIRE(grid);
    CHECK(is_png(*grid));
    // Must-fail side: a CSV whose first column is not the swept key, or without rows, gives no plot.
    CHECK_FALSE(qbnet::io::plot_sweep(s.dir / "line.csv", s.dir / "bad.png", "t", {"network.phase"}, {false}));
    s.write("empty.csv", "network.J,E_C,E_b1\n");
    CHECK_FALSE(qbnet::io::plot_sweep(s.dir / "empty.csv", s.dir / "empty.png", "t", {"network.J"}, {false}));
    CHECK_FALSE(fs::exists(s.dir / "bad.png"));
}

TEST_CASE("sweep.png: geometric grids are recognised for a log axis", "[io][plot]") {
    CHECK(qbnet::io::is_geometric({1e-4, 1e-3, 1e-2}));
    CHECK(qbnet::io::is_geometric({8, 4, 2, 1}));
    CHECK_FALSE(qbnet::io::is_geometric({1, 2, 3}));
    CHECK_FALSE(qbnet::io::is_geometric({0, 1, 2}));
    CHECK_FALSE(qbnet::io::is_geometric({1e-3, 1e-2}));   // two values: linear and geometric alike
    CHECK_FALSE(qbnet::io::is_geometric({1, 1, 1}));
}
