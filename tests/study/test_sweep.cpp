// Sweeps: grid parsing, resume without recomputation, mismatched-grid detection, bad input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "qbnet/errors.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/io/sweep_files.hpp"
#include "qbnet/study/sweep.hpp"
#include "scenarios.hpp"
#include "support/cli_process.hpp"

namespace fs = std::filesystem;
using namespace qbnet;
using qbnet_test::count_lines;
using qbnet_test::read_file;
using qbnet_test::Scratch;

namespace {

const char* const kScenario = study_test::kN1Nonreciprocal;

// The base scenario as the CLI hands it to run_sweep: parsed once (the io edge).
io::Scenario base(const std::vector<std::string>& overrides = {}) { return io::parse_scenario(kScenario, "t", overrides); }

// As `qbnet sweep`: sweep.csv and sweep.json in `dir` (io::SweepFiles).
study::SweepSummary run(study::SweepOptions opt, const fs::path& dir) {
    opt.source = {"t", kScenario, {}};   // sweep.json: name, fingerprint, overrides
    io::SweepFiles files(dir);
    return study::run_sweep(base(), opt, files);
}

}  // namespace

TEST_CASE("sweep axis: linear - log and list grids keep exact end points") {
    auto lin = study::parse_sweep_axis("network.J", "0:1:5");
    REQUIRE(lin.values.size() == 5);
    CHECK(lin.values[2] == Approx(0.5));
    auto geo = study::parse_sweep_axis("network.J", "1e-4:1e-2:3:log");
    REQUIRE(geo.values.size() == 3);
    CHECK(geo.values[0] == 1e-4);
    CHECK(geo.values[1] == Approx(1e-3).epsilon(1e-12));
    CHECK(geo.values[2] == 1e-2);
    auto list = study::parse_sweep_axis("network.batteries", "1,2,4");
    CHECK(list.values == std::vector<double>{1, 2, 4});
    // integral values are written as TOML integers, so integer keys accept them
    CHECK(study::override_for("network.batteries", 4.0) == "network.batteries=4");
    CHECK(study::override_for("network.J", 0.0015) == "network.J=0.0015");
}

TEST_CASE("sweep axis: bad --param / --values are InputErrors") {
    CHECK_THROWS_AS(study::parse_sweep_axis("J", "1:2:3"), InputError);
    CHECK_THROWS_AS(study::parse_sweep_axis("network.J", "1:2"), InputError);
    CHECK_THROWS_AS(study::parse_sweep_axis("network.J", "a:b:3"), InputError);
    CHECK_THROWS_AS(study::parse_sweep_axis("network.J", "0:1:5:log"), InputError);
    CHECK_THROWS_AS(study::parse_sweep_axis("network.J", "1:2:0"), InputError);
    CHECK_THROWS_AS(study::parse_sweep_axis("network.J", "1:2:3:cubic"), InputError);
    CHECK_THROWS_AS(study::parse_sweep_axis("network.J", "1,nan"), InputError);
}

TEST_CASE("sweep: an invalid point or unknown key fails before anything is written") {
    Scratch tmp("badpoint");
    study::SweepOptions opt;
    const fs::path out = tmp.dir / "out";
    opt.threads = 1;
    opt.axes = {study::parse_sweep_axis("network.J", "-1:1:3")};   // J = -1 is out of range
    CHECK_THROWS_AS(run(opt, out), InputError);
    CHECK_THROWS_AS(study::parse_sweep_axis("network.nonsense", "1:2:2"), InputError);   // the key is checked first
    opt.axes = {study::SweepAxis{"network.nonsense", {1.0, 2.0}, "1,2"}};                   // ... and again by run_sweep
    CHECK_THROWS_AS(run(opt, out), InputError);
    CHECK_FALSE(fs::exists(out / "sweep.csv"));
}

