#include "qbnet/trajectories/engine.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

#include "accumulate.hpp"
#include "figures.hpp"
#include "qbnet/checkpoint.hpp"
#include "qbnet/errors.hpp"
#include "qbnet/fock/cutoff_guess.hpp"
#include "qbnet/fock/displaced.hpp"
#include "qbnet/numerics/memory.hpp"
#include "qbnet/numerics/parallel.hpp"

namespace qbnet::trajectories {

namespace {
using cd = std::complex<double>;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
// Joint-battery accumulators are kept per batch at every sample; beyond this share of the memory
// limit they are dropped (joint ergotropy unavailable, joint energy still exact from the modes).
constexpr double kJointShare = 0.25;
// Working vectors per thread (in units of D complex numbers): dopri5: psi, dense-output stepper (x,
// x_old, 7 stages, error/scratch) and the sample/jump buffers; taylor: 31 series terms and 4 buffers.
constexpr double kVectorsPerThread = 36.0;

double memory_limit_gib(const RunOptions& options) {
    return options.memory_limit_gib > 0 ? options.memory_limit_gib : 0.9 * numerics::available_memory_bytes() / kGiB;
}

int thread_count(const RunOptions& options) { return options.threads > 0 ? options.threads : omp_get_max_threads(); }

}  // namespace

TrajectorySimulator::TrajectorySimulator(const model::Model& model, const RunOptions& options)
    : model_(model), options_(options) {
    const TrajectoryOptions& to = options.trajectories;
    if (to.count < 1) throw InputError("trajectories.count", "must be an integer >= 1");
    if (!(to.target_error >= 0.0) || !std::isfinite(to.target_error))
        throw InputError("trajectories.target_error", "must be a finite number > 0 when set");
    if (!(options.time.t_end > 0.0))
        throw InputError("time.t_end", "the trajectories engine integrates in time: needs t_end > 0");
    if (!options.fock.auto_frame && options.fock.frame == Frame::displaced && !model.is_quadratic())
        throw InputError("fock.frame", "\"displaced\" needs a quadratic model for the trajectories engine (no Kerr "
                                       "term: its displaced Hamiltonian depends on alpha(t)); use \"lab\" or \"auto\"");
    if (options.time.integrator != Integrator::dopri5 && options.time.integrator != Integrator::automatic)
        throw InputError("time.integrator", "is a Fock-engine key: the trajectories engine takes \"auto\" or \"dopri5\" "
                                            "(its propagator is trajectories.integrator)");
    if (options.time.samples < 2) throw InputError("time.samples", "must be >= 2");
    // Same frame and cutoff rules as the Fock engine (fock/cutoff_guess.hpp). In the displaced frame
    // psi' = D(alpha)^dag psi with alpha(t) on the mean-field equation: for a quadratic model the
    // transformed master equation is the undriven one (docs/derivations.md, "Displaced frame", and "Trajectories in the displaced frame"), and the
    // figures get the c-number shift back in the reducer.
    // No cutoff ladder here (three ensembles, noisy differences): the guess must hold by itself, so it
    // starts from the hottest bath, a bound for passive networks.
    initial_ = initial_state_or_throw(options.time.initial);
    const fock::FockPlan plan = fock::plan_fock_space(model, options, model.is_quadratic(), fock::OccupationGuess::hottest_bath);
    frame_ = plan.frame;
    const std::vector<int>& cutoffs = plan.cutoffs;

    times_.resize(static_cast<std::size_t>(options.time.samples));
    for (std::size_t i = 0; i < times_.size(); ++i)
        times_[i] = options.time.t_end * static_cast<double>(i) / static_cast<double>(times_.size() - 1);
    if (to.average_from && !(*to.average_from <= options.time.t_end))
        throw InputError("trajectories.average_from", "must be <= time.t_end (no sample to average otherwise)");

    // Fixed batches of contiguous indices (sizes differ by at most one): the layout depends on count only.
    const int batches = static_cast<int>(std::min<long>(to.count, to.target_error > 0 ? 128 : 32));
    batch_first_.resize(static_cast<std::size_t>(batches) + 1);
    for (int b = 0; b <= batches; ++b)
        batch_first_[b] = static_cast<long>((static_cast<long double>(to.count) * b) / batches);

    layout_.cutoffs = cutoffs;
    layout_.samples = times_.size();
    std::size_t off = 0;
    for (int c : cutoffs) {
        layout_.mode_offset.push_back(off);
        off += static_cast<std::size_t>(c) * c;
    }
    long db = 1;
    for (std::size_t j = 1; j < cutoffs.size(); ++j) db *= cutoffs[j];
    // As the Fock engine: the joint state at time samples only up to min(joint_ergotropy_max_dim, 512).
    const long joint_cap = std::min<long>(options.fock.joint_ergotropy_max_dim, 512);
    if (cutoffs.size() > 1 && db <= joint_cap) {
        const double bytes = static_cast<double>(batches) * times_.size() * db * db * 16.0;
        const double limit = memory_limit_gib(options) * kGiB;
        if (limit <= 0 || bytes <= kJointShare * limit) {
            layout_.joint_dim = db;
        } else {
            std::ostringstream w;
            w << "joint-battery ergotropy skipped: its per-batch accumulators would need " << bytes / kGiB
              << " GiB; lower time.samples or fock.joint_ergotropy_max_dim";
            warnings_.push_back(w.str());
        }
    }
    layout_.joint_offset = off;
    off += static_cast<std::size_t>(layout_.joint_dim * layout_.joint_dim);
    layout_.per_sample = off;
    if (frame_ == Frame::displaced) {
        model::Model undriven = model;
        undriven.drive.setZero();
        system_ = std::make_unique<Unravelling>(undriven, cutoffs);
        // A coherent start is alpha(0) = alpha0 with psi' in the vacuum; a thermal one is not displaced.
        Eigen::VectorXcd alpha0 = Eigen::VectorXcd::Zero(model.n_modes());
        if (initial_.kind == InitialState::Kind::coherent) {
            alpha0.setConstant(initial_.alpha);
            initial_ = InitialState{};
        }
        alpha_ = fock::mean_field_trajectory(model, alpha0, times_);
        if (to.average_from) warn_unsettled_alpha(*to.average_from);
    } else {
        system_ = std::make_unique<Unravelling>(model, cutoffs);
    }
}

void TrajectorySimulator::warn_unsettled_alpha(double from) {
    // The time-averaged state keeps rho' and alpha apart: exact when alpha is constant over the window.
    double drift = 0.0, scale = 1.0;
    const Eigen::VectorXcd& last = alpha_.back();
    for (std::size_t s = 0; s < times_.size(); ++s)
        if (times_[s] >= from) drift = std::max(drift, (alpha_[s] - last).cwiseAbs().maxCoeff());
    scale = std::max(scale, last.cwiseAbs().maxCoeff());
    if (drift > 1e-6 * scale) {
        std::ostringstream w;
        w << "displaced frame: the mean field alpha still moves by " << drift
          << " inside trajectories.average_from; the averaged passive energies treat it as constant (raise "
             "average_from or use fock.frame = \"lab\")";
        warnings_.push_back(w.str());
    }
}

double TrajectorySimulator::memory_estimate_gib(int threads, int batches_held) const {
    const double d = static_cast<double>(system_->dim());
    const double per_thread = kVectorsPerThread * d * 16.0;
    const double accumulators = static_cast<double>(batches_held + 1) * layout_.samples * layout_.per_sample * 16.0;
    // The shift operators of H_eff and the jumps: one coefficient vector per term.
    std::size_t terms = system_->generator_terms();
    for (const auto& j : system_->jumps()) terms += j.op.terms.size();
    return (threads * per_thread + accumulators + static_cast<double>(terms) * d * 16.0) / kGiB;
}

std::vector<BatchAccumulator> TrajectorySimulator::run_batches(const std::vector<int>& batches, int threads,
                                                               const ProgressFn& progress) const {
    // Every batch's accumulators stay alive until the reduction: count all of them.
    const double need = memory_estimate_gib(threads, batch_count());
    const double limit = memory_limit_gib(options_);
    if (limit > 0 && need > limit) {
        std::ostringstream msg;
        msg.precision(3);
        msg << "trajectories engine needs about " << need << " GiB (D = " << system_->dim() << ", " << threads
            << " threads) but only " << limit << " GiB are available: lower fock.cutoff or time.samples";
        throw RunRefused(msg.str());
    }
    std::vector<BatchAccumulator> out(batches.size());
    long total = 0;
    for (int b : batches) total += batch_range(b).second - batch_range(b).first;
    std::atomic<long> done{0};
    const TrajectoryTolerances tol{options_.time.atol, options_.time.rtol,
                                   options_.trajectories.integrator == TrajectoryOptions::Integrator::dopri5
                                       ? Propagator::dopri5 : Propagator::taylor};
    const fock::FockBasis& basis = system_->basis();
    const long d = system_->dim();
    const int m = basis.n_modes();
    const long n = static_cast<long>(batches.size());
    const InitialState& initial = initial_;   // of psi in the frame simulated
    // One parallel region; each batch is owned by one thread and summed in trajectory order.
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (long i = 0; i < n; ++i) {
        BatchAccumulator& acc = out[static_cast<std::size_t>(i)];
        acc.batch = batches[static_cast<std::size_t>(i)];
        acc.sums.assign(layout_.samples * layout_.per_sample, cd(0.0));
        const auto [first, last] = batch_range(acc.batch);
        for (long k = first; k < last; ++k) {
            const TrajectoryCounters c = run_trajectory(
                *system_, times_, tol, options_.trajectories.seed, static_cast<std::uint64_t>(k),
                [&](std::size_t s, const cd* psi) {
                    cd* block = acc.sums.data() + s * layout_.per_sample;
                    for (int j = 0; j < m; ++j) {
                        if (layout_.joint_dim > 0 && j > 0) continue;   // from the joint state, after the batch
                        const int c = basis.cutoffs()[j];
                        const long stride = basis.stride(j);
                        detail::add_mode_state(psi, d / (c * stride), c, stride, block + layout_.mode_offset[j]);
                    }
                    if (layout_.joint_dim > 0)
                        detail::add_joint_state(psi, layout_.joint_dim, basis.cutoffs()[0], block + layout_.joint_offset);
                },
                initial);
            ++acc.trajectories;
            acc.jumps += c.jumps;
            acc.steps += c.steps;
            const long now = ++done;
            if (progress && omp_get_thread_num() == 0)
                progress(static_cast<double>(now) / static_cast<double>(total), "trajectories");
        }
        // The batteries' single-mode states are partial traces of their joint state: summed over the
        // batch once here instead of accumulated per trajectory and sample.
        if (layout_.joint_dim > 0)
            for (std::size_t s = 0; s < layout_.samples; ++s) {
                cd* block = acc.sums.data() + s * layout_.per_sample;
                for (int j = 1; j < m; ++j)
                    detail::add_battery_mode_from_joint(block + layout_.joint_offset, layout_.cutoffs, j,
                                                        block + layout_.mode_offset[static_cast<std::size_t>(j)]);
            }
    }
    return out;
}

EngineResult TrajectorySimulator::reduce(const std::vector<BatchAccumulator>& batches) const {
    EngineResult result;
    result.engine = EngineKind::trajectories;
    result.warnings = warnings_;
    trajectories::detail::Reducer reducer(layout_, model_.mode_names, batches, alpha_);
    result.timeseries.t = times_;
    // Samples are independent (each reads the batches in batch order): the same numbers for any thread
    // count. The jackknife diagonalises every leave-one-batch-out state: (batches + 1) eigenvalue problems
    // of each mode and of the joint batteries per sample, which is worth threads from a few samples on.
    const std::size_t n = times_.size();
    const std::size_t m = layout_.cutoffs.size();
    std::vector<Snapshot> snaps(n);
    std::vector<double> tops(n * m, 0.0);
    double eig_work = static_cast<double>(layout_.joint_dim) * layout_.joint_dim * layout_.joint_dim;
    for (int c : layout_.cutoffs) eig_work += static_cast<double>(c) * c * c;
    const int threads = numerics::work_threads(static_cast<double>(n) * (batches.size() + 1) * eig_work, 2e6,
                                               thread_count(options_));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (std::size_t s = 0; s < n; ++s) {
        std::vector<double> top(m, 0.0);
        snaps[s] = reducer.snapshot({s}, &top);
        std::copy(top.begin(), top.end(), tops.begin() + static_cast<long>(s * m));
    }
    std::vector<double> top(m, 0.0);
    for (std::size_t s = 0; s < n; ++s)
        for (std::size_t j = 0; j < m; ++j) top[j] = std::max(top[j], tops[s * m + j]);
    result.timeseries.samples = std::move(snaps);
    result.final_state = result.timeseries.samples.back();
    TrajectoryStatistics& st = result.statistics.trajectories.emplace();
    if (options_.trajectories.average_from) {
        std::vector<std::size_t> late;
        for (std::size_t s = 0; s < times_.size(); ++s)
            if (times_[s] >= *options_.trajectories.average_from) late.push_back(s);
        result.steady_state = reducer.snapshot(late, nullptr);
        result.steady_diagnostics.converged = true;
        st.average_from = options_.trajectories.average_from;
    }
    for (const auto& b : batches) {
        st.trajectories += b.trajectories;
        st.jumps += b.jumps;
        st.steps += b.steps;
    }
    st.seed = options_.trajectories.seed;
    st.frame = frame_;
    st.cutoffs = layout_.cutoffs;
    st.batches = static_cast<int>(batches.size());
    if (batches.size() < 2)
        result.warnings.push_back("one batch of trajectories: no standard error can be estimated (raise trajectories.count)");
    result.truncation_estimate = *std::max_element(top.begin(), top.end());
    for (std::size_t j = 0; j < top.size(); ++j)
        if (top[j] > options_.fock.truncation_warning) {
            std::ostringstream msg;
            msg << "time evolution: mode " << model_.mode_names[j] << " holds population " << top[j]
                << " in its top Fock level (> " << options_.fock.truncation_warning << "): raise fock.cutoff";
            result.warnings.push_back(msg.str());
        }
    return result;
}

double TrajectorySimulator::worst_relative_error(const EngineResult& result) {
    // Errors relative to the subsystem's energy: 0 <= ergotropy, passive energy <= energy, and a figure
    // that is zero within its error (the ergotropy of a thermal state) has no meaningful relative error
    // of its own.
    double worst = 0.0;
    auto check = [&](const Figures& value, const std::optional<Figures>& err, bool ergotropy) {
        if (!err) {
            worst = std::numeric_limits<double>::infinity();
            return;
        }
        auto rel = [&](double e) {
            if (e == 0.0) return 0.0;
            const double scale = std::abs(value.energy);
            return std::isfinite(e) && scale > 0.0 ? e / scale : std::numeric_limits<double>::infinity();
        };
        worst = std::max(worst, rel(err->energy));
        if (ergotropy) worst = std::max({worst, rel(err->ergotropy), rel(err->passive_energy)});
    };
    auto check_snapshot = [&](const Snapshot& s) {
        for (const auto& mf : s.modes) check(mf, mf.error, true);
        if (s.modes.size() > 1) check(s.batteries, s.batteries_error, s.batteries_ergotropy_available);
    };
    if (result.final_state) check_snapshot(*result.final_state);
    if (result.steady_state) check_snapshot(*result.steady_state);
    return worst;
}

double trajectory_memory_estimate_gib(const model::Model& model, const RunOptions& options) {
    const TrajectorySimulator sim(model, options);
    return sim.memory_estimate_gib(thread_count(options), sim.batch_count());
}

namespace {
// Finished batches of a checkpoint, checked against this run (InputError on --resume otherwise).
std::vector<BatchAccumulator> resumed_batches(const TrajectorySimulator& sim, const CheckpointOptions& ck) {
    if (!ck.resume) return {};
    if (ck.resume->engine != EngineKind::trajectories)
        throw InputError("--resume", "the checkpoint is not one of the trajectories engine");
    const std::size_t size = sim.layout().samples * sim.layout().per_sample;
    const auto& batches = ck.resume->batches;
    for (std::size_t i = 0; i < batches.size(); ++i)
        if (batches[i].batch != static_cast<int>(i) || batches[i].sums.size() != size ||
            static_cast<int>(batches.size()) > sim.batch_count())
            throw InputError("--resume", "the checkpoint's trajectory batches do not match this run");
    return batches;
}

// After a round of batches: a checkpoint when one is due; stops the run when save() says so.
void checkpoint_round(const CheckpointOptions& ck, const std::vector<BatchAccumulator>& done) {
    if (!ck.save || !ck.due || !ck.due()) return;
    Checkpoint c;
    c.engine = EngineKind::trajectories;
    c.batches = done;
    if (ck.save(c)) throw RunInterrupted("stopped after a checkpoint of the trajectories (" +
                                         std::to_string(done.size()) + " batches finished)");
}
}  // namespace

EngineResult run_trajectories(const model::Model& model, const RunOptions& options, const ProgressFn& progress) {
    const auto start = std::chrono::steady_clock::now();
    const TrajectorySimulator sim(model, options);
    const int threads = thread_count(options);
    const int total = sim.batch_count();
    const CheckpointOptions& ck = options.checkpoint;
    // Batches are independent and reduced in batch order: running them in rounds (checkpoint boundaries)
    // or resuming after some of them gives the same numbers.
    std::vector<BatchAccumulator> done = resumed_batches(sim, ck);
    EngineResult result;
    const double target = options.trajectories.target_error;
    if (target > 0) {
        // Rounds of batches in batch order (the first round big enough for a jackknife): stop as soon
        // as every reported figure meets the target. The rounds depend on count only.
        int next = static_cast<int>(done.size());
        while (next < total) {
            const int round = next == 0 ? std::min(total, 16) : std::min(total - next, std::max(8, next / 4));
            std::vector<int> ids;
            for (int b = next; b < next + round; ++b) ids.push_back(b);
            auto more = sim.run_batches(ids, threads, progress);
            for (auto& a : more) done.push_back(std::move(a));
            next += round;
            result = sim.reduce(done);
            if (TrajectorySimulator::worst_relative_error(result) <= target) break;
            if (next < total) checkpoint_round(ck, done);
        }
        if (done.size() == static_cast<std::size_t>(total)) result = sim.reduce(done);
        result.statistics.trajectories->target_error_met = TrajectorySimulator::worst_relative_error(result) <= target;
    } else {
        // One round unless checkpoints are on (then rounds of one batch per thread).
        const int round = ck.enabled() ? std::max(1, threads) : total;
        for (int next = static_cast<int>(done.size()); next < total;) {
            std::vector<int> ids;
            for (int b = next; b < std::min(total, next + round); ++b) ids.push_back(b);
            auto more = sim.run_batches(ids, threads, progress);
            for (auto& a : more) done.push_back(std::move(a));
            next += static_cast<int>(ids.size());
            if (next < total) checkpoint_round(ck, done);
        }
        result = sim.reduce(done);
    }
    result.statistics.threads = threads;
    result.statistics.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

namespace {
class TrajectoryEngine final : public Engine {
public:
    EngineKind kind() const override { return EngineKind::trajectories; }
    double memory_estimate_gib(const model::Model& model, const RunOptions& options) const override {
        return trajectory_memory_estimate_gib(model, options);
    }
    EngineResult run(const model::Model& model, const RunOptions& options, const ProgressFn& progress) const override {
        return run_trajectories(model, options, progress);
    }
};
}  // namespace

std::unique_ptr<Engine> make_trajectory_engine() { return std::make_unique<TrajectoryEngine>(); }

}  // namespace qbnet::trajectories
