#pragma once
// Figures of merit of one Gaussian state of the network: local figures per mode and the joint state of
// all batteries (docs/derivations.md, "Gaussian engine: ergotropy").
#include <vector>

#include <nlohmann/json.hpp>

#include "qbnet/gaussian/moments.hpp"
#include "qbnet/model/terms.hpp"
#include "qbnet/observables/report.hpp"

namespace qbnet {

struct GaussianSnapshotDetails {
    double gaussian_unitary_ergotropy = 0.0;   // batteries, Gaussian unitaries only (<= exact)
    bool exact_available = false;              // exact (all-unitary) joint ergotropy computed
    double exact_missing_mass = 0.0;           // probability mass left out of the enumeration
    long exact_states = 0;
    double purity = 0.0;                       // whole network
    double batteries_purity = 0.0;
    std::vector<double> battery_entropy;       // von Neumann entropy (nats) of each battery
    nlohmann::json to_json() const;
};

// Snapshot::batteries.ergotropy is the EXACT ergotropy over all unitaries when the enumeration fits
// (physics.md defines ergotropy over all unitaries); otherwise it is the Gaussian-unitary value and
// batteries_ergotropy_available is false.
Snapshot gaussian_snapshot(const Model& model, const GaussianState& state, GaussianSnapshotDetails* details = nullptr);

}  // namespace qbnet
