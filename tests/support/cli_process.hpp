#pragma once
// Helpers for tests that run the qbnet executable as a child process (tests/io, tests/study):
// a fresh scratch folder per test used as the child's working directory, the child's exit code and
// its stdout/stderr as strings. Header-only: tests/support has no .cpp, so it builds no test program.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace qbnet_test {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline int count_lines(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

struct Outcome {
    int exit_code = -1;   // -1: the child did not exit normally
    std::string out;
    std::string err;
};

// Fresh folder per test (removed afterwards), unique per tag and process.
struct Scratch {
    fs::path dir;
    explicit Scratch(const std::string& tag) {
        dir = fs::temp_directory_path() / ("qbnet-test-" + tag + "-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(dir / name) << text;
        return dir / name;
    }
    // Runs `qbnet ARGS` inside the folder; stdout and stderr are captured through files there.
    Outcome run(const std::string& args) const {
        const std::string cmd = "cd '" + dir.string() + "' && '" QBNET_BINARY "' " + args + " >stdout.txt 2>stderr.txt";
        const int status = std::system(cmd.c_str());
        Outcome o;
        o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        o.out = read_file(dir / "stdout.txt");
        o.err = read_file(dir / "stderr.txt");
        return o;
    }
};

}  // namespace qbnet_test
