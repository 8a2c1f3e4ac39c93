#pragma once
// Private to src/fock: the time integrators that hold rho in packed hermitian form (D^2 doubles,
// numerics/hermitian_packing.hpp) -- krylov (krylov_evolve.cpp), dopri5 in the lab frame (evolve.cpp) and in
// the displaced frame (displaced.cpp) -- and the two full D x D matrices they need beside it: the
// Liouvillian reads and writes full matrices, and observers and checkpoints see the full rho.
#include <complex>
#include <vector>

#include "qbnet/fock/lindblad.hpp"
#include "qbnet/numerics/hermitian_packing.hpp"
#include "qbnet/numerics/parallel.hpp"

namespace qbnet::fock::detail {

class PackedWorkspace {
public:
    using cd = std::complex<double>;
    // threads: the most threads the packing passes may use (0: the OpenMP default).
    PackedWorkspace(long d, int threads)
        : d_(d), threads_(numerics::resolve_threads(threads)), full_(static_cast<std::size_t>(d * d)),
          out_(static_cast<std::size_t>(d * d)) {}
    long packed_doubles() const { return 2 * numerics::packed_size(d_); }
    void pack(const cd* full, cd* packed) const { numerics::pack_hermitian(full, d_, packed, threads_); }
    // full() <- the matrix of `packed`; returns full().
    const cd* unpack(const cd* packed) {
        numerics::unpack_hermitian(packed, d_, full_.data(), threads_);
        return full_.data();
    }
    // `to` <- the matrix of `packed` (the final state of a run).
    void unpack_into(const cd* packed, cd* to) const { numerics::unpack_hermitian(packed, d_, to, threads_); }
    // packed_out <- L(the matrix of packed_in), L applied with at most lv_threads threads.
    void apply(const Liouvillian& lv, const cd* packed_in, cd* packed_out, int lv_threads) {
        numerics::unpack_hermitian(packed_in, d_, full_.data(), threads_);
        lv.apply(full_.data(), out_.data(), lv_threads);
        numerics::pack_hermitian(out_.data(), d_, packed_out, threads_);
    }
    // At a sample or checkpoint boundary: `packed` <- pack(unpack(packed)), the numbers a run resumed from
    // the unpacked matrix (the one a checkpoint records, returned as full()) packs. Done in every run, with
    // or without checkpoints, so that a resumed run continues bit for bit.
    const cd* repack(cd* packed) {
        numerics::unpack_hermitian(packed, d_, full_.data(), threads_);
        numerics::pack_hermitian(full_.data(), d_, packed, threads_);
        return full_.data();
    }
    cd* full() { return full_.data(); }

private:
    long d_;
    int threads_;
    std::vector<cd> full_, out_;
};

}  // namespace qbnet::fock::detail
