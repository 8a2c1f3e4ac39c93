#include "qbnet/model/network.hpp"

#include <cmath>
#include <stdexcept>

namespace qbnet::model {

Link LinkSpec::make(int source, int target) const {
    Link link;
    link.source = source;
    link.target = target;
    link.J = J;
    // Nonreciprocal: the coherent path (phase pi/2) and the dissipative path (Gamma = 2J) cancel in
    // the backward direction (docs/physics.md). Reciprocal: pure coherent exchange.
    const bool nc = coupling == Coupling::nonreciprocal;
    link.phase = phase.value_or(nc ? M_PI / 2.0 : 0.0);
    link.gamma = gamma.value_or(nc ? 2.0 * J : 0.0);
    return link;
}

Network::Network(int n_batteries) {
    if (n_batteries < 1) throw std::invalid_argument("Network: need at least one battery");
    mode_names_.push_back("C");
    for (int i = 1; i <= n_batteries; ++i) mode_names_.push_back("b" + std::to_string(i));
}

void Network::add_link(const Link& link) {
    if (link.source < 0 || link.source >= n_modes() || link.target < 0 || link.target >= n_modes() ||
        link.source == link.target)
        throw std::invalid_argument("Network: link joins missing or identical modes");
    links_.push_back(link);
}

Network Network::cascaded(int n_batteries, const LinkSpec& spec) {
    Network net(n_batteries);
    for (int i = 0; i < n_batteries; ++i) net.add_link(spec.make(i, i + 1));
    return net;
}

Network Network::parallel(int n_batteries, const LinkSpec& spec) {
    Network net(n_batteries);
    for (int i = 1; i <= n_batteries; ++i) net.add_link(spec.make(0, i));
    return net;
}

Network Network::custom(int n_batteries, const std::vector<std::pair<int, int>>& links,
                        const LinkSpec& spec) {
    Network net(n_batteries);
    for (const auto& [s, t] : links) net.add_link(spec.make(s, t));
    return net;
}

}  // namespace qbnet::model
