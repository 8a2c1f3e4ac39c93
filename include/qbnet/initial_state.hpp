#pragma once
// The initial state of a time evolution (scenario key time.initial), parsed once and shared by the
// engines so that all three start from the same state (docs/scenario.md):
//   "vacuum"                      every mode in |0>
//   "thermal:<n>"                 every mode thermal with mean occupation n (a mixed product state)
//   "coherent:<alpha>"            every mode in the coherent state |alpha>, alpha real
//   "coherent:<re>,<im>"          ... with alpha = re + i im
// Truncation convention of the Fock-basis engines (Fock, trajectories): the single-mode populations or
// amplitudes restricted to levels 0..cutoff-1 and renormalised; the truncation error then shows up in
// the cutoff ladder like any other (the Gaussian engine is exact).
#include <complex>
#include <optional>
#include <string>
#include <vector>

namespace qbnet {

struct InitialState {
    enum class Kind { vacuum, thermal, coherent };
    Kind kind = Kind::vacuum;
    double occupation = 0.0;             // thermal: mean photon number per mode
    std::complex<double> alpha = 0.0;    // coherent: amplitude of every mode
};

// nullopt for anything but the forms above (finite numbers, n >= 0, nothing trailing).
std::optional<InitialState> parse_initial_state(const std::string& spec);
// The same, throwing InputError on key "time.initial" with the allowed forms.
InitialState initial_state_or_throw(const std::string& spec);

// Truncated, renormalised thermal populations p_k proportional to (n/(n+1))^k, k < cutoff.
std::vector<double> thermal_populations(double occupation, int cutoff);
// Truncated, renormalised coherent amplitudes proportional to alpha^k / sqrt(k!), k < cutoff.
std::vector<std::complex<double>> coherent_amplitudes(std::complex<double> alpha, int cutoff);

}  // namespace qbnet
