#pragma once
// Network topology: which modes exist and which links join them (docs/physics.md, "Network").
// Mode 0 is the charger C; modes 1..N are the battery cells b1..bN.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace qbnet::model {

enum class Coupling { nonreciprocal, reciprocal };

// One directed link s -> t:  H += J (e^{i phase} a_s^dag a_t + h.c.)  and  gamma D[a_s + a_t].
struct Link {
    int source = 0;
    int target = 1;
    double J = 0.0;
    double phase = 0.0;   // phi
    double gamma = 0.0;   // rate of the engineered shared reservoir (0: none)
};

// How to make a link from (s, t): NC gives phi = pi/2, Gamma = 2J; RC gives phi = 0, Gamma = 0.
// phase / gamma override the coupling's defaults when set.
struct LinkSpec {
    Coupling coupling = Coupling::nonreciprocal;
    double J = 0.0;
    std::optional<double> phase;
    std::optional<double> gamma;
    Link make(int source, int target) const;
};

class Network {
public:
    static Network cascaded(int n_batteries, const LinkSpec& spec);   // C -> b1 -> ... -> bN
    static Network parallel(int n_batteries, const LinkSpec& spec);   // C -> bi for all i
    // Any graph: links given as (source, target) mode indices in 0..N.
    static Network custom(int n_batteries, const std::vector<std::pair<int, int>>& links,
                          const LinkSpec& spec);

    int n_modes() const { return static_cast<int>(mode_names_.size()); }
    int n_batteries() const { return n_modes() - 1; }
    const std::vector<std::string>& mode_names() const { return mode_names_; }
    const std::vector<Link>& links() const { return links_; }

    explicit Network(int n_batteries);
    void add_link(const Link& link);

private:
    std::vector<std::string> mode_names_;
    std::vector<Link> links_;
};

}  // namespace qbnet::model
