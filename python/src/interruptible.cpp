#include "interruptible.hpp"

#include <algorithm>
#include <cmath>

namespace py = pybind11;

namespace qbnet::python {

namespace {
// How often the GIL is taken to look for Ctrl-C: short against a human's patience, long against the
// cost of taking the GIL (a few microseconds) so that the engine never notices.
constexpr auto kCheckInterval = std::chrono::milliseconds(50);
}  // namespace

InterruptibleProgress::InterruptibleProgress(py::object progress, std::string engine)
    : engine_(std::move(engine)), last_check_(Clock::now()) {
    if (progress.is_none()) return;
    if (PyCallable_Check(progress.ptr())) {
        progress_ = std::move(progress);
    } else {
        print_ = progress.cast<bool>();
    }
}

ProgressFn InterruptibleProgress::callback() {
    return [this](double fraction, const std::string& what) { on_progress(fraction, what); };
}

void InterruptibleProgress::on_progress(double fraction, const std::string& what) {
    const auto now = Clock::now();
    // A new phase is always reported (its first line); otherwise at most once per interval.
    const bool new_phase = what != checked_phase_;
    if (!new_phase && now - last_check_ < kCheckInterval) return;
    checked_phase_ = what;
    last_check_ = now;
    py::gil_scoped_acquire gil;
    try {
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        report(fraction, what);
    } catch (...) {
        // Keep the Python exception (KeyboardInterrupt, or one raised by a progress callable) and unwind
        // the engine with a C++ exception that carries no Python state.
        pending_ = std::current_exception();
        throw Interrupted{};
    }
}

void InterruptibleProgress::report(double fraction, const std::string& what) {
    if (progress_) {
        progress_(fraction, what);
        return;
    }
    if (!print_) return;
    if (what != phase_) {
        phase_ = what;
        last_decile_ = -1;
    }
    // One line per 10 % of each phase: readable in a terminal, a log file and a notebook alike.
    const int decile = static_cast<int>(std::floor(10.0 * std::clamp(fraction, 0.0, 1.0)));
    if (decile <= last_decile_) return;
    last_decile_ = decile;
    py::print("qbnet:", engine_ + ":", what, py::str("{:3d} %").format(10 * decile),
              py::arg("file") = py::module_::import("sys").attr("stderr"), py::arg("flush") = true);
}

void InterruptibleProgress::finish() {
    if (print_)
        py::print("qbnet:", engine_ + ":", "done", py::arg("file") = py::module_::import("sys").attr("stderr"),
                  py::arg("flush") = true);
}

}  // namespace qbnet::python
