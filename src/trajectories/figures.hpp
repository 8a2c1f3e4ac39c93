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

namespace qbnet::trajectories::detail {

class Reducer {
public:
    // alpha: empty (lab frame) or the displaced frame's mean-field amplitudes at every sample time; the
    // accumulated states are then rho' = D(alpha)^dag rho D(alpha) and every energy gets the shift
    //     <a^dag a> = <a^dag a>' + 2 Re(conj(alpha) <a>') + |alpha|^2,
    // while passive energies are unchanged (a product of local displacements keeps every reduced spectrum).
    Reducer(const AccumulatorLayout& layout, const std::vector<std::string>& mode_names,
            const std::vector<BatchAccumulator>& batches, const std::vector<Eigen::VectorXcd>& alpha);
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
    // modes: the modes whose energy shift applies (one mode, or the batteries for the joint state).
    Estimate estimate(const std::vector<std::size_t>& samples, std::size_t offset, long dim,
                      const std::vector<double>& levels, const std::vector<std::size_t>& modes) const;
    // Displaced frame: the sample-averaged energy shift of `modes` over all batches but `excluded`
    // (-1: all batches); 0 in the lab frame.
    double energy_shift(const std::vector<std::size_t>& samples, const std::vector<std::size_t>& modes, int excluded) const;

    const AccumulatorLayout& layout_;
    const std::vector<std::string>& names_;
    const std::vector<BatchAccumulator>& batches_;
    const std::vector<Eigen::VectorXcd>& alpha_;
    long total_ = 0;
};

}  // namespace qbnet::trajectories::detail
