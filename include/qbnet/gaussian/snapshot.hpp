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
//
// Above `joint_spectrum_max_batteries` batteries the joint symplectic spectrum (an N x N eigenproblem)
// and the two purities (Cholesky factors) are not computed -- they grow as N^3 and at N = 5000 would
// take minutes while the steady state takes seconds: the exact joint ergotropy and the purities are
// then unavailable (NaN), the Gaussian-unitary ergotropy of a phase-covariant state comes from its
// closed form, and details->joint_skipped says so.
constexpr int kJointSpectrumMaxBatteries = 2000;
Snapshot gaussian_snapshot(const model::Model& model, const GaussianState& state, GaussianStateDetails* details = nullptr,
                           int joint_spectrum_max_batteries = kJointSpectrumMaxBatteries);

}  // namespace qbnet::gaussian
