#pragma once
// Scenario texts shared by the study tests (one test program, tests/study).
namespace study_test {

// N = 1 NC link at the paper's kappa: Gaussian steady state in microseconds; at J = kappa/2,
// E_b1 = (eps/kappa)^2 (docs/physics.md).
inline constexpr const char* kN1Nonreciprocal = R"(
[network]
topology = "cascaded"
batteries = 1
coupling = "nonreciprocal"
J = 0.0015
[drive]
epsilon = 0.01
[reservoirs]
kappa = 0.003
)";

}  // namespace study_test
