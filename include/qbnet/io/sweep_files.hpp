#pragma once
// A sweep's files (the io edge of study::run_sweep): out_dir/sweep.csv, the journal -- one row per
// finished point, appended and flushed in completion order, rewritten in grid order once every point is
// done -- and out_dir/sweep.json, what the grid is. A resume must find the same grid, engine and
// scenario in sweep.json (else InputError naming --out, exit 2); it keeps the complete rows of
// sweep.csv on that grid and drops a row cut short by an interruption.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qbnet/study/sweep.hpp"

namespace qbnet::io {

// One sweep.csv row (no newline): the axis values, the figures, converged (1/0), residual, cutoffs
// ("8x8x8"; empty for the Gaussian engine), the error bars; numbers as study::format_number writes them.
std::string sweep_row(const study::SweepRecord& r);

// The sweep.json of a sweep; provenance (io/provenance.hpp; null: none) is who ran it, never compared on
// resume: a resume on another host, date or rank count continues the same sweep.
nlohmann::ordered_json sweep_json(const study::SweepDescription& sweep, const nlohmann::ordered_json& provenance);

class SweepFiles final : public study::SweepStore {
public:
    explicit SweepFiles(std::filesystem::path out_dir, nlohmann::ordered_json provenance = nullptr);
    void describe(const study::SweepDescription& sweep) override;
    std::vector<std::vector<double>> finished_points() const override;
    void record(const study::SweepRecord& point) override;
    void finish() override;

    std::filesystem::path csv() const { return dir_ / "sweep.csv"; }
    std::filesystem::path json() const { return dir_ / "sweep.json"; }

private:
    std::filesystem::path dir_;
    nlohmann::ordered_json provenance_;
    study::SweepDescription sweep_;
    std::vector<std::vector<double>> finished_;   // axis values of the rows kept on describe()
    std::ofstream journal_;
};

}  // namespace qbnet::io
