#include "qbnet/model/terms.hpp"

#include <cmath>
#include <algorithm>
#include <complex>
#include <iterator>
#include <limits>
#include <utility>

namespace qbnet::model {

using cd = std::complex<double>;

std::vector<LinearJump> local_bath_jumps(int mode, int n_modes, const SqueezedThermalBath& bath,
                                         const std::string& mode_name) {
    std::vector<LinearJump> jumps;
    if (bath.kappa <= 0.0) return jumps;
    const double mu = std::cosh(bath.squeeze_r);
    const cd nu = std::polar(std::sinh(bath.squeeze_r), bath.squeeze_theta);
    // (n+1) kappa D[mu a + nu a^dag]
    LinearJump down;
    down.rate = (bath.n_th + 1.0) * bath.kappa;
    down.u = Eigen::VectorXcd::Zero(n_modes);
    down.v = Eigen::VectorXcd::Zero(n_modes);
    down.u(mode) = mu;
    down.v(mode) = nu;
    down.label = "bath " + mode_name + " (emission)";
    jumps.push_back(std::move(down));   // no copy: at N = 5000 each jump holds 2 x 80 kB of coefficients
    // n kappa D[conj(nu) a + mu a^dag]
    if (bath.n_th > 0.0) {
        LinearJump up;
        up.rate = bath.n_th * bath.kappa;
        up.u = Eigen::VectorXcd::Zero(n_modes);
        up.v = Eigen::VectorXcd::Zero(n_modes);
        up.u(mode) = std::conj(nu);
        up.v(mode) = mu;
        up.label = "bath " + mode_name + " (absorption)";
        jumps.push_back(std::move(up));
    }
    return jumps;
}

std::vector<LinearJump> link_reservoir_jumps(const Link& link, int n_modes, const std::string& label) {
    std::vector<LinearJump> jumps;
    if (link.gamma <= 0.0) return jumps;
    LinearJump l;
    l.rate = link.gamma;
    l.u = Eigen::VectorXcd::Zero(n_modes);
    l.v = Eigen::VectorXcd::Zero(n_modes);
    l.u(link.source) = 1.0;
    l.u(link.target) = 1.0;
    l.label = label;
    jumps.push_back(std::move(l));
    return jumps;
}

std::vector<int> Model::battery_modes() const {
    std::vector<int> modes;
    for (int j = 1; j < n_modes(); ++j) modes.push_back(j);
    return modes;
}

bool Model::is_quadratic() const { return kerr.size() == 0 || kerr.cwiseAbs().maxCoeff() == 0.0; }

Eigen::MatrixXcd Model::kossakowski() const {
    // Jumps are local or touch two modes: loop over the nonzero coefficients only, so building G
    // costs O(jumps * nnz^2) + O(M^2) rather than O(jumps * M^2) (N = 1000 networks).
    const int m = n_modes();
    Eigen::MatrixXcd g = Eigen::MatrixXcd::Zero(2 * m, 2 * m);
    std::vector<std::pair<int, std::complex<double>>> w;
    for (const auto& jump : jumps) {
        w.clear();
        for (int j = 0; j < m; ++j) {
            if (jump.u(j) != 0.0) w.emplace_back(j, jump.u(j));
            if (jump.v(j) != 0.0) w.emplace_back(m + j, jump.v(j));
        }
        for (const auto& [a, wa] : w)
            for (const auto& [b, wb] : w) g(a, b) += jump.rate * wa * std::conj(wb);
    }
    return g;
}

double Model::slowest_damping_rate() const {
    const int m = n_modes();
    const Eigen::MatrixXcd g = kossakowski();
    double rate = std::numeric_limits<double>::infinity();
    for (int j = 0; j < m; ++j) rate = std::min(rate, (g(j, j) - g(m + j, m + j)).real());
    return rate;
}

Model build_model(const ModelSpec& spec) {
    const Network& net = spec.network;
    const int m = net.n_modes();
    Model model;
    model.mode_names = net.mode_names();
    model.h = Eigen::MatrixXcd::Zero(m, m);
    for (int j = 0; j < m; ++j) model.h(j, j) = spec.detuning.size() ? spec.detuning(j) : 0.0;
    for (const auto& link : net.links()) {
        // J (e^{i phi} a_s^dag a_t + e^{-i phi} a_t^dag a_s)
        model.h(link.source, link.target) += link.J * std::polar(1.0, link.phase);
        model.h(link.target, link.source) += link.J * std::polar(1.0, -link.phase);
    }
    model.drive = spec.drive.size() ? spec.drive : Eigen::VectorXcd::Zero(m);
    model.kerr = spec.kerr.size() ? spec.kerr : Eigen::VectorXd::Zero(m);
    for (int j = 0; j < m && j < static_cast<int>(spec.baths.size()); ++j) {
        auto local = local_bath_jumps(j, m, spec.baths[j], model.mode_names[j]);
        model.jumps.insert(model.jumps.end(), std::make_move_iterator(local.begin()), std::make_move_iterator(local.end()));
    }
    for (const auto& link : net.links()) {
        auto shared = link_reservoir_jumps(
            link, m, "link " + model.mode_names[link.source] + "->" + model.mode_names[link.target]);
        model.jumps.insert(model.jumps.end(), std::make_move_iterator(shared.begin()), std::make_move_iterator(shared.end()));
    }
    return model;
}

}  // namespace qbnet::model
