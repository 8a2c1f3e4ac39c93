#pragma once
// The ONE description of the dynamics that every engine reads (docs/physics.md, "Two engines, one model"):
//   H = sum_jk h_jk a_j^dag a_k + sum_j (drive_j a_j^dag + conj(drive_j) a_j) + sum_j (kerr_j/2) a_j^dag a_j^dag a_j a_j
//   d rho/dt = -i[H, rho] + sum_k rate_k D[L_k] rho,   L_k = sum_j (u_kj a_j + v_kj a_j^dag).
// No engine codes a bath, a link or a drive by itself; they all come through Model.
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "qbnet/model/network.hpp"

namespace qbnet::model {

// L = sum_j (u_j a_j + v_j a_j^dag), applied with rate `rate`: rate * D[L].
struct LinearJump {
    double rate = 0.0;
    Eigen::VectorXcd u;   // coefficients of a_j
    Eigen::VectorXcd v;   // coefficients of a_j^dag
    std::string label;    // e.g. "bath C (n+1)", "link C->b1"
};

// Local squeezed-thermal reservoir of one mode (docs/physics.md):
//   (n+1) kappa D[mu a + nu a^dag] + n kappa D[conj(nu) a + mu a^dag],  mu = cosh r, nu = e^{i theta} sinh r.
struct SqueezedThermalBath {
    double kappa = 0.0;
    double n_th = 0.0;
    double squeeze_r = 0.0;
    double squeeze_theta = 0.0;
};

// Jump operators of one local bath (one or two of them; zero-rate terms are omitted).
std::vector<LinearJump> local_bath_jumps(int mode, int n_modes, const SqueezedThermalBath& bath,
                                         const std::string& mode_name);
// Shared reservoir of a link: gamma D[a_s + a_t] (empty when gamma == 0).
std::vector<LinearJump> link_reservoir_jumps(const Link& link, int n_modes, const std::string& label);

struct Model {
    std::vector<std::string> mode_names;   // "C", "b1", ...
    Eigen::MatrixXcd h;                    // hermitian hopping/detuning matrix (n_modes x n_modes)
    Eigen::VectorXcd drive;                // eps_j (coherent drive amplitude on mode j)
    Eigen::VectorXd kerr;                  // chi_j (Fock engine only)
    std::vector<LinearJump> jumps;

    int n_modes() const { return static_cast<int>(mode_names.size()); }
    int n_batteries() const { return n_modes() - 1; }
    std::vector<int> battery_modes() const;        // 1..N
    bool is_quadratic() const;                     // no Kerr term
    // Kossakowski matrix G (2M x 2M) over the operator list (a_1..a_M, a_1^dag..a_M^dag):
    //   sum_k rate_k L_k rho L_k^dag = sum_ab G_ab c_a rho c_b^dag,  G_ab = sum_k rate_k w_ka conj(w_kb).
    Eigen::MatrixXcd kossakowski() const;
    // min_j (G_jj - G_{M+j,M+j}): the slowest local amplitude-damping rate (sets first time steps).
    double slowest_damping_rate() const;
};

// Everything needed to assemble a Model; the scenario reader fills it.
struct ModelSpec {
    Network network{1};
    Eigen::VectorXd detuning;                  // per mode (size n_modes)
    Eigen::VectorXcd drive;                    // per mode (size n_modes)
    std::vector<SqueezedThermalBath> baths;    // per mode (size n_modes)
    Eigen::VectorXd kerr;                      // per mode (size n_modes)
};

Model build_model(const ModelSpec& spec);

}  // namespace qbnet::model
