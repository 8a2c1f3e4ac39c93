#pragma once
// The process group a run is spread over (MPI_COMM_WORLD, or one process in a build without MPI).
// src/parallel/ is the only place that knows MPI: studies and the command line see ranks, a root,
// byte messages and collective decisions, nothing else. A build with -DQBNET_MPI=OFF (or a program
// that never creates a Session) behaves as a group of one process and every function below works.
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace qbnet::parallel {

// MPI_Init_thread (FUNNELED: only the thread that created the Session calls MPI) / MPI_Finalize.
// One per process, made first thing in main(); without it everything runs as one process.
class Session {
public:
    Session(int& argc, char**& argv);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
};

bool built_with_mpi();
int rank();                   // 0 without MPI
int size();                   // 1 without MPI
inline bool is_root() { return rank() == 0; }

// Ends the whole job now with `exit_code` (MPI_Abort; std::exit in a group of one). Call it after
// printing the one message that says why.
[[noreturn]] void abort(int exit_code);

// The exit code the command line gives an exception: 2 for qbnet::InputError / RunRefused (bad
// input or a refused run), 3 for anything else.
int exit_code_of(std::exception_ptr error);

// Thrown on the ranks whose step succeeded when another rank's failed (all_or_none): that rank
// prints the message; this one only exits with the same code.
class FailedElsewhere : public std::exception {
public:
    FailedElsewhere(int failing_rank, int exit_code) : failing_rank_(failing_rank), exit_code_(exit_code) {}
    int exit_code() const { return exit_code_; }
    int failing_rank() const { return failing_rank_; }
    const char* what() const noexcept override { return "failed on another rank"; }

private:
    int failing_rank_;
    int exit_code_;
};

// Collective: every rank runs `step` (validation, or a step only the root does); when it throws on
// any rank, the lowest failing rank rethrows its own exception and every other rank throws
// FailedElsewhere with that rank's exit code. So a bad input seen by every rank is reported once,
// by one rank, and every rank exits with the same code instead of waiting for the others.
void all_or_none(const std::function<void()>& step);

// True when the exception being handled came out of all_or_none: every rank knows about it and exits
// on its own, so the job needs no abort.
bool failure_agreed();

// Collectives from the root: every rank calls them; the root's value wins.
int broadcast(int value);
std::vector<std::uint64_t> broadcast(std::vector<std::uint64_t> values);
std::vector<double> broadcast_doubles(std::vector<double> values);
// The same as broadcast(int), but the other ranks wait in a sleeping poll instead of MPI_Bcast (which
// spins a core): for a root that works alone for long (a Fock run under mpirun) while the other ranks
// only wait for its exit code.
int broadcast_patiently(int value);

// Point-to-point byte messages (used by distribute_ordered). probe_receive does not block: it
// returns false when no message with `tag` is waiting.
void send(int destination, int tag, const std::string& bytes);
bool probe_receive(int tag, int& source, std::string& bytes);

// A list of strings as one byte string and back (length-prefixed; any bytes allowed).
std::string pack(const std::vector<std::string>& parts);
std::vector<std::string> unpack(const std::string& bytes);

}  // namespace qbnet::parallel
