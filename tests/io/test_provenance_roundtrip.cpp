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
