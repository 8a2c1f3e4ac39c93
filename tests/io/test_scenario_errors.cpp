// Scenario reader, bad inputs: every rejection is ONE InputError whose message names the key.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "qbnet/errors.hpp"
#include "qbnet/io/scenario.hpp"

using namespace qbnet;

namespace {

struct BadInput {
    const char* what;                     // the rejection being tested
    std::string toml;
    std::vector<std::string> overrides;
    std::string key;                      // must appear in the message
};

void check_rejected(const BadInput& bad) {
    try {
        io::parse_scenario(bad.toml, "bad", bad.overrides);
        FAIL("accepted: " << bad.what);
    } catch (const InputError& e) {
        INFO("message: " << e.what());
        CHECK(std::string(e.what()).find(bad.key) != std::string::npos);
        CHECK(std::string(e.what()).find('\n') == std::string::npos);   // one line
    }
}

}  // namespace

TEST_CASE("scenario rejects bad input with the key in the message", "[io][scenario][errors]") {
    const std::vector<BadInput> table = {
        {"unknown section", "[netwrk]\nJ = 1\n", {}, "netwrk"},
        {"unknown key", "[network]\ncoupling_strength = 1\n", {}, "network.coupling_strength"},
        {"wrong type (string for number)", "[network]\nJ = \"big\"\n", {}, "network.J"},
        {"section that is not a table", "network = 3\n", {}, "network"},
        {"negative kappa", "[reservoirs]\nkappa = -0.1\n", {}, "reservoirs.kappa"},
        {"negative kappa in an array", "[reservoirs]\nkappa = [0.1, -0.1]\n", {}, "reservoirs.kappa"},
        {"negative J", "[network]\nJ = -1e-3\n", {}, "network.J"},
        {"negative n_th", "[reservoirs]\nn_th = -1\n", {}, "reservoirs.n_th"},
        {"cutoff < 2", "[fock]\ncutoff = 1\n", {}, "fock.cutoff"},
        {"cutoff float", "[fock]\ncutoff = 4.0\n", {}, "fock.cutoff"},
        {"batteries 0", "[network]\nbatteries = 0\n", {}, "network.batteries"},
        {"batteries float", "[network]\nbatteries = 2.5\n", {}, "network.batteries"},
        {"NaN", "[network]\nJ = nan\n", {}, "network.J"},
        {"inf", "[time]\nt_end = inf\n", {}, "time.t_end"},
        {"NaN detuning", "[network]\ndetuning = nan\n", {}, "network.detuning"},
        {"link to a missing mode", "[network]\ntopology = \"custom\"\nbatteries = 2\nlinks = [[0, 3]]\n", {},
         "network.links"},
        {"negative link index", "[network]\ntopology = \"custom\"\nlinks = [[-1, 1]]\n", {}, "network.links"},
        {"self link", "[network]\ntopology = \"custom\"\nbatteries = 2\nlinks = [[1, 1]]\n", {}, "network.links"},
        {"duplicate link", "[network]\ntopology = \"custom\"\nlinks = [[0, 1], [1, 0]]\n", {}, "network.links"},
        {"malformed link", "[network]\ntopology = \"custom\"\nlinks = [[0, 1, 2]]\n", {}, "network.links"},
        {"links with non-custom topology", "[network]\ntopology = \"cascaded\"\nlinks = [[0, 1]]\n", {},
         "network.links"},
        {"custom without links", "[network]\ntopology = \"custom\"\n", {}, "network.links"},
        {"bad topology", "[network]\ntopology = \"ring\"\n", {}, "network.topology"},
        {"bad coupling", "[network]\ncoupling = \"chiral\"\n", {}, "network.coupling"},
        {"bad apply_to", "[reservoirs]\napply_to = \"bath\"\n", {}, "reservoirs.apply_to"},
        {"array of wrong length", "[network]\nbatteries = 2\n[reservoirs]\nkappa = [0.1, 0.2]\n", {},
         "reservoirs.kappa"},
        {"cutoff array of wrong length", "[fock]\ncutoff = [4, 4, 4]\n", {}, "fock.cutoff"},
        {"drive.mode out of range", "[network]\nbatteries = 2\n[drive]\nmode = 3\n", {}, "drive.mode"},
        {"drive.mode with epsilon array", "[drive]\nepsilon = [0.1, 0.0]\nmode = 1\n", {}, "drive.mode"},
        {"samples < 2", "[time]\nsamples = 1\n", {}, "time.samples"},
        {"negative t_end", "[time]\nt_end = -5\n", {}, "time.t_end"},
        {"atol zero", "[time]\natol = 0\n", {}, "time.atol"},
        {"bad initial", "[time]\ninitial = \"thermal\"\n", {}, "time.initial"},
        {"bad integrator", "[time]\nintegrator = \"rk4\"\n", {}, "time.integrator"},
        {"bad method", "[steady_state]\nmethod = \"newton\"\n", {}, "steady_state.method"},
        {"enabled not bool", "[steady_state]\nenabled = 1\n", {}, "steady_state.enabled"},
        {"truncation_warning out of (0,1)", "[fock]\ntruncation_warning = 1.0\n", {}, "fock.truncation_warning"},
        {"bad frame", "[fock]\nframe = \"rotating\"\n", {}, "fock.frame"},
        {"scenario name with a slash", "[scenario]\nname = \"../x\"\n", {}, "scenario.name"},
        {"malformed --set (no =)", "", {"network.J"}, "network.J"},
        {"malformed --set (no section)", "", {"J=0.1"}, "J"},
        {"--set unknown key", "", {"network.jay=0.1"}, "network.jay"},
        {"--set unknown section", "", {"nets.J=0.1"}, "nets.J"},
        {"--set with a bad value", "", {"network.J=abc"}, "network.J"},
        {"--set with a negative value", "", {"network.J=-1"}, "network.J"},
        {"--set making an array the wrong length", "[reservoirs]\nkappa = [0.1, 0.1]\n", {"network.batteries=3"},
         "reservoirs.kappa"},
    };
    for (const auto& bad : table) {
        DYNAMIC_SECTION(bad.what) { check_rejected(bad); }
    }
}

TEST_CASE("scenario: TOML syntax errors are InputErrors with the line", "[io][scenario][errors]") {
    try {
        io::parse_scenario("[network]\nJ = = 1\n", "bad");
        FAIL("accepted invalid TOML");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).find("line 2") != std::string::npos);
    }
}

TEST_CASE("scenario: a missing file is an InputError", "[io][scenario][errors]") {
    CHECK_THROWS_AS(io::load_scenario("/nonexistent/qbnet/scenario.toml"), InputError);
}
