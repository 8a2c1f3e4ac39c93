// Provenance, the summary.json round trip and --save-state refusals (issue: runs a physicist can
// reproduce). The state files themselves are loaded back with numpy in tests/io/state_files_check.py.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/cli_process.hpp"

using namespace qbnet_test;

namespace {
const char* kExamples[] = {"cascaded_nc_n2", "custom_graph", "parallel_nc_n3", "rc_chain_thermal", "squeezed_battery"};
}

TEST_CASE("qbnet --version prints the version and the git commit", "[io][provenance]") {
    Scratch s("version");
    const Outcome o = s.run("--version");
    CHECK(o.exit_code == 0);
    CHECK(o.out.find("qbnet 0.") == 0);
    CHECK(o.out.find("commit") != std::string::npos);
}

TEST_CASE("summary.json records version - commit - command line - date - host - threads", "[io][provenance]") {
    Scratch s("provenance");
    const Outcome o = s.run("run --engine gaussian --quiet --out out '" QBNET_SOURCE_DIR "/examples/cascaded_nc_n2.toml'");
    REQUIRE(o.exit_code == 0);
    const auto j = nlohmann::json::parse(read_file(s.dir / "out" / "summary.json"));
    REQUIRE(j.contains("provenance"));
    const auto& p = j["provenance"];
    for (const char* key : {"version", "commit", "command_line", "date_utc", "host", "threads", "ranks"})
        CHECK(p.contains(key));
    CHECK(p["command_line"].size() >= 5);
    CHECK(p["command_line"][1] == "run");
    CHECK(p["threads"].get<int>() >= 1);
}

TEST_CASE("qbnet run summary.json reproduces every example on every engine exactly", "[io][roundtrip]") {
    for (const char* engine : {"fock", "gaussian"}) {
        for (const char* name : kExamples) {
            INFO(name << " with the " << engine << " engine");
            Scratch s(std::string("roundtrip-") + engine + "-" + name);
            // Shorter runs than the examples' own (the round trip, not the physics, is under test).
            // Small fixed cutoffs keep the Fock runs short; their error bars may exceed fock.tolerance (exit 4),
            // which does not matter for a reproduction test: both runs must give the same exit code and numbers.
            const std::string common = std::string("run --quiet --engine ") + engine +
                                       " --set time.t_end=300 --set time.samples=4 --set fock.cutoff=3";
            const Outcome first = s.run(common + " --out first '" QBNET_SOURCE_DIR "/examples/" + name + ".toml'");
            REQUIRE((first.exit_code == 0 || first.exit_code == 4));
            const Outcome second = s.run(std::string("run --quiet --engine ") + engine + " --out second first/summary.json");
            INFO(second.err);
            REQUIRE(second.exit_code == first.exit_code);
            const auto a = nlohmann::json::parse(read_file(s.dir / "first" / "summary.json"));
            const auto b = nlohmann::json::parse(read_file(s.dir / "second" / "summary.json"));
            CHECK(a["scenario"] == b["scenario"]);
            CHECK(a["parameters"] == b["parameters"]);
            CHECK(a["results"][engine]["steady_state"] == b["results"][engine]["steady_state"]);
            const std::string csv = std::string("timeseries-") + engine + ".csv";
            CHECK(read_file(s.dir / "first" / csv) == read_file(s.dir / "second" / csv));
        }
    }
}

TEST_CASE("a summary.json round trip fails loudly when the parameters are changed", "[io][roundtrip]") {
    // The comparison above must be able to fail: a rerun with one parameter changed differs.
    Scratch s("roundtrip-perturbed");
    REQUIRE(s.run("run --quiet --engine gaussian --set time.t_end=0 --out first '" QBNET_SOURCE_DIR
                  "/examples/cascaded_nc_n2.toml'").exit_code == 0);
    REQUIRE(s.run("run --quiet --engine gaussian --set network.J=0.0016 --out second first/summary.json").exit_code == 0);
    const auto a = nlohmann::json::parse(read_file(s.dir / "first" / "summary.json"));
    const auto b = nlohmann::json::parse(read_file(s.dir / "second" / "summary.json"));
    CHECK(a["results"]["gaussian"]["steady_state"] != b["results"]["gaussian"]["steady_state"]);
}

TEST_CASE("a JSON file without a parameters block is one error line and exit 2", "[io][roundtrip]") {
    Scratch s("roundtrip-bad");
    s.write("bad.json", "{\"scenario\": \"x\"}");
    const Outcome o = s.run("run bad.json");
    CHECK(o.exit_code == 2);
    CHECK(count_lines(o.err) == 1);
    CHECK(o.err.find("parameters") != std::string::npos);
}

