#pragma once
// `qbnet run --checkpoint-every SECONDS / --resume / --stop-after-checkpoints N` (docs/cli.md,
// "Checkpoint and resume"): wires the engines' CheckpointOptions to the checkpoint file in the output
// folder, a wall-clock interval and SIGINT/SIGTERM. Kept apart from run_command.cpp.
#include <chrono>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include "qbnet/io/scenario.hpp"

namespace qbnet::cli {

struct CheckpointArgs {
    double every_s = 0.0;     // 0: no periodic checkpoints
    bool resume = false;
    int stop_after = 0;       // testing: stop after this many checkpoints (each one forced at a boundary)
    bool active() const { return every_s > 0 || resume || stop_after > 0; }
};

void add_checkpoint_options(CLI::App* run, CheckpointArgs& args);

class CheckpointSession {
public:
    // Refuses (InputError) what cannot be checkpointed; reads the checkpoint with --resume. Installs the
    // SIGINT/SIGTERM handlers when checkpoints are written.
    CheckpointSession(const CheckpointArgs& args, const io::Scenario& scenario, const std::string& engines,
                      const std::filesystem::path& out_dir);
    ~CheckpointSession();
    CheckpointSession(const CheckpointSession&) = delete;
    CheckpointSession& operator=(const CheckpointSession&) = delete;
    void attach(RunOptions& options);
    // The run finished: its checkpoint is stale and removed.
    void finished();

private:
    CheckpointArgs args_;
    std::filesystem::path path_;
    std::string fingerprint_;
    std::chrono::steady_clock::time_point last_;
    int written_ = 0;
    bool handlers_ = false;
};

}  // namespace qbnet::cli
