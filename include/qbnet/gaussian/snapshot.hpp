#pragma once
// Figures of merit of one Gaussian state of the network: local figures per mode and the joint state of
// all batteries (docs/derivations.md, "Gaussian engine: ergotropy").
#include <vector>

#include "qbnet/gaussian/moments.hpp"
#include "qbnet/model/terms.hpp"
#include "qbnet/result.hpp"

namespace qbnet::gaussian {


// Snapshot::batteries.ergotropy is the EXACT ergotropy over all unitaries when the enumeration fits
// (docs/physics.md defines ergotropy over all unitaries); otherwise it is the Gaussian-unitary value and
// batteries_ergotropy_available is false.
Snapshot gaussian_snapshot(const model::Model& model, const GaussianState& state, GaussianStateDetails* details = nullptr);

}  // namespace qbnet::gaussian