TEST_CASE("sweep: N = 1 NC row holds the closed-form steady state (eps/(kappa/2+J))^2") {
    Scratch tmp("closedform");
    study::SweepOptions opt;
    const fs::path out = tmp.dir;
    opt.threads = 1;
    opt.axes = {study::parse_sweep_axis("network.J", "0.001,0.0015")};
    const auto summary = run(opt, out);
    CHECK(summary.computed == 2);
    const std::string csv = read_file(tmp.dir / "sweep.csv");
    // The original block, then (issue 19) the charger's ergotropy and every passive energy; err_ likewise.
    CHECK(csv.rfind("network.J,E_C,E_b1,W_b1,E_B,W_B,W_C,P_C,P_b1,P_B,converged,residual,cutoffs,"
                    "err_E_C,err_E_b1,err_W_b1,err_E_B,err_W_B,err_W_C,err_P_C,err_P_b1,err_P_B\n",
                    0) == 0);
    // at J = kappa/2: E_C = E_1 = (eps/kappa)^2 = 11.111 (docs/physics.md result 1)
    const Snapshot s = study::steady_figures(study::point_scenario(base(), {{"network.J", 0.0015}}, "gaussian"), "gaussian", 1);
    CHECK(s.modes[1].energy == Approx(100.0 / 9.0).epsilon(1e-9));
    // The J = 0.0015 row holds the point's W_C, P_C, P_b1, P_B (full precision: equal to round-off).
    std::istringstream lines(csv);
    std::string header, row;
    std::getline(lines, header);
    std::vector<std::string> names, cells;
    for (std::istringstream h(header); std::getline(h, row, ',');) names.push_back(row);
    while (std::getline(lines, row))
        if (row.rfind("0.0015,", 0) == 0) break;
    for (std::istringstream r(row); std::getline(r, header, ',');) cells.push_back(header);
    REQUIRE(cells.size() == names.size());
    auto cell = [&](const std::string& name) {
        return std::stod(cells[static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin())]);
    };
    CHECK(cell("W_C") == Approx(s.modes[0].ergotropy).epsilon(1e-12));
    CHECK(cell("P_C") == Approx(s.modes[0].passive_energy).margin(1e-12));
    CHECK(cell("P_b1") == Approx(s.modes[1].passive_energy).margin(1e-12));
    CHECK(cell("P_B") == Approx(s.batteries.passive_energy).margin(1e-12));
    CHECK(cell("E_b1") - cell("W_b1") == Approx(cell("P_b1")).margin(1e-9));
    // Must-fail: a coherent charger has ergotropy, so W_C is not the passive energy.
    CHECK(cell("W_C") != Approx(cell("P_C")).margin(1e-3));
}

TEST_CASE("sweep: resume skips finished points and drops a half-written row") {
    Scratch tmp("resume");
    study::SweepOptions opt;
    const fs::path out = tmp.dir;
    opt.threads = 2;
    opt.axes = {study::parse_sweep_axis("network.J", "1e-4:1e-2:5:log"), study::parse_sweep_axis("reservoirs.n_th", "0,1")};
    const auto first = run(opt, out);
    CHECK(first.total == 10);
    CHECK(first.computed == 10);
    const std::string full = read_file(tmp.dir / "sweep.csv");
    REQUIRE(count_lines(full) == 11);

    // Simulate an interruption: header + 3 complete rows + a row cut inside a number.
    std::istringstream in(full);
    std::string line, cut;
    for (int i = 0; i < 4 && std::getline(in, line); ++i) cut += line + "\n";
    std::getline(in, line);
    cut += line.substr(0, line.size() / 2);
    { std::ofstream(tmp.dir / "sweep.csv", std::ios::trunc) << cut; }

    std::size_t seen = 0;
    opt.on_point = [&](std::size_t, std::size_t, const std::vector<double>&) { ++seen; };
    const auto second = run(opt, out);
    CHECK(second.skipped == 3);
    CHECK(second.computed == 7);
    CHECK(seen == 7);
    CHECK(read_file(tmp.dir / "sweep.csv") == full);   // same rows, grid order, bit-identical numbers

    // Nothing left: a third call computes nothing.
    const auto third = run(opt, out);
    CHECK(third.computed == 0);
    CHECK(third.skipped == 10);

    // A different grid in the same folder is refused instead of mixed in.
    opt.axes = {study::parse_sweep_axis("network.J", "1e-4:1e-2:6:log"), study::parse_sweep_axis("reservoirs.n_th", "0,1")};
    CHECK_THROWS_AS(run(opt, out), InputError);
}

