#include "log.hpp"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace qbnet::cli {

void setup_logging() {
    // Logs go to stderr so that stdout carries only results (the table, the file list, --json).
    auto logger = spdlog::stderr_color_mt("qbnet");
    logger->set_pattern("qbnet: %^%l%$: %v");
    spdlog::set_default_logger(logger);
    auto commands = logger->clone("qbnet-cli");   // same sink and pattern
    spdlog::register_logger(commands);
    spdlog::set_level(spdlog::level::info);
    spdlog::cfg::load_env_levels();   // SPDLOG_LEVEL=debug shows solver details (--quiet still wins)
}

spdlog::logger& cli_log() {
    static const auto logger = [] {
        auto l = spdlog::get("qbnet-cli");
        return l ? l : spdlog::default_logger();   // before setup_logging (tests): the default one
    }();
    return *logger;
}

LibraryWarningsMuted::LibraryWarningsMuted() : saved_(spdlog::default_logger()->level()) {
    if (saved_ == spdlog::level::info || saved_ == spdlog::level::warn)
        spdlog::default_logger()->set_level(spdlog::level::err);
}

LibraryWarningsMuted::~LibraryWarningsMuted() { spdlog::default_logger()->set_level(saved_); }

}  // namespace qbnet::cli
