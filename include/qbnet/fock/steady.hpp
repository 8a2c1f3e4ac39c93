#pragma once
// Steady state of the Lindblad equation, solved directly (docs/derivations.md, "Fock steady state"):
// restarted GMRES over HERMITIAN matrices (real-linear Krylov space, so every iterate is a density-
// matrix-like object and the RHS can use its half-cost hermitian kernel) for
//     A(rho) = L(rho) + tr(rho) E = E,     E = I / D,
// whose unique solution has tr rho = 1 and L rho = 0 (A is invertible when the steady state is
// unique). Right preconditioner: the inverse of the Sylvester part K(X) = -i (H X - X H^dag), with
// H = H_eff (dense Schur form + triangular Sylvester solve, small D) or the Kronecker sum of the
// undriven single-mode parts of H_eff (large D, eigenvectors applied mode by mode). If GMRES stalls, time evolution takes over.
//
// Evolution fallback: chunks of 5 / (slowest damping rate), bounded work: at most 200 chunks, at most
// max(20000, 10 x max_iterations) Liouvillian applications, and an early stop once the residual's decay
// over the last 3 chunks, extrapolated, cannot reach tol within the chunks left (a truncated, strongly
// driven mode oscillates instead of relaxing). It then returns converged = false with stop_reason
// saying which bound ended it (the run exits 4: not trustworthy), never runs on without progress.
//
// Units: every rate of the model is measured against its RATE SCALE Gamma = tr G, the sum of all jump
// rates (G the Kossakowski matrix; 1/Gamma is the relaxation time scale of the fastest channel summed).
// The trace augmentation is Gamma tr(rho) E and the convergence figure ||L rho|| / (Gamma ||rho||), the
// relative change of rho per unit of 1/Gamma: multiplying every rate and frequency by s leaves the
// preconditioned operator, the iterations and the verdict unchanged.
//
// Layout: the Krylov solver is generic (qbnet/numerics/krylov.hpp), the vector kernels are in
// qbnet/numerics/vector_ops.hpp, the preconditioners in src/fock/detail/*_preconditioner.cpp, the
// driver (uniqueness check, units, fallback, diagnostics) in src/fock/steady.cpp.
#include <complex>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Dense>

#include "qbnet/fock/lindblad.hpp"
#include "qbnet/numerics/krylov.hpp"
#include "qbnet/result.hpp"
#include "qbnet/options.hpp"

