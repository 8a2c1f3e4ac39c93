#include "qbnet/gaussian/memory.hpp"

#include <fmt/format.h>

#include "qbnet/errors.hpp"
#include "qbnet/numerics/memory.hpp"

namespace qbnet::gaussian {

namespace {

double gib(double n_squared_doubles, double n) { return n_squared_doubles * n * n * 8.0 / (1024.0 * 1024.0 * 1024.0); }

// Same refusal for both stages: one line, GiB needed and available, which limit binds, what to change.
void refuse_if_over(double need, const model::Model& model, const RunOptions& options, double already_held, const char* what) {
    const numerics::MemoryLimits limits = numerics::memory_limits();
    const bool user_limit = options.memory_limit_gib > 0;
    const double limit = user_limit ? options.memory_limit_gib
                                    : 0.9 * limits.available() / (1024.0 * 1024.0 * 1024.0) + already_held;
    if (limit > 0 && need > limit)
        throw RunRefused(fmt::format(
            "gaussian engine{} needs about {:.3g} GiB ({} modes, {} samples) but only {:.3g} GiB are available ({}): "
            "lower network.batteries or time.samples",
            what, need, model.n_modes(), options.time.t_end > 0 ? options.time.samples : 0, limit,
            user_limit ? "the memory limit option" : "90% of " + limits.binding_source()));
}

}  // namespace

double gaussian_memory_estimate_gib(const model::Model& model, const RunOptions& options) {
    const double n = 2.0 * model.n_modes();
    // drift and diffusion (2) + covariance (1) + the complex M x M solve (0.5) on the structured paths.
    double matrices = options.steady.enabled ? 3.5 : 2.0;   // n x n doubles
    if (options.time.t_end > 0.0) matrices += 4.0 * 8.0 + static_cast<double>(options.time.samples);
    return gib(matrices, n);
}

double gaussian_dense_steady_memory_gib(const model::Model& model, const RunOptions& options) {
    const double n = 2.0 * model.n_modes();
    double matrices = 16.0;   // drift, Schur factors, Lyapunov workspace, residual
    if (options.time.t_end > 0.0) matrices += 4.0 * 8.0 + static_cast<double>(options.time.samples);
    return gib(matrices, n);
}

void check_gaussian_memory(const model::Model& model, const RunOptions& options) {
    refuse_if_over(gaussian_memory_estimate_gib(model, options), model, options, 0.0, "");
}

void check_gaussian_dense_steady_memory(const model::Model& model, const RunOptions& options) {
    // The moments (2 n x n) are held already and count against the total, not against what is left.
    const double held = gib(2.0, 2.0 * model.n_modes());
    refuse_if_over(gaussian_dense_steady_memory_gib(model, options), model, options, held,
                   " (dense steady-state solver: no O(n^2) structure in this drift)");
}

}  // namespace qbnet::gaussian
