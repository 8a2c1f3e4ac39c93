#pragma once
// nlohmann JSON -> Python objects (dict, list, float, int, bool, str, None), key order kept.
// Non-finite doubles become None, exactly as nlohmann's dump() writes them into summary.json, so that
// Result.summary equals json.load(open("summary.json")) key for key.
#include <nlohmann/json.hpp>
#include <pybind11/pybind11.h>

namespace qbnet::python {

pybind11::object to_python(const nlohmann::ordered_json& j);

}  // namespace qbnet::python
