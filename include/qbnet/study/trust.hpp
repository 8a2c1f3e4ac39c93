#pragma once
// Is a result trustworthy? (exit code 4 when not): a steady state that did not converge, or an error
// estimate above the relative tolerance the user asked for (fock.tolerance).
#include <string>
#include <vector>

#include "qbnet/options.hpp"
#include "qbnet/result.hpp"

namespace qbnet::study {

struct TrustReport {
    bool trustworthy = true;
    std::vector<std::string> reasons;   // one line each, naming the figure and the numbers
};

TrustReport assess_trust(const EngineResult& result, const RunOptions& options);

}  // namespace qbnet::study
