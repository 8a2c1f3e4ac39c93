// Writes the Gaussian engine's drift A and diffusion D (the matrices of A sigma + sigma A^T + D = 0)
// for a scenario, so that bench/py/lyapunov.py can hand EXACTLY the same matrices to scipy.
// Usage: gaussian_dump FILE.toml OUT_PREFIX [section.key=value ...]
//   -> OUT_PREFIX.A.bin, OUT_PREFIX.D.bin, OUT_PREFIX.b.bin (b on the diagonal): int64 n, then n*n float64
//      row-major.
#include <cstdint>
#include <stdexcept>
#include <cstdio>
#include <string>
#include <vector>

#include "qbnet/gaussian/moments.hpp"
#include "qbnet/io/scenario.hpp"

namespace {
void write(const std::string& path, const Eigen::MatrixXd& m) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write " + path);
    const std::int64_t n = m.rows();
    std::fwrite(&n, sizeof n, 1, f);
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = m;
    std::fwrite(r.data(), sizeof(double), static_cast<std::size_t>(n * n), f);
    std::fclose(f);
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: gaussian_dump FILE.toml OUT_PREFIX [section.key=value ...]\n");
        return 2;
    }
    std::vector<std::string> overrides(argv + 3, argv + argc);
    const qbnet::io::Scenario sc = qbnet::io::load_scenario(argv[1], overrides);
    const qbnet::gaussian::GaussianMoments mo = qbnet::gaussian::gaussian_moments(sc.model);
    write(std::string(argv[2]) + ".A.bin", mo.drift);
    write(std::string(argv[2]) + ".D.bin", mo.diffusion);
    write(std::string(argv[2]) + ".b.bin", Eigen::MatrixXd(mo.drive.asDiagonal()));   // b as a diagonal matrix
    std::printf("n = %ld\n", static_cast<long>(mo.drift.rows()));
    return 0;
}
