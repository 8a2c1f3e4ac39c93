#include "progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "log.hpp"

namespace qbnet::cli {

namespace {

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const long s = std::lround(seconds);
    if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
    if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}s", s);
}

}  // namespace

ProgressReporter::ProgressReporter(std::string engine, bool enabled)
    : engine_(std::move(engine)), enabled_(enabled), tty_(::isatty(fileno(stderr)) == 1),
      phase_start_(Clock::now()), last_draw_(Clock::now()) {}

ProgressFn ProgressReporter::callback() {
    return [this](double fraction, const std::string& what) { update(fraction, what); };
}

void ProgressReporter::update(double fraction, const std::string& what) {
    if (!enabled_) return;
    fraction = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0);
    const auto now = Clock::now();
    // Engines report phases (steady state, evolution) each from 0 to 1: restart the clock per phase
    // (and when a phase starts over, e.g. a solver restart), but log each decile of a phase once.
    if (what != phase_) {
        phase_ = what;
        last_decile_ = -1;
        phase_start_ = now;
    } else if (fraction < last_fraction_) {
        phase_start_ = now;
    }
    last_fraction_ = fraction;
    const double elapsed = std::chrono::duration<double>(now - phase_start_).count();
    const std::string eta = fraction > 1e-3 ? format_duration(elapsed / fraction * (1.0 - fraction)) : "?";

    if (tty_) {
        // Redrawing costs a write syscall; 10 Hz is smooth enough and never slows the engine.
        if (now - last_draw_ < std::chrono::milliseconds(100) && fraction < 1.0 && bar_visible_) return;
        last_draw_ = now;
        draw(fraction, eta);
        return;
    }
    const int decile = static_cast<int>(std::floor(fraction * 10.0 + 1e-9));
    if (decile > last_decile_) {
        last_decile_ = decile;
        cli_log().info("[{}] {} {:3.0f}% (ETA {})", engine_, phase_, 100.0 * fraction, eta);
    }
}

void ProgressReporter::draw(double fraction, const std::string& eta) {
    constexpr int width = 30;
    const int filled = static_cast<int>(std::lround(fraction * width));
    const std::string bar = std::string(filled, '#') + std::string(width - filled, '.');
    std::fprintf(stderr, "\r\033[K[%s] %-24.24s [%s] %3.0f%%  ETA %s", engine_.c_str(), phase_.c_str(), bar.c_str(),
                 100.0 * fraction, eta.c_str());
    std::fflush(stderr);
    bar_visible_ = true;
}

void ProgressReporter::finish() {
    if (bar_visible_) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        bar_visible_ = false;
    }
}

}  // namespace qbnet::cli
