// `qbnet sweep FILE.toml --param section.key --values LO:HI:COUNT[:log] [...]`: steady state over a
// 1-D or 2-D grid -> sweep.csv (resumable) + sweep.json (include/qbnet/study/sweep.hpp) + sweep.png.
#include <chrono>
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
#include "qbnet/io/results.hpp"
#include "qbnet/io/plot.hpp"
#include "qbnet/io/provenance.hpp"
#include "qbnet/io/sweep_files.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/parallel/communicator.hpp"
#include "qbnet/study/sweep.hpp"

namespace qbnet::cli {

namespace {

struct SweepArgs {
    std::string file;
    std::vector<std::string> params;
    std::vector<std::string> values;
    std::string engine = "gaussian";
    std::string out;
    std::vector<std::string> sets;
    int threads = 0;
    bool quiet = false;
    bool strict = false;
};

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError("", "cannot read scenario file '" + path + "'");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

int run_sweep_command(const SweepArgs& args) {
    if (args.quiet && parallel::is_root()) spdlog::set_level(spdlog::level::warn);
    study::SweepOptions options;
    const std::string name = std::filesystem::path(args.file).stem().string();
    io::Scenario base;
    // Every rank checks the command line and reads and parses the file (the io edge: the sweep gets the
    // typed scenario and sets each point's values on a copy); a failure is reported once.
    parallel::all_or_none([&] {
        if (args.params.empty() || args.params.size() > 2 || args.params.size() != args.values.size())
            throw InputError("--param", "give one or two --param SECTION.KEY, each followed by its --values");
        options.engine = args.engine;
        for (std::size_t k = 0; k < args.params.size(); ++k)
            options.axes.push_back(study::parse_sweep_axis(args.params[k], args.values[k]));
        options.source = {name, read_text(args.file), args.sets};
        base = io::parse_scenario(options.source.text, name, args.sets);
    });
    if (args.threads > 0) omp_set_num_threads(args.threads);
    options.threads = omp_get_max_threads();
    options.strict = args.strict;
    options.on_warning = [](const std::string& w) { cli_log().warn("{}", w); };
    const std::filesystem::path out_dir =
        args.out.empty() ? std::filesystem::path("results") / (name + "-sweep") : std::filesystem::path(args.out);
    // --out is checked before any point is computed (exit 2 naming --out), never after the work is done.
    parallel::all_or_none([&] {
        if (parallel::is_root()) io::ensure_writable_output_dir(out_dir);
    });
    // sweep.csv + sweep.json (written by the root only; run_sweep calls the store on the root alone).
    io::SweepFiles files(out_dir, io::provenance_json(io::current_provenance(options.threads, parallel::size())));

    const auto t0 = std::chrono::steady_clock::now();
    std::size_t last_logged = 0;
    options.on_point = [&](std::size_t done, std::size_t total, const std::vector<double>& p) {
        // about 20 progress lines per sweep, plus the last point
        if (done != total && done - last_logged < std::max<std::size_t>(1, total / 20)) return;
        last_logged = done;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::string where;
        for (std::size_t k = 0; k < p.size(); ++k) where += (k ? ", " : "") + options.axes[k].key + " = " + study::format_number(p[k]);
        cli_log().info("sweep: {}/{} points ({:.0f}%), {:.1f} s; last {}", done, total, 100.0 * done / total, elapsed, where);
    };
    cli_log().info("sweep of '{}' with the {} engine: {} point(s) -> {} ({} rank(s) x {} thread(s))", name,
                 options.engine,
                 options.axes.size() == 1 ? options.axes[0].values.size()
                                          : options.axes[0].values.size() * options.axes[1].values.size(),
                 out_dir.string(), parallel::size(), options.threads);
    const study::SweepSummary summary = [&] {
        const LibraryWarningsMuted once;   // each point's warnings come back tagged (options.on_warning)
        return study::run_sweep(base, options, files);
    }();
    // Exit 4 when a point is not trustworthy (the root counted them; every rank exits alike).
    const int code = parallel::broadcast(summary.stopped || summary.untrusted > 0 ? 4 : 0);
    if (!parallel::is_root()) return code;
    if (summary.skipped > 0) cli_log().info("resumed: {} point(s) already in {}", summary.skipped, files.csv().string());
    if (summary.stopped)
        cli_log().error("--strict: stopped at an untrustworthy point; {} of {} point(s) done (rerun without --strict, "
                      "or with better settings in a new --out folder)",
                      summary.skipped + summary.computed, summary.total);
    else if (summary.untrusted > 0)
        cli_log().warn("{} of {} computed point(s) not trustworthy (columns converged, residual, err_*)",
                     summary.untrusted, summary.computed);
    std::vector<std::filesystem::path> written{files.csv(), files.json()};
    if (!summary.stopped) {   // a plot of every point (a stopped sweep is drawn when it is resumed)
        std::vector<std::string> keys;
        std::vector<bool> log_axes;
        for (const auto& axis : options.axes) {
            keys.push_back(axis.key);
            const bool log_spec = axis.spec.size() > 4 && axis.spec.compare(axis.spec.size() - 4, 4, ":log") == 0;
            log_axes.push_back(log_spec || io::is_geometric(axis.values));
        }
        const auto png = out_dir / "sweep.png";
        if (auto path = io::plot_sweep(files.csv(), png, name + " (" + options.engine + " engine)", keys, log_axes))
            written.push_back(*path);
    }
    std::printf("sweep: %zu point(s): %zu computed, %zu already done%s\n", summary.total, summary.computed,
                summary.skipped, summary.parallel_points ? " (points in parallel)" : "");
    std::printf("files written:\n");
    for (const auto& path : written) std::printf("  %s\n", path.string().c_str());
    std::fflush(stdout);
    return code;
}

}  // namespace

void add_sweep_command(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<SweepArgs>();
    CLI::App* cmd = app.add_subcommand(
        "sweep", "Steady state over a 1-D or 2-D grid of one or two scenario keys -> sweep.csv (resumable)");
    cmd->add_option("FILE", args->file, "Scenario file (TOML; docs/scenario.md)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--param", args->params,
                    "Swept scenario key SECTION.KEY (e.g. network.J); give it twice for a 2-D grid")
        ->required()
        ->allow_extra_args(false)
        ->type_name("SECTION.KEY");
    cmd->add_option("--values", args->values,
                    "Values of the matching --param: LO:HI:COUNT (linear), LO:HI:COUNT:log (geometric) or v1,v2,...")
        ->required()
        ->allow_extra_args(false)
        ->type_name("LO:HI:COUNT[:log]");
    cmd->add_option("--engine", args->engine, "gaussian (default: any size, quadratic models), fock, or trajectories (steady state = time average from trajectories.average_from)")
        ->check(CLI::IsMember({"fock", "gaussian", "trajectories"}))
        ->capture_default_str();
    cmd->add_option("--out", args->out,
                    "Output folder for sweep.csv and sweep.json (default: results/<scenario>-sweep/); a folder "
                    "holding an unfinished sweep of the same grid is resumed");
    cmd->add_option("--set", args->sets, "Override a scenario key for every point (as in `qbnet run`)")
        ->allow_extra_args(false)
        ->type_name("SECTION.KEY=VALUE");
    cmd->add_option("--threads", args->threads, "OpenMP threads (default: OMP_NUM_THREADS, else all cores)")
        ->check(positive_integer());
    cmd->add_flag("-q,--quiet", args->quiet, "Only warnings and errors on stderr");
    cmd->add_flag("--strict", args->strict,
                  "Stop at the first point that is not trustworthy (not converged, error above fock.tolerance): "
                  "exit 4 with the finished points kept (resumable); without it every point runs and the exit "
                  "code is 4 when any point is not trustworthy");
    cmd->callback([args, &exit_code] { exit_code = run_sweep_command(*args); });
}

}  // namespace qbnet::cli
