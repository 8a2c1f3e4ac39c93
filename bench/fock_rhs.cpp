// Fock RHS against the memory-bandwidth limit (a timer program, not a test).
// For each size: time of one Liouvillian::apply() divided by the time of one plain copy of rho
// (D*D complex<double>, std::memcpy split over the same number of OpenMP threads), for 1 and 2 threads,
// plus the bytes the cost model says one call moves and the bandwidth the copy achieves.
// Model: cascaded NC chain (N batteries, all cutoffs c, thermal n_th = 0.5 baths, drive on C).
// Usage: fock_rhs [N:c ...]   (default 2:6 3:6 3:8 4:8)   -> D = 216 1296 4096 ...
// Also the ratio of PROCESS CPU times (cpu_rat): with 1 thread on a shared, loaded machine it is the
// steadier figure. One "JSON {...}" line per (D, threads) for bench/run_bench.sh.
// ref_s / ref/new (CPU-time ratio): the previous kernel (Liouvillian::apply_reference) timed in the same run, interleaved
// with apply (before/after of bench/OPTIMISATIONS.md); QBNET_RHS_REFERENCE=0 skips it. peak_MiB: the
// process's peak resident set after the size (ru_maxrss; sizes run in increasing order).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <cstdlib>

#include <sys/resource.h>
#include <utility>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/fock/lindblad.hpp"
#include "qbnet/model/terms.hpp"

namespace {
using cd = std::complex<double>;
double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
// CPU time of the whole process (all threads): with 1 thread it is the work itself, independent of
// how much of the shared machine other processes take.
double cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
double last_cpu = 0.0;   // CPU time per call of the last time_it (median repeat)
double peak_mib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

double load1() {   // 1-minute load average at the time of the row
    double l[3] = {0, 0, 0};
    return getloadavg(l, 3) > 0 ? l[0] : -1.0;
}

qbnet::model::Model chain(int n) {
    using namespace qbnet;
    const double kappa = 0.003;
    model::Network net = model::Network::cascaded(n, {model::Coupling::nonreciprocal, kappa / 2, {}, {}});
    const int m = net.n_modes();
    model::ModelSpec spec{net, Eigen::VectorXd::Zero(m), Eigen::VectorXcd::Zero(m), {}, Eigen::VectorXd::Zero(m)};
    spec.drive(0) = 0.001;
    for (int j = 0; j < m; ++j) spec.baths.push_back({kappa, 0.5, 0.0, 0.0});
    return model::build_model(spec);
}

// Median-of-repeats time of f(), each repeat running f at least min_s seconds in total.
template <class F>
double time_it(F&& f, double min_s = 0.25) {
    f();   // warm-up (page faults, caches)
    std::vector<std::pair<double, double>> per;
    for (int rep = 0; rep < 3; ++rep) {
        long calls = 0;
        const double t0 = now(), c0 = cpu_now();
        double t = t0;
        do {
            f();
            ++calls;
            t = now();
        } while (t - t0 < min_s);
        per.push_back({(t - t0) / static_cast<double>(calls), (cpu_now() - c0) / static_cast<double>(calls)});
    }
    std::sort(per.begin(), per.end());
    last_cpu = per[1].second;
    return per[1].first;
}
}  // namespace

