// Dynamic scheduling of items over ranks and worker threads; payloads gathered on the root in item
// order (include/qbnet/parallel/distribute.hpp).
//
// Protocol (tags below): every worker slot of a non-root rank sends kResult messages to the root:
// (index, payload), index = -1 for its first request. The root answers each with kAssign: the next
// index, or -1 = no more work for that slot. Only each rank's calling thread talks MPI (FUNNELED);
// worker threads exchange indices and payloads with it through two queues.
#include "qbnet/parallel/distribute.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <algorithm>
#include <utility>

#include "qbnet/parallel/communicator.hpp"

namespace qbnet::parallel {

namespace {

constexpr int kResult = 7101;
constexpr int kAssign = 7102;
constexpr int kFinal = 7104;   // root -> every rank at the end: the stop flag
constexpr std::int64_t kNone = -1;
// Idle wait of the message loops: 50 us right after traffic (cheap items are answered quickly),
// doubling while nothing happens up to 2 ms (a rank that only waits costs ~500 wake-ups per second).
constexpr auto kPoll = std::chrono::microseconds(50);
constexpr auto kPollMax = std::chrono::microseconds(2000);
std::chrono::microseconds next_wait(bool busy, std::chrono::microseconds wait) {
    return busy ? kPoll : std::min(2 * wait, kPollMax);
}

std::string encode_index(std::int64_t i) { return std::string(reinterpret_cast<const char*>(&i), sizeof i); }
std::int64_t decode_index(const std::string& bytes, std::size_t at = 0) {
    std::int64_t i = kNone;
    if (bytes.size() >= at + sizeof i) std::memcpy(&i, bytes.data() + at, sizeof i);
    return i;
}

// Worker threads of one rank: take indices from `tasks` (or from `next_task` on the root), push
// (index, payload) to `done`. The first exception stops this rank's workers.
struct LocalPool {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::int64_t> tasks;
    std::deque<std::pair<std::int64_t, Payload>> done;
    bool closed = false;
    std::exception_ptr error;
    std::function<std::int64_t()> next_task;   // root: hand out directly; others: null (use `tasks`)
    // Root: a worker takes its next item only once the calling thread has delivered its last one (as
    // a remote slot waits for the reply to its result), so a stop leaves no item run past it.
    std::vector<char> acked;
    std::condition_variable main_cv;           // wakes the calling thread when a result is ready
    std::vector<std::thread> threads;

