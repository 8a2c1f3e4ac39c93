#pragma once
// TOML scenario -> ModelSpec + Model + RunOptions. ALL input validation happens here (docs/scenario.md
// lists every key); engines may assume a valid Model. Errors are qbnet::InputError naming the key.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qbnet/model/terms.hpp"
#include "qbnet/options.hpp"

namespace qbnet::io {

struct Scenario {
    std::string name;            // file stem (used for the default output folder)
    model::ModelSpec spec;
    model::Model model;
    RunOptions options;
    // Every parameter after defaults and --set overrides (the summary.json "parameters" block, read back
    // by parse_summary_parameters). Keys whose default is derived from other keys (network.phase and
    // network.link_dissipation: from coupling and J) are null unless the user set them.
    nlohmann::json resolved;
    // The values those derived keys took in this run ({"network": {"phase", "link_dissipation"}}):
    // written to summary.json as "derived", never read back.
    nlohmann::json derived;
};

// Parse TOML text; `overrides` are "section.key=value" strings (same validation as the file).
Scenario parse_scenario(const std::string& toml_text, const std::string& name,
                        const std::vector<std::string>& overrides = {});
// Throws InputError(option, "unknown key SECTION.KEY (allowed in SECTION: ...)") unless `key` is a
// scenario key "section.key" (sweep and optimize check --param with it before any point is built).
void check_scenario_key(const std::string& key, const std::string& option);

// The `parameters` block of a summary.json (same validation; reproduces the run that wrote it).
Scenario parse_summary_parameters(const std::string& json_text, const std::string& name,
                                  const std::vector<std::string>& overrides = {});
// A .toml scenario file, or a summary.json of an earlier run.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace qbnet::io
