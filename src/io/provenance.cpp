#include "qbnet/io/provenance.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <mutex>

#include "qbnet/version_info.hpp"

namespace qbnet::io {

namespace {
std::vector<std::string>& stored_command_line() {
    static std::vector<std::string> line;
    return line;
}
}  // namespace

std::string qbnet_version() { return QBNET_VERSION_STRING; }
std::string qbnet_commit() { return QBNET_GIT_COMMIT; }
std::string version_line() { return "qbnet " + qbnet_version() + " (commit " + qbnet_commit() + ")"; }

void set_command_line(int argc, const char* const* argv) {
    auto& line = stored_command_line();
    line.clear();
    for (int i = 0; i < argc; ++i) line.emplace_back(argv[i]);
}

Provenance current_provenance(int threads, int ranks) {
    Provenance p;
    p.version = qbnet_version();
    p.commit = qbnet_commit();
    p.command_line = stored_command_line();
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    p.date_utc = buf;
    char host[256] = {0};
    if (gethostname(host, sizeof host - 1) == 0) p.host = host;
    p.threads = threads;
    p.ranks = ranks;
    return p;
}

nlohmann::ordered_json provenance_json(const Provenance& p) {
    return {{"version", p.version},   {"commit", p.commit}, {"command_line", p.command_line},
            {"date_utc", p.date_utc}, {"host", p.host},     {"threads", p.threads},
            {"ranks", p.ranks}};
}

}  // namespace qbnet::io
