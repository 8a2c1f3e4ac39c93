#include "qbnet/fock/lindblad.hpp"

#include "qbnet/numerics/parallel.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <limits>

namespace qbnet::fock {

namespace {
using cd = std::complex<double>;
const cd I(0.0, 1.0);

// c_a for a in 0..2M-1: a_a (a < M) or a_{a-M}^dag.
ShiftOp ladder(const FockBasis& basis, int a) {
    const int m = basis.n_modes();
    return a < m ? annihilation(basis, a) : creation(basis, a - m);
}
}  // namespace

OperatorSum effective_hamiltonian(const model::Model& model, const FockBasis& basis, bool with_drive) {
    const int m = model.n_modes();
    OperatorSum h;
    std::vector<ShiftOp> a, ad;
    for (int j = 0; j < m; ++j) {
        a.push_back(annihilation(basis, j));
        ad.push_back(creation(basis, j));
    }
    // sum_jk h_jk a_j^dag a_k
    for (int j = 0; j < m; ++j)
        for (int k = 0; k < m; ++k)
            if (model.h(j, k) != 0.0) h.add(product(ad[j], a[k]), model.h(j, k));
    // drive: eps_j a_j^dag + conj(eps_j) a_j
    for (int j = 0; with_drive && j < m; ++j)
        if (model.drive(j) != 0.0) {
            h.add(ad[j], model.drive(j));
            h.add(a[j], std::conj(model.drive(j)));
        }
    // Kerr: (chi/2) a^dag a^dag a a  (product of truncated matrices)
    for (int j = 0; j < m; ++j)
        if (model.kerr.size() && model.kerr(j) != 0.0)
            h.add(product(product(ad[j], ad[j]), product(a[j], a[j])), 0.5 * model.kerr(j));
    // -(i/2) sum_ab G_ab c_b^dag c_a
    const Eigen::MatrixXcd g = model.kossakowski();
    for (int x = 0; x < 2 * m; ++x)
        for (int y = 0; y < 2 * m; ++y)
            if (std::abs(g(x, y)) > 0.0)
                h.add(product(adjoint_shift(ladder(basis, y)), ladder(basis, x)), -0.5 * I * g(x, y));
    return h;
}

namespace {
// Single-mode part of the model for mode j (its own h_jj, drive, Kerr and the jumps touching it,
// restricted to it), as a dense cutoff_j x cutoff_j H_eff.
Eigen::MatrixXcd single_mode_h_eff(const model::Model& model, int mode, int cutoff, bool with_drive) {
    model::Model local;
    local.mode_names = {model.mode_names[mode]};
    local.h = model.h.block(mode, mode, 1, 1);
    local.drive = Eigen::VectorXcd::Zero(1);
    if (with_drive) local.drive(0) = model.drive(mode);
    local.kerr = Eigen::VectorXd::Zero(1);
    if (model.kerr.size()) local.kerr(0) = model.kerr(mode);
    for (const auto& jump : model.jumps) {
        if (jump.u(mode) == 0.0 && jump.v(mode) == 0.0) continue;
        local.jumps.push_back({jump.rate, jump.u.segment(mode, 1), jump.v.segment(mode, 1), jump.label});
    }
    const FockBasis one({cutoff});
    return effective_hamiltonian(local, one).dense(one.dim());
}
}  // namespace

Liouvillian::Liouvillian(const model::Model& model, const FockBasis& basis)
    : basis_(basis), h_eff_(effective_hamiltonian(model, basis)), kossakowski_(model.kossakowski()),
      hopping_(model.h.cwiseAbs()) {
    for (int j = 0; j < model.n_modes(); ++j) {
        local_h_eff_undriven_.push_back(single_mode_h_eff(model, j, basis.cutoffs()[j], false));
        local_h_eff_driven_.push_back(single_mode_h_eff(model, j, basis.cutoffs()[j], true));
    }
    build_terms(kossakowski_);
}

Liouvillian::Liouvillian(OperatorSum h_eff, const Eigen::MatrixXcd& kossakowski, const FockBasis& basis,
                         std::vector<Eigen::MatrixXcd> local_h_eff_undriven)
    : basis_(basis), h_eff_(std::move(h_eff)), kossakowski_(kossakowski),
      local_h_eff_undriven_(std::move(local_h_eff_undriven)) {
    local_h_eff_driven_ = local_h_eff_undriven_;
    build_terms(kossakowski_);
}

void Liouvillian::build_terms(const Eigen::MatrixXcd& g) {
    const long d = basis_.dim();
    diag_row_ = Eigen::VectorXcd::Zero(d);
    diag_col_ = Eigen::VectorXcd::Zero(d);
    for (const auto& [offset, coef] : h_eff_.terms()) {
        // -i H_eff rho  ->  left term  -i d[m] rho[m+o, n]
        //  i rho H_eff^dag -> (rho H^dag)[m,n] = sum_k rho[m,k] conj(H[n,k]) = conj(d[n]) rho[m, n+o]
        if (offset == 0) {
            diag_row_ += -I * coef;
            diag_col_ += I * coef.conjugate();
        } else {
            left_.push_back({offset, -I * coef});
            right_.push_back({offset, I * coef.conjugate()});
        }
    }
    const int m = basis_.n_modes();
    for (int x = 0; x < 2 * m; ++x) {
        const ShiftOp cx = ladder(basis_, x);
        for (int y = 0; y < 2 * m; ++y) {
            if (std::abs(g(x, y)) == 0.0) continue;
            const ShiftOp cy = ladder(basis_, y);
            // G_xy c_x rho c_y^dag: out[m,n] += G_xy cx[m] conj(cy[n]) rho[m+ox, n+oy]
            sandwich_.push_back({cx.offset, g(x, y) * cx.coef, cy.offset, cy.coef.conjugate()});
        }
    }
}

const Eigen::MatrixXcd& Liouvillian::local_h_eff(int mode, bool with_drive) const {
    return with_drive ? local_h_eff_driven_[mode] : local_h_eff_undriven_[mode];
}

double Liouvillian::slowest_damping_rate() const {
    const int m = basis_.n_modes();
    const Eigen::MatrixXcd& g = kossakowski_;
    double rate = std::numeric_limits<double>::infinity();
    for (int j = 0; j < m; ++j) rate = std::min(rate, (g(j, j) - g(m + j, m + j)).real());
    return rate;
}

int Liouvillian::threads_for(int max_threads) const {
    // Work of one apply() in entry-term updates (half of D^2 entries times the terms touching each).
    // A thread gets at least kMinUpdatesPerThread of them (a few milliseconds): below that a second
    // thread saves less than it can lose at the region's barriers when the machine is busy. At the bench
    // model's D = 216 (about 0.4 M updates) the RHS runs on one thread; from D ~ 1000 on two.
    constexpr double kMinUpdatesPerThread = 4.0 * 1024.0 * 1024.0;
    const double d = static_cast<double>(dim());
    const double terms = 1.0 + static_cast<double>(left_.size() + right_.size() + sandwich_.size());
    return numerics::work_threads(0.5 * d * d * terms, kMinUpdatesPerThread, numerics::resolve_threads(max_threads));
}

void Liouvillian::apply(const cd* rho, cd* out, int max_threads) const { apply_rows(rho, out, max_threads); }

void Liouvillian::apply_rows(const cd* rho, cd* out, int max_threads) const {
    // Row by row over the lower triangle, then a tiled mirror pass, in ONE parallel region (one team
    // start and two barriers per call). (A column-strip variant that fused the mirror was measured 2-3x
    // SLOWER at D = 1296..4096 -- bench/RESULTS.md -- and was removed.)
    const int threads = threads_for(max_threads);
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        rows_pass(rho, out);
        mirror_lower_to_upper(out);
    }
}

