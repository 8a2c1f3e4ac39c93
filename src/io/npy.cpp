#include "qbnet/io/npy.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace qbnet::io {

namespace {

static_assert(sizeof(double) == 8, "npy writer assumes IEEE binary64");

bool little_endian() {
    const std::uint16_t one = 1;
    unsigned char first = 0;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

// Magic, version 1.0, header length, then a Python dict literal padded with spaces to a multiple of
// 64 bytes and ended by '\n' (the alignment numpy itself writes).
std::string header(const std::string& descr, const std::vector<long>& shape) {
    std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i) dict += std::to_string(shape[i]) + (shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : ""));
    dict += "), }";
    const std::size_t preamble = 10;   // magic (6) + version (2) + header length (2)
    std::size_t total = preamble + dict.size() + 1;
    dict.append((64 - total % 64) % 64, ' ');
    dict += '\n';
    if (dict.size() > 65535) throw std::runtime_error("npy header too long");
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(dict.size() & 0xff);
    out += static_cast<char>((dict.size() >> 8) & 0xff);
    return out + dict;
}

long elements(const std::vector<long>& shape) {
    long n = 1;
    for (long s : shape) n *= s;
    return n;
}

template <typename T>
std::string bytes_of(const std::vector<T>& data, const std::vector<long>& shape, const std::string& descr) {
    if (!little_endian()) throw std::runtime_error("npy writer: big-endian hosts are not supported");
    if (elements(shape) != static_cast<long>(data.size())) throw std::invalid_argument("npy: shape does not match data");
    std::string out = header(descr, shape);
    const std::size_t offset = out.size();
    out.resize(offset + data.size() * sizeof(T));
    if (!data.empty()) std::memcpy(&out[offset], data.data(), data.size() * sizeof(T));
    return out;
}

}  // namespace

std::string npy_bytes(const std::vector<double>& data, const std::vector<long>& shape) {
    return bytes_of(data, shape, "<f8");
}

std::string npy_bytes(const std::vector<std::complex<double>>& data, const std::vector<long>& shape) {
    return bytes_of(data, shape, "<c16");
}

}  // namespace qbnet::io
