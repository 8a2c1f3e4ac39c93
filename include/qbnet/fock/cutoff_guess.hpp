#pragma once
// First guess of the Fock-space frame and per-mode cutoffs from the model alone (docs/trust.md,
// "Automatic cutoffs"). Shared by every engine that works in a truncated Fock basis (the Fock engine
// and the trajectory engine), so fock.cutoff = "auto" and fock.frame = "auto" mean the same thing in both.
#include <vector>

#include "qbnet/fock/displaced.hpp"
#include "qbnet/model/terms.hpp"
#include "qbnet/options.hpp"

namespace qbnet {

// Largest fluctuation occupation any local bath feeds in (thermal: n_th; squeezed vacuum:
// sinh^2 r + sinh r cosh r), from the Kossakowski matrix.
double fluctuation_occupation(const Model& model);

// Cutoffs whose geometric fluctuation tail is below tolerance/10 and, in the lab frame, which also hold
// the Poisson spread of the steady-state coherent amplitude `alpha`.
std::vector<int> guessed_cutoffs(const Model& model, double tolerance, Frame frame, const Eigen::VectorXcd& alpha);

struct FockPlan {
    Frame frame = Frame::lab;
    std::vector<int> cutoffs;
};

// Resolves fock.frame = "auto" and fock.cutoff = "auto" (explicit values are kept). The displaced frame
// is chosen when `displaced_allowed` and it at least halves the dimension the cutoffs need.
FockPlan plan_fock_space(const Model& model, const RunOptions& options, bool displaced_allowed);

}  // namespace qbnet
