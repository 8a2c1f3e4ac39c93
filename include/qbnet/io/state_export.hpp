#pragma once
// --save-state: the steady and final states as .npy files (numpy's documented format) plus state.json
// (dims, ordering, frame, file list), readable by numpy and QuTiP without qbnet (docs/cli.md).
#include <filesystem>
#include <vector>

#include "qbnet/model/terms.hpp"
#include "qbnet/result.hpp"

namespace qbnet::io {

// Bytes the state files of these results would take (before writing anything).
double state_files_gib(const std::vector<EngineResult>& results);

// Bytes for the Fock density matrices of a run with cutoffs `cutoffs` (steady + final), known before
// the run: used to refuse --save-state above --max-state-gb before any work.
double fock_state_files_gib(const std::vector<int>& cutoffs, bool steady, bool final_state);

// Writes state-<engine>-<steady|final>[...].npy and state.json into `dir`; returns the paths written.
std::vector<std::filesystem::path> write_states(const std::filesystem::path& dir, const model::Model& model,
                                                const std::vector<EngineResult>& results);

}  // namespace qbnet::io
