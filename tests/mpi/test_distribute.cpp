// parallel::distribute_ordered in one process (the MPI path is exercised by test_mpi_cli.cpp through
// `mpiexec -n 2 qbnet sweep`): payloads come back in item order whatever the worker count, on_done
// sees every item once, a stop leaves the rest undone, an exception reaches the caller.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "qbnet/parallel/communicator.hpp"
#include "qbnet/parallel/distribute.hpp"

using namespace qbnet::parallel;

namespace {

// An item whose cost grows with its index (so workers finish out of order) and whose value is a
// pure function of the index.
Payload work(std::size_t i) {
    double x = 0.0;
    for (std::size_t k = 0; k < 20000 * (i % 7 + 1); ++k) x += std::sin(static_cast<double>(k + i));
    return to_payload({static_cast<double>(i), x});
}

}  // namespace

TEST_CASE("distribute_ordered: item order and bit-identical payloads for 1 and 4 local workers") {
    const std::size_t n = 23;
    std::vector<Payload> direct;
    for (std::size_t i = 0; i < n; ++i) direct.push_back(work(i));
    for (int workers : {1, 4}) {
        std::multiset<std::size_t> seen;
        DistributeOptions opt;
        opt.local_workers = workers;
        opt.on_done = [&](std::size_t i, const Payload& p) {
            CHECK(p == direct[i]);
            seen.insert(i);
            return true;
        };
        const auto out = distribute_ordered(n, work, opt);
        REQUIRE(out.payloads.size() == n);
        for (std::size_t i = 0; i < n; ++i) {
            REQUIRE(out.payloads[i].has_value());
            CHECK(*out.payloads[i] == direct[i]);   // bytes, i.e. bit-identical doubles
        }
        CHECK(seen.size() == n);
        CHECK(std::set<std::size_t>(seen.begin(), seen.end()).size() == n);   // each item exactly once
        CHECK_FALSE(out.stopped);
        CHECK(out.computed_here == n);
    }
}

TEST_CASE("distribute_ordered: on_done returning false stops handing out items") {
    DistributeOptions opt;
    // One worker: it takes its next item only after the last one was delivered, so nothing runs past
    // the stop.
    opt.local_workers = 1;
    opt.on_done = [](std::size_t i, const Payload&) { return i != 2; };
    const auto out = distribute_ordered(10, work, opt);
    CHECK(out.stopped);
    for (std::size_t i = 0; i < 10; ++i) CHECK(out.payloads[i].has_value() == (i <= 2));
}

TEST_CASE("distribute_ordered: an exception in an item reaches the caller") {
    DistributeOptions opt;
    opt.local_workers = 3;
    CHECK_THROWS_WITH(distribute_ordered(
                          8,
                          [](std::size_t i) -> Payload {
                              if (i == 5) throw std::runtime_error("item 5 failed");
                              return work(i);
                          },
                          opt),
                      "item 5 failed");
}

TEST_CASE("distribute_ordered: zero items is a valid call") {
    const auto out = distribute_ordered(0, work);
    CHECK(out.payloads.empty());
    CHECK_FALSE(out.stopped);
}

TEST_CASE("pack/unpack and numeric payloads round-trip exactly") {
    const std::vector<std::string> parts{"", "row,1,2", std::string("\0\x01\xff", 3), "\n"};
    CHECK(unpack(pack(parts)) == parts);
    CHECK_THROWS(unpack(pack(parts).substr(0, 5)));   // a cut message is an error, not a short list
    const std::vector<double> v{0.1, -0.0, std::numeric_limits<double>::quiet_NaN(), 1e308, 5e-324};
    const auto back = doubles_from(to_payload(v));
    REQUIRE(back.size() == v.size());
    CHECK(std::memcmp(back.data(), v.data(), v.size() * sizeof(double)) == 0);
}

TEST_CASE("communicator: a process without a Session is a group of one") {
    CHECK(rank() == 0);
    CHECK(size() == 1);
    CHECK(broadcast(7) == 7);
    CHECK_THROWS_AS(all_or_none([] { throw std::runtime_error("x"); }), std::runtime_error);
    CHECK_NOTHROW(all_or_none([] {}));
}
