#include "core/common/Error.h"

namespace gsq::core {
namespace {
std::string where(const std::string& file, int line)
{
    return line > 0 ? file + ":" + std::to_string(line) : file;
}
} // namespace

InputError::InputError(const std::string& file, int line, const std::string& message)
    : std::runtime_error(where(file, line) + ": " + message)
    , m_file(file)
    , m_line(line)
{
}

InputError InputError::atKey(const std::string& file, int line, const std::string& key, const std::string& message)
{
    return InputError(file, line, "key '" + key + "': " + message);
}

} // namespace gsq::core
