#pragma once
// A ProgressFn that makes a long engine run behave like Python code: Ctrl-C raises KeyboardInterrupt,
// `progress=True` prints progress on sys.stderr, a callable `progress` is called with (fraction, label).
//
// The engine runs without the GIL; its progress calls arrive on the thread that called run_engine. At
// most every `check_interval` the callback takes the GIL and runs PyErr_CheckSignals() (this is where
// Python's SIGINT handler turns Ctrl-C into KeyboardInterrupt). A pending Python exception is stored and
// a private C++ exception unwinds the engine; rethrow_if_interrupted() re-raises the Python exception
// once the GIL is held again.
#include <chrono>
#include <exception>
#include <string>

#include <pybind11/pybind11.h>

#include "qbnet/result.hpp"

namespace qbnet::python {

class InterruptibleProgress {
public:
    // progress: None/False (silent), True (lines on sys.stderr) or a callable(fraction, label).
    InterruptibleProgress(pybind11::object progress, std::string engine);

    // The callback for the engine; this object must outlive the run.
    ProgressFn callback();

    // Runs `body` with the GIL released; turns an interruption back into the Python exception.
    template <class Body>
    auto run_released(Body&& body) -> decltype(body()) {
        try {
            pybind11::gil_scoped_release release;
            return body();
        } catch (const Interrupted&) {
            std::rethrow_exception(pending_);
        }
    }

    // The GIL must be held: the final "done" line when progress is shown.
    void finish();

private:
    struct Interrupted {};
    using Clock = std::chrono::steady_clock;
    void on_progress(double fraction, const std::string& what);   // called without the GIL
    void report(double fraction, const std::string& what);        // GIL held

    pybind11::object progress_;
    bool print_ = false;
    std::string engine_;
    std::string phase_;            // phase of the last printed line
    std::string checked_phase_;    // phase of the last callback that took the GIL
    int last_decile_ = -1;
    Clock::time_point last_check_;
    std::exception_ptr pending_;
};

}  // namespace qbnet::python
