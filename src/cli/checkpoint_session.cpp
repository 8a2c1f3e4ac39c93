#include "checkpoint_session.hpp"

#include <csignal>
#include <memory>

#include <spdlog/spdlog.h>

#include "qbnet/errors.hpp"
#include "qbnet/io/checkpoint.hpp"

namespace qbnet::cli {

namespace {
volatile std::sig_atomic_t g_signal = 0;

// First SIGINT/SIGTERM: remembered, the engine writes a checkpoint at its next boundary and stops; the
// default action is restored, so a second one ends the process at once.
extern "C" void on_signal(int sig) {
    g_signal = sig;
    std::signal(sig, SIG_DFL);
}
}  // namespace

void add_checkpoint_options(CLI::App* run, CheckpointArgs& args) {
    run->add_option("--checkpoint-every", args.every_s,
                    "Write a checkpoint (state, time, step size, series so far; trajectories: finished batches) "
                    "to OUT/checkpoint.qbnet at the first boundary after every SECONDS of wall time; SIGINT/"
                    "SIGTERM then write one and stop with exit 130. Fock (steady state and dopri5 evolution) and trajectories engines")
        ->check(CLI::PositiveNumber);
    run->add_flag("--resume", args.resume,
                  "Continue from OUT/checkpoint.qbnet of the same scenario, options and qbnet build (exit 2 "
                  "otherwise); the result equals the uninterrupted run's bit for bit");
    run->add_option("--stop-after-checkpoints", args.stop_after,
                    "Testing: force a checkpoint at every boundary and stop (exit 130) after N of them")
        ->check(CLI::PositiveNumber)
        ->group("");   // hidden from --help
}

CheckpointSession::CheckpointSession(const CheckpointArgs& args, const io::Scenario& scenario, const std::string& engines,
                                     const std::filesystem::path& out_dir)
    : args_(args), path_(io::checkpoint_path(out_dir)), fingerprint_(io::run_fingerprint(scenario, engines)),
      last_(std::chrono::steady_clock::now()) {
    if (!args_.active()) return;
    if (engines.find(',') != std::string::npos || engines == "both")
        throw InputError("--engine", "checkpoints (--checkpoint-every, --resume) take one engine at a time (got '" +
                                         engines + "')");
    if (args_.every_s > 0 || args_.stop_after > 0) {
        g_signal = 0;
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        handlers_ = true;
    }
}

CheckpointSession::~CheckpointSession() {
    if (handlers_) {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
    }
}

void CheckpointSession::attach(RunOptions& options) {
    if (!args_.active()) return;
    if (args_.resume) {
        options.checkpoint.resume = std::make_shared<const Checkpoint>(io::read_checkpoint(path_, fingerprint_));
        spdlog::info("resuming from {}", path_.string());
    }
    if (!handlers_) return;
    options.checkpoint.due = [this] {
        if (g_signal != 0 || args_.stop_after > 0) return true;
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - last_).count() >= args_.every_s;
    };
    options.checkpoint.save = [this](const Checkpoint& c) {
        io::write_checkpoint(path_, c, fingerprint_);
        last_ = std::chrono::steady_clock::now();
        ++written_;
        spdlog::info("checkpoint written to {}", path_.string());
        return g_signal != 0 || (args_.stop_after > 0 && written_ >= args_.stop_after);
    };
}

void CheckpointSession::finished() {
    if (!args_.active()) return;
    std::error_code ec;
    std::filesystem::remove(path_, ec);
}

}  // namespace qbnet::cli
