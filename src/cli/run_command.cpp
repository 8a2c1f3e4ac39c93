// `qbnet run FILE.toml`: scenario -> engine(s) -> summary.json, CSV, PNG and a terminal table.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <omp.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "checkpoint_session.hpp"
#include "log.hpp"
#include "validators.hpp"

#include "commands.hpp"
#include "qbnet/errors.hpp"
#include "progress.hpp"
#include "qbnet/io/plot.hpp"
#include "qbnet/io/provenance.hpp"
#include "qbnet/io/state_export.hpp"
#include "qbnet/io/results.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/study/crosscheck.hpp"
#include "qbnet/study/trust.hpp"
#include "qbnet/engine.hpp"
#include "qbnet/parallel/communicator.hpp"
#include "qbnet/study/distributed_trajectories.hpp"

namespace qbnet::cli {

namespace {

struct RunArgs {
    std::string file;
    std::string engine = "fock";
    std::string out;
    std::vector<std::string> sets;
    int threads = 0;   // 0: OMP_NUM_THREADS, else all cores
    bool quiet = false;
    bool save_state = false;
    double max_state_gb = 4.0;
    CheckpointArgs checkpoint;
};

// Applies --threads to OpenMP and returns the thread count the engines will use.
int configure_threads(int requested) {
    if (requested > 0) omp_set_num_threads(requested);
    return omp_get_max_threads();   // honours OMP_NUM_THREADS when --threads is not given
}

void print_cross_check(const study::CrossCheck& cc) {
    switch (cc.verdict) {
        case study::Verdict::agree:
            std::printf("cross-check: AGREE (%d figures; worst %s: relative difference %.3g within tolerance %.3g)\n",
                        cc.figures, cc.worst_quantity.c_str(), cc.max_rel_diff, cc.tolerance);
            break;
        case study::Verdict::disagree:
            std::printf("cross-check: DISAGREE (%d of %d figures; worst: %s, relative difference %.3g > tolerance "
                        "%.3g, absolute %.3g)\n",
                        cc.disagreeing, cc.figures, cc.worst_quantity.c_str(), cc.max_rel_diff, cc.tolerance,
                        cc.max_abs_diff);
            break;
        case study::Verdict::inconclusive:
            std::printf("cross-check: INCONCLUSIVE (%d of %d figures have an error bar above the 1e-3 cap; first: "
                        "%s)\n",
                        cc.inconclusive, cc.figures, cc.inconclusive_quantity.c_str());
            break;
    }
}

// "--engine": one engine, "both" (= fock,gaussian) or a comma pair "A,B" run in that order and
// cross-checked (e.g. fock,trajectories or trajectories,gaussian).
std::vector<std::string> engine_list(const std::string& arg) {
    if (arg == "both") return {"fock", "gaussian"};
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = arg.find(',', start);
        out.push_back(arg.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::string check_engine_arg(const std::string& arg) {
    const std::string allowed = "must be fock, gaussian, trajectories, both, or a pair of two different engines "
                                "such as fock,trajectories (got '" + arg + "')";
    const auto list = engine_list(arg);
    if (list.size() > 2 || (list.size() == 2 && list[0] == list[1])) return allowed;
    for (const auto& e : list)
        if (!parse_engine_kind(e)) return allowed;
    return "";
}

// The time-series plot of one engine's run: its file and its title.
std::filesystem::path plot_path(const std::filesystem::path& out_dir, const std::string& engine) {
    return out_dir / ("energy-" + engine + ".png");
}
std::string plot_title(const io::Scenario& scenario, const std::string& engine) {
    return scenario.name + " (" + engine + " engine)";
}

// Everything after the engines, on the root only: cross-check, files, table, trust; the exit code.
int report(const RunArgs& args, const io::Scenario& scenario, const std::filesystem::path& out_dir,
           const std::vector<EngineResult>& results, const nlohmann::ordered_json& provenance,
           CheckpointSession* checkpoints, io::TimeseriesPlotWarmup* warm) {
    nlohmann::json check_json = nullptr;
    std::optional<study::CrossCheck> check;
    if (results.size() == 2) {
        check = study::cross_check(results[0], results[1], study::CrossCheckOptions::from(scenario.options));
        check_json = io::cross_check_json(*check);
    }

    if (args.save_state) {
        const double gib = io::state_files_gib(results);
        if (gib * 1.073741824 > args.max_state_gb)
            throw RunRefused(fmt::format("--save-state would write {:.3g} GB of states, above --max-state-gb = {:g}",
                                         gib * 1.073741824, args.max_state_gb));
    }
    auto written = io::write_results(out_dir, scenario, results, check_json, provenance);
    if (checkpoints) checkpoints->finished();
    if (args.save_state) {
        const auto states = io::write_states(out_dir, scenario.model, results);
        written.insert(written.end(), states.begin(), states.end());
    }
    for (const auto& r : results) {
        const std::string engine_name = to_string(r.engine);
        const auto csv = io::timeseries_path(out_dir, engine_name);
        if (r.timeseries.t.empty() || !std::filesystem::exists(csv)) continue;
        if (auto path = io::plot_timeseries(csv, plot_path(out_dir, engine_name), plot_title(scenario, engine_name), warm))
            written.push_back(*path);
    }

    for (const auto& r : results) std::printf("%s\n", io::format_result_table(r).c_str());
    if (check) print_cross_check(*check);
    std::printf("files written:\n");
    for (const auto& path : written) std::printf("  %s\n", path.string().c_str());
    // Exit code 4: a result that cannot be trusted (documented in main.cpp and README).
    bool trusted = true;
    for (const auto& r : results) {
        const study::TrustReport trust = study::assess_trust(r, scenario.options);
        for (const auto& reason : trust.reasons) std::printf("not trustworthy [%s]: %s\n", to_string(r.engine), reason.c_str());
        trusted = trusted && trust.trustworthy;
    }
    std::fflush(stdout);
    if (check && check->verdict == study::Verdict::disagree) return 1;
    if (check && check->verdict == study::Verdict::inconclusive) return 4;
    return trusted ? 0 : 4;
}

// The scenario, the output folder and the engine list, validated before anything is logged or written.
struct PreparedRun {
    io::Scenario scenario;
    std::filesystem::path out_dir;
    std::vector<std::string> engines;
    double dim = 1.0;   // Fock dimension of explicit cutoffs (1 for auto)
};

// Refuse before any work when the Fock density matrices of --save-state would exceed --max-state-gb.
void check_state_files(const RunArgs& args, const PreparedRun& p) {
    const auto& options = p.scenario.options;
    if (args.engine == "gaussian" || options.fock.cutoff.empty()) return;
    std::vector<int> cutoffs = options.fock.cutoff;
    if (cutoffs.size() == 1) cutoffs.assign(static_cast<std::size_t>(p.scenario.model.n_modes()), cutoffs[0]);
    const double gib = io::fock_state_files_gib(cutoffs, options.steady.enabled, options.time.t_end > 0);
    if (gib > args.max_state_gb)
        throw RunRefused(fmt::format("--save-state would write {:.3g} GB of Fock density matrices (D = {:g}), "
                                     "above --max-state-gb = {:g}: raise the limit or lower fock.cutoff",
                                     gib * 1.073741824, p.dim, args.max_state_gb));
}

PreparedRun prepare(const RunArgs& args, bool root) {
    PreparedRun p;
    p.scenario = io::load_scenario(args.file, args.sets);
    p.scenario.options.threads = configure_threads(args.threads);
    p.out_dir = args.out.empty() ? std::filesystem::path("results") / p.scenario.name : std::filesystem::path(args.out);
    // Before any work: a run must not be lost to an unwritable --out. The root alone writes (and probes).
    if (root) io::ensure_writable_output_dir(p.out_dir);
    p.engines = engine_list(args.engine);
    // Engine-specific refusals (e.g. the trajectories engine's time.t_end = 0) before anything is
    // logged: constructing the estimate validates the options for that engine.
    for (const auto& engine : p.engines)
        (void)make_engine(*parse_engine_kind(engine))->memory_estimate_gib(p.scenario.model, p.scenario.options);
    for (int c : p.scenario.options.fock.cutoff) p.dim *= c;
    if (args.save_state) {
        p.scenario.options.keep_states = true;
        check_state_files(args, p);
    }
    return p;
}

void log_run_header(const RunArgs& args, const PreparedRun& p, bool spread) {
    const auto& sc = p.scenario;
    // (spdlog is off on the other ranks: these lines come from the root.)
    cli_log().info("scenario '{}': {} modes, {} links, {} jump operators; {} thread(s){}", sc.name, sc.model.n_modes(),
                   sc.spec.network.links().size(), sc.model.jumps.size(), sc.options.threads,
                   spread ? fmt::format(" x {} ranks", parallel::size()) : "");
    if (args.engine != "gaussian") {
        if (sc.options.fock.auto_cutoff)
            cli_log().info("Fock cutoffs: auto (fock.tolerance = {:g})", sc.options.fock.tolerance);
        else
            cli_log().info("Fock space dimension D = {:g}", p.dim);
    }
    if (args.engine.find("trajectories") != std::string::npos)
        cli_log().info("trajectories: count {}, seed {}", sc.options.trajectories.count, sc.options.trajectories.seed);
}

// Runs every engine of --engine. Under mpirun the trajectories engine spreads over the ranks; every other
// engine runs on the root alone while the other ranks wait.
std::vector<EngineResult> run_engines(const RunArgs& args, const PreparedRun& p, bool root, bool spread) {
    const auto& sc = p.scenario;
    std::vector<EngineResult> results;
    bool root_alone = false;   // a root-only engine ran since the ranks last met
    for (const auto& engine : p.engines) {
        const EngineKind kind = *parse_engine_kind(engine);
        const bool over_ranks = spread && kind == EngineKind::trajectories;
        if (!root && !over_ranks) {   // the root runs it alone
            root_alone = true;
            continue;
        }
        // The other ranks wait for the root's solo engine in a sleeping poll, not in the next collective
        // (a blocking MPI collective spins a core the root's engine could use).
        if (over_ranks && root_alone) {
            (void)parallel::broadcast_patiently(0);
            root_alone = false;
        }
        if (!over_ranks) root_alone = true;
        if (spread && !over_ranks)
            cli_log().warn("the {} engine runs on rank 0 alone: `qbnet run` spreads only the trajectories engine over "
                           "ranks (`qbnet sweep` spreads points of any engine)", engine);
        cli_log().info("running the {} engine{}", engine, over_ranks ? fmt::format(" over {} ranks", parallel::size()) : "");
        ProgressReporter progress(engine, !args.quiet && root);
        {
            const LibraryWarningsMuted once;   // the engine's warnings are printed below, each once
            if (over_ranks) {
                auto r = study::run_trajectories_distributed(sc.model, sc.options, progress.callback());
                if (r) results.push_back(std::move(*r));
            } else {
                results.push_back(run_engine(kind, sc.model, sc.options, progress.callback()));
            }
        }
        progress.finish();
        if (root)
            for (const auto& warning : results.back().warnings) cli_log().warn("[{}] {}", engine, warning);
    }
    return results;
}

// Under mpirun every rank runs this. Validation on every rank (a bad input is reported once, by the
// lowest rank that saw it, and every rank exits 2). The trajectories engine is spread over the ranks
// (run_trajectories_distributed: bit-identical to one process); the Fock and Gaussian engines run on the
// root alone while the other ranks wait in a sleeping poll. Only the root writes and prints; every rank
// exits with the root's code.
int run(const RunArgs& args) {
    const bool root = parallel::is_root();
    const bool spread = parallel::size() > 1;
    if (args.quiet && root) spdlog::set_level(spdlog::level::warn);
    PreparedRun p;
    // Validation first: nothing is logged or written before the scenario is known to be valid.
    parallel::all_or_none([&] { p = prepare(args, root); });

    // Checkpoints: one process only (a distributed run's batches live on several ranks).
    std::optional<CheckpointSession> checkpoints;
    parallel::all_or_none([&] {
        if (!args.checkpoint.active()) return;
        if (spread)
            throw InputError("--checkpoint-every", "checkpoint and resume work in one process only, not under mpirun");
        checkpoints.emplace(args.checkpoint, p.scenario, args.engine, p.out_dir);
        checkpoints->attach(p.scenario.options);
    });
    log_run_header(args, p, spread);

    // The date is the start of the run.
    const auto provenance = io::provenance_json(io::current_provenance(p.scenario.options.threads, parallel::size()));
    // The first engine's time-series plot: gnuplot starts now and draws when the results are in.
    std::unique_ptr<io::TimeseriesPlotWarmup> warm;
    if (root && p.scenario.options.time.t_end > 0 && !p.engines.empty())
        warm = io::TimeseriesPlotWarmup::start(plot_path(p.out_dir, p.engines.front()),
                                               plot_title(p.scenario, p.engines.front()));
    const std::vector<EngineResult> results = run_engines(args, p, root, spread);
    if (!root) return parallel::broadcast_patiently(0);   // the root's exit code
    return parallel::broadcast_patiently(
        report(args, p.scenario, p.out_dir, results, provenance, checkpoints ? &*checkpoints : nullptr, warm.get()));
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<RunArgs>();
    CLI::App* cmd = app.add_subcommand("run", "Run one scenario file and write summary.json, CSV and PNG");
    cmd->add_option("FILE", args->file,
                    "Scenario file (TOML; every key is described in docs/scenario.md), or the summary.json of an "
                    "earlier run, whose parameters block reproduces that run")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--engine", args->engine,
                    "fock: truncated density matrix (exact, any model); gaussian: means + covariance "
                    "(quadratic models, any size); trajectories: quantum trajectories on the Fock basis "
                    "(statistical error bars, memory O(D)); both: fock,gaussian; A,B: run both engines and "
                    "cross-check them (exit code 1 when they disagree, 4 when the error bars cannot decide)")
        ->check(CLI::Validator(check_engine_arg, "ENGINE[,ENGINE]"))
        ->capture_default_str();
    cmd->add_option("--out", args->out, "Output folder (default: results/<scenario name>/)");
    cmd->add_option("--set", args->sets,
                    "Override one scenario key, e.g. --set network.J=0.002 or --set network.topology=parallel; "
                    "repeatable; the value is TOML (a bare word is taken as a string) and is validated like the file")
        ->allow_extra_args(false)
        ->type_name("SECTION.KEY=VALUE");
    cmd->add_option("--threads", args->threads,
                    "OpenMP threads for the engines (default: OMP_NUM_THREADS, else all cores)")
        ->check(positive_integer());
    cmd->add_flag("-q,--quiet", args->quiet, "Only warnings and errors on stderr (no progress, no info lines)");
    cmd->add_flag("--save-state", args->save_state,
                  "Also write the steady and final states as .npy (Fock density matrix and per-mode reduced ones; "
                  "Gaussian means and covariance) plus state.json (dims, ordering); see docs/cli.md");
    cmd->add_option("--max-state-gb", args->max_state_gb, "Refuse --save-state above this many GB (exit 2)")
        ->check(positive_real())
        ->capture_default_str();
    add_checkpoint_options(cmd, args->checkpoint);
    cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qbnet::cli
