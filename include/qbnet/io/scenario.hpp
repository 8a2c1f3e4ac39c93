#pragma once
// TOML scenario -> ScenarioInputs (checked against the key table, qbnet/scenario_keys.hpp) -> derive_scenario
// -> ModelSpec + Model + RunOptions. ALL input validation happens here and in the key table (docs/scenario.md
// lists every key); engines may assume a valid Model. Errors are qbnet::InputError naming the key.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qbnet/scenario.hpp"

namespace qbnet::io {

// The typed scenario is shared vocabulary (qbnet/scenario.hpp): study/ sets swept values on it with the
// typed setters of qbnet/scenario_keys.hpp, below io/.
using Scenario = qbnet::Scenario;

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
