// Gaussian engine scaling (a timer program, not a test; issue 17 goal 4): steady state of cascaded NC and
// RC chains (kappa = 0.003, J = 0.0015 for NC / kappa for RC, thermal n = 1 on every mode, drive 0.01 on
// the charger), N batteries (n = 2(N+1) quadratures). Each case runs in its own forked process so that
// its peak memory (VmHWM) is its own. Per case: model (build_model), moments, steady state, observables (gaussian_snapshot,
// what `qbnet run` computes) and their sum, the Lyapunov residual, peak MiB and the solver used.
// Paths: "structured" (gaussian_steady_state default: O(n^2) paths where the structure allows) and
// "dense" (GaussianSteadyPath::dense_schur with the joint spectrum at every N: the code before issue 17).
// "compare" runs both in one process and prints max |sigma_s - sigma_d| / |sigma_d| and the means'.
// Ends with the fitted exponent of the structured total time vs N per link.
// Usage: gaussian_scale [--dense-max N] [N ...]   (default sizes 500 1000 2000 5000, dense up to 1000)
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/gaussian/moments.hpp"
#include "qbnet/gaussian/snapshot.hpp"
#include "qbnet/gaussian/steady.hpp"
#include "qbnet/model/terms.hpp"

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double peak_mib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return -1.0;
}

qbnet::model::Model chain(qbnet::model::Coupling coupling, int n) {
    using namespace qbnet;
    const double kappa = 0.003;
    const model::LinkSpec link{coupling, coupling == model::Coupling::nonreciprocal ? kappa / 2 : kappa, {}, {}};
    const model::Network net = model::Network::cascaded(n, link);
    const int m = net.n_modes();
    model::ModelSpec spec{net, Eigen::VectorXd::Zero(m), Eigen::VectorXcd::Zero(m), {}, Eigen::VectorXd::Zero(m)};
    spec.drive(0) = 0.01;
    for (int j = 0; j < m; ++j) spec.baths.push_back({kappa, 1.0, 0.0, 0.0});   // thermal n = 1
    return model::build_model(spec);
}

const char* link_name(qbnet::model::Coupling c) { return c == qbnet::model::Coupling::nonreciprocal ? "NC" : "RC"; }

struct Times {
    double total = -1.0, steady = -1.0;
};

// One case in this process; prints one row; returns the total and the steady-state seconds.
Times run_case(qbnet::model::Coupling coupling, int n_bat, bool dense) {
    const double t0 = now();
    const qbnet::model::Model model = chain(coupling, n_bat);
    const double tm = now();
    const qbnet::gaussian::GaussianMoments mom = qbnet::gaussian::gaussian_moments(model);
    const double t1 = now();
    const auto path = dense ? qbnet::gaussian::GaussianSteadyPath::dense_schur : qbnet::gaussian::GaussianSteadyPath::automatic;
    const qbnet::gaussian::GaussianSteadyState ss = qbnet::gaussian::gaussian_steady_state(mom, path);
    const double t2 = now();
    qbnet::GaussianStateDetails details;
    const qbnet::Snapshot snap = qbnet::gaussian::gaussian_snapshot(model, ss.state, &details, dense ? INT_MAX : qbnet::gaussian::kJointSpectrumMaxBatteries);
    const double t3 = now();
    std::printf("%-4s %-10s %6d %6ld %9.3f %9.3f %9.3f %9.3f %9.3f %10.2e %9.1f  %s%s\n", link_name(coupling),
                dense ? "dense" : "structured", n_bat, static_cast<long>(mom.drift.rows()), tm - t0, t1 - tm, t2 - t1, t3 - t2,
                t3 - t0, ss.residual, peak_mib(), ss.method.c_str(), details.joint_skipped.empty() ? "" : " [joint spectrum skipped]");
    std::fflush(stdout);
    (void)snap;
    return {t3 - t0, t2 - t1};
}

