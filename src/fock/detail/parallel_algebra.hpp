#pragma once
// Private to src/fock: the OpenMP vector algebra of the dopri5 evolutions (lab frame, src/fock/evolve.cpp;
// displaced frame, src/fock/displaced.cpp). Odeint's vector_space_algebra on Eigen vectors evaluates some
// of the stepper's expressions into full-length temporaries (the displaced frame held 1.5 copies of rho more
// than the lab frame at D = 1296); this algebra works element by element in place.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <tuple>
#include <utility>

#include "qbnet/numerics/parallel.hpp"

namespace qbnet::fock::detail {

// Odeint algebra over contiguous double vectors, parallel with OpenMP (static schedule, the same
// partition in every call so each thread touches the same pages as in the RHS's first touch). The
// stepper's vector algebra (7 stages, error estimate, dense-output interpolation) is ~40 passes over the
// state per step: single-threaded it rivalled the RHS at D >= 1000. Each pass takes as many threads as
// its length pays for (numerics::vector_threads) up to `threads`: below ~10^6 doubles a pass is serial,
// so a small problem opens no parallel region at all in the algebra. The stepper keeps its algebra by
// value and hands it to the error checker, so the member reaches every call.
struct ParallelAlgebra {
    int threads = 0;   // most threads a pass may use (0: omp_get_max_threads())
    template <class Op, class... S>
    void apply(Op op, S&... s) const {
        const long n = static_cast<long>(std::get<0>(std::forward_as_tuple(s...)).size());
        const int nt = numerics::vector_threads(n, numerics::resolve_threads(threads));
        auto ptrs = std::make_tuple(s.data()...);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
        for (long i = 0; i < n; ++i) std::apply([&](auto*... p) { op(p[i]...); }, ptrs);
    }
#define QBNET_FOR_EACH(N)                                           \
    template <class... S>                                             \
    void for_each##N(S&&... s) const {                               \
        static_assert(sizeof...(S) == N + 1, "for_each arity");      \
        call(std::forward<S>(s)...);                                   \
    }
    QBNET_FOR_EACH(1) QBNET_FOR_EACH(2) QBNET_FOR_EACH(3) QBNET_FOR_EACH(4) QBNET_FOR_EACH(5) QBNET_FOR_EACH(6)
    QBNET_FOR_EACH(7) QBNET_FOR_EACH(8) QBNET_FOR_EACH(9) QBNET_FOR_EACH(10) QBNET_FOR_EACH(11) QBNET_FOR_EACH(12)
    QBNET_FOR_EACH(13) QBNET_FOR_EACH(14) QBNET_FOR_EACH(15)
#undef QBNET_FOR_EACH
    // for_eachN(s0, ..., sN-1, op): the operation comes last.
    template <class... A>
    void call(A&&... a) const {
        auto args = std::forward_as_tuple(a...);
        constexpr std::size_t k = sizeof...(A) - 1;
        call_impl(std::get<k>(args), args, std::make_index_sequence<k>{});
    }
    template <class Op, class Tuple, std::size_t... I>
    void call_impl(Op& op, Tuple& args, std::index_sequence<I...>) const {
        apply(op, std::get<I>(args)...);
    }
    template <class S>
    double norm_inf(const S& s) const {
        const long n = static_cast<long>(s.size());
        const int nt = numerics::vector_threads(n, numerics::resolve_threads(threads));
        const double* p = s.data();
        double m = 0.0;
#pragma omp parallel for reduction(max : m) schedule(static) num_threads(nt) if (nt > 1)
        for (long i = 0; i < n; ++i) m = std::max(m, std::abs(p[i]));
        return m;
    }
};

}  // namespace qbnet::fock::detail
