// The command line's verdicts and exit codes (0 agree, 1 disagree, 4 inconclusive / not trustworthy,
// 2 refused) on real runs, including the defaults a new user gets from an empty scenario.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/cli_process.hpp"

using namespace qbnet_test;

namespace {
nlohmann::json summary(const Scratch& s) { return nlohmann::json::parse(read_file(s.dir / "out" / "summary.json")); }
}  // namespace

TEST_CASE("cli: an empty scenario (every default and fock.cutoff = auto) agrees with the Gaussian engine to 1e-6",
          "[crosscheck][cli]") {
    Scratch s("empty");
    const auto file = s.write("empty.toml", "");
    const Outcome o = s.run("run '" + file.string() + "' --engine both --out out -q");
    INFO(o.out << o.err);
    CHECK(o.exit_code == 0);
    const auto j = summary(s);
    CHECK(j["cross_check"]["verdict"] == "agree");
    CHECK(j["cross_check"]["max_rel_diff"].get<double>() <= 1e-6);
    // The chosen frame and cutoffs are reported; every Fock figure carries an error bar.
    const auto& fock = j["results"]["fock"];
    CHECK(fock["statistics"].contains("cutoffs"));
    CHECK(fock["statistics"].contains("frame"));
    for (const auto& m : fock["steady_state"]["modes"]) CHECK(m.contains("error"));
}

TEST_CASE("cli: a cutoff far too small -> inconclusive and exit 4", "[crosscheck][cli]") {
    Scratch s("small");
    const auto file = s.write("small.toml", "[fock]\ncutoff = 6\nframe = \"lab\"\n[time]\nt_end = 0\n");
    const Outcome o = s.run("run '" + file.string() + "' --engine both --out out -q");
    INFO(o.out << o.err);
    CHECK(o.exit_code == 4);
    CHECK(summary(s)["cross_check"]["verdict"] == "inconclusive");
    CHECK(o.out.find("INCONCLUSIVE") != std::string::npos);
}

TEST_CASE("cli: Fock alone above fock.tolerance -> exit 4 and an auto cutoff that cannot fit -> exit 2 naming it",
          "[crosscheck][cli]") {
    Scratch s("tol");
    const auto file = s.write("tol.toml", "[fock]\ncutoff = 6\nframe = \"lab\"\n[time]\nt_end = 0\n");
    Outcome o = s.run("run '" + file.string() + "' --out out -q");
    CHECK(o.exit_code == 4);
    CHECK(o.out.find("not trustworthy") != std::string::npos);
    // Thermal baths n_th = 3 on N = 3 at tolerance 1e-6: cutoffs of ~60 per mode, D ~ 1e7.
    const auto hot = s.write("hot.toml", "[network]\nbatteries = 3\n[reservoirs]\nn_th = 3.0\n[time]\nt_end = 0\n");
    o = s.run("run '" + hot.string() + "' --out out2 -q");
    INFO(o.err);
    CHECK(o.exit_code == 2);
    CHECK(count_lines(o.err) == 1);
    CHECK(o.err.find("fock.cutoff = \"auto\"") != std::string::npos);
    CHECK(o.err.find("GiB") != std::string::npos);
}
