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
// them once, tagged with the engine or the grid point. Since issue 19 no engine code logs a warning
// itself (the Fock solver's "GMRES stopped" is part of its result warning); this stays as a guard, so
// that a library log line can never repeat a result warning untagged, once per cutoff rung or point.
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
