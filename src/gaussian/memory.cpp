#include "qbnet/gaussian/memory.hpp"

#include <fmt/format.h>

#include "qbnet/errors.hpp"
#include "qbnet/numerics/memory.hpp"

namespace qbnet::gaussian {

double gaussian_memory_estimate_gib(const model::Model& model, const RunOptions& options) {
    const double n = 2.0 * model.n_modes();
    double matrices = options.steady.enabled ? 16.0 : 2.0;   // n x n doubles
    if (options.time.t_end > 0.0) matrices += 4.0 * 8.0 + static_cast<double>(options.time.samples);
    return matrices * n * n * 8.0 / (1024.0 * 1024.0 * 1024.0);
}

void check_gaussian_memory(const model::Model& model, const RunOptions& options) {
    const double need = gaussian_memory_estimate_gib(model, options);
    const numerics::MemoryLimits limits = numerics::memory_limits();
    const bool user_limit = options.memory_limit_gib > 0;
    const double limit = user_limit ? options.memory_limit_gib : 0.9 * limits.available() / (1024.0 * 1024.0 * 1024.0);
    if (limit > 0 && need > limit)
        throw RunRefused(fmt::format(
            "gaussian engine needs about {:.3g} GiB ({} modes, {} samples) but only {:.3g} GiB are available ({}): "
            "lower network.batteries or time.samples",
            need, model.n_modes(), options.time.t_end > 0 ? options.time.samples : 0, limit,
            user_limit ? "the memory limit option" : "90% of " + limits.binding_source()));
}

}  // namespace qbnet::gaussian
