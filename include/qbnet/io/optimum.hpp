#pragma once
// optimum.json of `qbnet optimize` and qbnet.optimize (the io edge of study::optimize).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qbnet/study/optimize.hpp"

namespace qbnet::io {

// The result's keys in optimum.json's order (param, value, objective, ..., warnings).
nlohmann::ordered_json optimize_result_json(const study::OptimizeResult& r);

// optimum.json: who ran it (scenario name, provenance from io/provenance.hpp, --set overrides), then the
// result.
nlohmann::ordered_json optimum_json(const std::string& scenario, const nlohmann::ordered_json& provenance,
                                    const std::vector<std::string>& overrides, const study::OptimizeResult& r);

}  // namespace qbnet::io
