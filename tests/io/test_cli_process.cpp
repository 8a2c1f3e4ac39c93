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

TEST_CASE("cli: bad option values are one readable line naming the option and the rule", "[io][cli]") {
    Scratch s("readable");
    const std::string example = "'" QBNET_SOURCE_DIR "/examples/cascaded_nc_n2.toml'";
    struct Case {
        std::string args, expected;
    };
    for (const Case& c : {Case{"run " + example + " --threads 0", "--threads: must be a whole number >= 1 (got '0')"},
                          Case{"run " + example + " --threads 2.5", "--threads: must be a whole number >= 1 (got '2.5')"},
                          Case{"sweep " + example + " --param network.J --values 1,2 --threads 0", "--threads: must be a whole number >= 1"},
                          Case{"run " + example + " --max-state-gb abc", "--max-state-gb: must be a number > 0 (got 'abc')"},
                          Case{"optimize " + example + " --objective energy_last --points 0", "--points: must be a whole number >= 1"},
                          Case{"sweep " + example + " --param network.JJ --values 1,2 --out o",
                               "--param: unknown key network.JJ (allowed: network.J, network.batteries,"},
                          Case{"", "a command is required: run, sweep or optimize"},
                          Case{"run " + example + " --bogus",
                               "The following argument was not expected: --bogus (qbnet COMMAND --help lists the options)"}}) {
        INFO("args: " << c.args);
        const Outcome o = s.run(c.args);
        CHECK(o.exit_code == 2);
        CHECK(count_lines(o.err) == 1);
        CHECK(o.err.find("qbnet: error: " + c.expected) == 0);
        CHECK(o.err.size() < 300);   // no 300-digit range from CLI11's PositiveNumber
        CHECK_FALSE(fs::exists(s.dir / "o"));
    }
}

// gnuplot is started without a shell: its messages still reach the warning, and a failed drawing
// leaves neither a PNG nor a temporary behind (the run itself succeeds).
TEST_CASE("cli: a failing gnuplot gives one warning with its message and leaves no PNG", "[io][cli]") {
    Scratch s("fakegnuplot");
    fs::create_directories(s.dir / "bin");
    const fs::path fake = s.write("bin/gnuplot", "#!/bin/sh\necho 'fake gnuplot: cannot draw' >&2\nexit 1\n");
    fs::permissions(fake, fs::perms::owner_all);
    const std::string cmd = "cd '" + s.dir.string() + "' && PATH='" + (s.dir / "bin").string() + "':\"$PATH\" '" QBNET_BINARY
                            "' run '" QBNET_SOURCE_DIR "/examples/cascaded_nc_n2.toml' --engine gaussian -q --out out"
                            " >stdout.txt 2>stderr.txt";
    const int status = std::system(cmd.c_str());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    const std::string err = qbnet_test::read_file(s.dir / "stderr.txt");
    CHECK(err.find("gnuplot failed to draw") != std::string::npos);
    CHECK(err.find("fake gnuplot: cannot draw") != std::string::npos);
    int pngs = 0, temporaries = 0;
    for (const auto& entry : fs::directory_iterator(s.dir / "out")) {
        const std::string name = entry.path().filename().string();
        pngs += name.find(".png") != std::string::npos;
        temporaries += name.find(".tmp-") != std::string::npos;
    }
    CHECK(pngs == 0);
    CHECK(temporaries == 0);
    CHECK(fs::exists(s.dir / "out" / "summary.json"));
}
