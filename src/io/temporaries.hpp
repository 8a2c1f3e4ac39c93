#pragma once
// Temporaries of an earlier qbnet that was killed (SIGKILL, power loss) before it could rename or remove
// them (private to src/io; results.cpp writes "<name>.tmp-<pid>", plot.cpp also "<png>.gp.tmp-<pid>").
#include <filesystem>
#include <string>

namespace qbnet::io::detail {

// Removes every "<name>.tmp-<pid>" in `dir` whose name starts with `prefix` (empty: any) and whose
// process no longer exists (or is this one).
void remove_stale_temporaries(const std::filesystem::path& dir, const std::string& prefix = "");

}  // namespace qbnet::io::detail
