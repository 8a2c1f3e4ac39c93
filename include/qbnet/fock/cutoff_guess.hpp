#pragma once
// First guess of the Fock-space frame and per-mode cutoffs from the model alone (docs/trust.md,
// "Automatic cutoffs"). Shared by every engine that works in a truncated Fock basis (the Fock engine
// and the trajectory engine), so fock.cutoff = "auto" and fock.frame = "auto" mean the same thing in both.
#include <vector>

#include "qbnet/fock/displaced.hpp"
#include "qbnet/model/terms.hpp"
#include "qbnet/options.hpp"

namespace qbnet::fock {

// Fluctuation occupation that sets the geometric photon-number tail (thermal: n_th; squeezed vacuum:
// sinh^2 r + sinh r cosh r). mode_estimate: each mode's baths over its total damping (a start for a
// cutoff ladder); hottest_bath: the largest local bath's own occupation, a bound for passive networks
// (for an engine without a ladder).
enum class OccupationGuess { mode_estimate, hottest_bath };
double fluctuation_occupation(const model::Model& model, OccupationGuess kind);

// Cutoffs whose geometric fluctuation tail (occupation n) is below tolerance/10 and, in the lab frame,
// which also hold the Poisson spread of the coherent amplitude: the steady-state `alpha` or the initial
// one (|alpha0|^2), whichever is larger.
std::vector<int> guessed_cutoffs(const model::Model& model, double tolerance, Frame frame, const Eigen::VectorXcd& alpha,
                                 double n, double alpha0_sq);

struct FockPlan {
    Frame frame = Frame::lab;
    std::vector<int> cutoffs;
};

// Resolves fock.frame = "auto" and fock.cutoff = "auto" (explicit values are kept). With automatic
// cutoffs the displaced frame is chosen when `displaced_allowed` and it at least halves the dimension the
// cutoffs need; with explicit cutoffs "auto" means the lab frame (the truncation every other solver uses).
FockPlan plan_fock_space(const model::Model& model, const RunOptions& options, bool displaced_allowed, OccupationGuess kind);

}  // namespace qbnet::fock
