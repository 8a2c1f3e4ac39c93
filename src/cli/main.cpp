// qbnet command line: subcommands register themselves (commands.hpp); this file turns every error
// into ONE line on stderr and a documented exit code:
//   0 success, 1 cross-check disagreement, 2 bad input / refused run / bad command line, 3 other errors,
//   4 a result that is not trustworthy (set by the commands).
#include <cstdio>
#include <exception>

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "qbnet/errors.hpp"

namespace {

int fail(int code, const char* message) {
    std::fprintf(stderr, "qbnet: error: %s\n", message);
    return code;
}

// Logs go to stderr so that stdout carries only the result table and the file list.
void setup_logging() {
    auto logger = spdlog::stderr_color_mt("qbnet");
    logger->set_pattern("qbnet: %^%l%$: %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::info);
    spdlog::cfg::load_env_levels();   // SPDLOG_LEVEL=debug shows solver details (--quiet still wins)
}

}  // namespace

int main(int argc, char** argv) {
    try {
        setup_logging();
        CLI::App app{"qbnet: networks of driven, damped bosonic modes (quantum batteries).\n"
                     "Computes energy, ergotropy and passive energy of a charger and its battery cells,\n"
                     "at steady state and in time, with a Fock-space and a Gaussian engine."};
        app.footer("Exit codes:\n"
                   "  0  success\n"
                   "  1  the engines disagree (--engine both: a difference above both error bars)\n"
                   "  2  invalid input or refused run (bad key or value, run that does not fit in memory)\n"
                   "  3  unexpected error\n"
                   "  4  a result is not trustworthy: inconclusive cross-check (an error bar above 1e-3\n"
                   "     relative), steady state not converged, or an error estimate above fock.tolerance\n"
                   "Scenario keys: docs/scenario.md.");
        app.require_subcommand(1);
        int exit_code = 0;
        qbnet::cli::add_run_command(app, exit_code);
        qbnet::cli::add_sweep_command(app, exit_code);
        qbnet::cli::add_optimize_command(app, exit_code);
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);   // --help
            return fail(2, e.what());
        }
        return exit_code;
    } catch (const qbnet::InputError& e) {
        return fail(2, e.what());
    } catch (const qbnet::RunRefused& e) {
        return fail(2, e.what());
    } catch (const std::exception& e) {
        return fail(3, e.what());
    }
}
