// The study layer alone (no files): run_sweep with an in-memory SweepStore. A resume from a store that
// holds k finished points computes only the other points, and a store holding a point that is not on
// the grid (another sweep's) is refused before anything runs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "qbnet/errors.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/study/sweep.hpp"
#include "scenarios.hpp"

using namespace qbnet;

namespace {

const char* const kScenario = study_test::kN1Nonreciprocal;

// Keeps everything in memory; `held` plays the part of a previous run's finished points.
class MemoryStore final : public study::SweepStore {
public:
    std::vector<std::vector<double>> held;
    std::vector<study::SweepRecord> recorded;
    study::SweepDescription described;
    int describe_calls = 0;
    bool finished = false;

    void describe(const study::SweepDescription& sweep) override {
        described = sweep;
        ++describe_calls;
    }
    std::vector<std::vector<double>> finished_points() const override { return held; }
    void record(const study::SweepRecord& point) override { recorded.push_back(point); }
    void finish() override { finished = true; }
};

study::SweepOptions options(const std::string& j_values, const std::string& nth_values) {
    study::SweepOptions opt;
    opt.source = {"t", kScenario, {}};
    opt.threads = 1;
    opt.axes = {study::parse_sweep_axis("network.J", j_values), study::parse_sweep_axis("reservoirs.n_th", nth_values)};
    return opt;
}

const io::Scenario& base() {
    static const io::Scenario s = io::parse_scenario(kScenario, "t", {});
    return s;
}

}  // namespace

TEST_CASE("sweep store: a resume from k finished points computes only the others") {
    const auto opt = options("1e-3,1.5e-3,2e-3", "0,1");   // 6 points, J major
    MemoryStore fresh;
    const auto all = study::run_sweep(base(), opt, fresh);
    CHECK(all.computed == 6);
    CHECK(all.skipped == 0);
    REQUIRE(fresh.recorded.size() == 6);
    CHECK(fresh.finished);
    CHECK(fresh.describe_calls == 1);
    CHECK(fresh.described.points == 6);
    CHECK(fresh.described.columns == all.columns);

    // The store holds grid points 0, 3 and 5 (k = 3): only 1, 2, 4 run.
    MemoryStore resumed;
    resumed.held = {{1e-3, 0.0}, {1.5e-3, 1.0}, {2e-3, 1.0}};
    const auto rest = study::run_sweep(base(), opt, resumed);
    CHECK(rest.skipped == 3);
    CHECK(rest.computed == 3);
    std::vector<std::size_t> indices;
    for (const auto& r : resumed.recorded) indices.push_back(r.index);
    std::sort(indices.begin(), indices.end());
    CHECK(indices == std::vector<std::size_t>{1, 2, 4});
    // Bit-identical to the same points of the fresh run (the point depends on its index only).
    for (const auto& r : resumed.recorded) {
        const auto same = std::find_if(fresh.recorded.begin(), fresh.recorded.end(),
                                       [&](const study::SweepRecord& f) { return f.index == r.index; });
        REQUIRE(same != fresh.recorded.end());
        CHECK(r.params == same->params);
        CHECK(r.figures == same->figures);
    }
    // Grid index 2 is J = 1.5e-3 = kappa/2, n_th = 0: the closed form.
    const auto& at = *std::find_if(resumed.recorded.begin(), resumed.recorded.end(),
                                   [](const study::SweepRecord& r) { return r.index == 2; });
    CHECK(at.params == std::vector<double>{1.5e-3, 0.0});
    CHECK(at.figures[1] == Approx(100.0 / 9.0).epsilon(1e-10));   // E_b1 = (eps/kappa)^2

    // A store that already holds every point: nothing runs, finish() still comes.
    MemoryStore complete;
    for (const auto& r : fresh.recorded) complete.held.push_back(r.params);
    const auto none = study::run_sweep(base(), opt, complete);
    CHECK(none.computed == 0);
    CHECK(none.skipped == 6);
    CHECK(complete.recorded.empty());
    CHECK(complete.finished);
}

TEST_CASE("sweep store: a store holding a point of a different grid is refused") {
    const auto opt = options("1e-3,1.5e-3,2e-3", "0,1");
    MemoryStore other;
    other.held = {{1e-3, 0.0}, {1.25e-3, 0.0}};   // J = 1.25e-3 is not on this grid
    CHECK_THROWS_AS(study::run_sweep(base(), opt, other), InputError);
    CHECK(other.recorded.empty());
    CHECK_FALSE(other.finished);
    // Must-fail twin: the same store without the foreign point resumes.
    MemoryStore ours;
    ours.held = {{1e-3, 0.0}};
    CHECK_NOTHROW(study::run_sweep(base(), opt, ours));
    CHECK(ours.recorded.size() == 5);
    // A point with the wrong number of axis values is another grid too.
    MemoryStore line;
    line.held = {{1e-3}};
    CHECK_THROWS_AS(study::run_sweep(base(), opt, line), InputError);
}

TEST_CASE("sweep store: an invalid point is refused before the store is described") {
    auto opt = options("-1,1e-3", "0");   // J = -1 is out of range
    MemoryStore store;
    CHECK_THROWS_AS(study::run_sweep(base(), opt, store), InputError);
    CHECK(store.describe_calls == 0);
}
