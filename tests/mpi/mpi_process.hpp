#pragma once
// Running qbnet under mpiexec from the MPI tests (test_mpi_cli.cpp, test_mpi_run.cpp).
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "support/cli_process.hpp"

namespace qbnet_mpi_test {

// Runs `shell_command` in the scratch folder under the hang guard; stdout/stderr captured.
inline qbnet_test::Outcome sh(const qbnet_test::Scratch& tmp, const std::string& shell_command) {
    const std::string cmd = "cd '" + tmp.dir.string() + "' && timeout 120 " + shell_command + " >stdout.txt 2>stderr.txt";
    const int status = std::system(cmd.c_str());
    qbnet_test::Outcome o;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    o.out = qbnet_test::read_file(tmp.dir / "stdout.txt");
    o.err = qbnet_test::read_file(tmp.dir / "stderr.txt");
    return o;
}

// mpiexec -n K, allowed to oversubscribe this machine's cores and to run as root (containers).
inline std::string mpiexec(int ranks) {
    std::string cmd = std::string("'" QBNET_MPIEXEC "' -n ") + std::to_string(ranks) + " --oversubscribe";
    if (::geteuid() == 0) cmd += " --allow-run-as-root";
    return cmd + " -x OMP_NUM_THREADS=1 ";
}

inline const std::string kQbnet = "'" QBNET_BINARY "' ";

}  // namespace qbnet_mpi_test