TEST_CASE("sweep CLI: bad --values is one error line and exit code 2") {
    Scratch tmp("cli");
    tmp.write("s.toml", kScenario);
    const auto bad_values = tmp.run("sweep s.toml --param network.J --values 1:2 --out o");
    CHECK(bad_values.exit_code == 2);
    CHECK(count_lines(bad_values.err) == 1);
    CHECK(bad_values.err.find("--values") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp.dir / "o"));

    const auto bad_objective = tmp.run("optimize s.toml --objective nonsense --out o");
    CHECK(bad_objective.exit_code == 2);
    CHECK(count_lines(bad_objective.err) == 1);
    const auto bad_bounds = tmp.run("optimize s.toml --objective energy_last --bounds 1:0 --out o");
    CHECK(bad_bounds.exit_code == 2);
    CHECK(bad_bounds.err.find("--bounds") != std::string::npos);
}

TEST_CASE("sweep: trust columns - Gaussian rows say converged with no cutoffs and no error bars") {
    Scratch tmp("trust");
    study::SweepOptions opt;
    const fs::path out = tmp.dir;
    opt.threads = 1;
    opt.axes = {study::parse_sweep_axis("network.J", "0.0015")};
    run(opt, out);
    const std::string csv = read_file(tmp.dir / "sweep.csv");
    const std::string row = csv.substr(csv.find('\n') + 1);
    // network.J, 5 figures, converged = 1, residual, cutoffs empty, 5 error bars (Gaussian round-off bounds)
    CHECK(row.find(",1,") != std::string::npos);
    CHECK(row.find(",,") != std::string::npos);
    CHECK(row.find("nan") == std::string::npos);
}

TEST_CASE("sweep: the trust cells carry the engine's error bars when it gives them") {
    study::PointResult p;
    p.diagnostics.converged = false;
    p.diagnostics.residual = 0.25;
    p.cutoffs = {8, 6};
    p.steady.modes.resize(2);
    p.steady.modes[1].error = Figures{0.5, 0.125, 0.375};
    p.steady.batteries_error = Figures{1.5, 2.5, 0.0};
    const std::string row = io::sweep_row(study::sweep_record(0, {0.5}, p, 1));
    // network.J, 9 figures (nan: no such modes), then the trust cells: converged, residual, cutoffs, and
    // err_E_C, err_E_b1, err_W_b1, err_E_B, err_W_B, err_W_C, err_P_C, err_P_b1, err_P_B (the charger: none).
    const std::string trust = "0,0.25,8x6,nan,0.5,0.125,1.5,2.5,nan,nan,0.375,0";
    REQUIRE(row.size() > trust.size());
    CHECK(row.substr(row.size() - trust.size()) == trust);
    CHECK(std::count(row.begin(), row.end(), ',') + 1 == 1 + 9 + int(study::trust_columns(1).size()));
}

TEST_CASE("sweep: --param with an unknown key names the key and the allowed ones") {
    CHECK_THROWS_WITH(study::check_param_key("network.JJ"), Catch::StartsWith("--param: unknown key network.JJ (allowed: network."));
    CHECK_THROWS_WITH(study::check_param_key("netwrk.J"), Catch::StartsWith("--param: unknown key netwrk.J (allowed sections:"));
    CHECK_NOTHROW(study::check_param_key("network.J"));
}

TEST_CASE("sweep: a swept J on an NC link re-derives Gamma = 2J unless link_dissipation is set") {
    // Points are the base scenario plus overrides, resolved by the scenario reader as a file would be.
    for (double J : {1e-4, 0.0015, 0.02}) {
        const io::Scenario sc = io::parse_scenario(kScenario, "t", {study::override_for("network.J", J)});
        CHECK(sc.derived["network"]["link_dissipation"].get<double>() == 2.0 * J);
        CHECK(sc.resolved["network"]["link_dissipation"].is_null());   // derived, not given
        const io::Scenario fixed = io::parse_scenario(kScenario, "t", {study::override_for("network.J", J), "network.link_dissipation=0.001"});
        CHECK(fixed.resolved["network"]["link_dissipation"].get<double>() == 0.001);
        CHECK(fixed.derived["network"]["link_dissipation"].get<double>() == 0.001);
    }
}

