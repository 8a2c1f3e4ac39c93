#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "fock/helpers.hpp"
#include "qbnet/fock/lindblad.hpp"

using namespace qbnet;
using qbnet_test::cd;
using RowMat = Eigen::Matrix<cd, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace {
// A model exercising every term type: detuning, hopping with a phase, drive on two modes, Kerr,
// squeezed-thermal baths, and NC/RC links with their shared reservoirs.
model::Model busy_model() {
    model::LinkSpec nc{model::Coupling::nonreciprocal, 0.13, {}, {}};
    model::Network net = model::Network::custom(2, {{0, 1}, {1, 2}}, nc);
    net.add_link(model::LinkSpec{model::Coupling::reciprocal, 0.07, 0.4, {}}.make(0, 2));
    model::ModelSpec spec{net, Eigen::Vector3d(0.05, -0.02, 0.11), Eigen::Vector3cd(cd(0.2, 0.1), 0.0, cd(0.0, -0.05)),
                   {{0.1, 0.3, 0.2, 0.7}, {0.05, 0.0, 0.0, 0.0}, {0.08, 0.5, 0.0, 0.0}}, Eigen::Vector3d(0.03, 0.0, -0.02)};
    return model::build_model(spec);
}

// One random HERMITIAN rho (the kernel computes the lower triangle and mirrors) through apply(), the
// previous row kernel apply_reference() and the dense Lindblad reference.
struct RhsOutputs {
    Eigen::MatrixXcd rho, ref;
    RowMat out, rows;
};
RhsOutputs rhs_outputs(const model::Model& model, const std::vector<int>& cutoffs) {
    const fock::FockBasis basis(cutoffs);
    const fock::Liouvillian lv(model, basis);
    const long d = basis.dim();
    RhsOutputs r;
    const Eigen::MatrixXcd x = Eigen::MatrixXcd::Random(d, d);
    r.rho = x * x.adjoint();
    const RowMat rho_rm = r.rho;
    r.out.resize(d, d);
    r.rows.resize(d, d);
    lv.apply(rho_rm.data(), r.out.data());
    lv.apply_reference(rho_rm.data(), r.rows.data());
    r.ref = qbnet_test::dense_rhs(model, cutoffs, r.rho);
    return r;
}
}  // namespace

TEST_CASE("Fock RHS equals the dense Lindblad reference on a model with every term", "[fock][rhs]") {
    const RhsOutputs r = rhs_outputs(busy_model(), {3, 4, 2});   // unequal cutoffs catch stride mistakes
    // Same arithmetic up to summation order: relative agreement at the 1e-13 level.
    CHECK((Eigen::MatrixXcd(r.out) - r.ref).norm() <= 1e-13 * r.ref.norm());
}

TEST_CASE("Fock RHS equals the dense reference at cutoff 2 where pair terms vanish", "[fock][rhs]") {
    // At cutoff 2 the squeezed baths' a a and a^dag a^dag terms have no entry inside the space: their column
    // factors are zero everywhere and the fused kernel must drop them (it once dereferenced an empty factor).
    const model::Model model = busy_model();
    for (const std::vector<int>& cutoffs : {std::vector<int>{2, 2, 2}, std::vector<int>{2, 3, 2}, std::vector<int>{3, 2, 2}}) {
        const RhsOutputs r = rhs_outputs(model, cutoffs);
        CHECK((Eigen::MatrixXcd(r.out) - r.ref).norm() <= 1e-13 * r.ref.norm());
        // The interned column-factor segments (some factors vanish here) against the plain row kernel.
        CHECK((r.out - r.rows).norm() <= 1e-14 * r.ref.norm());
        // Must fail: the reference of a rho changed by 1e-9 relative is resolved by the tolerance.
        Eigen::MatrixXcd bumped = r.rho;
        bumped(0, 0) += 1e-9 * r.rho.norm();
        CHECK((Eigen::MatrixXcd(r.out) - qbnet_test::dense_rhs(model, cutoffs, bumped)).norm() > 1e-13 * r.ref.norm());
    }
}

TEST_CASE("Fock RHS preserves trace and hermiticity", "[fock][rhs]") {
    const model::Model model = busy_model();
    const fock::FockBasis basis({4, 3, 3});
    const fock::Liouvillian lv(model, basis);
    const long d = basis.dim();
    Eigen::MatrixXcd x = Eigen::MatrixXcd::Random(d, d);
    const RowMat rho = x * x.adjoint();
    RowMat out(d, d);
    lv.apply(rho.data(), out.data());
    CHECK(std::abs(out.trace()) <= 1e-12 * out.norm());
    CHECK((out - out.adjoint()).norm() == 0.0);   // mirrored exactly
}

TEST_CASE("Cost model counts every term and stays O(D^2)", "[fock][rhs]") {
    const model::Model model = busy_model();
    const fock::FockBasis basis({3, 3, 3});
    const fock::Liouvillian lv(model, basis);
    const auto c = lv.cost();
    CHECK(c.sandwich_terms > 0);
    CHECK(c.left_terms > 1);
    CHECK(c.bytes_min == Approx(4 * 16.0 * 0.5 * 27 * 27));
    CHECK(c.bytes_max > c.bytes_min);
}

