// Round-off-aware number formatting for the terminal table (include/qbnet/io/display.hpp).
#include "qbnet/io/display.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace qbnet::io {

double roundoff_bound(double scale, double dim) {
    constexpr double eps = std::numeric_limits<double>::epsilon();
    if (!std::isfinite(scale) || !std::isfinite(dim)) return 0.0;
    return 64.0 * eps * std::max(dim, 1.0) * std::abs(scale);
}

std::string format_figure(double x, double bound) {
    if (!std::isfinite(x)) return "n/a";
    if (std::abs(x) <= bound) return "0";
    return fmt::format("{:.6g}", x);
}

std::string format_error_bar(double err, double bound) {
    if (std::isnan(err)) return "-";
    if (!std::isfinite(err)) return "inf";
    if (std::abs(err) <= bound) return "0";
    return fmt::format("{:.2g}", err);
}

}  // namespace qbnet::io
