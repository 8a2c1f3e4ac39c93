// Gaussian engine scaling (a timer program, not a test): steady state of NC cascaded and parallel
// networks with N = 10 .. 1000 batteries (n = 2(N+1) quadratures), peak memory (VmHWM), and the time
// of one dense LU (Eigen::PartialPivLU) of a random n x n matrix in the same run as a yardstick.
// Usage: gaussian_scale [N ...]   (default 10 100 300 1000)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/gaussian/moments.hpp"
#include "qbnet/gaussian/steady.hpp"
#include "qbnet/model/terms.hpp"

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Peak resident set size in MiB (Linux /proc/self/status, VmHWM).
double peak_mib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return -1.0;
}

qbnet::model::Model network(const std::string& topology, qbnet::model::Coupling coupling, int n) {
    using namespace qbnet;
    const double kappa = 0.003;
    const model::LinkSpec link{coupling, coupling == model::Coupling::nonreciprocal ? kappa / 2 : kappa, {}, {}};
    model::Network net = topology == "cascaded" ? model::Network::cascaded(n, link) : model::Network::parallel(n, link);
    const int m = net.n_modes();
    model::ModelSpec spec{net, Eigen::VectorXd::Zero(m), Eigen::VectorXcd::Zero(m), {}, Eigen::VectorXd::Zero(m)};
    spec.drive(0) = 0.01;
    for (int j = 0; j < m; ++j) spec.baths.push_back({kappa, 1.0, 0.0, 0.0});   // thermal n = 1
    return model::build_model(spec);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> sizes;
    for (int i = 1; i < argc; ++i) sizes.push_back(std::stoi(argv[i]));
    if (sizes.empty()) sizes = {10, 100, 300, 1000};
    std::printf("Eigen threads: %d\n", Eigen::nbThreads());
    std::printf("%-9s %-4s %6s %6s %10s %10s %10s %10s %11s %9s  %s\n", "topology", "link", "N", "n", "moments_s",
                "steady_s", "dense_lu_s", "ratio", "residual", "peak_MiB", "schur");
    for (const std::string topology : {"cascaded", "parallel"}) {
        for (const auto coupling : {qbnet::model::Coupling::nonreciprocal, qbnet::model::Coupling::reciprocal}) {
            std::vector<double> logn, logt;
            for (int n_bat : sizes) {
                const double t0 = now();
                const qbnet::model::Model model = network(topology, coupling, n_bat);
                const qbnet::gaussian::GaussianMoments mom = qbnet::gaussian::gaussian_moments(model);
                const double t1 = now();
                const qbnet::gaussian::GaussianSteadyState ss = qbnet::gaussian::gaussian_steady_state(mom);
                const double t2 = now();
                const Eigen::Index n = mom.drift.rows();
                const Eigen::MatrixXd r = Eigen::MatrixXd::Random(n, n);
                const double t3 = now();
                Eigen::PartialPivLU<Eigen::MatrixXd> lu(r);
                const double t4 = now();
                std::printf("%-9s %-4s %6d %6ld %10.4f %10.4f %10.4f %10.2f %11.2e %9.1f  %s\n", topology.c_str(),
                            coupling == qbnet::model::Coupling::nonreciprocal ? "NC" : "RC", n_bat, static_cast<long>(n),
                            t1 - t0, t2 - t1, t4 - t3, (t2 - t1) / (t4 - t3), ss.residual, peak_mib(),
                            ss.method.c_str());
                std::fflush(stdout);
                logn.push_back(std::log(n_bat));
                logt.push_back(std::log(t2 - t0));
            }
            // Least-squares slope of log(time) vs log(N) over the two largest sizes and all sizes.
            if (logn.size() >= 2) {
                const std::size_t k = logn.size();
                double mx = 0, my = 0;
                for (std::size_t i = 0; i < k; ++i) mx += logn[i] / k, my += logt[i] / k;
                double sxy = 0, sxx = 0;
                for (std::size_t i = 0; i < k; ++i) sxy += (logn[i] - mx) * (logt[i] - my), sxx += std::pow(logn[i] - mx, 2);
                const double last = (logt[k - 1] - logt[k - 2]) / (logn[k - 1] - logn[k - 2]);
                std::printf("  fitted exponent time ~ N^p: p = %.2f (all sizes), %.2f (two largest)\n", sxy / sxx, last);
            }
        }
    }
    return 0;
}
