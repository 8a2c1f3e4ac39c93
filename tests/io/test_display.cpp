// The terminal table's number format (io/display.hpp) and the plot curve styles (io/plot.hpp).
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "qbnet/io/display.hpp"
#include "qbnet/io/plot.hpp"

using namespace qbnet;

namespace {
// The gnuplot option that follows `key` in a style string ("dt 2" -> "2").
std::string option(const std::string& style, const std::string& key) {
    const auto at = style.find(" " + key + " ");
    if (at == std::string::npos) return "";
    const auto from = at + key.size() + 2;
    return style.substr(from, style.find(' ', from) - from);
}
}  // namespace

TEST_CASE("display: the round-off bound is 64 eps dim scale", "[io][display]") {
    const double eps = std::numeric_limits<double>::epsilon();
    CHECK(io::roundoff_bound(10.0, 64.0) == 64.0 * eps * 64.0 * 10.0);
    CHECK(io::roundoff_bound(-10.0, 64.0) == io::roundoff_bound(10.0, 64.0));   // a scale is a magnitude
    CHECK(io::roundoff_bound(10.0, 0.0) == io::roundoff_bound(10.0, 1.0));      // dim at least 1
}

TEST_CASE("display: a figure within round-off of zero reads 0 - anything larger keeps its digits", "[io][display]") {
    // Energy scale 10 in a D = 64 Fock space: bound = 9.1e-12.
    const double bound = io::roundoff_bound(10.0, 64.0);
    CHECK(io::format_figure(-2.9e-14, bound) == "0");   // passive energy of a coherent state, in round-off
    CHECK(io::format_figure(3e-12, bound) == "0");
    CHECK(io::format_figure(0.0, bound) == "0");
    // Must-fail side: a value above the bound is printed, sign included.
    CHECK(io::format_figure(-2.9e-9, bound) == "-2.9e-09");
    CHECK(io::format_figure(2.0 * bound, bound) != "0");
    CHECK(io::format_figure(1.23456789, bound) == "1.23457");
    CHECK(io::format_figure(std::numeric_limits<double>::quiet_NaN(), bound) == "n/a");
    // The same -2.9e-9 is round-off at a scale where the bound exceeds it (energy 1e4, D = 1e4).
    CHECK(io::format_figure(-2.9e-9, io::roundoff_bound(1e4, 1e4)) == "0");
}

TEST_CASE("display: error bars - none - infinite - round-off - printed", "[io][display]") {
    const double bound = io::roundoff_bound(10.0, 64.0);
    CHECK(io::format_error_bar(std::numeric_limits<double>::quiet_NaN(), bound) == "-");
    CHECK(io::format_error_bar(std::numeric_limits<double>::infinity(), bound) == "inf");
    CHECK(io::format_error_bar(1e-15, bound) == "0");
    CHECK(io::format_error_bar(2.5e-6, bound) == "2.5e-06");
}

TEST_CASE("plot: every mode has its own dash type and point type - not only a colour", "[io][plot]") {
    // Parallel batteries are identical: their curves coincide and colour alone does not separate them.
    for (std::size_t rows : {5u, 201u}) {
        INFO("rows " << rows);
        const std::string c = io::plot_curve_style("E_C", rows);
        const std::string b1 = io::plot_curve_style("E_b1", rows), b2 = io::plot_curve_style("E_b2", rows),
                          b3 = io::plot_curve_style("W_b3", rows);
        CHECK(option(b1, "dt") != option(b2, "dt"));
        CHECK(option(b1, "pt") != option(b2, "pt"));
        CHECK(option(b2, "dt") != option(b3, "dt"));
        CHECK(option(c, "pt") != option(b1, "pt"));
        CHECK_FALSE(option(b1, "dt").empty());
        // The same mode keeps its style in the energy and the ergotropy panel.
        CHECK(io::plot_curve_style("W_b1", rows) == b1);
    }
    // A short series (a sweep) marks every point; a long one staggers the markers per mode.
    CHECK(option(io::plot_curve_style("E_b2", 5), "pi") == "1");
    CHECK(option(io::plot_curve_style("E_b1", 201), "pi") != option(io::plot_curve_style("E_b2", 201), "pi"));
}
