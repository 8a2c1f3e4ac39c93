// Reliability regressions of issue 18: extreme but well-formed inputs are refused with one line naming
// the key (never a crash or a stall), the memory guard honours ulimit -v / cgroups, output folders are
// checked before any work, outputs are written atomically, and the Gaussian steady state is identical
// in every OpenMP thread.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <omp.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qbnet/errors.hpp"
#include "qbnet/numerics/memory.hpp"
#include "qbnet/gaussian/engine.hpp"
#include "qbnet/gaussian/memory.hpp"
#include "qbnet/io/results.hpp"
#include "qbnet/io/scenario.hpp"
#include "support/cli_process.hpp"

using namespace qbnet;
using qbnet_test::Scratch;
namespace fs = std::filesystem;

namespace {

const char* kSmall = R"(
[network]
topology = "cascaded"
batteries = 1
coupling = "nonreciprocal"
J = 0.0015
[drive]
epsilon = 0.001
[reservoirs]
kappa = 0.003
[fock]
cutoff = 4
[time]
t_end = 300.0
samples = 11
)";

// The key an InputError names for `overrides` on kSmall ("" when the scenario is accepted).
std::string refused_key(const std::vector<std::string>& overrides, std::string* message = nullptr) {
    try {
        io::parse_scenario(kSmall, "rel", overrides);
    } catch (const InputError& e) {
        if (message) *message = e.what();
        return e.key();
    }
    return "";
}

// A Gaussian result with a time series and a steady state.
EngineResult small_result() {
    io::Scenario sc = io::parse_scenario(kSmall, "rel", {});
    EngineResult r = gaussian::run_gaussian(sc.model, sc.options);
    r.engine = EngineKind::gaussian;
    return r;
}

// Runs `qbnet ARGS` in `dir` under `ulimit -v KIB` with one thread; stderr captured.
qbnet_test::Outcome run_limited(const fs::path& dir, long kib, const std::string& args) {
    const std::string cmd = "cd '" + dir.string() + "' && ulimit -v " + std::to_string(kib) + " && OMP_NUM_THREADS=1 '" +
                            QBNET_BINARY + "' " + args + " >stdout.txt 2>stderr.txt";
    const int status = std::system(cmd.c_str());
    qbnet_test::Outcome o;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    o.out = qbnet_test::read_file(dir / "stdout.txt");
    o.err = qbnet_test::read_file(dir / "stderr.txt");
    return o;
}

}  // namespace

TEST_CASE("reliability: extreme values named in issue 18 are refused by the scenario reader", "[regression][reliability]") {
    std::string msg;
    CHECK(refused_key({"time.t_end=1e-30"}, &msg) == "time.t_end");   // was a segmentation fault (Fock)
    CHECK(msg.find("fastest time scale") != std::string::npos);
    CHECK(refused_key({"time.t_end=1e300"}) == "time.t_end");    // never ends
    CHECK(refused_key({"network.J=1e300"}) == "network.J");      // was nan, then a segmentation fault
    CHECK(refused_key({"network.J=nan"}) == "network.J");
    CHECK(refused_key({"network.detuning=-inf"}) == "network.detuning");
    CHECK(refused_key({"reservoirs.squeeze_r=50"}) == "reservoirs.squeeze_r");   // stalled
    CHECK(refused_key({"reservoirs.n_th=1e300"}) == "reservoirs.n_th");
    CHECK(refused_key({"drive.epsilon=1e308"}) == "drive.epsilon");
    CHECK(refused_key({"kerr.chi=-1e300"}) == "kerr.chi");
    // No damping at all: no steady state exists (the Fock solver ran on for > 300 s).
    CHECK(refused_key({"reservoirs.kappa=0", "network.coupling=\"reciprocal\""}, &msg) == "reservoirs.kappa");
    CHECK(msg.find("no steady state") != std::string::npos);
    // ... but fine without a steady state, or with a dissipative (nonreciprocal) link.
    CHECK(refused_key({"reservoirs.kappa=0", "network.coupling=\"reciprocal\"", "steady_state.enabled=false"}).empty());
    CHECK(refused_key({"reservoirs.kappa=0"}).empty());
    // Ordinary values stay accepted: t_end = 0, small and large physical values.
    CHECK(refused_key({"time.t_end=0"}).empty());
    CHECK(refused_key({"time.t_end=1e-3"}).empty());
    CHECK(refused_key({"drive.epsilon=-1"}).empty());
    CHECK(refused_key({"reservoirs.squeeze_r=2"}).empty());
}