int main(int argc, char** argv) {
    std::vector<std::pair<int, int>> cases;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto colon = a.find(':');
        cases.push_back({std::stoi(a.substr(0, colon)), std::stoi(a.substr(colon + 1))});
    }
    if (cases.empty()) cases = {{2, 6}, {3, 6}, {3, 8}, {4, 8}};
    const int max_threads = omp_get_max_threads();
    const char* ref_env = std::getenv("QBNET_RHS_REFERENCE");
    const bool with_ref = !(ref_env && std::string(ref_env) == "0");
    std::printf("%6s %3s %7s %11s %11s %7s %9s %9s %9s %9s %9s %11s %7s %8s\n", "D", "thr", "terms", "rhs_s", "copy_s",
                "ratio", "copy_GB/s", "bmin_GB", "bmax_GB", "rhs_GB/s", "cpu_rat", "ref_s", "ref/new", "peak_MiB");
    for (const auto& [n, c] : cases) {
        const qbnet::model::Model model = chain(n);
        const qbnet::fock::FockBasis basis(std::vector<int>(static_cast<std::size_t>(n + 1), c));
        const qbnet::fock::Liouvillian lv(model, basis);
        const long d = lv.dim();
        const std::size_t elems = static_cast<std::size_t>(d) * static_cast<std::size_t>(d);
        // A hermitian, trace-1 test state with every entry nonzero.
        Eigen::VectorXcd rho(static_cast<Eigen::Index>(elems)), out(static_cast<Eigen::Index>(elems)),
            dst(static_cast<Eigen::Index>(elems));
#pragma omp parallel for schedule(static)
        for (long m = 0; m < d; ++m)
            for (long k = 0; k < d; ++k) {
                const double x = 1.0 / (1.0 + static_cast<double>(m + k));
                rho[m * d + k] = cd(x, m == k ? 0.0 : 0.1 * x * (m > k ? 1.0 : -1.0));
            }
        out.setZero();
        dst.setZero();
        const qbnet::fock::Liouvillian::Cost cost = lv.cost();
        if (with_ref) {   // agreement of the two kernels (summation order only)
            lv.apply(rho.data(), out.data());
            lv.apply_reference(rho.data(), dst.data());
            std::printf("# D = %ld: |apply - apply_reference|_F / |apply_reference|_F = %.2e\n", d,
                        (out - dst).norm() / dst.norm());
        }
        for (int threads = 1; threads <= std::min(2, max_threads); ++threads) {
            omp_set_num_threads(threads);
            const double t_ref = with_ref ? time_it([&] { lv.apply_reference(rho.data(), out.data()); }) : 0.0;
            const double c_ref = last_cpu;
            const double t_rhs = time_it([&] { lv.apply(rho.data(), out.data()); });
            const double c_rhs = last_cpu;
            const std::size_t bytes = elems * sizeof(cd);
            const double t_copy = time_it([&] {
#pragma omp parallel num_threads(threads)
                {
                    const int tid = omp_get_thread_num(), nt = omp_get_num_threads();
                    const std::size_t lo = bytes * tid / nt, hi = bytes * (tid + 1) / nt;
                    std::memcpy(reinterpret_cast<char*>(dst.data()) + lo, reinterpret_cast<const char*>(rho.data()) + lo,
                                hi - lo);
                }
            });
            const double c_copy = last_cpu;
            const double bw = 2.0 * static_cast<double>(bytes) / t_copy;   // read + write
            const long terms = cost.left_terms + cost.right_terms + cost.sandwich_terms;
            std::printf("%6ld %3d %7ld %11.4e %11.4e %7.2f %9.2f %9.3f %9.3f %9.2f %9.2f %11.4e %7.2f %8.1f\n", d,
                        threads, terms, t_rhs, t_copy, t_rhs / t_copy, bw / 1e9, cost.bytes_min / 1e9,
                        cost.bytes_max / 1e9, cost.bytes_min / t_rhs / 1e9, c_rhs / c_copy, t_ref, c_ref / c_rhs,
                        peak_mib());
            std::printf(
                "JSON {\"D\": %ld, \"threads\": %d, \"terms\": %ld, \"rhs_s\": %.6e, \"copy_s\": %.6e, \"ratio\": %.4f, "
                "\"copy_bandwidth_GBs\": %.4f, \"bytes_min\": %.6e, \"bytes_max\": %.6e, \"flops\": %.6e, "
                "\"rhs_time_at_copy_bandwidth_s\": %.6e, \"rhs_cpu_s\": %.6e, \"copy_cpu_s\": %.6e, "
                "\"reference_s\": %.6e, \"reference_cpu_s\": %.6e, \"peak_rss_mib\": %.1f, \"load\": %.2f}\n",
                d, threads, terms, t_rhs, t_copy, t_rhs / t_copy, bw / 1e9, cost.bytes_min, cost.bytes_max, cost.flops,
                cost.bytes_min / bw, c_rhs, c_copy, with_ref ? t_ref : -1.0, with_ref ? c_ref : -1.0, peak_mib(), load1());
            std::fflush(stdout);
        }
        omp_set_num_threads(max_threads);
    }
    return 0;
}
