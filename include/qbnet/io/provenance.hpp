#pragma once
// Where a result came from: version, git commit, command line, date, host, threads and ranks. Written
// into summary.json, sweep.json and optimum.json so a number can be traced back to the run that made it.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qbnet::io {

struct Provenance {
    std::string version;          // project version (CMake)
    std::string commit;           // git commit of the build ("unknown" outside a checkout; "-dirty" suffix)
    std::vector<std::string> command_line;
    std::string date_utc;         // ISO 8601, start of the run
    std::string host;
    int threads = 1;
    int ranks = 1;
};

std::string qbnet_version();
std::string qbnet_commit();
// "qbnet 0.2.0 (commit abc123)".
std::string version_line();

// The command line as the process received it; set once by main().
void set_command_line(int argc, const char* const* argv);

Provenance current_provenance(int threads, int ranks = 1);
nlohmann::ordered_json provenance_json(const Provenance& p);

}  // namespace qbnet::io