TEST_CASE("save-state above max-state-gb is refused before any work", "[io][state]") {
    Scratch s("state-limit");
    // D = 20^3 = 8000: rho is 1 GB; the limit is 0.01 GB.
    const Outcome o = s.run("run --save-state --max-state-gb 0.01 --set fock.cutoff=20 --out out '" QBNET_SOURCE_DIR
                            "/examples/cascaded_nc_n2.toml'");
    CHECK(o.exit_code == 2);
    CHECK(count_lines(o.err) == 1);
    CHECK(o.err.find("max-state-gb") != std::string::npos);
    CHECK_FALSE(fs::exists(s.dir / "out"));
}

namespace {
const char* kProvenanceKeys[] = {"version", "commit", "command_line", "date_utc", "host", "threads", "ranks"};
const std::string kExample = "'" QBNET_SOURCE_DIR "/examples/cascaded_nc_n2.toml'";
}  // namespace

TEST_CASE("sweep.json and optimum.json record the same provenance fields as summary.json", "[io][provenance]") {
    Scratch s("provenance-studies");
    const Outcome sweep = s.run("sweep --quiet --threads 1 --param network.J --values 1e-3,2e-3 --out sw " + kExample);
    REQUIRE(sweep.exit_code == 0);
    const auto grid = nlohmann::json::parse(read_file(s.dir / "sw" / "sweep.json"));
    REQUIRE(grid.contains("provenance"));
    for (const char* key : kProvenanceKeys) CHECK(grid["provenance"].contains(key));
    CHECK(grid["provenance"]["command_line"][1] == "sweep");
    CHECK(grid["provenance"]["threads"] == 1);
    CHECK(grid["provenance"]["ranks"] == 1);
    // The provenance is not part of the resume fingerprint: another thread count resumes the same sweep.
    const Outcome again = s.run("sweep --quiet --threads 2 --param network.J --values 1e-3,2e-3 --out sw " + kExample);
    CHECK(again.exit_code == 0);
    CHECK(again.out.find("0 computed, 2 already done") != std::string::npos);
    CHECK(nlohmann::json::parse(read_file(s.dir / "sw" / "sweep.json"))["provenance"]["threads"] == 2);

    const Outcome opt = s.run("optimize --quiet --threads 1 --objective energy_last --bounds 1e-4:1e-2 --points 5 --out op " +
                              kExample);
    REQUIRE(opt.exit_code == 0);
    const auto optimum = nlohmann::json::parse(read_file(s.dir / "op" / "optimum.json"));
    REQUIRE(optimum.contains("provenance"));
    for (const char* key : kProvenanceKeys) CHECK(optimum["provenance"].contains(key));
    CHECK(optimum["provenance"]["command_line"][1] == "optimize");
    CHECK(optimum["scenario"] == "cascaded_nc_n2");
}

TEST_CASE("optimize --json prints optimum.json on stdout and nothing else", "[io][optimize]") {
    Scratch s("optimize-json");
    // Not --quiet: the info line must go to stderr, not into the JSON.
    const Outcome o = s.run("optimize --json --threads 1 --objective energy_last --bounds 1e-4:1e-2 --points 5 --out op " +
                            kExample);
    REQUIRE(o.exit_code == 0);
    nlohmann::json j;
    REQUIRE_NOTHROW(j = nlohmann::json::parse(o.out));   // throws on any text around the JSON
    CHECK(j == nlohmann::json::parse(read_file(s.dir / "op" / "optimum.json")));
    CHECK(j["param"] == "network.J");
    CHECK(j.contains("scan"));
    CHECK(o.err.find("maximising energy_last") != std::string::npos);   // messages went to stderr
    // Must-fail side: without --json stdout is a readable report, not JSON.
    const Outcome plain = s.run("optimize --threads 1 --objective energy_last --bounds 1e-4:1e-2 --points 5 --out op2 " +
                                kExample);
    REQUIRE(plain.exit_code == 0);
    CHECK_THROWS(nlohmann::json::parse(plain.out));
    CHECK(plain.out.find("files written:") != std::string::npos);
    CHECK(plain.out.find("optimum: network.J = ") == 0);
}

