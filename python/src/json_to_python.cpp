#include "json_to_python.hpp"

#include <cmath>

namespace py = pybind11;

namespace qbnet::python {

py::object to_python(const nlohmann::ordered_json& j) {
    switch (j.type()) {
        case nlohmann::json::value_t::null:
        case nlohmann::json::value_t::discarded:
            return py::none();
        case nlohmann::json::value_t::boolean:
            return py::bool_(j.get<bool>());
        case nlohmann::json::value_t::number_integer:
            return py::int_(j.get<std::int64_t>());
        case nlohmann::json::value_t::number_unsigned:
            return py::int_(j.get<std::uint64_t>());
        case nlohmann::json::value_t::number_float: {
            const double x = j.get<double>();
            return std::isfinite(x) ? py::object(py::float_(x)) : py::object(py::none());
        }
        case nlohmann::json::value_t::string:
            return py::str(j.get_ref<const std::string&>());
        case nlohmann::json::value_t::array: {
            py::list list;
            for (const auto& item : j) list.append(to_python(item));
            return std::move(list);
        }
        case nlohmann::json::value_t::object: {
            py::dict dict;
            for (const auto& [key, value] : j.items()) dict[py::str(key)] = to_python(value);
            return std::move(dict);
        }
        case nlohmann::json::value_t::binary:
            break;
    }
    throw std::runtime_error("qbnet: unexpected JSON value (binary) in a result");
}

}  // namespace qbnet::python
