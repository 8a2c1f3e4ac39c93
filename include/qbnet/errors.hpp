#pragma once
// Error types that the command line turns into ONE line on stderr and exit code 2.
#include <stdexcept>
#include <string>

namespace qbnet {

// Bad user input: `key` names the offending scenario key (e.g. "network.J"), what() says what is allowed.
class InputError : public std::runtime_error {
public:
    InputError(std::string key, const std::string& message)
        : std::runtime_error(key.empty() ? message : key + ": " + message), key_(std::move(key)) {}
    const std::string& key() const { return key_; }

private:
    std::string key_;
};

// A valid input that an engine refuses to run: memory estimate over the limit, a Kerr term in the
// Gaussian engine, a drift matrix without a steady state, ...
class RunRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The run stopped on request after writing a checkpoint (SIGINT/SIGTERM with --checkpoint-every, or
// --stop-after-checkpoints): not a failure, the run continues with --resume.
class RunInterrupted : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace qbnet
