// `qbnet optimize FILE.toml --param network.J --objective OBJ [--bounds LO:HI]`: the parameter that
// maximises a steady-state figure of merit -> optimum.json (include/qbnet/study/optimize.hpp).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <omp.h>

#include <spdlog/spdlog.h>

#include "log.hpp"
#include "validators.hpp"

#include "commands.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/io/optimum.hpp"
#include "qbnet/io/provenance.hpp"
#include "qbnet/io/results.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/parallel/communicator.hpp"
#include "qbnet/study/optimize.hpp"
#include "qbnet/study/sweep.hpp"

namespace qbnet::cli {

namespace {

struct OptimizeArgs {
    std::string file;
    std::string param = "network.J";
    std::string objective;
    std::string bounds = "1e-5:1";
    int points = 41;
    std::string engine = "gaussian";
    std::string out;
    std::vector<std::string> sets;
    int threads = 0;
    bool quiet = false;
    bool json = false;   // stdout: optimum.json only
};

// A short readable report of optimum.json for the terminal (the file has everything).
void print_report(const study::OptimizeResult& r, const std::filesystem::path& path) {
    if (r.value)
        std::printf("optimum: %s = %s, %s = %s\n", r.param.c_str(), study::format_number(*r.value).c_str(), r.objective.c_str(),
                    study::format_number(*r.objective_value).c_str());
    else if (!r.at_bound.empty())
        std::printf("no interior optimum: %s is largest at the %s bound %s = %s (%s)\n", r.objective.c_str(),
                    r.at_bound.c_str(), r.param.c_str(), study::format_number(r.bound_value).c_str(),
                    study::format_number(r.bound_objective_value).c_str());
    else
        std::printf("no optimum: %s has no maximum in the bounds\n", r.objective.c_str());
    if (r.local_maxima.size() > 1) {
        std::printf("local maxima (%zu):\n", r.local_maxima.size());
        for (const auto& m : r.local_maxima)
            std::printf("  %s = %s: %s = %s\n", r.param.c_str(), study::format_number(m.value).c_str(), r.objective.c_str(),
                        study::format_number(m.objective_value).c_str());
    }
    std::printf("engine %s, %d evaluation(s), %d not trustworthy\n", r.engine.c_str(), r.evaluations,
                r.untrusted_evaluations);
    std::printf("files written:\n  %s\n", path.string().c_str());
}

int run_optimize_command(const OptimizeArgs& args) {
    if (args.quiet && parallel::is_root()) spdlog::set_level(spdlog::level::warn);
    study::OptimizeOptions options;
    const std::string name = std::filesystem::path(args.file).stem().string();
    io::Scenario base;
    // Every rank checks the command line and reads and parses the file (the io edge: the optimiser gets
    // the typed scenario); a failure is reported once.
    parallel::all_or_none([&] {
        options.param = args.param;
        study::check_param_key(options.param);
        options.objective = study::parse_objective(args.objective);
        study::parse_bounds(args.bounds, options.lower, options.upper);
        options.scan_points = args.points;
        options.engine = args.engine;
        std::ifstream in(args.file);
        if (!in) throw InputError("", "cannot read scenario file '" + args.file + "'");
        std::ostringstream text;
        text << in.rdbuf();
        base = io::parse_scenario(text.str(), name, args.sets);
    });
    if (args.threads > 0) omp_set_num_threads(args.threads);
    options.threads = omp_get_max_threads();
    const std::filesystem::path out_dir =
        args.out.empty() ? std::filesystem::path("results") / (name + "-optimize") : std::filesystem::path(args.out);

    // --out is checked before any point is computed (exit 2 naming --out), never after the work is done.
    parallel::all_or_none([&] {
        if (parallel::is_root()) io::ensure_writable_output_dir(out_dir);
    });
    cli_log().info("maximising {} over {} in [{}, {}] ({} engine): {}-point scan, then Brent", args.objective, args.param,
                 study::format_number(options.lower), study::format_number(options.upper), options.engine, options.scan_points);
    const auto provenance = io::provenance_json(io::current_provenance(options.threads, parallel::size()));   // at the start
    const study::OptimizeResult result = [&] {
        const LibraryWarningsMuted once;   // each evaluation's warnings come back tagged (result.warnings)
        return study::optimize(base, options);
    }();
    const int code = parallel::broadcast(result.untrusted_evaluations > 0 ? 4 : 0);
    if (!parallel::is_root()) return code;   // the root writes optimum.json
    for (const auto& w : result.warnings) cli_log().warn("{}", w);

    std::filesystem::create_directories(out_dir);
    const auto path = out_dir / "optimum.json";
    // optimum.json: who ran it, on what, then the result.
    const std::string content = io::optimum_json(name, provenance, args.sets, result).dump(2) + "\n";
    io::write_file_atomic(path, content);
    // --json: stdout is exactly optimum.json (for jq and scripts); every message went to stderr.
    if (args.json)
        std::fputs(content.c_str(), stdout);
    else
        print_report(result, path);
    std::fflush(stdout);
    return code;
}

}  // namespace

void add_optimize_command(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<OptimizeArgs>();
    CLI::App* cmd = app.add_subcommand(
        "optimize", "Find the value of one scenario key (default network.J) that maximises a steady-state "
                    "figure of merit -> optimum.json");
    cmd->add_option("FILE", args->file, "Scenario file (TOML; docs/scenario.md)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--param", args->param, "Scenario key to optimise, SECTION.KEY")->capture_default_str();
    cmd->add_option("--objective", args->objective,
                    "energy_last (last battery), energy_total (all batteries), energy_per_battery, "
                    "ergotropy_last, ergotropy_total (joint state of all batteries)")
        ->required();
    cmd->add_option("--bounds", args->bounds,
                    "Search interval LO:HI (log-spaced scan and Brent on log(value) when LO > 0)")
        ->capture_default_str();
    cmd->add_option("--points", args->points, "Points of the coarse scan that brackets the local maxima (>= 3)")
        ->check(positive_integer())
        ->capture_default_str();
    cmd->add_option("--engine", args->engine, "gaussian (default), fock, or trajectories (steady state = time average from trajectories.average_from; one seed for every point)")
        ->check(CLI::IsMember({"fock", "gaussian", "trajectories"}))
        ->capture_default_str();
    cmd->add_option("--out", args->out, "Output folder for optimum.json (default: results/<scenario>-optimize/)");
    cmd->add_option("--set", args->sets, "Override a scenario key (as in `qbnet run`)")
        ->allow_extra_args(false)
        ->type_name("SECTION.KEY=VALUE");
    cmd->add_option("--threads", args->threads, "OpenMP threads (default: OMP_NUM_THREADS, else all cores)")
        ->check(positive_integer());
    cmd->add_flag("-q,--quiet", args->quiet, "Only warnings and errors on stderr");
    cmd->add_flag("--json", args->json,
                  "Print optimum.json on stdout and nothing else (logs and warnings stay on stderr)");
    cmd->callback([args, &exit_code] { exit_code = run_optimize_command(*args); });
}

}  // namespace qbnet::cli
