// Process group over MPI_COMM_WORLD, or a group of one (include/qbnet/parallel/communicator.hpp).
// QBNET_WITH_MPI is set by cmake/MPI.cmake when the build links MPI.
#include "qbnet/parallel/communicator.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "qbnet/errors.hpp"

#ifdef QBNET_WITH_MPI
#define OMPI_SKIP_MPICXX 1   // the C API only (the deprecated C++ bindings warn)
#include <mpi.h>
#endif

namespace qbnet::parallel {

namespace {
bool g_agreed = false;
#ifdef QBNET_WITH_MPI
// True between a Session's MPI_Init_thread and MPI_Finalize: library users and tests that never make a
// Session run as one process even in an MPI build.
bool g_active = false;

void check(int rc, const char* what) {
    if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI error in ") + what);
}
#endif
}  // namespace

#ifdef QBNET_WITH_MPI
namespace {
// Started by an MPI launcher (mpirun/mpiexec of Open MPI or MPICH, srun with PMI/PMIx)? Every launcher
// sets one of these in each rank's environment. A plain `qbnet run` then skips MPI_Init, whose
// singleton start-up (it spawns a runtime daemon) would cost a fixed delay on every command.
bool under_mpi_launcher() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS"})
        if (std::getenv(name) != nullptr) return true;
    return false;
}
}  // namespace
#endif

Session::Session(int& argc, char**& argv) {
#ifdef QBNET_WITH_MPI
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized && under_mpi_launcher()) {
        int provided = 0;
        check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
        // Errors return codes (turned into exceptions) instead of aborting inside MPI without a message.
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
        g_active = true;
    }
#else
    (void)argc;
    (void)argv;
#endif
}

Session::~Session() {
#ifdef QBNET_WITH_MPI
    if (g_active) {
        MPI_Finalize();
        g_active = false;
    }
#endif
}

bool built_with_mpi() {
#ifdef QBNET_WITH_MPI
    return true;
#else
    return false;
#endif
}

int rank() {
#ifdef QBNET_WITH_MPI
    if (g_active) {
        int r = 0;
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
        return r;
    }
#endif
    return 0;
}

int size() {
#ifdef QBNET_WITH_MPI
    if (g_active) {
        int s = 1;
        MPI_Comm_size(MPI_COMM_WORLD, &s);
        return s;
    }
#endif
    return 1;
}

void abort(int exit_code) {
#ifdef QBNET_WITH_MPI
    if (g_active && size() > 1) MPI_Abort(MPI_COMM_WORLD, exit_code);
#endif
    std::exit(exit_code);
}

int exit_code_of(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const FailedElsewhere& e) {
        return e.exit_code();
    } catch (const InputError&) {
        return 2;
    } catch (const RunRefused&) {
        return 2;
    } catch (...) {
        return 3;
    }
}

void all_or_none(const std::function<void()>& step) {
    std::exception_ptr error;
    try {
        step();
    } catch (...) {
        error = std::current_exception();
    }
    if (size() == 1) {
        g_agreed = error != nullptr;
        if (error) std::rethrow_exception(error);
        return;
    }
#ifdef QBNET_WITH_MPI
    // The lowest failing rank (INT_MAX: none) reports; its exit code goes to everyone.
    int mine = error ? rank() : INT_MAX;
    int lowest = INT_MAX;
    check(MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
    if (lowest == INT_MAX) return;
    int code = error ? exit_code_of(error) : 0;
    check(MPI_Bcast(&code, 1, MPI_INT, lowest, MPI_COMM_WORLD), "MPI_Bcast");
    g_agreed = true;
    if (lowest == rank()) std::rethrow_exception(error);
    throw FailedElsewhere(lowest, code);
#endif
}

bool failure_agreed() { return g_agreed; }

int broadcast(int value) {
#ifdef QBNET_WITH_MPI
    if (size() > 1) check(MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
#endif
    return value;
}

std::vector<std::uint64_t> broadcast(std::vector<std::uint64_t> values) {
#ifdef QBNET_WITH_MPI
    if (size() > 1) {
        unsigned long long n = values.size();
        check(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
        values.resize(n);
        if (n > 0)
            check(MPI_Bcast(values.data(), static_cast<int>(n), MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
    }
#endif
    return values;
}

std::vector<double> broadcast_doubles(std::vector<double> values) {
#ifdef QBNET_WITH_MPI
    if (size() > 1) {
        unsigned long long n = values.size();
        check(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
        values.resize(n);
        if (n > 0) check(MPI_Bcast(values.data(), static_cast<int>(n), MPI_DOUBLE, 0, MPI_COMM_WORLD), "MPI_Bcast");
    }
#endif
    return values;
}

int broadcast_patiently(int value) {
    if (size() == 1) return value;
    constexpr int kPatientTag = 7110;   // apart from distribute.cpp's 7101..7104
    if (is_root()) {
        const std::string bytes(reinterpret_cast<const char*>(&value), sizeof value);
        for (int r = 1; r < size(); ++r) send(r, kPatientTag, bytes);
        return value;
    }
    // Back-off from 1 ms to 50 ms: a waiting rank wakes at most ~20 times a second once the wait is long.
    auto wait = std::chrono::milliseconds(1);
    int source = 0;
    std::string bytes;
    while (!probe_receive(kPatientTag, source, bytes)) {
        std::this_thread::sleep_for(wait);
        wait = std::min(2 * wait, std::chrono::milliseconds(50));
    }
    if (bytes.size() != sizeof value) throw std::runtime_error("broadcast_patiently: message of the wrong size");
    std::memcpy(&value, bytes.data(), sizeof value);
    return value;
}

void send(int destination, int tag, const std::string& bytes) {
#ifdef QBNET_WITH_MPI
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) throw std::runtime_error("MPI message over 2 GiB");
    check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, destination, tag, MPI_COMM_WORLD),
          "MPI_Send");
#else
    (void)destination;
    (void)tag;
    (void)bytes;
    throw std::logic_error("parallel::send in a group of one process");
#endif
}

bool probe_receive(int tag, int& source, std::string& bytes) {
#ifdef QBNET_WITH_MPI
    if (size() == 1) return false;
    int flag = 0;
    MPI_Status status;
    check(MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
    if (!flag) return false;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    bytes.assign(static_cast<std::size_t>(count), '\0');
    source = status.MPI_SOURCE;
    check(MPI_Recv(bytes.data(), count, MPI_BYTE, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    return true;
#else
    (void)tag;
    (void)source;
    (void)bytes;
    return false;
#endif
}

std::string pack(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        const std::uint64_t n = p.size();
        out.append(reinterpret_cast<const char*>(&n), sizeof n);
        out += p;
    }
    return out;
}

std::vector<std::string> unpack(const std::string& bytes) {
    std::vector<std::string> parts;
    std::size_t at = 0;
    while (at < bytes.size()) {
        std::uint64_t n = 0;
        if (bytes.size() - at < sizeof n) throw std::runtime_error("unpack: truncated message");
        std::memcpy(&n, bytes.data() + at, sizeof n);
        at += sizeof n;
        if (bytes.size() - at < n) throw std::runtime_error("unpack: truncated message");
        parts.emplace_back(bytes.substr(at, n));
        at += n;
    }
    return parts;
}

}  // namespace qbnet::parallel
