#include "qbnet/io/state_export.hpp"

#include <nlohmann/json.hpp>

#include "qbnet/fock/basis.hpp"
#include "qbnet/fock/observables.hpp"
#include "qbnet/io/npy.hpp"
#include "qbnet/io/results.hpp"

namespace qbnet::io {

namespace {

using cd = std::complex<double>;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

double fock_bytes(const FockState& f) {
    double d = 1.0;
    for (int c : f.dims) d *= c;
    double reduced = 0.0;
    for (int c : f.dims) reduced += static_cast<double>(c) * c;
    return 16.0 * (d * d + reduced);
}

double state_bytes(const StateData& s) {
    double bytes = 0.0;
    if (s.fock) bytes += fock_bytes(*s.fock);
    if (s.gaussian) bytes += 8.0 * (s.gaussian->mean.size() + s.gaussian->covariance.size());
    return bytes;
}

std::vector<cd> to_vector(const Eigen::MatrixXcd& m) {
    // Eigen is column-major: copy row by row so the file is C order.
    std::vector<cd> out;
    out.reserve(static_cast<std::size_t>(m.size()));
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) out.push_back(m(i, j));
    return out;
}

nlohmann::ordered_json write_one(const std::filesystem::path& dir, const model::Model& model, const std::string& stem,
                                 const StateData& s, std::vector<std::filesystem::path>& written) {
    nlohmann::ordered_json j;
    const auto put = [&](const std::string& name, const std::string& bytes) {
        const auto path = dir / name;
        write_file_atomic(path, bytes);
        written.push_back(path);
        return name;
    };
    if (s.fock) {
        const FockState& f = *s.fock;
        long d = 1;
        for (int c : f.dims) d *= c;
        j["kind"] = "fock_density_matrix";
        j["dims"] = f.dims;
        j["frame"] = to_string(f.frame);
        j["file"] = put(stem + ".npy", npy_bytes(f.rho, {d, d}));
        if (f.frame == Frame::displaced) {
            std::vector<double> re, im;
            for (const auto& a : f.alpha) {
                re.push_back(a.real());
                im.push_back(a.imag());
            }
            j["alpha_re"] = re;
            j["alpha_im"] = im;
        }
        const fock::FockBasis basis(f.dims);
        nlohmann::ordered_json reduced = nlohmann::ordered_json::object();
        for (int mode = 0; mode < model.n_modes(); ++mode) {
            const Eigen::MatrixXcd r = fock::partial_trace(f.rho.data(), basis, {mode});
            reduced[model.mode_names[mode]] = put(stem + "-" + model.mode_names[mode] + ".npy",
                                                  npy_bytes(to_vector(r), {r.rows(), r.cols()}));
        }
        j["reduced"] = reduced;
    }
    if (s.gaussian) {
        const GaussianStateData& g = *s.gaussian;
        const long n = static_cast<long>(g.mean.size());
        j["kind"] = "gaussian_moments";
        j["quadrature_order"] = "x_0, p_0, x_1, p_1, ... with a = (x + i p)/sqrt(2); vacuum covariance = identity/2";
        j["mean"] = put(stem + "-mean.npy", npy_bytes(g.mean, {n}));
        j["covariance"] = put(stem + "-covariance.npy", npy_bytes(g.covariance, {n, n}));
    }
    return j;
}

}  // namespace

double state_files_gib(const std::vector<EngineResult>& results) {
    double bytes = 0.0;
    for (const auto& r : results) {
        if (r.steady_state_data) bytes += state_bytes(*r.steady_state_data);
        if (r.final_state_data) bytes += state_bytes(*r.final_state_data);
    }
    return bytes / kGiB;
}

double fock_state_files_gib(const std::vector<int>& cutoffs, bool steady, bool final_state) {
    FockState f;
    f.dims = cutoffs;
    return (steady ? 1 : 0) * fock_bytes(f) / kGiB + (final_state ? 1 : 0) * fock_bytes(f) / kGiB;
}

std::vector<std::filesystem::path> write_states(const std::filesystem::path& dir, const model::Model& model,
                                                const std::vector<EngineResult>& results) {
    std::vector<std::filesystem::path> written;
    nlohmann::ordered_json index;
    index["format"] = "numpy .npy (version 1.0), C order; complex128 density matrices, float64 moments";
    index["ordering"] =
        "Fock basis |n_0 n_1 ... n_M-1> with mode 0 (the charger C) most significant: the ordering of "
        "qutip.tensor(C, b1, ..., bN); load with qutip.Qobj(numpy.load(file), dims=[dims, dims])";
    index["modes"] = model.mode_names;
    index["states"] = nlohmann::ordered_json::object();
    for (const auto& r : results) {
        const std::string engine = to_string(r.engine);
        nlohmann::ordered_json e = nlohmann::ordered_json::object();
        if (r.steady_state_data) e["steady"] = write_one(dir, model, "state-" + engine + "-steady", *r.steady_state_data, written);
        if (r.final_state_data) {
            e["final"] = write_one(dir, model, "state-" + engine + "-final", *r.final_state_data, written);
            if (!r.timeseries.t.empty()) e["final"]["t"] = r.timeseries.t.back();
        }
        if (!e.empty()) index["states"][engine] = e;
    }
    const auto path = dir / "state.json";
    write_file_atomic(path, index.dump(2) + "\n");
    written.push_back(path);
    return written;
}

}  // namespace qbnet::io