TEST_CASE("Fock RHS equals the dense reference at D = 140 with unequal cutoffs", "[fock][rhs]") {
    const RhsOutputs r = rhs_outputs(busy_model(), {5, 4, 7});   // D = 140
    CHECK((Eigen::MatrixXcd(r.out) - r.ref).norm() <= 1e-13 * r.ref.norm());
    CHECK((r.out - r.rows).norm() <= 1e-14 * r.ref.norm());
    CHECK((r.out - r.out.adjoint()).norm() == 0.0);
}

namespace {
// Relative Frobenius distance of two row-major results.
double rel_dist(const RowMat& a, const RowMat& b) { return (a - b).norm() / b.norm(); }

// A random hermitian, trace-1 state of dimension d (row-major).
RowMat random_state(long d) {
    Eigen::MatrixXcd x = Eigen::MatrixXcd::Random(d, d);
    RowMat rho = x * x.adjoint();
    return rho / rho.trace();
}
}  // namespace

TEST_CASE("Fused Fock RHS equals the reference row kernel across chunk boundaries", "[fock][rhs]") {
    // D = 336 > the fused kernel's 256-entry chunk: rows are cut into two pieces, right and sandwich terms
    // straddle the cut. The reference kernel (apply_reference) is the previous implementation, an oracle
    // that shares only the term lists; the two differ by summation order (~1e-16 relative).
    const model::Model model = busy_model();
    const fock::FockBasis basis({7, 6, 8});
    const fock::Liouvillian lv(model, basis);
    const long d = basis.dim();
    const RowMat rho = random_state(d);
    RowMat fused(d, d), ref(d, d);
    lv.apply(rho.data(), fused.data());
    lv.apply_reference(rho.data(), ref.data());
    const double tol = 1e-13;
    CHECK(rel_dist(fused, ref) <= tol);
    CHECK((fused - fused.adjoint()).norm() == 0.0);   // still exactly hermitian (mirrored)
    CHECK(fused.diagonal().imag().cwiseAbs().maxCoeff() == 0.0);
    // Must fail: the same comparison after changing ONE entry of rho (and its mirror) by 1e-9 relative
    // to the norm of rho: the tolerance resolves it.
    RowMat bumped = rho;
    const double eps = 1e-9 * rho.norm();
    bumped(d / 2, d / 3) += eps;
    bumped(d / 3, d / 2) += eps;
    RowMat ref_bumped(d, d);
    lv.apply_reference(bumped.data(), ref_bumped.data());
    CHECK(rel_dist(fused, ref_bumped) > tol);
}

TEST_CASE("Fused Fock RHS gives the same bits with one and two threads", "[fock][rhs]") {
    // Large enough (D = 576) for threads_for() to take two threads when allowed: each row is computed by
    // one thread in a fixed term order, so the result may not depend on the thread count.
    const model::Model model = busy_model();
    const fock::FockBasis basis({9, 8, 8});
    const fock::Liouvillian lv(model, basis);
    const long d = basis.dim();
    const RowMat rho = random_state(d);
    RowMat one(d, d), two(d, d), ref(d, d);
    lv.apply(rho.data(), one.data(), 1);
    lv.apply(rho.data(), two.data(), 2);
    lv.apply_reference(rho.data(), ref.data(), 1);
    CHECK((one - two).norm() == 0.0);
    CHECK(rel_dist(one, ref) <= 1e-13);
}

TEST_CASE("Fused Fock RHS beyond the streaming size equals the reference row kernel", "[fock][rhs]") {
    // D = 13^3 = 2197: rho (77 MB) exceeds the size from which the row pass and the mirror stream their
    // stores past the caches; D is odd, so rows start at every alignment and streamed and plain stores
    // alternate. The outputs start as NaN: an entry either pass failed to write breaks the checks.
    const model::Model model = busy_model();
    const fock::FockBasis basis({13, 13, 13});
    const fock::Liouvillian lv(model, basis);
    const long d = basis.dim();
    RowMat rho(d, d);
    for (long m = 0; m < d; ++m)
        for (long k = 0; k < d; ++k) {
            const double w = 1.0 / (1.0 + std::abs(static_cast<double>(m - k)));
            rho(m, k) = cd(w * std::cos(0.37 * static_cast<double>(m + k)), w * std::sin(0.11 * static_cast<double>(m - k)));
        }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    RowMat one = RowMat::Constant(d, d, cd(nan, nan)), other = one;
    lv.apply(rho.data(), one.data(), 1);
    lv.apply_reference(rho.data(), other.data(), 1);
    CHECK(rel_dist(one, other) <= 1e-13);
    CHECK((one - one.adjoint()).norm() == 0.0);
    CHECK(one.diagonal().imag().cwiseAbs().maxCoeff() == 0.0);
    other.setConstant(cd(nan, nan));
    lv.apply(rho.data(), other.data(), 2);
    CHECK((one - other).norm() == 0.0);
}
