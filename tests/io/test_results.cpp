// Result writers on a hand-made EngineResult (no engine needed).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
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
    const std::string csv = io::timeseries_csv(make_result());
    std::istringstream in(csv);
    std::string header, row0, row1;
    std::getline(in, header);
    std::getline(in, row0);
    std::getline(in, row1);
    // The original block first (order unchanged), then the issue-19 additions W_C and P_<mode>, P_B.
    CHECK(header == "t,E_C,E_b1,E_b2,W_b1,W_b2,E_B,W_B,W_C,P_C,P_b1,P_b2,P_B");
    CHECK(row0 == "0,0,0,0,0,0,0,0,0,0,0,0,0");
    CHECK(row1.substr(row1.size() - 4) == ",nan");   // P_B: the joint state was not available
    // 17 significant digits: values round-trip exactly
    const std::string e_c = row1.substr(row1.find(',') + 1, row1.find(',', 4) - row1.find(',') - 1);
    CHECK(std::stod(e_c) == 0.1 + 1e-16);
    EngineResult empty;
    CHECK(io::timeseries_csv(empty).empty());
}

namespace {

// Column name -> value of one CSV row.
std::map<std::string, double> csv_row(const std::string& header, const std::string& row) {
    std::map<std::string, double> out;
    std::istringstream h(header), r(row);
    for (std::string name, cell; std::getline(h, name, ',') && std::getline(r, cell, ',');) out[name] = std::stod(cell);
    return out;
}

// A result whose samples carry error bars and distinct figures per mode (C, b1, b2), as the trajectory
// engine returns it: final_state is the last sample.
EngineResult result_with_errors() {
    EngineResult r;
    r.engine = EngineKind::trajectories;
    r.timeseries.t = {0.0, 2.0};
    for (double scale : {0.5, 1.0}) {
        Snapshot s;
        const char* names[] = {"C", "b1", "b2"};
        for (int j = 0; j < 3; ++j) {
            ModeFigures m;
            m.name = names[j];
            m.energy = scale * (1.0 + j);
            m.ergotropy = scale * (0.6 + 0.1 * j);
            m.passive_energy = m.energy - m.ergotropy;
            m.error = Figures{0.01 * (j + 1), 0.002 * (j + 1), 0.003 * (j + 1)};
            s.modes.push_back(m);
        }
        s.batteries = {scale * 5.0, scale * 1.1, scale * 3.9};
        s.batteries_error = Figures{0.05, 0.011, 0.039};
        s.batteries_ergotropy_available = true;
        r.timeseries.samples.push_back(s);
    }
    r.final_state = r.timeseries.samples.back();
    return r;
}

}  // namespace

TEST_CASE("results: CSV has every mode's ergotropy and passive energy equal to summary final figures",
          "[io][results]") {
    const EngineResult r = result_with_errors();
    std::istringstream in(io::timeseries_csv(r));
    std::string header, row0, row1;
    std::getline(in, header);
    std::getline(in, row0);
    std::getline(in, row1);
    CHECK(header ==
          "t,E_C,E_b1,E_b2,W_b1,W_b2,E_B,W_B,W_C,P_C,P_b1,P_b2,P_B,"
          "dE_C,dE_b1,dE_b2,dW_b1,dW_b2,dE_B,dW_B,dW_C,dP_C,dP_b1,dP_b2,dP_B");
    const auto last = csv_row(header, row1);
    const auto final_json = io::engine_result_json(r)["final"];
    const auto& modes = final_json["modes"];
    for (const auto& m : modes) {
        const std::string name = m["name"];
        INFO(name);
        CHECK(last.at("E_" + name) == m["energy"].get<double>());
        CHECK(last.at("W_" + name) == m["ergotropy"].get<double>());
        CHECK(last.at("P_" + name) == m["passive_energy"].get<double>());
        CHECK(last.at("dE_" + name) == m["error"]["energy"].get<double>());
        CHECK(last.at("dW_" + name) == m["error"]["ergotropy"].get<double>());
        CHECK(last.at("dP_" + name) == m["error"]["passive_energy"].get<double>());
    }
    const auto& b = final_json["batteries"];
    CHECK(last.at("E_B") == b["energy"].get<double>());
    CHECK(last.at("W_B") == b["ergotropy"].get<double>());
    CHECK(last.at("P_B") == b["passive_energy"].get<double>());
    CHECK(last.at("dP_B") == b["error"]["passive_energy"].get<double>());
    // Must-fail: the first sample is a different state, so its row differs from the final figures.
    const auto first = csv_row(header, row0);
    CHECK(first.at("P_b1") != modes[1]["passive_energy"].get<double>());
    CHECK(first.at("W_C") != modes[0]["ergotropy"].get<double>());

    // The joint state not available: W_B, P_B and their error bars are nan (null in summary.json).
    EngineResult no_joint = result_with_errors();
    no_joint.timeseries.samples.back().batteries_ergotropy_available = false;
    std::istringstream in2(io::timeseries_csv(no_joint));
    std::getline(in2, header);
    std::getline(in2, row0);
    std::getline(in2, row1);
    const auto cut = csv_row(header, row1);
    CHECK(std::isnan(cut.at("P_B")));
    CHECK(std::isnan(cut.at("dP_B")));
    CHECK(std::isnan(cut.at("W_B")));
    CHECK(cut.at("P_b2") == last.at("P_b2"));
}

TEST_CASE("results: summary.json layout", "[io][results]") {
    io::Scenario sc;
    sc.name = "demo";
    sc.resolved = {{"network", {{"J", 0.001}}}};
    const auto j = io::summary_json(sc, {make_result()}, nlohmann::json{{"agree", true}});
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
    CHECK_FALSE(io::summary_json(sc, {make_result()}).contains("cross_check"));
}

TEST_CASE("results: write_results writes summary and CSV and leaves no temporary files", "[io][results]") {
    const auto dir = std::filesystem::temp_directory_path() / ("qbnet-io-results-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    io::Scenario sc;
    sc.name = "demo";
    const auto written = io::write_results(dir / "nested", sc, {make_result()});
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
    const std::string table = io::format_result_table(make_result());
    for (const char* word : {"[fock] steady state", "mode", "energy", "ergotropy", "passive energy", "C", "b2",
                             "batteries", "n/a", "residual=1e-12"})
        CHECK(table.find(word) != std::string::npos);
}
