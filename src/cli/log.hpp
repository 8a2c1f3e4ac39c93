#pragma once
// Two loggers on the same stderr sink: the commands' own lines (progress, warnings tagged with the
// engine or the grid point) go through cli_log(); library code logs through spdlog's default logger.
#include <spdlog/spdlog.h>

namespace qbnet::cli {

// Creates both loggers ("qbnet: <level>: <text>" on stderr); called once by main().
void setup_logging();

// The commands' logger. spdlog::set_level (--quiet, non-root ranks) applies to both.
spdlog::logger& cli_log();

// While alive, the library's own warnings are not printed (unless SPDLOG_LEVEL asked for debug
// output): an engine returns its warnings in EngineResult::warnings and the command prints each of
// them once, tagged with the engine or the grid point. The Fock solver's log line would repeat them
// untagged, once per rung of the cutoff ladder and once per grid point (src/fock/steady.cpp).
class LibraryWarningsMuted {
public:
    LibraryWarningsMuted();
    ~LibraryWarningsMuted();
    LibraryWarningsMuted(const LibraryWarningsMuted&) = delete;
    LibraryWarningsMuted& operator=(const LibraryWarningsMuted&) = delete;

private:
    spdlog::level::level_enum saved_;
};

}  // namespace qbnet::cli
