// run_trajectories_distributed in one process (the batches go through distribute_ordered with several
// workers, so they arrive out of order): the same EngineResult as the engine's own run_trajectories,
// with and without target_error. The mpiexec path is tests/mpi/test_mpi_run.cpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "qbnet/io/results.hpp"
#include "qbnet/io/scenario.hpp"
#include "qbnet/study/distributed_trajectories.hpp"

using namespace qbnet;

namespace {

const char* kSmall = R"(
[network]
topology = "cascaded"
batteries = 1
coupling = "nonreciprocal"
J = 0.5
[drive]
epsilon = 0.3
[reservoirs]
kappa = 1.0
n_th = 0.3
[fock]
cutoff = 4
[time]
t_end = 2.0
samples = 5
[steady_state]
enabled = false
[trajectories]
average_from = 1.0
)";

// Everything the engine reports except how long it took.
std::string figures(const EngineResult& r) {
    auto j = io::engine_result_json(r);
    j["statistics"].erase("wall_s");
    return j.dump() + io::timeseries_csv(r);
}

}  // namespace

TEST_CASE("distributed trajectories in one process equal run_trajectories bit for bit") {
    const std::vector<std::vector<std::string>> cases = {
        {"trajectories.count=40"}, {"trajectories.count=2000", "trajectories.target_error=0.1"}};
    for (const auto& sets : cases) {
        INFO(sets.back());
        io::Scenario s = io::parse_scenario(kSmall, "small", sets);
        s.options.threads = 3;   // three workers: batches complete out of order
        const EngineResult direct = trajectories::run_trajectories(s.model, s.options);
        const auto spread = study::run_trajectories_distributed(s.model, s.options);
        REQUIRE(spread);
        CHECK(figures(*spread) == figures(direct));
        if (s.options.trajectories.target_error > 0) {
            // The prefix rule was exercised: stopped before the last batch, and met.
            CHECK(direct.statistics.trajectories->trajectories < 2000);
            CHECK(direct.statistics.trajectories->target_error_met);
        }
        // Must-fail: another seed changes the figures.
        s.options.trajectories.seed += 1;
        CHECK(figures(*study::run_trajectories_distributed(s.model, s.options)) != figures(direct));
    }
}

TEST_CASE("a batch accumulator survives flatten and unflatten bit for bit") {
    trajectories::BatchAccumulator b;
    b.batch = 7;
    b.trajectories = 13;
    b.jumps = 123456789012L;
    b.steps = 42;
    b.sums = {{1.0 / 3.0, -2.5e-300}, {std::nextafter(1.0, 2.0), 0.0}};
    const trajectories::BatchAccumulator back = study::unflatten_batch(study::flatten(b));
    CHECK(back.batch == 7);
    CHECK(back.trajectories == 13);
    CHECK(back.jumps == 123456789012L);
    CHECK(back.steps == 42);
    REQUIRE(back.sums.size() == 2);
    CHECK(back.sums[0] == b.sums[0]);
    CHECK(back.sums[1] == b.sums[1]);
    CHECK_THROWS(study::unflatten_batch({1.0, 2.0, 3.0}));
}
