#pragma once
// Checkpoint files (qbnet run --checkpoint-every / --resume; docs/cli.md): the engines' typed Checkpoint
// plus the fingerprint of the run it belongs to and the qbnet build that wrote it, as CBOR with the
// large arrays (rho, batch sums) as raw little-endian doubles. Written atomically (temp + rename).
#include <filesystem>
#include <string>

#include "qbnet/checkpoint.hpp"
#include "qbnet/io/scenario.hpp"

namespace qbnet::io {

// "checkpoint.qbnet" inside the output folder.
std::filesystem::path checkpoint_path(const std::filesystem::path& out_dir);

// Identifies the run: every resolved scenario parameter and the --engine argument (FNV-1a, hex).
std::string run_fingerprint(const Scenario& scenario, const std::string& engines);

void write_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint, const std::string& fingerprint);

// Reads a checkpoint of this run. InputError on key "--resume" (one line) when the file is missing or
// unreadable, was written by another qbnet build, or belongs to another scenario or engine.
Checkpoint read_checkpoint(const std::filesystem::path& path, const std::string& fingerprint);

}  // namespace qbnet::io
