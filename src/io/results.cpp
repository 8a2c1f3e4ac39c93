#include "qbnet/io/results.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>

#include <unistd.h>

#include <fmt/format.h>

namespace qbnet {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

nlohmann::ordered_json figures_json(const Figures& f, bool ergotropy_available = true) {
    nlohmann::ordered_json j;
    j["energy"] = f.energy;
    // null, not 0, when the joint state was too large: a reader must not mistake it for "no ergotropy".
    using oj = nlohmann::ordered_json;
    j["ergotropy"] = ergotropy_available ? oj(f.ergotropy) : oj(nullptr);
    j["passive_energy"] = ergotropy_available ? oj(f.passive_energy) : oj(nullptr);
    return j;
}

nlohmann::ordered_json snapshot_json(const Snapshot& s) {
    nlohmann::ordered_json modes = nlohmann::ordered_json::array();
    for (const auto& mode : s.modes) {
        nlohmann::ordered_json j = {{"name", mode.name}};
        j.update(figures_json(mode));
        modes.push_back(j);
    }
    return {{"modes", modes}, {"batteries", figures_json(s.batteries, s.batteries_ergotropy_available)}};
}

// Full round-trip precision: the CSV is the input of validation scripts and cross-checks.
std::string number(double x) { return std::isfinite(x) ? fmt::format("{:.17g}", x) : std::string("nan"); }

// Compact text of one diagnostic value: 3 significant digits, arrays element by element.
std::string short_text(const nlohmann::json& value) {
    if (value.is_number_float()) return fmt::format("{:.3g}", value.get<double>());
    if (value.is_string()) return value.get<std::string>();
    if (value.is_array()) {
        std::string out = "[";
        for (const auto& element : value) out += (out.size() > 1 ? "," : "") + short_text(element);
        return out + "]";
    }
    return value.dump();
}

// At most two lines for the terminal; the complete diagnostics are in summary.json.
std::string format_diagnostics(const nlohmann::json& diagnostics) {
    if (!diagnostics.is_object() || diagnostics.empty()) return "";
    constexpr std::size_t width = 110;
    const std::string indent(15, ' ');
    std::string first = "  diagnostics:";
    std::string second;
    for (const auto& [key, value] : diagnostics.items()) {
        const std::string item = " " + key + "=" + short_text(value);
        if (second.empty() && first.size() + item.size() <= width) {
            first += item;
        } else if (indent.size() + second.size() + item.size() <= width - 24) {
            second += item;
        } else {
            second += " ... (all in summary.json)";
            break;
        }
    }
    return first + "\n" + (second.empty() ? "" : indent + second + "\n");
}

}  // namespace

nlohmann::ordered_json engine_result_json(const EngineResult& result) {
    nlohmann::ordered_json j;
    if (result.steady_state) {
        j["steady_state"] = snapshot_json(*result.steady_state);
        j["steady_state"]["diagnostics"] = nlohmann::ordered_json(result.steady_diagnostics);
    } else {
        j["steady_state"] = nullptr;
    }
    j["statistics"] = nlohmann::ordered_json(result.statistics);
    j["warnings"] = result.warnings;
    return j;
}

nlohmann::ordered_json summary_json(const Scenario& scenario, const std::vector<EngineResult>& results,
                                    const nlohmann::json& cross_check) {
    nlohmann::ordered_json j;
    j["scenario"] = scenario.name;
    j["parameters"] = nlohmann::ordered_json(scenario.resolved);
    j["results"] = nlohmann::ordered_json::object();
    for (const auto& r : results) j["results"][r.engine] = engine_result_json(r);
    if (!cross_check.is_null()) j["cross_check"] = nlohmann::ordered_json(cross_check);
    return j;
}

std::string timeseries_csv(const EngineResult& result) {
    const auto& ts = result.timeseries;
    if (ts.t.empty() || ts.samples.empty()) return "";
    const auto& first = ts.samples.front().modes;
    std::string out = "t";
    for (const auto& mode : first) out += ",E_" + mode.name;
    for (std::size_t j = 1; j < first.size(); ++j) out += ",W_" + first[j].name;
    out += ",E_B,W_B\n";
    for (std::size_t k = 0; k < ts.t.size() && k < ts.samples.size(); ++k) {
        const Snapshot& s = ts.samples[k];
        out += number(ts.t[k]);
        for (const auto& mode : s.modes) out += "," + number(mode.energy);
        for (std::size_t j = 1; j < s.modes.size(); ++j) out += "," + number(s.modes[j].ergotropy);
        out += "," + number(s.batteries.energy);
        out += "," + number(s.batteries_ergotropy_available ? s.batteries.ergotropy : nan);
        out += "\n";
    }
    return out;
}

std::filesystem::path timeseries_path(const std::filesystem::path& dir, const std::string& engine) {
    return dir / ("timeseries-" + engine + ".csv");
}

void write_file_atomic(const std::filesystem::path& path, const std::string& content) {
    // Same folder as the target, so the rename never crosses file systems and is atomic.
    std::filesystem::path tmp = path;
    tmp += ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << content;
        out.close();
        if (!out) {
            std::error_code ignore;
            std::filesystem::remove(tmp, ignore);
            throw std::runtime_error("cannot write '" + path.string() + "'");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw std::runtime_error("cannot write '" + path.string() + "'");
    }
}

std::vector<std::filesystem::path> write_results(const std::filesystem::path& dir, const Scenario& scenario,
                                                 const std::vector<EngineResult>& results,
                                                 const nlohmann::json& cross_check) {
    std::filesystem::create_directories(dir);
    std::vector<std::filesystem::path> written;
    const auto summary = dir / "summary.json";
    write_file_atomic(summary, summary_json(scenario, results, cross_check).dump(2) + "\n");
    written.push_back(summary);
    for (const auto& r : results) {
        const std::string csv = timeseries_csv(r);
        if (csv.empty()) continue;
        const auto path = timeseries_path(dir, r.engine);
        write_file_atomic(path, csv);
        written.push_back(path);
    }
    return written;
}

std::string format_result_table(const EngineResult& result) {
    const Snapshot* s = nullptr;
    std::string title;
    if (result.steady_state) {
        s = &*result.steady_state;
        title = "steady state";
    } else if (!result.timeseries.samples.empty()) {
        s = &result.timeseries.samples.back();
        title = fmt::format("at t = {:g} (no steady state computed)", result.timeseries.t.back());
    }
    std::string out = fmt::format("[{}] {}\n", result.engine, s ? title : "no steady state and no time series");
    if (!s) return out;
    const auto row = [](const std::string& name, double e, double w, double p) {
        return fmt::format("  {:<10} {:>15} {:>15} {:>15}\n", name, fmt::format("{:.6g}", e),
                           std::isfinite(w) ? fmt::format("{:.6g}", w) : "n/a",
                           std::isfinite(p) ? fmt::format("{:.6g}", p) : "n/a");
    };
    out += fmt::format("  {:<10} {:>15} {:>15} {:>15}\n", "mode", "energy", "ergotropy", "passive energy");
    for (const auto& m : s->modes) out += row(m.name, m.energy, m.ergotropy, m.passive_energy);
    const bool joint = s->batteries_ergotropy_available;
    out += row("batteries", s->batteries.energy, joint ? s->batteries.ergotropy : nan,
               joint ? s->batteries.passive_energy : nan);
    if (result.steady_state) out += format_diagnostics(result.steady_diagnostics);
    return out;
}

}  // namespace qbnet
