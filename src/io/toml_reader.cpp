#include "toml_reader.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "qbnet/errors.hpp"

namespace qbnet::io::detail {

namespace {

std::string join_quoted(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", \"" : "\"") + items[i] + "\"";
    return out;
}

std::string join(const std::set<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

}  // namespace

std::string describe_node(const toml::node& node) {
    if (auto s = node.as_string()) return "\"" + s->get() + "\"";
    if (auto i = node.as_integer()) return std::to_string(i->get());
    if (auto f = node.as_floating_point()) {
        // "4.0", not "4": the message must show why an integer key rejected it
        std::string text = fmt::format("{:g}", f->get());
        if (text.find_first_of(".eni") == std::string::npos) text += ".0";
        return text;
    }
    if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
    if (node.is_array()) return "an array";
    if (node.is_table()) return "a table";
    return "a date/time";
}

bool find_non_ascii_outside_strings(const std::string& text, int* line, int* column) {
    // TOML allows non-ASCII only inside strings and comments. toml++ 3.3.0 reaches __builtin_unreachable
    // (undefined behaviour, found by UBSan on fuzz mutants) when it classifies a code point in
    // U+00A1..U+0499 met outside them as whitespace or not: such text is refused before it is parsed.
    enum class State { code, basic, literal, ml_basic, ml_literal, comment } state = State::code;
    int l = 1, c = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        ++c;
        if (ch == '\n') {
            ++l;
            c = 0;
            if (state == State::comment || state == State::basic || state == State::literal) state = State::code;
            continue;
        }
        const auto starts = [&](const char* s3) { return text.compare(i, 3, s3) == 0; };
        switch (state) {
            case State::code:
                if (static_cast<unsigned char>(ch) >= 0x80) {
                    if (line) *line = l;
                    if (column) *column = c;
                    return true;
                }
                if (ch == '#') state = State::comment;
                else if (starts("\"\"\"")) state = State::ml_basic, i += 2;
                else if (starts("'''")) state = State::ml_literal, i += 2;
                else if (ch == '"') state = State::basic;
                else if (ch == '\'') state = State::literal;
                break;
            case State::basic:
                if (ch == '\\') ++i;
                else if (ch == '"') state = State::code;
                break;
            case State::literal:
                if (ch == '\'') state = State::code;
                break;
            case State::ml_basic:
                if (ch == '\\') ++i;
                else if (starts("\"\"\"")) state = State::code, i += 2;
                break;
            case State::ml_literal:
                if (starts("'''")) state = State::code, i += 2;
                break;
            case State::comment:
                break;
        }
    }
    return false;
}

void check_known_keys(const toml::table& root, const Schema& schema) {
    std::set<std::string> sections;
    for (const auto& entry : schema) sections.insert("[" + entry.first + "]");
    for (auto&& [key, node] : root) {
        const std::string section(key.str());
        auto it = schema.find(section);
        if (it == schema.end())
            throw InputError(section, "unknown section (allowed: " + join(sections) + ")");
        const toml::table* table = node.as_table();
        if (!table) throw InputError(section, "must be a table, i.e. a [" + section + "] section");
        for (auto&& [sub, value] : *table) {
            (void)value;
            const std::string name(sub.str());
            if (!it->second.count(name))
                throw InputError(section + "." + name,
                                 "unknown key in [" + section + "] (allowed: " + join(it->second) + ")");
        }
    }
}

void apply_override(toml::table& root, const std::string& text, const Schema& schema) {
    const auto eq = text.find('=');
    const std::string path = text.substr(0, eq);
    const auto dot = path.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot == 0 || dot + 1 == path.size())
        throw InputError(path.empty() ? "--set" : path,
                         "malformed --set '" + text + "' (expected section.key=value, e.g. network.J=0.002)");
    const std::string section = path.substr(0, dot);
    const std::string key = path.substr(dot + 1);
    auto it = schema.find(section);
    if (it == schema.end()) {
        std::set<std::string> sections;
        for (const auto& entry : schema) sections.insert(entry.first);
        throw InputError(path, "unknown section in --set (allowed sections: " + join(sections) + ")");
    }
    if (!it->second.count(key))
        throw InputError(path, "unknown key in --set (allowed in " + section + ": " + join(it->second) + ")");

    // The value is TOML ("0.002", "[1, 2]", "\"x\"", "true"); anything TOML rejects is a bare string,
    // so that `--set network.topology=parallel` needs no shell quoting.
    const std::string value = text.substr(eq + 1);
    toml::table parsed;
    bool is_toml = false;
    try {
        // Non-ASCII outside a string is no TOML (and would reach undefined behaviour in toml++): a bare string.
        if (find_non_ascii_outside_strings(value, nullptr, nullptr)) throw std::invalid_argument("not TOML");
        parsed = toml::parse("value = " + value);
        is_toml = parsed.contains("value");
    } catch (const toml::parse_error&) {
        is_toml = false;
    } catch (const std::invalid_argument&) {
        is_toml = false;
    }

    toml::table* target = root[section].as_table();
    if (!target) {
        if (root.contains(section)) throw InputError(section, "must be a table, i.e. a [" + section + "] section");
        root.insert(section, toml::table{});
        target = root[section].as_table();
    }
    if (is_toml)
        target->insert_or_assign(key, *parsed.get("value"));
    else
        target->insert_or_assign(key, value);
}

