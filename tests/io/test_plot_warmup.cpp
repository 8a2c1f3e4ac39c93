// The gnuplot warm-up of `qbnet run` (io::TimeseriesPlotWarmup): the plot it finishes is the one a fresh
// gnuplot draws, and neither a used nor an unused warm-up leaves a file behind.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <unistd.h>

#include "qbnet/io/plot.hpp"

namespace fs = std::filesystem;

namespace {
struct TempFolder {   // TMPDIR pointed at a fresh folder for the test's duration
    fs::path dir;
    std::string old;
    bool had = false;
    explicit TempFolder(const std::string& tag) {
        dir = fs::temp_directory_path() / ("qbnet-test-" + tag + "-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir / "tmp");
        if (const char* t = std::getenv("TMPDIR")) {
            old = t;
            had = true;
        }
        ::setenv("TMPDIR", (dir / "tmp").c_str(), 1);
    }
    ~TempFolder() {
        if (had) ::setenv("TMPDIR", old.c_str(), 1);
        else ::unsetenv("TMPDIR");
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    long files_in(const fs::path& p) const {
        long n = 0;
        for (const auto& e : fs::directory_iterator(p)) n += e.is_regular_file();
        return n;
    }
};

std::string bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path write_series(const fs::path& dir) {
    const fs::path csv = dir / "timeseries-fock.csv";
    std::ofstream out(csv);
    out << "t,E_C,E_b1,W_b1,E_B,W_B\n";
    for (int i = 0; i <= 10; ++i) out << i << "," << 0.1 * i << "," << 0.05 * i << "," << 0.01 * i << "," << 0.05 * i << "," << 0.01 * i << "\n";
    return csv;
}
}  // namespace

TEST_CASE("a warmed-up gnuplot draws the same PNG as a fresh one and leaves no file in TMPDIR", "[io][plot]") {
    if (!qbnet::io::gnuplot_available()) {
        WARN("gnuplot not installed: the plot is skipped by design (make deps installs it)");
        return;
    }
    TempFolder t("warmup");
    const fs::path csv = write_series(t.dir);
    const fs::path cold = t.dir / "cold.png", warm_png = t.dir / "warm.png";
    REQUIRE(qbnet::io::plot_timeseries(csv, cold, "title"));
    auto warm = qbnet::io::TimeseriesPlotWarmup::start(warm_png, "title");
    REQUIRE(warm);
    const auto drawn = qbnet::io::plot_timeseries(csv, warm_png, "title", warm.get());
    REQUIRE(drawn);
    CHECK(*drawn == warm_png);
    CHECK(bytes(warm_png) == bytes(cold));   // cairo draws deterministically: the same bytes
    warm.reset();
    CHECK(t.files_in(t.dir / "tmp") == 0);
    CHECK(t.files_in(t.dir) == 3);   // the CSV and the two PNGs: no temporary next to them
    // Must fail: the comparison sees a different title.
    const fs::path retitled = t.dir / "retitled.png";
    REQUIRE(qbnet::io::plot_timeseries(csv, retitled, "another title"));
    CHECK(bytes(retitled) != bytes(cold));
    // A warm-up started for another title is not used (a fresh gnuplot draws the right one), and an
    // unused warm-up is stopped and leaves nothing.
    auto other = qbnet::io::TimeseriesPlotWarmup::start(t.dir / "other.png", "another title");
    REQUIRE(other);
    REQUIRE(qbnet::io::plot_timeseries(csv, t.dir / "other.png", "title", other.get()));
    CHECK(bytes(t.dir / "other.png") == bytes(cold));
    other.reset();
    CHECK(t.files_in(t.dir / "tmp") == 0);
}