TEST_CASE("reliability: non-ASCII outside TOML strings is refused before toml++ sees it", "[regression][reliability]") {
    // toml++ 3.3.0 reaches __builtin_unreachable for U+00A1..U+0499 met as possible whitespace (UBSan on the
    // fuzz mutant --set network.J=\xc3\xbf\xc3\xbe): refused as invalid TOML, or taken as a bare string.
    CHECK(refused_key({"network.J=\xc3\xbf\xc3\xbe"}) == "network.J");
    try {
        io::parse_scenario("[network]\nJ = 0.001 \xc3\xbf\n", "rel", {});
        FAIL("accepted");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).find("non-ASCII") != std::string::npos);
    }
    // Inside strings and comments it stays allowed.
    CHECK_NOTHROW(io::parse_scenario("# caf\xc3\xa9\n[scenario]\ndescription = \"caf\xc3\xa9 '\"\n", "rel", {}));
    CHECK(refused_key({"scenario.description=\"caf\xc3\xa9\""}).empty());
}

TEST_CASE("reliability: memory limits are parsed and combined as a minimum", "[regression][reliability]") {
    CHECK(numerics::parse_cgroup_limit("max\n") < 0);
    CHECK(numerics::parse_cgroup_limit("") < 0);
    CHECK(numerics::parse_cgroup_limit("1073741824\n") == 1073741824.0);
    CHECK(numerics::parse_meminfo_available("MemTotal: 100 kB\nMemAvailable:   2048 kB\n") == 2048.0 * 1024.0);
    numerics::MemoryLimits m;
    m.mem_available = 8e9;
    m.cgroup = 2e9;
    m.address_space = -1;
    CHECK(m.available() == 2e9);
    CHECK(m.binding_source().find("cgroup") != std::string::npos);
    m.address_space = 1e9;
    CHECK(m.available() == 1e9);
    CHECK(m.binding_source().find("ulimit") != std::string::npos);
    CHECK(numerics::available_memory_bytes() > 0);
}

