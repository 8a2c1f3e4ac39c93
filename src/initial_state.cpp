#include "qbnet/initial_state.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "qbnet/errors.hpp"

namespace qbnet {

namespace {
// Whole-string number: strtod must consume everything (std::stod accepts "1.5abc").
std::optional<double> whole_number(const std::string& s) {
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
    return v;
}
}  // namespace

std::optional<InitialState> parse_initial_state(const std::string& spec) {
    InitialState st;
    if (spec == "vacuum") return st;
    const auto colon = spec.find(':');
    if (colon == std::string::npos) return std::nullopt;
    const std::string kind = spec.substr(0, colon), arg = spec.substr(colon + 1);
    if (kind == "thermal") {
        const auto n = whole_number(arg);
        if (!n || *n < 0.0) return std::nullopt;
        st.kind = InitialState::Kind::thermal;
        st.occupation = *n;
        return st;
    }
    if (kind == "coherent") {
        const auto comma = arg.find(',');
        const auto re = whole_number(arg.substr(0, comma));
        const auto im = comma == std::string::npos ? std::optional<double>(0.0) : whole_number(arg.substr(comma + 1));
        if (!re || !im) return std::nullopt;
        st.kind = InitialState::Kind::coherent;
        st.alpha = {*re, *im};
        return st;
    }
    return std::nullopt;
}

InitialState initial_state_or_throw(const std::string& spec) {
    if (auto st = parse_initial_state(spec)) return *st;
    throw InputError("time.initial", "'" + spec +
                                         "' is not an initial state (allowed: \"vacuum\", \"thermal:<n>\" with n >= 0, "
                                         "\"coherent:<alpha>\", \"coherent:<re>,<im>\")");
}

std::vector<double> thermal_populations(double occupation, int cutoff) {
    std::vector<double> p(static_cast<std::size_t>(cutoff), 0.0);
    const double q = occupation / (occupation + 1.0);
    double w = 1.0, sum = 0.0;
    for (int k = 0; k < cutoff; ++k, w *= q) {
        p[static_cast<std::size_t>(k)] = w;
        sum += w;
    }
    for (double& x : p) x /= sum;
    return p;
}

std::vector<std::complex<double>> coherent_amplitudes(std::complex<double> alpha, int cutoff) {
    std::vector<std::complex<double>> c(static_cast<std::size_t>(cutoff));
    // Recurrence c_k = c_{k-1} alpha / sqrt(k) from c_0 = 1; the common factor exp(-|alpha|^2/2) is
    // replaced by the renormalisation (it would underflow for large |alpha|).
    std::complex<double> ck = 1.0;
    double sum = 0.0;
    for (int k = 0; k < cutoff; ++k) {
        if (k > 0) ck *= alpha / std::sqrt(static_cast<double>(k));
        if (std::norm(ck) > 1e200) {   // |alpha|^2 in the hundreds: rescale what we have (ratios are kept)
            for (int i = 0; i < k; ++i) c[static_cast<std::size_t>(i)] *= 1e-100;
            ck *= 1e-100;
            sum *= 1e-200;
        }
        c[static_cast<std::size_t>(k)] = ck;
        sum += std::norm(ck);
    }
    const double inv = 1.0 / std::sqrt(sum);
    for (auto& x : c) x *= inv;
    return c;
}

}  // namespace qbnet