TEST_CASE("sweep CLI: --strict stops at the first untrustworthy point with exit 4 and stays resumable") {
    Scratch tmp("strict");
    tmp.write("s.toml", kScenario);
    // krylov limited to one iteration cannot converge: every point is untrustworthy.
    const std::string cmd = "sweep s.toml --engine fock --set fock.cutoff=4 --set steady_state.method=krylov "
                            "--set steady_state.max_iterations=1 --set steady_state.tol=1e-30 --set fock.frame=lab --param network.J --values 1e-3:2e-3:6 --threads 1 --out o";
    const auto strict = tmp.run(cmd + " --strict");
    CHECK(strict.exit_code == 4);
    CHECK(strict.err.find("point network.J = 0.001: not trustworthy: steady state did not converge") != std::string::npos);
    // header + the first point: with one thread nothing runs past the stop
    const int rows = count_lines(read_file(tmp.dir / "o" / "sweep.csv")) - 1;
    CHECK(rows == 1);
    // Without --strict every point runs (resuming those done) and the exit code is still 4.
    const auto all = tmp.run(cmd);
    CHECK(all.exit_code == 4);
    CHECK(all.out.find(std::to_string(6 - rows) + " computed, " + std::to_string(rows) + " already done") != std::string::npos);
    CHECK(count_lines(read_file(tmp.dir / "o" / "sweep.csv")) == 7);
    // The same sweep with the default solver converges: exit 0 (the check can pass).
    // (44 photons in the charger: explicit cutoffs need the displaced frame, asked for explicitly.)
    const auto good = tmp.run("sweep s.toml --engine fock --set fock.cutoff=4 --set fock.frame=displaced --param network.J "
                              "--values 1e-3:2e-3:2 --threads 1 --strict --out good");
    CHECK(good.exit_code == 0);
}

TEST_CASE("sweep CLI: each warning once - tagged with its grid point - none untagged from the solver") {
    Scratch tmp("warn-once");
    tmp.write("s.toml", kScenario);
    // Lab-frame Fock points at cutoff 4: every point warns about its cutoff ladder (the same text), and
    // one GMRES iteration cannot converge, which the solver also logs on its own (once per ladder rung).
    const auto o = tmp.run("sweep s.toml --engine fock --set fock.cutoff=4 --set fock.frame=lab --set steady_state.method=krylov "
                           "--set steady_state.max_iterations=1 --set steady_state.tol=1e-30 --param network.J "
                           "--values 1e-3:2e-3:3 --threads 1 --out o");
    CHECK(o.exit_code == 4);
    auto count = [&](const std::string& what) {
        int n = 0;
        for (std::size_t at = o.err.find(what); at != std::string::npos; at = o.err.find(what, at + 1)) ++n;
        return n;
    };
    CHECK(count("truncation error bars from the cutoff ladder") == 2);   // the first point, then the count
    CHECK(count("point network.J = 0.001: truncation error bars from the cutoff ladder") == 1);
    CHECK(count("the same at 2 more point(s): truncation error bars from the cutoff ladder") == 1);
    CHECK(count("GMRES") == 0);                        // the solver's untagged repeat is muted
    CHECK(count("steady state not converged") == 0);   // said by the trust reason, with its target
    CHECK(count("not trustworthy: steady state did not converge") >= 1);
    // Every warning line names its point, or is a count or the closing summary.
    std::istringstream lines(o.err);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("qbnet: warning: ", 0) != 0) continue;
        INFO(line);
        CHECK((line.find("point network.J = ") != std::string::npos || line.find("the same at ") != std::string::npos ||
               line.find("computed point(s) not trustworthy") != std::string::npos));
    }
}