TEST_CASE("a summary.json rerun with a new J re-derives the NC link dissipation Gamma = 2J", "[io][roundtrip]") {
    // Regression: the parameters block used to record Gamma = 2 J_old as if the user had set it, so a
    // rerun with --set network.J=X kept Gamma = 2 J_old and broke nonreciprocity silently.
    Scratch s("roundtrip-newJ");
    REQUIRE(s.run("run --quiet --engine gaussian --set time.t_end=0 --out first " + kExample).exit_code == 0);
    const auto first = nlohmann::json::parse(read_file(s.dir / "first" / "summary.json"));
    CHECK(first["parameters"]["network"]["link_dissipation"].is_null());   // derived, not given
    CHECK(first["derived"]["network"]["link_dissipation"].get<double>() ==
          2.0 * first["parameters"]["network"]["J"].get<double>());
    REQUIRE(s.run("run --quiet --engine gaussian --set network.J=0.002 --out rerun first/summary.json").exit_code == 0);
    REQUIRE(s.run("run --quiet --engine gaussian --set time.t_end=0 --set network.J=0.002 --out fresh " + kExample)
                .exit_code == 0);
    const auto rerun = nlohmann::json::parse(read_file(s.dir / "rerun" / "summary.json"));
    const auto fresh = nlohmann::json::parse(read_file(s.dir / "fresh" / "summary.json"));
    CHECK(rerun["derived"]["network"]["link_dissipation"].get<double>() == 0.004);
    // The rerun is the same physics as the TOML file with the same J: identical steady state.
    CHECK(rerun["results"]["gaussian"]["steady_state"] == fresh["results"]["gaussian"]["steady_state"]);
    // Must-fail side: a link_dissipation the user gave is kept (and then the physics differs).
    REQUIRE(s.run("run --quiet --engine gaussian --set network.J=0.002 --set network.link_dissipation=0.003 "
                  "--out given first/summary.json").exit_code == 0);
    const auto given = nlohmann::json::parse(read_file(s.dir / "given" / "summary.json"));
    CHECK(given["parameters"]["network"]["link_dissipation"].get<double>() == 0.003);
    CHECK(given["results"]["gaussian"]["steady_state"] != fresh["results"]["gaussian"]["steady_state"]);
    // ...and survives its own round trip.
    REQUIRE(s.run("run --quiet --engine gaussian --out given2 given/summary.json").exit_code == 0);
    const auto given2 = nlohmann::json::parse(read_file(s.dir / "given2" / "summary.json"));
    CHECK(given2["parameters"] == given["parameters"]);
    CHECK(given2["results"]["gaussian"]["steady_state"] == given["results"]["gaussian"]["steady_state"]);
}

TEST_CASE("qbnet run summary.json reproduces a trajectories run exactly (same seed)", "[io][roundtrip]") {
    Scratch s("roundtrip-trajectories");
    // 16 trajectories at cutoff 4 (D = 64) over a short time: the round trip, not the physics, is under test.
    // Strong rates and a thermal bath so that jumps happen (~150): without jumps every seed gives the
    // same no-jump evolution and the seed check below could not fail.
    const std::string common = "run --quiet --engine trajectories --threads 2 --set fock.cutoff=4 --set time.t_end=60 "
                               "--set time.samples=4 --set trajectories.count=16 --set trajectories.average_from=30 "
                               "--set reservoirs.kappa=0.05 --set reservoirs.n_th=0.5 --set network.J=0.02 "
                               "--set drive.epsilon=0.02 ";
    const Outcome first = s.run(common + "--out first " + kExample);
    REQUIRE((first.exit_code == 0 || first.exit_code == 4));
    const Outcome second = s.run("run --quiet --engine trajectories --threads 1 --out second first/summary.json");
    INFO(second.err);
    REQUIRE(second.exit_code == first.exit_code);
    const auto a = nlohmann::json::parse(read_file(s.dir / "first" / "summary.json"));
    const auto b = nlohmann::json::parse(read_file(s.dir / "second" / "summary.json"));
    CHECK(a["parameters"] == b["parameters"]);
    REQUIRE(a["results"]["trajectories"]["statistics"]["jumps"].get<long>() > 0);
    REQUIRE(a["results"]["trajectories"]["steady_state"].is_object());
    CHECK(a["results"]["trajectories"]["steady_state"] == b["results"]["trajectories"]["steady_state"]);
    CHECK(a["results"]["trajectories"]["final"] == b["results"]["trajectories"]["final"]);
    CHECK(read_file(s.dir / "first" / "timeseries-trajectories.csv") ==
          read_file(s.dir / "second" / "timeseries-trajectories.csv"));
    // Must-fail side: another seed gives other numbers.
    const Outcome third = s.run("run --quiet --engine trajectories --set trajectories.seed=2 --out third first/summary.json");
    REQUIRE((third.exit_code == 0 || third.exit_code == 4));
    const auto c = nlohmann::json::parse(read_file(s.dir / "third" / "summary.json"));
    CHECK(a["results"]["trajectories"]["steady_state"] != c["results"]["trajectories"]["steady_state"]);
}
