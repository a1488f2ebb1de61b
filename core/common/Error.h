#pragma once

#include <stdexcept>
#include <string>

namespace gsq::core {

/// Malformed user input: a data file, a YAML experiment, a command-line value.
/// The message always names where (file, and line or key when known) and what was expected.
/// Front ends map it to exit code 2.
class InputError : public std::runtime_error {
public:
    /// `line` is 1-based; 0 means the problem is not tied to one line.
    InputError(const std::string& file, int line, const std::string& message);
    /// For problems tied to a configuration key rather than a line (e.g. `train.epochs`).
    static InputError atKey(const std::string& file, int line, const std::string& key, const std::string& message);

    const std::string& file() const { return m_file; }
    int line() const { return m_line; }

private:
    std::string m_file;
    int m_line = 0;
};

/// `text` safe for a terminal: control bytes, DEL and bytes that are not valid UTF-8 become
/// \xNN, newlines and tabs \n and \t; printable ASCII and valid UTF-8 stay. InputError messages
/// go through it, so a binary file's bytes never reach the terminal raw.
std::string printable(const std::string& text);

/// A run that started with valid input and then failed (diverged, cancelled, ...).
/// Front ends map it to exit code 1.
class RunError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace gsq::core
