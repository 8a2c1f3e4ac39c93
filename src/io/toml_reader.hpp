#pragma once
// Internal to src/io: typed, range-checked access to the sections of a TOML scenario.
// Every failure is a qbnet::InputError whose key is "section.key", so the user sees exactly which
// line of the file to fix and what is allowed there.
//
// toml++ is used header-only here (TOML_HEADER_ONLY=1): it keeps the library free of a link-time
// dependency on libtomlplusplus.so, and only the few src/io files that include this header see it.
#ifndef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 1
#endif
#include <toml++/toml.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "qbnet/scenario_keys.hpp"

namespace qbnet::io::detail {

// Allowed interval of a real-valued key: the key table's (qbnet/scenario_keys.hpp).
using qbnet::Range;

// True when `text` has a non-ASCII byte outside TOML strings and comments (not TOML; toml++ 3.3.0 would
// reach undefined behaviour on some of them); *line and *column (1-based) tell where.
bool find_non_ascii_outside_strings(const std::string& text, int* line, int* column);

// Known sections and their keys; anything else in a file or a --set is rejected.
using Schema = std::map<std::string, std::set<std::string>>;

// Throws InputError for unknown sections, unknown keys, and sections that are not tables.
void check_known_keys(const toml::table& root, const Schema& schema);

// Applies one "section.key=value" override onto `root` (value parsed as TOML, else taken as a bare
// string). The section/key must exist in `schema`; the value itself is validated later, by the same
// code that validates the file.
void apply_override(toml::table& root, const std::string& text, const Schema& schema);

// Short human description of a node for error messages: "\"abc\"", "2.5", "an array", ...
std::string describe_node(const toml::node& node);

// Reads the keys of one [section]; a missing section behaves like an empty one (all defaults).
class SectionReader {
public:
    SectionReader(const toml::table& root, std::string section);

    bool has(const std::string& key) const;
    bool is_array(const std::string& key) const;
    std::string key_name(const std::string& key) const { return section_ + "." + key; }

    double real(const std::string& key, double fallback, const Range& range) const;
    std::optional<double> optional_real(const std::string& key, const Range& range) const;
    std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) const;
    bool boolean(const std::string& key, bool fallback) const;
    std::string text(const std::string& key, const std::string& fallback) const;
    std::string choice(const std::string& key, const std::string& fallback,
                       const std::vector<std::string>& allowed) const;

    // Scalar (same value for every mode) or an array of exactly n_modes entries (its length checked
    // before its entries; derive_scenario() checks it again for a scenario changed by a typed setter).
    PerMode<double> real_per_mode(const std::string& key, double fallback, int n_modes, const Range& range) const;
    PerMode<std::int64_t> integer_per_mode(const std::string& key, std::int64_t fallback, int n_modes,
                                           std::int64_t lo, std::int64_t hi) const;
    // Array of [source, target] integer pairs (range checks are the caller's: they need N).
    std::vector<std::pair<std::int64_t, std::int64_t>> integer_pairs(const std::string& key) const;

private:
    const toml::node* find(const std::string& key) const;
    double to_real(const toml::node& node, const std::string& key, const Range& range) const;
    std::int64_t to_integer(const toml::node& node, const std::string& key, std::int64_t lo,
                            std::int64_t hi) const;

    const toml::table* table_ = nullptr;
    std::string section_;
};

}  // namespace qbnet::io::detail
