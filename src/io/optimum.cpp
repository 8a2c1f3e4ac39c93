// optimum.json (include/qbnet/io/optimum.hpp).
#include "qbnet/io/optimum.hpp"

namespace qbnet::io {

nlohmann::ordered_json optimize_result_json(const study::OptimizeResult& r) {
    nlohmann::ordered_json j;
    j["param"] = r.param;
    j["value"] = r.value ? nlohmann::ordered_json(*r.value) : nlohmann::ordered_json(nullptr);
    j["objective"] = r.objective;
    j["objective_value"] = r.objective_value ? nlohmann::ordered_json(*r.objective_value) : nlohmann::ordered_json(nullptr);
    j["engine"] = r.engine;
    j["at_bound"] = r.at_bound.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.at_bound);
    if (!r.at_bound.empty()) {
        j["bound_value"] = r.bound_value;
        j["bound_objective_value"] = r.bound_objective_value;
    }
    j["local_maxima"] = nlohmann::ordered_json::array();
    for (const auto& m : r.local_maxima)
        j["local_maxima"].push_back({{"value", m.value}, {"objective_value", m.objective_value}, {"iterations", m.iterations}});
    j["scan"] = {{"values", r.scan_values},
                 {"objective", r.scan_objective},
                 {"converged", r.scan_converged},
                 {"residual", r.scan_residual}};
    j["untrusted_evaluations"] = r.untrusted_evaluations;
    j["evaluations"] = r.evaluations;
    j["warnings"] = r.warnings;
    return j;
}

nlohmann::ordered_json optimum_json(const std::string& scenario, const nlohmann::ordered_json& provenance,
                                    const std::vector<std::string>& overrides, const study::OptimizeResult& r) {
    nlohmann::ordered_json json;
    json["scenario"] = scenario;
    json["provenance"] = provenance;
    json["overrides"] = overrides;
    const auto result_json = optimize_result_json(r);   // named: items() of a temporary would dangle
    for (const auto& item : result_json.items()) json[item.key()] = item.value();
    return json;
}

}  // namespace qbnet::io