void Liouvillian::rows_pass(const cd* rho, cd* out) const {
    // Orphaned work-sharing loop: runs inside apply_rows' region (or serially outside any region).
    const long d = basis_.dim();
    using Arr = Eigen::Array<cd, Eigen::Dynamic, 1>;
    using Map = Eigen::Map<Arr>;
    using CMap = Eigen::Map<const Arr>;
    const CMap drow(diag_row_.data(), d), dcol(diag_col_.data(), d);
#pragma omp for schedule(dynamic, 4)
    for (long m = 0; m < d; ++m) {
        const long len = m + 1;                       // lower triangle: columns 0..m
        Map o(out + m * d, len);
        const CMap row(rho + m * d, len);
        o = (drow[m] + dcol.head(len)) * row;
        for (const auto& t : left_) {
            const cd c = t.coef[m];
            if (c == 0.0) continue;                  // also guards rows outside [0, D)
            o += c * CMap(rho + (m + t.offset) * d, len);
        }
        for (const auto& t : right_) {
            const long lo = std::max(0L, -t.offset), hi = std::min(len, d - t.offset);
            if (hi <= lo) continue;
            o.segment(lo, hi - lo) += CMap(t.coef.data() + lo, hi - lo) * CMap(rho + m * d + lo + t.offset, hi - lo);
        }
        for (const auto& t : sandwich_) {
            const cd c = t.row_coef[m];
            if (c == 0.0) continue;
            const long lo = std::max(0L, -t.col_offset), hi = std::min(len, d - t.col_offset);
            if (hi <= lo) continue;
            const cd* src = rho + (m + t.row_offset) * d + t.col_offset;
            o.segment(lo, hi - lo) += c * CMap(t.col_coef.data() + lo, hi - lo) * CMap(src + lo, hi - lo);
        }
    }
}