SectionReader::SectionReader(const toml::table& root, std::string section)
    : table_(root[section].as_table()), section_(std::move(section)) {}

const toml::node* SectionReader::find(const std::string& key) const {
    return table_ ? table_->get(key) : nullptr;
}

bool SectionReader::has(const std::string& key) const { return find(key) != nullptr; }

bool SectionReader::is_array(const std::string& key) const {
    const toml::node* node = find(key);
    return node && node->is_array();
}

double SectionReader::to_real(const toml::node& node, const std::string& key, const Range& range) const {
    double x = 0.0;
    if (auto f = node.as_floating_point())
        x = f->get();
    else if (auto i = node.as_integer())
        x = static_cast<double>(i->get());   // `J = 0` is a perfectly good real number
    else
        throw InputError(key_name(key), "must be " + range.describe() + " (got " + describe_node(node) + ")");
    if (!range.contains(x))
        throw InputError(key_name(key), "must be " + range.describe() + " (got " + describe_node(node) + ")");
    return x;
}

std::int64_t SectionReader::to_integer(const toml::node& node, const std::string& key, std::int64_t lo,
                                       std::int64_t hi) const {
    const std::string allowed = integer_allowed(lo, hi);
    // A float is rejected even when integral (2.0): cutoffs and counts are written as integers.
    auto i = node.as_integer();
    if (!i) throw InputError(key_name(key), "must be " + allowed + " (got " + describe_node(node) + ")");
    if (i->get() < lo || i->get() > hi)
        throw InputError(key_name(key), "must be " + allowed + " (got " + describe_node(node) + ")");
    return i->get();
}

double SectionReader::real(const std::string& key, double fallback, const Range& range) const {
    const toml::node* node = find(key);
    return node ? to_real(*node, key, range) : fallback;
}

std::optional<double> SectionReader::optional_real(const std::string& key, const Range& range) const {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    return to_real(*node, key, range);
}

std::int64_t SectionReader::integer(const std::string& key, std::int64_t fallback, std::int64_t lo,
                                    std::int64_t hi) const {
    const toml::node* node = find(key);
    return node ? to_integer(*node, key, lo, hi) : fallback;
}

bool SectionReader::boolean(const std::string& key, bool fallback) const {
    const toml::node* node = find(key);
    if (!node) return fallback;
    auto b = node->as_boolean();
    if (!b) throw InputError(key_name(key), "must be true or false (got " + describe_node(*node) + ")");
    return b->get();
}

std::string SectionReader::text(const std::string& key, const std::string& fallback) const {
    const toml::node* node = find(key);
    if (!node) return fallback;
    auto s = node->as_string();
    if (!s) throw InputError(key_name(key), "must be a string (got " + describe_node(*node) + ")");
    return s->get();
}

std::string SectionReader::choice(const std::string& key, const std::string& fallback,
                                  const std::vector<std::string>& allowed) const {
    const toml::node* node = find(key);
    if (!node) return fallback;
    auto s = node->as_string();
    for (const auto& option : allowed)
        if (s && s->get() == option) return option;
    throw InputError(key_name(key), "must be one of " + join_quoted(allowed) + " (got " + describe_node(*node) + ")");
}

PerMode<double> SectionReader::real_per_mode(const std::string& key, double fallback, int n_modes,
                                             const Range& range) const {
    const toml::node* node = find(key);
    if (!node) return PerMode<double>::all(fallback);
    const toml::array* array = node->as_array();
    if (!array) return PerMode<double>::all(to_real(*node, key, range));
    if (static_cast<int>(array->size()) != n_modes)
        throw InputError(key_name(key), per_mode_length_message(n_modes, array->size()));
    std::vector<double> out;
    for (const auto& element : *array) out.push_back(to_real(element, key, range));
    return PerMode<double>::each(std::move(out));
}

PerMode<std::int64_t> SectionReader::integer_per_mode(const std::string& key, std::int64_t fallback, int n_modes,
                                                      std::int64_t lo, std::int64_t hi) const {
    const toml::node* node = find(key);
    if (!node) return PerMode<std::int64_t>::all(fallback);
    const toml::array* array = node->as_array();
    if (!array) return PerMode<std::int64_t>::all(to_integer(*node, key, lo, hi));
    if (static_cast<int>(array->size()) != n_modes)
        throw InputError(key_name(key), per_mode_length_message(n_modes, array->size()));
    std::vector<std::int64_t> out;
    for (const auto& element : *array) out.push_back(to_integer(element, key, lo, hi));
    return PerMode<std::int64_t>::each(std::move(out));
}

std::vector<std::pair<std::int64_t, std::int64_t>> SectionReader::integer_pairs(const std::string& key) const {
    const toml::node* node = find(key);
    if (!node) return {};
    const std::string allowed = "must be an array of [source, target] integer pairs, e.g. [[0, 1], [1, 2]]";
    const toml::array* array = node->as_array();
    if (!array) throw InputError(key_name(key), allowed + " (got " + describe_node(*node) + ")");
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (const auto& element : *array) {
        const toml::array* pair = element.as_array();
        if (!pair || pair->size() != 2 || !pair->get(0)->is_integer() || !pair->get(1)->is_integer())
            throw InputError(key_name(key), allowed);
        out.emplace_back(pair->get(0)->as_integer()->get(), pair->get(1)->as_integer()->get());
    }
    return out;
}

}  // namespace qbnet::io::detail
