#pragma once
// Thread counts for the library's OpenMP regions (issue 17, "robust under load").
//
// Every parallel region of the Fock kernels asks work_threads() how many threads its work is worth.
// A region whose work per thread is below a minimum runs on ONE thread: on a busy machine every barrier
// of a region waits for its slowest thread, and a thread that the scheduler has taken off its core holds
// the others for a whole time slice; a region of a fraction of a millisecond then costs milliseconds.
// The library never changes the process-wide OpenMP settings (no omp_set_num_threads): callers pass the
// largest thread count they allow (options' `threads`, 0 = omp_get_max_threads()).
//
// Spin-waiting: libgomp reads OMP_WAIT_POLICY and GOMP_SPINCOUNT ONCE, when the library is loaded, i.e.
// before main() runs; a setenv() in main() is too late for libgomp. A program that wants passive waiting
// by default must therefore set it in its environment and re-execute itself before any OpenMP call;
// ensure_passive_wait_policy() does that (see its comment).
#include <algorithm>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace qbnet::numerics {

// requested > 0: that many; 0 (or negative): the OpenMP default (OMP_NUM_THREADS, else all cores).
inline int resolve_threads(int requested) {
#ifdef _OPENMP
    return requested > 0 ? requested : std::max(1, omp_get_max_threads());
#else
    (void)requested;
    return 1;
#endif
}

// Threads for a region of `work` units when each thread should get at least `min_per_thread` of them,
// never more than `max_threads` (already resolved, >= 1).
inline int work_threads(double work, double min_per_thread, int max_threads) {
    if (max_threads <= 1 || work < 2.0 * min_per_thread) return 1;
    const double fit = work / min_per_thread;
    return fit >= max_threads ? max_threads : std::max(1, static_cast<int>(fit));
}

// Minimum work per thread for streaming vector kernels (axpy, dot, Runge-Kutta stages), in doubles read
// or written per pass. 2^19 doubles are 4 MiB: a few hundred microseconds of memory traffic, long against
// the cost of waking a sleeping team, and a region that size or more is rarely the one a descheduled
// partner holds up for long relative to its own length.
constexpr double kVectorMinPerThread = static_cast<double>(1L << 19);

// Threads for a streaming pass over n doubles.
inline int vector_threads(long n, int max_threads) {
    return work_threads(static_cast<double>(n), kVectorMinPerThread, max_threads);
}

// The OpenMP wait policy the library is tuned for: threads that finish a region early sleep instead of
// spinning (a spinning thread takes the core from the partner it waits for when cores are shared).
inline const char* recommended_wait_policy() { return "PASSIVE"; }

// For main(), as its FIRST statement (before any OpenMP call or any thread is started):
//   qbnet::numerics::ensure_passive_wait_policy(argv);
// If neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set, sets OMP_WAIT_POLICY=PASSIVE and re-executes the
// program (/proc/self/exe, same argv) so that libgomp reads it at load time; a user's explicit setting is
// kept. Returns normally when nothing had to be done or the re-execution failed (the run then goes on
// with the default policy). Defined in src/numerics/parallel.cpp.
void ensure_passive_wait_policy(char** argv);

// The same choice without the re-execution, for a program's .preinit_array: those functions run before
// any shared library's initialiser, libgomp's included, so libgomp then reads the variable at load time
// and ensure_passive_wait_policy() finds it set and returns at once (src/cli/main.cpp).
void default_wait_policy_before_libraries();

}  // namespace qbnet::numerics
