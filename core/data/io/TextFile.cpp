#include "core/data/io/TextFile.h"

#include "core/common/Error.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace gsq::core::data::io {

std::string_view trim(std::string_view s)
{
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t'))
        ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        --e;
    return s.substr(b, e - b);
}

TextFile::TextFile(std::string path, bool allowEmpty)
    : m_path(std::move(path))
{
    struct stat st { };
    if (::stat(m_path.c_str(), &st) != 0)
        throw InputError(m_path, 0, "file not found");
    if (S_ISDIR(st.st_mode))
        throw InputError(m_path, 0, "expected a file, found a directory");
    std::ifstream in(m_path, std::ios::binary);
    if (!in)
        throw InputError(m_path, 0, "cannot open file for reading");
    std::ostringstream buf;
    buf << in.rdbuf();
    m_text = buf.str();
    if (m_text.empty() && !allowEmpty)
        throw InputError(m_path, 0, "file is empty");

    std::string_view all(m_text);
    size_t start = 0;
    while (start < all.size()) {
        size_t nl = all.find('\n', start);
        size_t end = nl == std::string_view::npos ? all.size() : nl;
        std::string_view ln = all.substr(start, end - start);
        if (!ln.empty() && ln.back() == '\r')
            ln.remove_suffix(1);
        m_lines.push_back(ln);
        start = end + 1;
    }
}

std::vector<std::string_view> TextFile::fields(size_t i, char sep) const
{
    std::vector<std::string_view> out;
    std::string_view ln = m_lines[i];
    size_t start = 0;
    while (true) {
        size_t pos = ln.find(sep, start);
        if (pos == std::string_view::npos) {
            out.push_back(trim(ln.substr(start)));
            break;
        }
        out.push_back(trim(ln.substr(start, pos - start)));
        start = pos + 1;
    }
    return out;
}

int64_t TextFile::toInt(std::string_view field, size_t lineIndex, const char* what) const
{
    std::string s(trim(field));
    if (s.empty())
        fail(lineIndex, std::string("expected an integer ") + what + ", found an empty field");
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || end != s.c_str() + s.size())
        fail(lineIndex, std::string("expected an integer ") + what + ", found '" + s + "'");
    return static_cast<int64_t>(v);
}

double TextFile::toDouble(std::string_view field, size_t lineIndex, const char* what) const
{
    std::string s(trim(field));
    if (s.empty())
        fail(lineIndex, std::string("expected a number ") + what + ", found an empty field");
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(s.c_str(), &end);
    if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v))
        fail(lineIndex, std::string("expected a number ") + what + ", found '" + s + "'");
    return v;
}

void TextFile::fail(size_t lineIndex, const std::string& message) const
{
    throw InputError(m_path, static_cast<int>(lineIndex + 1), message);
}

} // namespace gsq::core::data::io
