#include "checkpoint_ledger.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "qbnet/errors.hpp"
#include "qbnet/numerics/hermitian_packing.hpp"

namespace qbnet::fock::detail {

Checkpoint CheckpointLedger::with_finished() const {
    Checkpoint c;
    c.engine = EngineKind::fock;
    c.evolutions = finished_;
    c.steady_states = finished_steady_;
    return c;
}

bool CheckpointLedger::save(const EvolutionCheckpoint& current) const {
    Checkpoint c = with_finished();
    c.evolutions.push_back(current);
    return options_.save(c);
}

SteadyCheckpointHooks CheckpointLedger::steady_hooks(Frame frame, const std::vector<int>& cutoffs, long rho_size) {
    SteadyCheckpointHooks hooks;
    hooks.resume = steady_resume_for(frame, cutoffs, rho_size);
    if (last_steady_ && last_frame_ == frame && last_steady_->cutoffs.size() == cutoffs.size() &&
        last_steady_->cutoffs != cutoffs &&
        std::equal(cutoffs.begin(), cutoffs.end(), last_steady_->cutoffs.begin(), std::greater_equal<int>()))   // every cutoff >= the guess's
        hooks.guess = std::move(last_steady_);   // the ledger lets go: the solver frees it once copied
    last_steady_.reset();
    // The finished state, packed, waits for the rung above (half the memory of the full matrix).
    const auto remember = [this, frame, cutoffs](const SteadyCheckpoint& s) {
        const long d = static_cast<long>(std::llround(std::sqrt(static_cast<double>(s.rho.size()))));
        if (d * d != static_cast<long>(s.rho.size())) return;
        auto g = std::make_shared<SteadyGuess>();
        g->cutoffs = cutoffs;
        g->packed.resize(numerics::packed_size(d));
        numerics::pack_hermitian(s.rho.data(), d, g->packed.data(), 0);
        last_steady_ = std::move(g);
        last_frame_ = frame;
    };
    if (!options_.save) {
        hooks.finished = remember;
        return hooks;
    }
    const auto placed = [frame, cutoffs](const SteadyCheckpoint& s) {
        SteadyCheckpoint c = s;
        c.frame = frame;
        c.cutoffs = cutoffs;
        return c;
    };
    hooks.due = [this] { return due(); };
    hooks.save = [this, placed](const SteadyCheckpoint& s) {
        Checkpoint c = with_finished();
        c.steady_states.push_back(placed(s));
        return options_.save(c);
    };
    hooks.finished = [this, placed, remember](const SteadyCheckpoint& s) {
        remember(s);
        finished_steady_.push_back(placed(s));
    };
    return hooks;
}

const SteadyCheckpoint* CheckpointLedger::steady_resume_for(Frame frame, const std::vector<int>& cutoffs,
                                                            long rho_size) const {
    if (!options_.resume) return nullptr;
    for (const auto& s : options_.resume->steady_states) {
        if (s.frame != frame || s.cutoffs != cutoffs) continue;
        const bool evolve = s.phase == SteadyCheckpoint::Phase::evolve;
        // The Krylov phase keeps the packed hermitian iterate (D^2 reals); a checkpoint written before the
        // solver packed its vectors kept the full matrix, which it still resumes from (steady.cpp).
        const long size = static_cast<long>(s.rho.size());
        const bool size_ok = size == rho_size ||
                             (s.phase == SteadyCheckpoint::Phase::krylov && 2 * size == rho_size + rho_size % 2);
        if (!size_ok || s.gmres.iterations < 0 || s.chunk < 0 ||
            (evolve && s.evolve_history.size() != static_cast<std::size_t>(s.chunk)))
            throw InputError("--resume", "the checkpoint's Fock steady-state solve does not match this run (cutoffs)");
        return &s;
    }
    return nullptr;
}

const EvolutionCheckpoint* CheckpointLedger::resume_for(Frame frame, const std::vector<int>& cutoffs,
                                                        std::size_t samples, long rho_size) const {
    if (!options_.resume) return nullptr;
    for (const auto& e : options_.resume->evolutions) {
        if (e.frame != frame || e.cutoffs != cutoffs) continue;
        if (e.next_sample < 1 || e.next_sample > samples || e.samples.size() != e.next_sample ||
            static_cast<long>(e.rho.size()) != rho_size || e.top.size() != cutoffs.size())
            throw InputError("--resume", "the checkpoint's Fock evolution does not match this run (samples or cutoffs)");
        return &e;
    }
    return nullptr;
}

std::size_t checkpoint_stride(std::size_t samples) {
    constexpr std::size_t kBoundaries = 64;
    return samples <= 1 ? 1 : std::max<std::size_t>(1, (samples - 1 + kBoundaries - 1) / kBoundaries);
}

std::size_t restore_progress(const EvolutionCheckpoint& from, Eigen::VectorXcd& rho, TimeSeries& series,
                             std::vector<double>& top, EvolveSummary& carried, EvolveOptions& eo) {
    rho = Eigen::Map<const Eigen::VectorXcd>(from.rho.data(), static_cast<long>(from.rho.size()));
    std::copy(from.samples.begin(), from.samples.end(), series.samples.begin());
    top = from.top;
    carried.steps = from.steps;
    carried.rhs_calls = from.rhs_calls;
    carried.max_trace_error = from.max_trace_error;
    carried.max_hermiticity_error = from.max_hermiticity_error;
    // The sum of the step estimates goes on inside the integrator (the same additions in the same order
    // as the uninterrupted run), not as carried + rest.
    eo.error_estimate_before = from.error_estimate;
    carried.last_dt = from.dt;
    const std::size_t first = from.next_sample - 1;
    eo.first_index = first;
    eo.observe_first = false;
    eo.initial_dt = from.dt;
    return first;
}

EvolutionCheckpoint progress_checkpoint(Frame frame, const std::vector<int>& cutoffs, std::size_t index, double t,
                                        const std::complex<double>* r, long rho_size, const TimeSeries& series,
                                        const std::vector<double>& top, const EvolveSummary& carried,
                                        const EvolveSummary& so_far) {
    EvolutionCheckpoint c;
    c.cutoffs = cutoffs;
    c.frame = frame;
    c.next_sample = index + 1;
    c.t = t;
    c.dt = so_far.last_dt;
    c.rho.assign(r, r + rho_size);
    c.samples.assign(series.samples.begin(), series.samples.begin() + static_cast<long>(index) + 1);
    c.top = top;
    c.steps = carried.steps + so_far.steps;
    c.rhs_calls = carried.rhs_calls + so_far.rhs_calls;
    c.max_trace_error = std::max(carried.max_trace_error, so_far.max_trace_error);
    c.max_hermiticity_error = std::max(carried.max_hermiticity_error, so_far.max_hermiticity_error);
    c.error_estimate = so_far.error_estimate;   // already includes the resumed-from part
    return c;
}

void add_carried(EvolveSummary& summary, const EvolveSummary& carried) {
    summary.steps += carried.steps;
    summary.rhs_calls += carried.rhs_calls;
    summary.max_trace_error = std::max(summary.max_trace_error, carried.max_trace_error);
    summary.max_hermiticity_error = std::max(summary.max_hermiticity_error, carried.max_hermiticity_error);
}

}  // namespace qbnet::fock::detail
