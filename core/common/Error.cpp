#include "core/common/Error.h"

#include <cstdio>

namespace gsq::core {
namespace {
std::string where(const std::string& file, int line)
{
    return line > 0 ? file + ":" + std::to_string(line) : file;
}

/// Length of the valid UTF-8 sequence starting at s[i], or 0.
size_t utf8Length(const std::string& s, size_t i)
{
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (n == 0 || i + n > s.size())
        return 0;
    for (size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
            return 0;
    return n;
}
} // namespace

std::string printable(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
            ++i;
        } else if (c == '\n' || c == '\t') {
            out += c == '\n' ? "\\n" : "\\t";
            ++i;
        } else if (const size_t n = c >= 0x80 ? utf8Length(text, i) : 0; n > 0) {
            out.append(text, i, n); // readable text in any script
            i += n;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
            ++i;
        }
    }
    return out;
}

InputError::InputError(const std::string& file, int line, const std::string& message)
    : std::runtime_error(printable(where(file, line) + ": " + message))
    , m_file(file)
    , m_line(line)
{
}

InputError InputError::atKey(const std::string& file, int line, const std::string& key, const std::string& message)
{
    return InputError(file, line, "key '" + key + "': " + message);
}

} // namespace gsq::core