void Liouvillian::mirror_lower_to_upper(cd* out) const {
    // out[n, m] = conj(out[m, n]) for n < m, in square tiles so both sides stay in cache. Orphaned
    // work-sharing loop: the implicit barrier of rows_pass' loop has completed the lower triangle.
    const long d = basis_.dim();
    constexpr long tile = 64;
    const long nt = (d + tile - 1) / tile;
#pragma omp for schedule(dynamic, 1)
    for (long bi = 0; bi < nt; ++bi)
        for (long bj = 0; bj <= bi; ++bj) {
            const long m0 = bi * tile, m1 = std::min(d, m0 + tile);
            const long n0 = bj * tile, n1 = std::min(d, n0 + tile);
            for (long m = m0; m < m1; ++m) {
                for (long n = n0; n < std::min(n1, m); ++n) out[n * d + m] = std::conj(out[m * d + n]);
                if (m >= n0 && m < n1) out[m * d + m] = out[m * d + m].real();   // exact: diag of L(rho) is real
            }
        }
}

double Liouvillian::spectral_radius_bound() const {
    // Row (m, n) of L has |drow[m] + dcol[n]| on the diagonal and |l[m]|, |r[n]|, |s[m] t[n]| off it:
    // max over rows <= max_m (|drow[m]| + sum_left |l[m]|) + max_n (|dcol[n]| + sum_right |r[n]|)
    //                   + sum_sandwich max|s| max|t|.
    const long d = dim();
    double row_part = 0.0, col_part = 0.0, sandwich = 0.0;
    for (long m = 0; m < d; ++m) {
        double r = std::abs(diag_row_[m]);
        for (const auto& t : left_) r += std::abs(t.coef[m]);
        row_part = std::max(row_part, r);
        double c = std::abs(diag_col_[m]);
        for (const auto& t : right_) c += std::abs(t.coef[m]);
        col_part = std::max(col_part, c);
    }
    for (const auto& t : sandwich_) sandwich += t.row_coef.cwiseAbs().maxCoeff() * t.col_coef.cwiseAbs().maxCoeff();
    return row_part + col_part + sandwich;
}

Liouvillian::Cost Liouvillian::cost() const {
    Cost c;
    c.left_terms = static_cast<long>(left_.size()) + 1;    // + diagonal
    c.right_terms = static_cast<long>(right_.size());
    c.sandwich_terms = static_cast<long>(sandwich_.size());
    const double half = 0.5 * static_cast<double>(dim()) * static_cast<double>(dim());
    const double bytes = 16.0;   // complex<double>
    // complex multiply-add = 8 flops; a sandwich/right term is 2 complex products + 1 add (14)
    c.flops = half * (8.0 * c.left_terms + 8.0 * c.right_terms + 14.0 * c.sandwich_terms);
    c.bytes_min = bytes * half * 2.0       // read rho's lower triangle and write out's
                  + bytes * half * 2.0;    // mirror: read lower, write upper
    c.bytes_max = c.bytes_min + bytes * half * (c.left_terms + c.sandwich_terms - 1);
    return c;
}

}  // namespace qbnet::fock