namespace qbnet::fock {

struct SteadyCheckpoint;   // qbnet/checkpoint.hpp

// A steady state solved at lower cutoffs in the same frame (the rung below on the cutoff ladder), packed
// hermitian (numerics/hermitian_packing.hpp): the Krylov solve of the next rung starts from it, zero-padded
// in every mode, instead of from the vacuum (nested iteration over the Fock levels: its residual is the
// truncation effect of the rung below, ~ its top-level populations, not O(1)). The solver frees
// `packed` once it has copied it.
struct SteadyGuess {
    std::vector<int> cutoffs;
    Eigen::VectorXcd packed;
};

// Checkpoints of the steady-state solve (the engines wire them to RunOptions::checkpoint): boundaries are
// GMRES restarts and the evolution fallback's chunks; the solver never touches files. The same ledger
// hands over the rung below's state as the initial guess (`guess`, used by the Krylov path when the solve
// does not resume from a checkpoint).
struct SteadyCheckpointHooks {
    std::function<bool()> due;                               // a checkpoint is wanted now
    std::function<bool(const SteadyCheckpoint&)> save;       // saves one; true: stop now (SteadySummary::stopped)
    std::function<void(const SteadyCheckpoint&)> finished;   // the finished solve (kept for later checkpoints)
    const SteadyCheckpoint* resume = nullptr;                // continue from here (phase done: restored as is)
    std::shared_ptr<SteadyGuess> guess;                      // initial Krylov iterate (lower cutoffs), or none
    bool enabled() const { return static_cast<bool>(save) || resume != nullptr; }
};

// Right preconditioner of the steady-state Krylov solver: x ~ A^{-1}(r) for hermitian r (row-major D x D).
class SteadyPreconditioner {
public:
    using cd = std::complex<double>;
    virtual ~SteadyPreconditioner() = default;
    // x = P^{-1}(r); x is hermitian up to the rounding of P^{-1}'s own arithmetic (the solver packs its
    // upper triangle); r == x (in place) is allowed. work: D*D scratch (may be unused), aliasing neither.
    virtual void apply(const cd* r, cd* x, cd* work) const = 0;
    // The same for the D x D matrix r given packed (numerics/hermitian_packing.hpp); x must not alias
    // packed. Default: unpack into x, then apply in place.
    virtual void apply_packed(const cd* packed, long d, int threads, cd* x, cd* work) const;
    virtual std::string kind() const = 0;
    // Does apply() use `work`? (a solver that knows it is unused need not allocate it)
    virtual bool needs_work() const { return true; }
    // Can apply_packed_keep hand out x exactly in single precision (every entry of x a float)?
    virtual bool keeps_exact() const { return false; }
    // apply_packed, and `kept` = x's upper triangle in the packed layout WITHOUT its sqrt 2 weight, as
    // floats (packed_size(D) entries), equal to x entry by entry. Only where keeps_exact(): the flexible
    // GMRES of the solver keeps these vectors instead of applying P^{-1} once more per restart.
    // x itself comes as complex<float> (the same numbers as apply_packed's x: half the bytes written here
    // and read by the Liouvillian, Liouvillian::apply_packed on single precision).
    virtual void apply_packed_keep(const cd* packed, long d, int threads, std::complex<float>* x,
                                   std::complex<float>* kept) const;
};

class SylvesterPreconditioner : public SteadyPreconditioner {
public:
    using cd = std::complex<double>;
    // full_max_dim: largest D for which the dense H_eff eigen-decomposition is used.
    // threads: most OpenMP threads of apply()'s own loops (0: omp_get_max_threads()). (The dense Schur
    // path's D x D products are Eigen's, which threads them by its own rules.)
    SylvesterPreconditioner(const Liouvillian& liouvillian, long full_max_dim, int threads = 0);
    // x = K^{-1}(r) for hermitian r (row-major D x D); x is hermitian. work: D*D scratch.
    void apply(const cd* r, cd* x, cd* work) const override;
    std::string kind() const override { return full_ ? "sylvester-full" : "sylvester-kronecker"; }

private:
    void transform_rows(cd* x, const std::vector<Eigen::MatrixXcd>& factors, cd* work) const;
    long dim_;
    int threads_ = 1;
    bool full_ = false;
    Eigen::MatrixXcd q_, t_, t_rows_;                  // full: H_eff = Q T Q^dag (Schur); t_rows_ = T^T
    std::vector<Eigen::MatrixXcd> vj_, vj_inv_;        // Kronecker: per mode
    std::vector<int> cutoffs_;
    Eigen::VectorXcd lambda_;                          // eigenvalues (full or summed per index)
    double shift_ = 0.0;                               // keeps denominators away from 0
};

// Inverse of the LOCAL Liouvillian L_loc = sum_j L_j (docs/derivations.md, "Fock steady state"): every
// mode's own undriven H_eff part AND its own refill terms G c_j rho c_j^dag (the part the Sylvester
// preconditioner misses: populations are then a birth-death chain, not a pure decay). L_loc is a Kronecker
// sum over the digit pairs (m_j, n_j) of (m, n), so with L_j = W_j diag(mu_j) W_j^{-1} (c_j^2 x c_j^2):
//   L_loc^{-1} = (W_0 x W_1 x ...) diag(1 / sum_j mu_j) (W_0^{-1} x ...),
// applied in place mode by mode (each W_j is block diagonal by the charge m_j - n_j without squeezing:
// cost ~ D^2 * cutoff per mode). The null direction (the product of local steady states) gets factor 1,
// which matches A(sigma) = I/D for the trace-augmented operator.
// Precision: when every W_j is well conditioned (condition() <= kSingleMaxCondition) the passes run in
// single precision on a complex<float> copy of x held in `work` (half the memory traffic of each pass,
// twice the SIMD width): a preconditioner only has to approximate A^{-1}; the Krylov solver's true
// residual, in double precision, decides convergence (docs/derivations.md, "Fock steady state").
class LocalLiouvillianPreconditioner : public SteadyPreconditioner {
public:
    // null_value: the factor of the null direction of L_loc; it should be 1 / (weight of the trace
    // augmentation), i.e. 1 / Gamma (steady.hpp, "Units"). threads: as for SylvesterPreconditioner.
    // allow_single: run the passes in single precision when the eigenvectors allow it (see above).
    explicit LocalLiouvillianPreconditioner(const Liouvillian& liouvillian, double null_value = 1.0, int threads = 0,
                                            bool allow_single = true);
    // work: D*D complex<double> scratch, used (as complex<float>) by the single-precision passes; null:
    // double precision in place.
    void apply(const cd* r, cd* x, cd* work) const override;
    // Single precision: unpacked straight into the complex<float> working copy.
    void apply_packed(const cd* packed, long d, int threads, cd* x, cd* work) const override;
    bool keeps_exact() const override { return one_pass() && single_; }
    void apply_packed_keep(const cd* packed, long d, int threads, std::complex<float>* x,
                           std::complex<float>* kept) const override;
    std::string kind() const override { return single_ ? "local-liouvillian (single precision)" : "local-liouvillian"; }
    bool needs_work() const override { return single_; }
    // Largest eigenvector condition number over the modes (too large: do not use it).
    double condition() const { return condition_; }
    // How the passes group adjacent modes (ModeGroup below): modes are grouped while a pass's buffer
    // (group cutoff x D entries) stays within buffer_bytes, and only when rho is larger than
    // min_matrix_bytes. Tests and bench/ set other values to compare the layouts.
    struct Grouping {
        long buffer_bytes = 2L * 1024 * 1024;
        double min_matrix_bytes = 8.0 * 1024 * 1024;
        // apply_packed in ONE pass over sectors (SectorPlan below) where the modes allow it: a sector's
        // two buffers of sector_bytes at most, its tiles' rows at least 16 entries long.
        bool sectors = true;
        long sector_bytes = 2L * 1024 * 1024;
    };
    void set_grouping(const Grouping& grouping);
    // Passes over rho per application (2 x groups - 1) in the precision apply() uses.
    int passes() const;
    // Single-precision passes lose about condition() x 6e-8 relative accuracy: used up to this bound.
    static constexpr double kSingleMaxCondition = 1e4;
    // The automatic choice takes this preconditioner up to this eigenvector condition: its application is
    // then accurate to ~condition x 1e-16 <= 1e-4 relative, which GMRES tolerates (the true residual decides).
    // The condition grows exponentially with a mode's cutoff (a birth-death chain's eigenvectors: ~6e9 at
    // cutoff 34 with n_th = 0.5), where the Sylvester alternative, blind to the refill terms, stagnates.
    static constexpr double kMaxAutomaticCondition = 1e12;
    bool single_precision() const { return single_; }
    // Charge blocks (over all modes) whose eigenvectors are complex (Kerr, squeezing, complex rates).
    int complex_blocks() const;
    // Does apply_packed run in one pass over sectors (rather than passes() passes over rho)?
    bool one_pass() const { return !sectors_.sectors.empty(); }

private:
    // Per block, its eigenvectors W and their inverse in precision T: the real matrices for a block with
    // real eigenvectors, the complex ones otherwise (the other pair is left empty).
    template <class T>
    struct BlockFactors {
        std::vector<Eigen::Matrix<std::complex<T>, Eigen::Dynamic, Eigen::Dynamic>> w, w_inv;
        std::vector<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>> w_real, w_inv_real;
        // Real blocks acting from the right on interleaved (re, im) columns: W^T (x) I_2 (the one-pass
        // path's innermost mode), so that the product runs on contiguous columns. Row-major: the unrolled
        // kernel reads row j of the matrix as one short vector.
        using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        std::vector<RowMajor> right_real, right_inv_real;
        static RowMajor right_form(const Eigen::MatrixXd& m) {
            RowMajor k = RowMajor::Zero(2 * m.rows(), 2 * m.cols());
            for (Eigen::Index i = 0; i < m.rows(); ++i)
                for (Eigen::Index j = 0; j < m.cols(); ++j) k(2 * j, 2 * i) = k(2 * j + 1, 2 * i + 1) = static_cast<T>(m(i, j));
            return k;
        }
        void push(const Eigen::MatrixXcd& v, const Eigen::MatrixXcd& v_inv, bool real) {
            w.emplace_back();
            w_inv.emplace_back();
            w_real.emplace_back();
            w_inv_real.emplace_back();
            right_real.emplace_back();
            right_inv_real.emplace_back();
            if (real) {
                w_real.back() = v.real().cast<T>();
                w_inv_real.back() = v_inv.real().cast<T>();
                right_real.back() = right_form(v.real());
                right_inv_real.back() = right_form(v_inv.real());
            } else {
                w.back() = v.cast<std::complex<T>>();
                w_inv.back() = v_inv.cast<std::complex<T>>();
            }
        }
    };
    struct ModeFactor {
        int cutoff = 0;
        long stride = 0;
        std::vector<int> order;                     // pair slots sorted into blocks
        std::vector<std::pair<int, int>> blocks;    // [start, size) in `order`
        std::vector<char> real;                     // per block: eigenvectors real (then w_real is used)
        BlockFactors<double> f64;                   // the double-precision passes
        BlockFactors<float> f32;                    // the single-precision passes
        Eigen::VectorXcd mu;                        // eigenvalue per pair slot (slot = m_j * c + n_j)
        template <class T>
        const BlockFactors<T>& factors() const {
            if constexpr (std::is_same_v<T, float>)
                return f32;
            else
                return f64;
        }
    };
    // Adjacent modes j0..j1 transformed in ONE pass over x: their digits together form one "super-mode"
    // digit M = (m / stride) % cutoff (stride of j1, cutoff = prod c_j), and the pass's buffer holds, per
    // row group, the cutoff^2 pair rows ordered [p_j0][p_j0+1]..[p_j1] (p_j: mode j's pair slot in block
    // order), so that every member's block GEMM acts on contiguous rows.
    struct ModeGroup {
        std::vector<int> modes;        // j0..j1
        long cutoff = 1, stride = 1;
        std::vector<long> inner;       // per member: prod over later members of c_k^2
        std::vector<int> row;          // buffer row of the pair (M, N): row[M * cutoff + N]
        std::vector<cd> mu;            // per buffer row: sum over members of mu_j (the fused pass)
    };
    // Modes grouped so that a pass's buffers (cutoff * D entries of `bytes` each) stay in cache; mode 0
    // always starts the first group.
    std::vector<ModeGroup> group_modes(long bytes, const Grouping& grouping) const;
    ModeGroup make_group(const std::vector<int>& members) const;
    // The one-pass path. Every mode's transform is block diagonal (its charge blocks), so fixing one block
    // b_j of each LEADING mode j < a selects a set of entries closed under every mode's W, W^{-1} and the
    // division: the sector. Its entries form tiles, the full sub-matrices of the trailing modes
    // (tile x tile entries, rows contiguous in rho) at the leading modes' row/column digits of the blocks'
    // pairs. Per sector: gather the tiles (from the packed upper triangle), apply W diag(1/mu) W^{-1} in
    // cache, scatter; a sector and its mirror (every block's pairs (m, n) -> (n, m)) are hermitian
    // conjugates of each other, so only one of the two is computed and the other written as its adjoint.
    struct Sector {
        std::vector<int> blocks;   // per leading mode
        long tiles = 1;            // product of the blocks' sizes
        bool self_mirror = false;
    };
    struct SectorPlan {
        int leading = 0;           // a
        long tile = 0;             // prod over trailing modes of c_j
        long max_tiles = 0;
        ModeGroup trailing;        // modes a..M-1: a tile's entries in its slot order
        std::vector<Sector> sectors;   // one per mirror pair, largest first
    };
    SectorPlan plan_sectors(long bytes, const Grouping& grouping) const;
    // X: the output's type, complex<double>, or complex<float> where T = float (the same numbers).
    template <class T, class X = cd>
    void apply_sectors(const cd* packed, X* x, std::complex<float>* kept = nullptr) const;
    // One pass over x for group g: W^{-1} (inverse), W (forward), or, for the group of mode 0 (the last
    // transformed), W diag(1 / sum_j mu_j) W^{-1} in the same pass (scale: the digit tables of every index).
    enum class Pass { inverse, forward, inverse_scale_forward };
    struct DigitTables;
    // One pass from `in` to `out` (the same array or not; In/Out: complex<double> or complex<float>),
    // computed in precision T.
    template <class T, class In, class Out>
    void transform(const In* in, Out* out, const ModeGroup& g, Pass pass, const DigitTables* digits) const;
    // All passes in precision T; scratch: the D x D complex<T> array between the first and last pass
    // (T = double: x itself). r == nullptr: the input is already in scratch.
    template <class T>
    void apply_passes(const cd* r, cd* x, std::complex<T>* scratch) const;
    long dim_;
    int threads_ = 1;
    double null_value_ = 1.0;
    std::vector<ModeFactor> modes_;
    std::vector<ModeGroup> groups_single_, groups_double_;   // group_modes for complex<float> / complex<double>
    SectorPlan sectors_;                                        // for the precision apply_packed uses
    // apply_sectors' per-thread sector buffers (scratch, kept between calls: one solve at a time uses a
    // preconditioner).
    mutable std::vector<std::vector<double>> sector_buffers_;
    double condition_ = 1.0;
    double null_tol_ = 0.0;
    bool single_ = false;
};

// How the steady state is solved (the algorithm's knobs; SteadyOptions in qbnet/options.hpp says what is
// wanted: method, tolerance, iteration budget). The defaults are the tuned choices; bench/ selects the
// older paths through these fields to measure them.
enum class SteadyPreconditionerKind {
    automatic,   // local Liouvillian unless its eigenvectors are ill-conditioned (> 1e12), else Sylvester
    local,       // LocalLiouvillianPreconditioner
    sylvester,   // SylvesterPreconditioner (dense Schur up to D = 400, Kronecker sum above)
};

struct SteadySolverOptions {
    int krylov_restart = 0;   // GMRES restart; 0: chosen from D (steady_state_krylov_restart)
    numerics::GramSchmidt gram_schmidt = numerics::GramSchmidt::classical;
    SteadyPreconditionerKind preconditioner = SteadyPreconditionerKind::automatic;
    // Local preconditioner: single-precision passes from this D on, where its eigenvectors are well
    // conditioned. From D = 513 the restart is at most 8 (steady_state_krylov_restart), so a cycle's
    // reduction stays far above the ~1e-7 that single-precision rounding lets one cycle gain; below, the
    // passes are cheap anyway and a restart of 24 would lose iterations.
    long single_precision_min_dim = 513;
    // Flexible GMRES where the preconditioner hands out its output exactly in single precision
    // (SteadyPreconditioner::keeps_exact): the restart x += P^{-1}(V y) becomes x += Z y over the kept
    // vectors (restart x D^2 floats more memory) instead of one more application of P^{-1}.
    bool flexible = true;
    // Flexible GMRES without checkpoints: cycles per true residual b - A x (numerics::GmresOptions::
    // true_residual_every); the others start from the Arnoldi residual. 1: a true residual at every restart.
    int true_residual_every = 4;
    // The local preconditioner's layout (tests and bench/ force the one-pass path on small D).
    LocalLiouvillianPreconditioner::Grouping grouping;
    // true: residual and trace augmentation in units of the model's rate scale Gamma (see "Units" above);
    // false: Gamma = 1 in the model's units of time (the behaviour before; bench/ compares the two).
    bool rate_normalised = true;
    // GMRES stops (not converged) when its true residual has not fallen by 0.1% over this many restart
    // cycles (0: never); the evolution fallback then takes over where the method allows it.
    int stagnation_window = 5;
    int threads = 0;          // most OpenMP threads of any kernel (0: omp_get_max_threads())
    SteadyCheckpointHooks checkpoint;   // off unless set
};

struct SteadySummary {
    bool converged = false;
    std::string method;          // "krylov" | "evolve" | "krylov+evolve"
    std::string preconditioner;
    bool flexible = false;        // flexible GMRES over kept preconditioned vectors (SteadySolverOptions)
    long iterations = 0;
    long rhs_calls = 0;
    double residual = 0.0;       // ||L rho||_F / ||rho||_F at the returned rho (model's units of rate)
    double rate_scale = 1.0;     // Gamma = tr G (1 when SteadySolverOptions::rate_normalised is false)
    double scaled_residual = 0.0;   // residual / rate_scale: the figure `converged` compares with tol
    bool stagnated = false;      // GMRES stopped by its stagnation test
    // Of the solver's raw solution, BEFORE it is normalised to trace 1 and hermitised:
    //  raw_trace_error = |tr rho - 1|. For the Krylov solution, tr rho = 1 - tr(r) / Gamma with r the
    //    residual of the augmented system (tr L rho = 0 exactly), so it bounds how far the solver's
    //    residual has leaked into the trace: sqrt(D) ||r|| / Gamma >= raw_trace_error. For evolution it
    //    is the integrator's drift of the conserved trace.
    //  raw_hermiticity_error = max |rho - rho^dag| / max |rho|: the anti-hermitian part that the final
    //    hermitisation discards; Krylov iterates are projected every restart, so it is rounding; after
    //    evolution it is the integrator's drift.
    double raw_trace_error = 0.0;
    double raw_hermiticity_error = 0.0;
    double wall_s = 0.0;
    std::string stop_reason;     // not converged: which bound ended the evolution fallback (empty otherwise)
    bool stopped = false;        // stopped after a checkpoint (SteadyCheckpointHooks::save): rho is not a result
    std::vector<std::string> warnings;
};

// rho: on exit, the steady state (row-major D x D, hermitian, trace 1).
// Refuses (RunRefused) a model whose steady state is not unique: a mode that no dissipation reaches
// through the coupling graph (undamped_modes()).
SteadySummary solve_steady_state(const Liouvillian& liouvillian, const SteadyOptions& options,
                                 Eigen::VectorXcd& rho, const ProgressFn& progress = {});
SteadySummary solve_steady_state(const Liouvillian& liouvillian, const SteadyOptions& options,
                                 const SteadySolverOptions& solver, Eigen::VectorXcd& rho,
                                 const ProgressFn& progress = {});

// Structural uniqueness test (no iteration): the modes that no dissipation reaches. A mode is damped
// when its net loss rate G_{a_j a_j} - G_{a_j^dag a_j^dag} is positive; modes are linked by a
// nonzero h_jk or by any Kossakowski entry between them. A connected component without a damped mode
// keeps its initial energy (or its phase) for ever: the Lindbladian has more than one steady state.
// Empty when every mode is reached, or when the Liouvillian does not know its coupling graph (the
// general constructor of the displaced frame).
std::vector<int> undamped_modes(const Liouvillian& liouvillian);

// Rate scale Gamma = tr G of the Liouvillian (steady.hpp, "Units"); 1 when G is zero.
double rate_scale(const Liouvillian& liouvillian);

// GMRES restart the solver uses for dimension D by default.
int steady_state_krylov_restart(long d);

// ||L rho||_F / ||rho||_F for hermitian rho (one application of L with at most `threads` threads;
// `work`: scratch, grown to packed_size(D) entries if shorter).
double liouvillian_residual(const Liouvillian& liouvillian, const Eigen::VectorXcd& rho, Eigen::VectorXcd& work,
                            int threads = 0);

// Working copies of rho that the steady-state solver holds at its peak for dimension D (for the
// memory estimate; the Krylov restart is shorter at large D).
int steady_state_working_copies(long d);

}  // namespace qbnet::fock
