#include "waiting_time.hpp"

#include <algorithm>
#include <vector>

#include "qbnet/trajectories/random_stream.hpp"

namespace qbnet::trajectories::detail {

using cd = std::complex<double>;

void set_initial_state(const fock::FockBasis& basis, const InitialState& initial, std::mt19937_64& gen, cd* psi) {
    const int m = basis.n_modes();
    switch (initial.kind) {
        case InitialState::Kind::vacuum:
            psi[0] = 1.0;
            return;
        case InitialState::Kind::thermal: {
            long index = 0;
            for (int j = 0; j < m; ++j) {
                const std::vector<double> p = thermal_populations(initial.occupation, basis.cutoffs()[j]);
                const double u = uniform_open01(gen);
                int level = static_cast<int>(p.size()) - 1;   // u beyond the rounded sum: the top level
                double acc = 0.0;
                for (std::size_t k = 0; k < p.size(); ++k) {
                    acc += p[k];
                    if (u <= acc) {
                        level = static_cast<int>(k);
                        break;
                    }
                }
                index += level * basis.stride(j);
            }
            psi[index] = 1.0;
            return;
        }
        case InitialState::Kind::coherent: {
            std::vector<std::vector<cd>> c;
            for (int cut : basis.cutoffs()) c.push_back(coherent_amplitudes(initial.alpha, cut));
            for (long i = 0; i < basis.dim(); ++i) {
                cd v = 1.0;
                for (int j = 0; j < m; ++j) v *= c[static_cast<std::size_t>(j)][static_cast<std::size_t>(basis.digit(i, j))];
                psi[i] = v;
            }
            return;
        }
    }
}

std::size_t apply_random_jump(const Unravelling& system, const cd* psi, std::mt19937_64& gen, cd* out, cd* scratch) {
    const auto& jumps = system.jumps();
    std::vector<double> weight(jumps.size());
    // One-term channels (a_j, a_j^dag) from the populations |psi_m|^2, kept in `out` (written only once
    // the channel is chosen); the others through `scratch`.
    double* populations = reinterpret_cast<double*>(out);
    for (long m = 0; m < system.dim(); ++m) populations[m] = std::norm(psi[m]);
    double total = 0.0;
    for (std::size_t k = 0; k < jumps.size(); ++k) {
        double n2 = jumps[k].op.norm2_single_term(populations);
        if (n2 < 0.0) n2 = jumps[k].op.norm2(psi, scratch);
        weight[k] = jumps[k].rate * n2;
        total += weight[k];
    }
    const double u = uniform_open01(gen) * total;
    std::size_t chosen = jumps.size();
    double acc = 0.0;
    for (std::size_t k = 0; k < jumps.size(); ++k) {
        acc += weight[k];
        if (weight[k] > 0.0 && u <= acc) {
            chosen = k;
            break;
        }
    }
    if (chosen == jumps.size())   // u beyond the rounded sum: the last channel that can fire
        for (std::size_t k = jumps.size(); k-- > 0;)
            if (weight[k] > 0.0) {
                chosen = k;
                break;
            }
    if (chosen < jumps.size())
        jumps[chosen].op.apply(psi, out);
    else
        std::copy(psi, psi + system.dim(), out);   // no channel can fire: keep the state
    return chosen;
}

}  // namespace qbnet::trajectories::detail
