// qbnet command line: subcommands register themselves (commands.hpp); this file turns every error
// into ONE line on stderr and a documented exit code:
//   0 success, 1 cross-check disagreement, 2 bad input / refused run / bad command line, 3 other errors,
//   4 a result that is not trustworthy (set by the commands), 130 stopped after a checkpoint (--resume continues).
// Under MPI (mpirun -np K qbnet ...) every rank runs main(): errors every rank sees alike (command line,
// scenario validation: parallel::all_or_none) are printed by one rank and every rank exits with the
// code; an error on one rank during the work is printed by that rank, which then ends the job
// (MPI_Abort with the same code) so that no rank waits for it.
#include <cstdio>
#include <exception>
#include <string>

#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "log.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/io/provenance.hpp"
#include "qbnet/numerics/parallel.hpp"
#include "qbnet/parallel/communicator.hpp"

namespace {

int fail(int code, const char* message) {
    namespace par = qbnet::parallel;
    if (par::size() == 1) {
        std::fprintf(stderr, "qbnet: error: %s\n", message);
        return code;
    }
    std::fprintf(stderr, "qbnet: error: %s%s\n", par::rank() == 0 ? "" : ("(rank " + std::to_string(par::rank()) + ") ").c_str(),
                 message);
    std::fflush(stderr);
    if (!par::failure_agreed()) par::abort(code);   // the other ranks do not know: end the job
    return code;
}

}  // namespace

int run_main(int argc, char** argv) {
    try {
        qbnet::cli::setup_logging();
        // One rank logs (the root gathers the other ranks' warnings); errors are printed by fail().
        if (!qbnet::parallel::is_root()) spdlog::set_level(spdlog::level::off);
        qbnet::io::set_command_line(argc, argv);
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
                   "  130 stopped after writing a checkpoint (SIGINT/SIGTERM with --checkpoint-every);\n"
                   "     the same command with --resume continues it\n"
                   "Scenario keys: docs/scenario.md.");
        app.set_version_flag("--version", qbnet::io::version_line());
        app.require_subcommand(1);
        int exit_code = 0;
        qbnet::cli::add_run_command(app, exit_code);
        qbnet::cli::add_sweep_command(app, exit_code);
        qbnet::cli::add_optimize_command(app, exit_code);
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            // Every rank parses the same command line: the root alone prints help or the error.
            if (!qbnet::parallel::is_root()) return e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success) ? 0 : 2;
            if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);   // --help
            std::string what = e.what();
            // CLI11's own wording, made to say what to do (validators already name the option and the rule).
            if (what == "A subcommand is required") what = "a command is required: run, sweep or optimize (qbnet --help)";
            else if (what.rfind("The following argument was not expected", 0) == 0 ||
                     what.rfind("The following arguments were not expected", 0) == 0)
                what += " (qbnet COMMAND --help lists the options)";
            std::fprintf(stderr, "qbnet: error: %s\n", what.c_str());
            return 2;
        }
        return exit_code;
    } catch (const qbnet::parallel::FailedElsewhere& e) {
        return e.exit_code();   // the failing rank printed the message
    } catch (const qbnet::RunInterrupted& e) {
        // Not an error: the checkpoint is complete (docs/cli.md, exit code 130).
        std::fprintf(stderr, "qbnet: interrupted: %s; continue with the same command plus --resume\n", e.what());
        return 130;
    } catch (const qbnet::InputError& e) {
        return fail(2, e.what());
    } catch (const qbnet::RunRefused& e) {
        return fail(2, e.what());
    } catch (const std::exception& e) {
        return fail(3, e.what());
    }
}

// Runs before libgomp's initialiser reads OMP_WAIT_POLICY (ELF .preinit_array, executables only), which
// spares main() the re-execution below; that stays as the fallback where no pre-initialiser ran.
extern "C" void qbnet_preinit(int, char**, char**) { qbnet::numerics::default_wait_policy_before_libraries(); }
__attribute__((section(".preinit_array"), used)) void (*const qbnet_preinit_entry)(int, char**, char**) = qbnet_preinit;

int main(int argc, char** argv) {
    // Before any OpenMP call: idle threads sleep instead of spinning (busy machines; see the function).
    qbnet::numerics::ensure_passive_wait_policy(argv);
    qbnet::parallel::Session mpi(argc, argv);   // MPI_Init / MPI_Finalize (a no-op without MPI)
    return run_main(argc, argv);
}
