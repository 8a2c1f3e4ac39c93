// Result writers on a hand-made EngineResult (no engine needed).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "qbnet/io/results.hpp"

using namespace qbnet;

namespace {

Snapshot make_snapshot(double scale, bool joint_available) {
    Snapshot s;
    for (const char* name : {"C", "b1", "b2"}) {
        ModeFigures m;
        m.name = name;
        m.energy = scale;
        m.ergotropy = 0.75 * scale;
        m.passive_energy = 0.25 * scale;
        s.modes.push_back(m);
    }
    s.batteries = {2 * scale, 1.5 * scale, 0.5 * scale};
    s.batteries_ergotropy_available = joint_available;
    return s;
}

EngineResult make_result() {
    EngineResult r;
    r.engine = EngineKind::fock;
    r.steady_state = make_snapshot(1.0, false);
    r.steady_diagnostics.residual = 1e-12;
    r.statistics.wall_s = 0.5;
    r.warnings = {"top Fock level holds 2e-3"};
    r.timeseries.t = {0.0, 0.1};
    r.timeseries.samples = {make_snapshot(0.0, true), make_snapshot(0.1 + 1e-16, false)};
    return r;
}

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("results: CSV header - precision and nan for missing joint ergotropy", "[io][results]") {
    const std::string csv = timeseries_csv(make_result());
    std::istringstream in(csv);
    std::string header, row0, row1;
    std::getline(in, header);
    std::getline(in, row0);
    std::getline(in, row1);
    CHECK(header == "t,E_C,E_b1,E_b2,W_b1,W_b2,E_B,W_B");
    CHECK(row0 == "0,0,0,0,0,0,0,0");
    CHECK(row1.substr(row1.size() - 4) == ",nan");
    // 17 significant digits: values round-trip exactly
    const std::string e_c = row1.substr(row1.find(',') + 1, row1.find(',', 4) - row1.find(',') - 1);
    CHECK(std::stod(e_c) == 0.1 + 1e-16);
    EngineResult empty;
    CHECK(timeseries_csv(empty).empty());
}

TEST_CASE("results: summary.json layout", "[io][results]") {
    Scenario sc;
    sc.name = "demo";
    sc.resolved = {{"network", {{"J", 0.001}}}};
    const auto j = summary_json(sc, {make_result()}, nlohmann::json{{"agree", true}});
    CHECK(j["scenario"] == "demo");
    CHECK(j["parameters"]["network"]["J"] == 0.001);
    const auto& ss = j["results"]["fock"]["steady_state"];
    CHECK(ss["modes"].size() == 3);
    CHECK(ss["modes"][1]["name"] == "b1");
    CHECK(ss["modes"][1]["ergotropy"] == 0.75);
    CHECK(ss["batteries"]["energy"] == 2.0);
    CHECK(ss["batteries"]["ergotropy"].is_null());   // joint state too large: null, never 0
    CHECK(ss["diagnostics"]["residual"] == 1e-12);
    CHECK(j["results"]["fock"]["warnings"].size() == 1);
    CHECK(j["cross_check"]["agree"] == true);
    CHECK_FALSE(summary_json(sc, {make_result()}).contains("cross_check"));
}

TEST_CASE("results: write_results writes summary and CSV and leaves no temporary files", "[io][results]") {
    const auto dir = std::filesystem::temp_directory_path() / ("qbnet-io-results-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    Scenario sc;
    sc.name = "demo";
    const auto written = write_results(dir / "nested", sc, {make_result()});
    REQUIRE(written.size() == 2);
    CHECK(std::filesystem::exists(dir / "nested" / "summary.json"));
    CHECK(std::filesystem::exists(dir / "nested" / "timeseries-fock.csv"));
    CHECK(nlohmann::json::parse(read(dir / "nested" / "summary.json"))["scenario"] == "demo");
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "nested")) {
        (void)entry;
        ++files;
    }
    CHECK(files == 2);
    std::filesystem::remove_all(dir);
}

TEST_CASE("results: terminal table has every mode - the batteries row and diagnostics", "[io][results]") {
    const std::string table = format_result_table(make_result());
    for (const char* word : {"[fock] steady state", "mode", "energy", "ergotropy", "passive energy", "C", "b2",
                             "batteries", "n/a", "residual=1e-12"})
        CHECK(table.find(word) != std::string::npos);
}