    void start(int workers, const std::function<Payload(std::size_t)>& compute) {
        for (int w = 0; w < workers; ++w) {
            threads.emplace_back([this, &compute] {
                for (;;) {
                    std::int64_t index = kNone;
                    {
                        std::unique_lock<std::mutex> lock(mutex);
                        if (next_task) {
                            if (closed || error) return;
                            index = next_task();
                            if (index == kNone) return;
                        } else {
                            cv.wait(lock, [&] { return closed || error || !tasks.empty(); });
                            if (error || tasks.empty()) return;
                            index = tasks.front();
                            tasks.pop_front();
                        }
                    }
                    try {
                        Payload p = compute(static_cast<std::size_t>(index));
                        std::unique_lock<std::mutex> lock(mutex);
                        done.emplace_back(index, std::move(p));
                        main_cv.notify_one();
                        if (next_task)
                            cv.wait(lock, [&] { return acked[static_cast<std::size_t>(index)] || closed || error; });
                    } catch (...) {
                        std::lock_guard<std::mutex> lock(mutex);
                        if (!error) error = std::current_exception();
                        cv.notify_all();
                        return;
                    }
                }
            });
        }
    }
    std::deque<std::pair<std::int64_t, Payload>> take_done() {
        std::lock_guard<std::mutex> lock(mutex);
        std::deque<std::pair<std::int64_t, Payload>> out;
        out.swap(done);
        return out;
    }
    std::exception_ptr failure() {
        std::lock_guard<std::mutex> lock(mutex);
        return error;
    }
    void close() {
        std::lock_guard<std::mutex> lock(mutex);
        closed = true;
        cv.notify_all();
    }
    // On failure in a group of more than one, the caller aborts the job: do not wait for long items.
    void finish(bool wait) {
        close();
        for (auto& t : threads) {
            if (wait)
                t.join();
            else
                t.detach();
        }
        threads.clear();
    }
};

[[noreturn]] void fail(LocalPool& pool, std::exception_ptr error) {
    pool.finish(size() == 1);
    std::rethrow_exception(error);
}

}  // namespace

Payload to_payload(const std::vector<double>& values) {
    return Payload(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
}

std::vector<double> doubles_from(const Payload& payload) {
    std::vector<double> v(payload.size() / sizeof(double));
    if (!v.empty()) std::memcpy(v.data(), payload.data(), v.size() * sizeof(double));
    return v;
}

DistributeOutcome distribute_ordered(std::size_t n, const std::function<Payload(std::size_t)>& compute,
                                     const DistributeOptions& options) {
    const int workers = std::max(1, options.local_workers);
    const int ranks = size();
    DistributeOutcome outcome;
    LocalPool pool;

    if (is_root()) {
        outcome.payloads.assign(n, std::nullopt);
        std::size_t next = 0, delivered = 0, handed_out = 0;
        bool stopped = false;
        auto take_next = [&]() -> std::int64_t {   // under pool.mutex (workers) or alone (remote)
            if (stopped || next >= n) return kNone;
            ++handed_out;
            return static_cast<std::int64_t>(next++);
        };
        pool.next_task = take_next;
        pool.acked.assign(n, 0);
        auto deliver = [&](std::int64_t index, Payload payload) {
            ++delivered;
            const auto i = static_cast<std::size_t>(index);
            bool go_on = true;
            if (options.on_done) go_on = options.on_done(i, payload);
            outcome.payloads[i] = std::move(payload);
            if (!go_on) {
                std::lock_guard<std::mutex> lock(pool.mutex);
                stopped = true;
            }
        };
        pool.start(workers, compute);

        // Worker slots on the other ranks: each rank first says how many it has ("hello", tagged
        // kAssign + 1), so that the root knows when every slot has been told "no more work".
        int remote_slots_total = 0;
        int remote_slots_closed = 0;
        std::size_t remote_delivered = 0;
        for (int r = 1; r < ranks; ++r) {
            int src = 0;
            std::string bytes;
            while (!probe_receive(kAssign + 1, src, bytes)) std::this_thread::sleep_for(kPoll);
            remote_slots_total += static_cast<int>(decode_index(bytes));
        }

        auto wait = kPoll;
        try {
            for (;;) {
                bool busy = false;
                if (auto error = pool.failure()) fail(pool, error);
                for (auto& [index, payload] : pool.take_done()) {
                    deliver(index, std::move(payload));   // may set `stopped` before the worker goes on
                    {
                        std::lock_guard<std::mutex> lock(pool.mutex);
                        pool.acked[static_cast<std::size_t>(index)] = 1;
                    }
                    pool.cv.notify_all();
                    busy = true;
                }
                int src = 0;
                std::string bytes;
                while (probe_receive(kResult, src, bytes)) {
                    busy = true;
                    const std::int64_t index = decode_index(bytes);
                    if (index != kNone) {
                        ++remote_delivered;
                        deliver(index, bytes.substr(sizeof(std::int64_t)));
                    }
                    std::int64_t reply = kNone;
                    {
                        std::lock_guard<std::mutex> lock(pool.mutex);
                        reply = take_next();
                    }
                    if (reply == kNone) ++remote_slots_closed;
                    send(src, kAssign, encode_index(reply));
                }
                bool all_in = false;
                {
                    std::lock_guard<std::mutex> lock(pool.mutex);
                    all_in = (stopped || next >= n) && delivered == handed_out;
                }
                if (all_in && remote_slots_closed == remote_slots_total) break;
                wait = next_wait(busy, wait);
                if (!busy) {   // sleep until a local result is ready, or one poll interval for messages
                    std::unique_lock<std::mutex> lock(pool.mutex);
                    pool.main_cv.wait_for(lock, wait, [&] { return !pool.done.empty() || pool.error; });
                }
            }
        } catch (...) {   // on_done or MPI failed: do not leave the workers running unowned
            fail(pool, std::current_exception());
        }
        pool.finish(true);
        if (auto error = pool.failure()) std::rethrow_exception(error);
        outcome.computed_here = delivered - remote_delivered;
        // Point-to-point rather than MPI_Bcast: a rank that finished early waits in the sleeping poll
        // below instead of busy-polling inside a blocking collective (Open MPI spins there).
        for (int r = 1; r < ranks; ++r) send(r, kFinal, encode_index(stopped ? 1 : 0));
        outcome.stopped = stopped;
        return outcome;
    }

    // ---- a non-root rank ----
    send(0, kAssign + 1, encode_index(workers));
    for (int w = 0; w < workers; ++w) send(0, kResult, encode_index(kNone));
    pool.start(workers, compute);
    int closed_slots = 0;
    auto wait = kPoll;
    try {
        while (closed_slots < workers) {
            bool busy = false;
            if (auto error = pool.failure()) fail(pool, error);
            for (auto& [index, payload] : pool.take_done()) {
                send(0, kResult, encode_index(index) + payload);
                ++outcome.computed_here;
                busy = true;
            }
            int src = 0;
            std::string bytes;
            while (probe_receive(kAssign, src, bytes)) {
                busy = true;
                const std::int64_t index = decode_index(bytes);
                if (index == kNone) {
                    ++closed_slots;
                } else {
                    std::lock_guard<std::mutex> lock(pool.mutex);
                    pool.tasks.push_back(index);
                    pool.cv.notify_one();
                }
            }
            wait = next_wait(busy, wait);
            if (!busy) std::this_thread::sleep_for(wait);
        }
    } catch (...) {
        fail(pool, std::current_exception());
    }
    pool.finish(true);
    if (auto error = pool.failure()) std::rethrow_exception(error);
    int src = 0;
    std::string final_flag;
    while (!probe_receive(kFinal, src, final_flag)) std::this_thread::sleep_for(kPollMax);
    outcome.stopped = decode_index(final_flag) != 0;
    return outcome;
}

}  // namespace qbnet::parallel
