#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gsq::core::data::io {

/// A whole text file held in memory, split into lines (LF or CRLF), with strict field parsing
/// that reports `file:line: ...` on any malformed value. Readers build on it so every loader
/// rejects bad input the same way.
class TextFile {
public:
    /// Reads `path`. Throws InputError when the file is missing or unreadable; when
    /// `allowEmpty` is false an empty file is an error too.
    explicit TextFile(std::string path, bool allowEmpty = false);

    const std::string& path() const { return m_path; }
    size_t lineCount() const { return m_lines.size(); }
    /// Line `i` (0-based), without its line terminator.
    std::string_view line(size_t i) const { return m_lines[i]; }

    /// Splits line `i` on `sep`, trimming spaces/tabs around fields.
    std::vector<std::string_view> fields(size_t i, char sep) const;

    /// Strict parsers: the whole field must be a number. `what` names the field for messages.
    int64_t toInt(std::string_view field, size_t lineIndex, const char* what) const;
    double toDouble(std::string_view field, size_t lineIndex, const char* what) const;

    /// Throws InputError at line `lineIndex` (0-based) with `message`.
    [[noreturn]] void fail(size_t lineIndex, const std::string& message) const;

private:
    std::string m_path;
    std::string m_text;
    std::vector<std::string_view> m_lines;
};

/// Trims ASCII spaces and tabs from both ends.
std::string_view trim(std::string_view s);

} // namespace gsq::core::data::io