TEST_CASE("reliability: huge-page advice applies to large arrays only and leaves their contents intact", "[regression][reliability]") {
    std::vector<double> small(1000);
    CHECK(!numerics::advise_huge_pages(small.data(), small.size() * sizeof(double)));   // below 4 MiB: no advice
    CHECK(!numerics::advise_huge_pages(nullptr, std::size_t{64} << 20));
    std::vector<double> large;
    numerics::resize_on_huge_pages(large, 3L << 20);   // 24 MiB, fresh
    REQUIRE(large.size() == (std::size_t{3} << 20));
    for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<double>(i);
    double sum = 0.0;
    for (double v : large) sum += v;
    const double n = static_cast<double>(large.size());
    CHECK(sum == n * (n - 1) / 2);
#if defined(__linux__)
    // Where the kernel offers transparent huge pages, the advice is taken.
    if (std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled"))
        CHECK(numerics::advise_huge_pages(large.data(), large.size() * sizeof(double)));
#endif
}

TEST_CASE("reliability: ulimit -v refuses a Fock run before allocating with exit 2 and one line naming the memory", "[regression][reliability]") {
    Scratch s("rel-ulimit");
    s.write("big.toml", std::string(kSmall) + "\n");
    // 3 modes at cutoff 20: D = 8000, 1 GiB per copy of rho. Under a 1.5 GiB
    // address-space limit (MemAvailable is far larger here) it must be refused at once by the guard
    // (before: std::bad_alloc, exit 3).
    const auto o = run_limited(s.dir, 1536 * 1024,
                               "run big.toml --engine fock --out out2 --threads 1 --set network.batteries=2 "
                               "--set fock.cutoff=20 -q");
    CHECK(o.exit_code == 2);
    CHECK(qbnet_test::count_lines(o.err) == 1);
    CHECK(o.err.find("GiB") != std::string::npos);
    CHECK(!fs::exists(s.dir / "out2"));
}

TEST_CASE("reliability: the Gaussian engine has a memory estimate (batteries = 20000 is refused)", "[regression][reliability]") {
    io::Scenario sc = io::parse_scenario(kSmall, "rel", {});
    const double small = gaussian::gaussian_memory_estimate_gib(sc.model, sc.options);
    CHECK(small < 1e-3);
    CHECK_NOTHROW(gaussian::check_gaussian_memory(sc.model, sc.options));
    // The estimate scales as modes^2: 20001 modes at 11 samples -> tens of GiB.
    model::Model big = sc.model;
    big.mode_names.assign(20001, "b");
    CHECK(gaussian::gaussian_memory_estimate_gib(big, sc.options) > 100.0);
    RunOptions limited = sc.options;
    limited.memory_limit_gib = 1e-9;
    CHECK_THROWS_AS(gaussian::check_gaussian_memory(sc.model, limited), RunRefused);
    // The reader refuses a network whose Model alone does not fit (here: under ulimit -v 1 GiB).
    Scratch s("rel-gauss");
    s.write("net.toml", kSmall);
    const auto o = run_limited(s.dir, 1024 * 1024,
                               "run net.toml --engine gaussian --out out --threads 1 --set network.batteries=20000 -q");
    CHECK(o.exit_code == 2);
    CHECK(qbnet_test::count_lines(o.err) == 1);
    CHECK(o.err.find("network.batteries") != std::string::npos);
}

TEST_CASE("reliability: ensure_writable_output_dir refuses unusable folders and leaves nothing behind", "[regression][reliability]") {
    Scratch s("rel-out");
    s.write("file", "x");
    auto key_of = [](const fs::path& p) -> std::string {
        try {
            io::ensure_writable_output_dir(p);
        } catch (const InputError& e) {
            CHECK(std::string(e.what()).find('\n') == std::string::npos);
            return e.key();
        }
        return "";
    };
    CHECK(key_of(s.dir / "file" / "below") == "--out");       // a path below a file
    CHECK(key_of(s.dir / "file") == "--out");                  // a file, not a folder
    CHECK(key_of("/proc/qbnet-results") == "--out");           // /proc
    CHECK(key_of("/proc/self/qbnet") == "--out");
    CHECK(key_of(s.dir / "new" / "nested").empty());           // creatable: accepted ...
    CHECK(!fs::exists(s.dir / "new"));                         // ... and not left behind
    fs::create_directories(s.dir / "existing");
    CHECK(key_of(s.dir / "existing").empty());
    CHECK(fs::is_empty(s.dir / "existing"));
}

TEST_CASE("reliability: write_results removes outputs of an earlier run it does not rewrite and stale temporaries", "[regression][reliability]") {
    Scratch s("rel-stale");
    const fs::path dir = s.dir / "out";
    fs::create_directories(dir);
    s.write("out/timeseries-fock.csv", "t,E_C\n0,0\n");
    s.write("out/energy-fock.png", "png");
    s.write("out/energy-fock.png.tmp-4194999", "half");   // a dead process's temporary (pid above the largest pid_max, 2^22)
    s.write("out/keep.txt", "user file");
    io::Scenario sc = io::parse_scenario(kSmall, "rel", {});
    const EngineResult r = small_result();
    const auto written = io::write_results(dir, sc, {r});
    CHECK(fs::exists(dir / "summary.json"));
    CHECK(fs::exists(dir / "timeseries-gaussian.csv"));
    CHECK(!fs::exists(dir / "timeseries-fock.csv"));
    CHECK(!fs::exists(dir / "energy-fock.png"));
    CHECK(!fs::exists(dir / "energy-fock.png.tmp-4194999"));
    CHECK(fs::exists(dir / "keep.txt"));
}

TEST_CASE("reliability: a failed write to a read-only target or a full disk leaves no half-written file", "[regression][reliability]") {
    // Read-only target: /proc refuses new files even to root.
    CHECK_THROWS_AS(io::write_file_atomic("/proc/qbnet-summary.json", "{}"), std::runtime_error);
    // Full disk: a 64 KiB tmpfs (needs root and mount rights; skipped with a warning otherwise).
    Scratch s("rel-full");
    const fs::path mnt = s.dir / "tiny";
    fs::create_directories(mnt);
    if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k") != 0) {
        WARN("cannot mount a tmpfs here (not root?): full-disk case skipped");
        return;
    }
    io::write_file_atomic(mnt / "summary.json", "old, complete\n");
    bool threw = false;
    try {
        io::write_file_atomic(mnt / "summary.json", std::string(1 << 20, 'x'));   // 1 MiB into 64 KiB
    } catch (const std::runtime_error& e) {
        threw = true;
        CHECK(std::string(e.what()).find("No space left") != std::string::npos);
    }
    CHECK(threw);
    CHECK(qbnet_test::read_file(mnt / "summary.json") == "old, complete\n");   // the previous file is intact
    int entries = 0;
    for (const auto& e : fs::directory_iterator(mnt)) entries += e.path().filename() != "summary.json";
    CHECK(entries == 0);                                                          // no temporary left
    // write_results: every file or none.
    io::Scenario sc = io::parse_scenario(kSmall, "rel", {});
    EngineResult r = small_result();
    for (int k = 0; k < 10; ++k) {   // 11 -> 11264 rows: ~2 MiB of CSV
        auto& ts = r.timeseries;
        const auto t = ts.t;
        const auto samples = ts.samples;
        ts.t.insert(ts.t.end(), t.begin(), t.end());
        ts.samples.insert(ts.samples.end(), samples.begin(), samples.end());
    }
    CHECK_THROWS_AS(io::write_results(mnt, sc, {r}), std::runtime_error);
    CHECK(qbnet_test::read_file(mnt / "summary.json") == "old, complete\n");
    CHECK(!fs::exists(mnt / "timeseries-gaussian.csv"));
    ::umount(mnt.c_str());
}

