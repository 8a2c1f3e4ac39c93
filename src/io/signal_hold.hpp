#pragma once
// Holds SIGINT, SIGTERM and SIGHUP while output files are written and renamed: a Ctrl-C then takes
// effect right after the files are complete (the signal stays pending, nothing is lost) instead of
// leaving "*.tmp-<pid>" files behind; gnuplot inherits the mask and finishes its PNG. Only the calling
// thread's mask changes. Private to src/io.
#include <pthread.h>
#include <signal.h>

namespace qbnet::io::detail {

class SignalHold {
public:
    SignalHold() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        held_ = ::pthread_sigmask(SIG_BLOCK, &set, &old_) == 0;
    }
    ~SignalHold() {
        if (held_) ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SignalHold(const SignalHold&) = delete;
    SignalHold& operator=(const SignalHold&) = delete;

private:
    sigset_t old_{};
    bool held_ = false;
};

}  // namespace qbnet::io::detail
