// sweep.csv + sweep.json of a parameter sweep (include/qbnet/io/sweep_files.hpp): formats, the resume
// check, the journal. The sweep itself (study/sweep.cpp) never touches a file.
#include "qbnet/io/sweep_files.hpp"

#include <cstdint>
#include <cstdio>
#include <exception>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "qbnet/errors.hpp"
#include "qbnet/io/results.hpp"

namespace qbnet::io {

namespace {

using study::format_number;

std::vector<std::string> csv_cells(const std::string& line) {
    std::vector<std::string> cells;
    std::size_t start = 0;
    for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
        cells.push_back(line.substr(start, comma - start));
    cells.push_back(line.substr(start));
    return cells;
}

// FNV-1a: a stable fingerprint of the scenario text for sweep.json (std::hash is not stable).
std::string fingerprint(const std::string& text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::string header(const std::vector<std::string>& columns) {
    std::string h;
    for (std::size_t k = 0; k < columns.size(); ++k) h += (k ? "," : "") + columns[k];
    return h;
}

// The axis values and grid index of a sweep.csv row; nullopt for an incomplete row or one off the grid.
std::optional<std::pair<std::vector<double>, std::size_t>> parse_row(const std::string& line,
                                                                   const study::SweepDescription& sweep) {
    const auto cells = csv_cells(line);
    if (cells.size() != sweep.columns.size()) return std::nullopt;
    std::vector<double> params(sweep.axes.size());
    for (std::size_t k = 0; k < params.size(); ++k)
        if (!study::parse_value(cells[k], params[k])) return std::nullopt;
    const auto index = study::grid_index(sweep.axes, params);
    if (!index) return std::nullopt;
    return std::make_pair(std::move(params), *index);
}

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

}  // namespace

std::string sweep_row(const study::SweepRecord& r) {
    std::string row;
    for (std::size_t a = 0; a < r.params.size(); ++a) row += (a ? "," : "") + format_number(r.params[a]);
    for (double v : r.figures) row += "," + format_number(v);
    row += r.converged ? ",1," : ",0,";
    row += format_number(r.residual) + ",";
    for (std::size_t k = 0; k < r.cutoffs.size(); ++k) row += (k ? "x" : "") + std::to_string(r.cutoffs[k]);
    for (double v : r.errors) row += "," + format_number(v);
    return row;
}

nlohmann::ordered_json sweep_json(const study::SweepDescription& sweep, const nlohmann::ordered_json& provenance) {
    nlohmann::ordered_json grid;
    grid["scenario"] = sweep.source.name;
    // Who ran it (the latest run that wrote the file): not compared on resume (the fields of describe()).
    if (!provenance.is_null()) grid["provenance"] = provenance;
    grid["scenario_fingerprint"] = fingerprint(sweep.source.text);
    grid["engine"] = sweep.engine;
    grid["overrides"] = sweep.source.overrides;
    grid["axes"] = nlohmann::ordered_json::array();
    for (const auto& axis : sweep.axes) {
        nlohmann::ordered_json a;
        a["key"] = axis.key;
        a["spec"] = axis.spec;
        std::vector<std::string> vals;
        for (double v : axis.values) vals.push_back(format_number(v));
        a["values"] = vals;
        grid["axes"].push_back(a);
    }
    grid["columns"] = sweep.columns;
    grid["points"] = sweep.points;
    return grid;
}

SweepFiles::SweepFiles(std::filesystem::path out_dir, nlohmann::ordered_json provenance)
    : dir_(std::move(out_dir)), provenance_(std::move(provenance)) {}

void SweepFiles::describe(const study::SweepDescription& sweep) {
    sweep_ = sweep;
    finished_.clear();
    const nlohmann::ordered_json grid = sweep_json(sweep, provenance_);
    std::filesystem::create_directories(dir_);
    std::vector<bool> done(sweep.points, false);
    std::vector<std::string> kept_rows;   // complete rows of a previous run (resume)
    if (std::filesystem::exists(json())) {
        std::ifstream in(json());
        nlohmann::ordered_json old;
        try {
            in >> old;
        } catch (const std::exception&) {
            throw InputError("--out", "'" + json().string() + "' is not a sweep description; choose another --out folder");
        }
        for (const char* field : {"scenario_fingerprint", "engine", "overrides", "axes", "columns"}) {
            if (old.value(field, nlohmann::ordered_json()) != grid[field])
                throw InputError("--out", "'" + dir_.string() + "' holds a different sweep (sweep.json differs in '" + field +
                                              "'); choose another --out folder or delete it");
        }
        // An interruption can leave the last row without its newline (cut inside a number): drop it.
        std::string text = read_all(csv());
        if (!text.empty() && text.back() != '\n') text.erase(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
        std::istringstream rows(text);
        std::string line;
        std::getline(rows, line);   // the header
        while (std::getline(rows, line)) {
            auto row = parse_row(line, sweep);
            if (!row || done[row->second]) continue;   // a row cut short by an interruption, off the grid, or twice
            done[row->second] = true;
            kept_rows.push_back(line);
            finished_.push_back(std::move(row->first));
        }
    }
    std::string content = header(sweep.columns) + "\n";
    for (const auto& r : kept_rows) content += r + "\n";
    write_file_atomic(csv(), content);
    write_file_atomic(json(), grid.dump(2) + "\n");
    journal_.open(csv(), std::ios::app);
    if (!journal_) throw std::runtime_error("cannot append to '" + csv().string() + "'");
}

std::vector<std::vector<double>> SweepFiles::finished_points() const { return finished_; }

void SweepFiles::record(const study::SweepRecord& point) {
    journal_ << sweep_row(point) << '\n';
    journal_.flush();   // a finished point survives an interruption
}

void SweepFiles::finish() {
    journal_.close();
    // Every point done: rewrite in grid order (plots and diffs read better; the same bytes on any
    // number of ranks).
    std::map<std::size_t, std::string> ordered;
    {
        std::ifstream in(csv());
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            if (const auto row = parse_row(line, sweep_)) ordered.emplace(row->second, line);
        }
    }
    std::string content = header(sweep_.columns) + "\n";
    for (const auto& [i, row] : ordered) content += row + "\n";
    write_file_atomic(csv(), content);
}

}  // namespace qbnet::io
