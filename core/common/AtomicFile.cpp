#include "core/common/AtomicFile.h"

#include "core/common/Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gsq::core {

void writeFileAtomically(const std::string& path, const std::string& content)
{
    std::string tmpl = path + ".tmp-XXXXXX";
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
        throw InputError(path, 0, std::string("cannot create a file here: ") + std::strerror(errno));
    size_t written = 0;
    while (written < content.size()) {
        ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(tmpl.c_str());
            throw InputError(path, 0, std::string("write failed: ") + std::strerror(err));
        }
        written += static_cast<size_t>(n);
    }
    ::fchmod(fd, 0644);
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmpl.c_str());
        throw InputError(path, 0, std::string("write failed: ") + std::strerror(err));
    }
    if (::rename(tmpl.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmpl.c_str());
        throw InputError(path, 0, std::string("cannot replace the file: ") + std::strerror(err));
    }
}

void ensureWritableDirectory(const std::string& dir)
{
    if (dir.empty())
        throw InputError("--out", 0, "empty output directory");
    // Create each missing component.
    for (size_t pos = 1; pos != std::string::npos;) {
        pos = dir.find('/', pos + 1);
        const std::string part = dir.substr(0, pos);
        struct stat st { };
        if (::stat(part.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                throw InputError(dir, 0, "cannot use as output directory: '" + part + "' is not a directory");
            continue;
        }
        if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST)
            throw InputError(dir, 0, std::string("cannot create output directory: ") + std::strerror(errno));
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw InputError(dir, 0, std::string("output directory is not writable: ") + std::strerror(errno));
}

} // namespace gsq::core