void compare_case(qbnet::model::Coupling coupling, int n_bat) {
    const qbnet::gaussian::GaussianMoments mom = qbnet::gaussian::gaussian_moments(chain(coupling, n_bat));
    const auto s = qbnet::gaussian::gaussian_steady_state(mom, qbnet::gaussian::GaussianSteadyPath::automatic);
    const auto d = qbnet::gaussian::gaussian_steady_state(mom, qbnet::gaussian::GaussianSteadyPath::dense_schur);
    std::printf("compare %s N = %d: |sigma_s - sigma_d| / |sigma_d| = %.2e, |R_s - R_d| / |R_d| = %.2e, residuals %.2e / %.2e\n",
                link_name(coupling), n_bat, (s.state.covariance - d.state.covariance).norm() / d.state.covariance.norm(),
                (s.state.mean - d.state.mean).norm() / d.state.mean.norm(), s.residual, d.residual);
    std::fflush(stdout);
}

// Runs fn in a child process (its own VmHWM); returns what the child wrote through the pipe.
template <class F>
Times forked(F fn) {
    std::fflush(stdout);
    int fd[2];
    if (pipe(fd) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        const Times t = fn();
        (void)!write(fd[1], &t, sizeof t);
        _exit(0);
    }
    close(fd[1]);
    Times t;
    if (read(fd[0], &t, sizeof t) != sizeof t) t = Times{};
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return t;
}

// Least-squares slope of log t vs log N.
double slope(const std::vector<double>& x, const std::vector<double>& y) {
    const double k = static_cast<double>(x.size());
    double mx = 0, my = 0, sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / k, my += y[i] / k;
    for (std::size_t i = 0; i < x.size(); ++i) sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx);
    return sxy / sxx;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> sizes;
    int dense_max = 1000;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--dense-max" && i + 1 < argc)
            dense_max = std::stoi(argv[++i]);
        else
            sizes.push_back(std::stoi(a));
    }
    if (sizes.empty()) sizes = {500, 1000, 2000, 5000};
    std::printf("Eigen threads: %d\n", Eigen::nbThreads());
    std::printf("%-4s %-10s %6s %6s %9s %9s %9s %9s %9s %10s %9s  %s\n", "link", "path", "N", "n", "model_s", "moments_s",
                "steady_s", "observ_s", "total_s", "residual", "peak_MiB", "method");
    std::fflush(stdout);   // before any fork: the children must not inherit (and repeat) buffered output
    for (const auto coupling : {qbnet::model::Coupling::nonreciprocal, qbnet::model::Coupling::reciprocal}) {
        std::vector<double> logn, logt, logs;
        for (int n_bat : sizes) {
            const Times t = forked([&] { return run_case(coupling, n_bat, false); });
            if (t.total > 0) logn.push_back(std::log(n_bat)), logt.push_back(std::log(t.total)), logs.push_back(std::log(t.steady));
            if (n_bat <= dense_max) {
                const Times td = forked([&] { return run_case(coupling, n_bat, true); });
                if (t.total > 0 && td.total > 0)
                    std::printf("  before/after (dense/structured) at N = %d: total %.1fx, steady state %.1fx\n", n_bat,
                                td.total / t.total, td.steady / t.steady);
            }
        }
        const std::size_t k = logn.size();
        if (k >= 2) {
            std::printf("  %s fitted exponent, structured total time ~ N^p: p = %.2f (all sizes), %.2f (two largest)\n",
                        link_name(coupling), slope(logn, logt), (logt[k - 1] - logt[k - 2]) / (logn[k - 1] - logn[k - 2]));
            std::printf("  %s fitted exponent, structured steady-state time ~ N^p: p = %.2f (all sizes), %.2f (two largest)\n",
                        link_name(coupling), slope(logn, logs), (logs[k - 1] - logs[k - 2]) / (logn[k - 1] - logn[k - 2]));
        }
    }
    for (const auto coupling : {qbnet::model::Coupling::nonreciprocal, qbnet::model::Coupling::reciprocal})
        for (int n_bat : sizes)
            if (n_bat <= dense_max) forked([&] { compare_case(coupling, n_bat); return Times{}; });
    return 0;
}
