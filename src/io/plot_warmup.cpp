// TimeseriesPlotWarmup (qbnet/io/plot.hpp): gnuplot started ahead of the plot, fed through a socket.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "gnuplot.hpp"
#include "qbnet/io/plot.hpp"
#include "signal_hold.hpp"
#include "temporaries.hpp"

namespace qbnet::io {

namespace {
// The whole text, or false (a socket, not a pipe: MSG_NOSIGNAL turns a gnuplot that already exited
// into an error instead of a SIGPIPE for qbnet).
bool send_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

std::unique_ptr<TimeseriesPlotWarmup> TimeseriesPlotWarmup::start(const std::filesystem::path& png,
                                                                  const std::string& title) {
    const std::optional<std::string> gnuplot = detail::find_gnuplot();
    if (!gnuplot) return nullptr;
    std::unique_ptr<TimeseriesPlotWarmup> w(new TimeseriesPlotWarmup());
    w->png_ = png;
    w->title_ = title;
    std::error_code ec;
    const std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
    if (ec) return nullptr;
    w->drawing_ = tmp / ("qbnet-" + std::to_string(::getpid()) + "-" + png.filename().string());
    int sv[2], out[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return nullptr;
    if (::pipe2(out, O_CLOEXEC) != 0) {
        ::close(sv[0]);
        ::close(sv[1]);
        return nullptr;
    }
    w->pid_ = detail::spawn_gnuplot(*gnuplot, nullptr, sv[1], out[1], true);
    ::close(sv[1]);
    ::close(out[1]);
    w->in_ = sv[0];
    w->out_ = out[0];
    if (w->pid_ < 0 || !send_all(w->in_, detail::timeseries_prologue(w->drawing_.string(), title))) return nullptr;
    return w;   // (a failed start: the destructor stops the child and removes its file)
}

std::optional<std::filesystem::path> TimeseriesPlotWarmup::finish(const std::string& rest) {
    if (pid_ < 0) return std::nullopt;
    const detail::SignalHold hold;   // the PNG and its rename complete before a Ctrl-C takes effect
    const bool sent = send_all(in_, rest);
    ::shutdown(in_, SHUT_WR);   // end of the script: gnuplot finishes and exits
    std::string log;
    detail::read_until_eof(out_, log);
    const int status = detail::wait_status(pid_);
    pid_ = -1;
    std::error_code ec;
    // (gnuplot's messages are dropped here: a failure falls back to a fresh gnuplot, which reports them.)
    if (!sent || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || std::filesystem::file_size(drawing_, ec) == 0 ||
        ec) {
        stop();
        return std::nullopt;
    }
    // Next to the PNG under a temporary name, then renamed: no half-written PNG in the output folder.
    const std::filesystem::path dir = png_.has_parent_path() ? png_.parent_path() : std::filesystem::path(".");
    detail::remove_stale_temporaries(dir, png_.filename().string());
    std::filesystem::path tmp_png = png_;
    tmp_png += ".tmp-" + std::to_string(::getpid());
    std::filesystem::copy_file(drawing_, tmp_png, std::filesystem::copy_options::overwrite_existing, ec);
    if (!ec) std::filesystem::rename(tmp_png, png_, ec);
    if (ec) {
        std::error_code ignore;
        std::filesystem::remove(tmp_png, ignore);
        stop();
        return std::nullopt;
    }
    stop();
    return png_;
}

void TimeseriesPlotWarmup::stop() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        detail::wait_status(pid_);
        pid_ = -1;
    }
    if (in_ >= 0) ::close(in_);
    if (out_ >= 0) ::close(out_);
    in_ = out_ = -1;
    std::error_code ignore;
    if (!drawing_.empty()) std::filesystem::remove(drawing_, ignore);
}

TimeseriesPlotWarmup::~TimeseriesPlotWarmup() { stop(); }

}  // namespace qbnet::io
