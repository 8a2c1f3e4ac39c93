// The qbnet executable as a user meets it: exit codes, one-line errors, nothing written on bad input.
// Only invalid input reaches the binary here, so these tests never depend on an engine.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "support/cli_process.hpp"

namespace fs = std::filesystem;
using qbnet_test::count_lines;
using qbnet_test::Outcome;
using qbnet_test::Scratch;

TEST_CASE("cli: --help exits 0 and explains the options", "[io][cli]") {
    Scratch s("help");
    const Outcome top = s.run("--help");
    CHECK(top.exit_code == 0);
    CHECK(top.out.find("run") != std::string::npos);
    const Outcome run = s.run("run --help");
    CHECK(run.exit_code == 0);
    for (const char* option : {"--engine", "--out", "--set", "--threads", "--quiet"})
        CHECK(run.out.find(option) != std::string::npos);
}

TEST_CASE("cli: invalid scenario file -> exit 2 - one line on stderr", "[io][cli]") {
    Scratch s("badfile");
    s.write("bad.toml", "[network]\nJ = \"strong\"\n");
    const Outcome o = s.run("run bad.toml --engine gaussian");
    CHECK(o.exit_code == 2);
    CHECK(count_lines(o.err) == 1);
    CHECK(o.err.rfind("qbnet: error: ", 0) == 0);
    CHECK(o.err.find("network.J") != std::string::npos);
    CHECK_FALSE(fs::exists(s.dir / "results"));
}

TEST_CASE("cli: --set network.J=-1 -> exit 2 and no output folder", "[io][cli]") {
    Scratch s("setj");
    const Outcome o =
        s.run("run '" QBNET_SOURCE_DIR "/examples/cascaded_nc_n2.toml' --engine gaussian --set network.J=-1 --out out");
    CHECK(o.exit_code == 2);
    CHECK(count_lines(o.err) == 1);
    CHECK(o.err.find("network.J") != std::string::npos);
    CHECK_FALSE(fs::exists(s.dir / "out"));
    CHECK_FALSE(fs::exists(s.dir / "results"));
}

TEST_CASE("cli: command line mistakes -> exit 2 - one line", "[io][cli]") {
    Scratch s("usage");
    const std::string example = "'" QBNET_SOURCE_DIR "/examples/cascaded_nc_n2.toml'";
    for (const std::string args : {std::string("run missing.toml"), "run " + example + " --engine magic",
                                   "run " + example + " --set network.J", std::string("")}) {
        INFO("args: " << args);
        const Outcome o = s.run(args);
        CHECK(o.exit_code == 2);
        CHECK(count_lines(o.err) == 1);
    }
}
