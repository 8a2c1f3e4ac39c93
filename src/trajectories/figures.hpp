#pragma once
// Figures of merit from the batch accumulators (private to src/trajectories): energy, ergotropy and
// passive energy of the AVERAGED reduced states (exactly the Fock engine's ergotropy_figures), with a
// jackknife standard error over the batches.
#include <complex>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/result.hpp"
#include "qbnet/trajectories/engine.hpp"

namespace qbnet::traj_detail {

class Reducer {
public:
    Reducer(const AccumulatorLayout& layout, const std::vector<std::string>& mode_names,
            const std::vector<BatchAccumulator>& batches);
    // Figures of the state averaged over the listed samples (one sample: that instant; several: the
    // time average). `top` (optional) collects each mode's largest top-level population.
    Snapshot snapshot(const std::vector<std::size_t>& samples, std::vector<double>* top) const;

private:
    // Sum over the listed samples of one matrix block (mode or joint) of batch b (b = -1: all batches).
    Eigen::MatrixXcd block_sum(int b, const std::vector<std::size_t>& samples, std::size_t offset, long dim) const;
    struct Estimate {
        Figures value;
        std::optional<Figures> error;
        Eigen::MatrixXcd mean;
    };
    Estimate estimate(const std::vector<std::size_t>& samples, std::size_t offset, long dim,
                      const std::vector<double>& levels) const;

    const AccumulatorLayout& layout_;
    const std::vector<std::string>& names_;
    const std::vector<BatchAccumulator>& batches_;
    long total_ = 0;
};

}  // namespace qbnet::traj_detail