TEST_CASE("reliability: the CLI checks --out before the simulation", "[regression][reliability][cli-out]") {
    Scratch s("rel-cli-out");
    s.write("a.toml", kSmall);
    s.write("file", "x");
    for (const std::string cmd : {"run a.toml --engine gaussian", "sweep a.toml --param network.J --values 0.001,0.002",
                                  "optimize a.toml --objective energy_last --bounds 1e-4:1e-2"}) {
        INFO(cmd);
        const auto o = s.run(cmd + " --out file/below -q");
        CHECK(o.exit_code == 2);
        CHECK(qbnet_test::count_lines(o.err) == 1);
        CHECK(o.err.find("--out") != std::string::npos);
        // Must pass: the same command with a writable folder exits 0.
        CHECK(s.run(cmd + " --out ok -q").exit_code == 0);
    }
}

TEST_CASE("reliability: Gaussian steady states in parallel OpenMP threads are identical (no shared RNG)", "[regression][reliability]") {
    // Reciprocal links with complex phases and several batteries: the phase-covariant Schur path with the
    // normality gate (formerly Eigen::VectorXcd::Random, i.e. std::rand) runs in every thread.
    std::vector<std::string> variants;
    for (int k = 0; k < 8; ++k)
        variants.push_back("network.J=" + std::to_string(0.001 + 0.0003 * k));
    auto steady_energy = [](const std::string& set, const std::string& coupling) {
        io::Scenario sc = io::parse_scenario(kSmall, "rel",
                                     {set, "network.batteries=6", "network.coupling=\"" + coupling + "\"",
                                      "network.phase=0.7", "time.t_end=0"});
        RunOptions o = sc.options;
        o.threads = 0;   // no Eigen::setNbThreads from inside the parallel region
        const EngineResult r = gaussian::run_gaussian(sc.model, o);
        std::vector<double> e;
        for (const auto& m : r.steady_state->modes) e.push_back(m.energy), e.push_back(m.ergotropy);
        return e;
    };
    for (const std::string coupling : {"reciprocal", "nonreciprocal"}) {
        std::vector<std::vector<double>> serial;
        for (const auto& v : variants) serial.push_back(steady_energy(v, coupling));
        for (int round = 0; round < 3; ++round) {
            std::vector<std::vector<double>> parallel(variants.size() * 4);
#pragma omp parallel for num_threads(4) schedule(dynamic)
            for (int i = 0; i < static_cast<int>(parallel.size()); ++i)
                parallel[i] = steady_energy(variants[i % variants.size()], coupling);
            for (std::size_t i = 0; i < parallel.size(); ++i) CHECK(parallel[i] == serial[i % variants.size()]);
        }
    }
}
