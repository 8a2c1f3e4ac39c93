#pragma once
// Progress of one engine run on stderr: a redrawn bar with ETA when stderr is a terminal, else one
// log line per 10 % (so that CI logs and redirected output stay readable).
#include <chrono>
#include <string>

#include "qbnet/result.hpp"

namespace qbnet::cli {

class ProgressReporter {
public:
    ProgressReporter(std::string engine, bool enabled);
    ~ProgressReporter() { finish(); }
    ProgressReporter(const ProgressReporter&) = delete;
    ProgressReporter& operator=(const ProgressReporter&) = delete;

    // The callback to hand to the engine; it refers to this reporter, which must outlive the run.
    ProgressFn callback();
    // Clears the bar (TTY) so that what follows starts on a clean line.
    void finish();

private:
    using Clock = std::chrono::steady_clock;
    void update(double fraction, const std::string& what);
    void draw(double fraction, const std::string& eta);

    std::string engine_;
    bool enabled_ = true;
    bool tty_ = false;
    bool bar_visible_ = false;
    std::string phase_;            // label of the current phase; a new label restarts the ETA clock
    double last_fraction_ = 0.0;
    int last_decile_ = -1;
    Clock::time_point phase_start_;
    Clock::time_point last_draw_;
};

}  // namespace qbnet::cli
