#pragma once
// Subcommands of the `qbnet` executable. Each lives in its own file (run_command.cpp, ...) and
// registers itself on the app; main.cpp only wires them up and turns errors into exit codes.
// A subcommand's callback stores the process exit code it wants (0 = success) in `exit_code`;
// errors are thrown (InputError / RunRefused -> exit 2, anything else -> exit 3).
#include <CLI/CLI.hpp>

namespace qbnet::cli {

void add_run_command(CLI::App& app, int& exit_code);
void add_sweep_command(CLI::App& app, int& exit_code);
void add_optimize_command(CLI::App& app, int& exit_code);

}  // namespace qbnet::cli
