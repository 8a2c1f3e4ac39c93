#pragma once
// Option checks with one readable line each: CLI11's PositiveNumber printed "Value 0 not in range
// 0.000000 to 1797693...(300 digits)" and "Could not convert: --threads = 2.5".
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>

namespace qbnet::cli {

// A whole number >= 1 (threads, scan points): "must be a whole number >= 1 (got '0')".
inline CLI::Validator positive_integer() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            char* end = nullptr;
            errno = 0;
            const long long v = std::strtoll(text.c_str(), &end, 10);
            if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || v < 1 || v > 1000000000)
                return "must be a whole number >= 1 (got '" + text + "')";
            return "";
        },
        "N >= 1");
}

// A finite number > 0 (sizes in GB): "must be a number > 0 (got 'abc')".
inline CLI::Validator positive_real() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v <= 0.0)
                return "must be a number > 0 (got '" + text + "')";
            return "";
        },
        "X > 0");
}

}  // namespace qbnet::cli
