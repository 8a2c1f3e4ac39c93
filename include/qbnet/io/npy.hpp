#pragma once
// NumPy .npy files (format version 1.0, numpy's documented format): little-endian float64 ('<f8') or
// complex128 ('<c16'), C order. numpy.load reads them without qbnet.
#include <complex>
#include <filesystem>
#include <string>
#include <vector>

namespace qbnet::io {

// Bytes of an .npy file holding `data` with the given shape (row-major).
std::string npy_bytes(const std::vector<double>& data, const std::vector<long>& shape);
std::string npy_bytes(const std::vector<std::complex<double>>& data, const std::vector<long>& shape);

}  // namespace qbnet::io
